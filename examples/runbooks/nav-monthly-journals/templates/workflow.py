"""nav-monthly-journals: draft accruals, human review, post when approved."""

from __future__ import annotations

from datetime import timedelta

from ntro.workflow import NtroWorkflow, runbook

from .activities import draft_journals, post_journals
from .models import (
    JournalProposal,
    JournalsOutcome,
    NavMonthlyJournalsContext,
    PostingRequest,
)

ACTIVITY_TIMEOUT = timedelta(minutes=5)


@runbook.defn
class NavMonthlyJournalsWorkflow(NtroWorkflow):
    @runbook.step(name="draft_journals", title="Draft accruals")
    async def _draft_journals(self, ctx: NavMonthlyJournalsContext) -> JournalProposal:
        return await runbook.execute_activity(
            draft_journals, ctx, start_to_close_timeout=ACTIVITY_TIMEOUT
        )

    @runbook.step(name="review_journals", title="Review journals")
    async def _review_journals(self, proposal: JournalProposal) -> bool:
        decision = await self.wait_for_action(
            payload=proposal,
            display_hint={
                "component": "DATA_TABLE",
                "config": {
                    "title": f"Accrual journals for {proposal.period}",
                    "approve_label": "Post journals",
                    "reject_label": "Reject",
                },
            },
            reason="Approve the proposed accruals before they are posted",
        )
        return decision.get("type") == "approved"

    @runbook.step(name="post_journals", title="Post journals")
    async def _post_journals(
        self, ctx: NavMonthlyJournalsContext, proposal: JournalProposal
    ) -> str:
        receipt = await runbook.execute_activity(
            post_journals,
            PostingRequest(context=ctx, proposal=proposal),
            start_to_close_timeout=ACTIVITY_TIMEOUT,
        )
        return receipt.posting_ref

    @runbook.run
    async def run(self, ctx: NavMonthlyJournalsContext) -> JournalsOutcome:
        proposal = await self._draft_journals(ctx)

        if not await self._review_journals(proposal):
            return JournalsOutcome(status="rejected")

        posting_ref = await self._post_journals(ctx, proposal)
        return JournalsOutcome(
            status="posted", journal_count=len(proposal.lines), posting_ref=posting_ref
        )
