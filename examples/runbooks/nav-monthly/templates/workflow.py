"""nav-monthly: trial balance in, signed-off NAV out, journals via a child."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from ntro.workflow import NtroWorkflow, runbook

from .activities import compute_nav, publish_nav
from .models import (
    JournalsOutcome,
    NavComputation,
    NavInputs,
    NavMonthlyContext,
    NavMonthlyResult,
    PublishRequest,
    TrialBalanceRef,
)

CHILD_SLUG = "nav-monthly-journals"
ACTIVITY_TIMEOUT = timedelta(minutes=5)


@runbook.defn
class NavMonthlyWorkflow(NtroWorkflow):
    def __init__(self) -> None:
        super().__init__()
        self._trial_balance: TrialBalanceRef | None = None

    @runbook.signal
    def document_submitted(self, payload: dict[str, Any]) -> None:
        self._trial_balance = TrialBalanceRef.model_validate(payload)

    @runbook.step(name="collect_trial_balance", title="Upload trial balance")
    async def _collect_trial_balance(self, ctx: NavMonthlyContext) -> TrialBalanceRef:
        await self.await_signal_with_action(
            predicate=lambda: self._trial_balance is not None,
            action={
                "kind": "submit_file",
                "reason": f"Upload the {ctx.period} trial balance",
                "tool": "ntro_task_file_ingest",
                "args": {
                    "source": "xero-trial-balance",
                    "schema_slug": "trial-balance-xero",
                    "tenant_id_or_slug": ctx.tenant_slug,
                    "entity_id_or_slug": ctx.entity_slug,
                    "signal_task_id": runbook.info().workflow_id,
                    "signal_name": "document_submitted",
                },
            },
        )
        assert self._trial_balance is not None
        return self._trial_balance

    @runbook.step(name="compute_nav", title="Compute NAV")
    async def _compute_nav(
        self, ctx: NavMonthlyContext, trial_balance: TrialBalanceRef
    ) -> NavComputation:
        return await runbook.execute_activity(
            compute_nav,
            NavInputs(context=ctx, trial_balance=trial_balance),
            start_to_close_timeout=ACTIVITY_TIMEOUT,
        )

    @runbook.step(name="post_journals", title="Post accrual journals")
    async def _post_journals(
        self, ctx: NavMonthlyContext, computation: NavComputation
    ) -> JournalsOutcome:
        child_input = {
            "tenant_slug": ctx.tenant_slug,
            "entity_slug": ctx.entity_slug,
            "period": ctx.period,
            "currency": ctx.currency,
            "nav": str(computation.nav),
        }
        result = await self.run_child_workflow(
            slug=CHILD_SLUG, input=child_input, step_id="post_journals"
        )
        return JournalsOutcome.model_validate(
            result.model_dump() if hasattr(result, "model_dump") else result
        )

    @runbook.step(name="approve_nav", title="Sign off NAV")
    async def _approve_nav(self, computation: NavComputation) -> bool:
        decision = await self.wait_for_action(
            payload=computation,
            display_hint={
                "component": "APPROVAL_FORM",
                "config": {
                    "title": f"NAV for {computation.period}",
                    "approve_label": "Sign off",
                    "reject_label": "Reject",
                },
            },
            reason="Approve the month-end NAV before it is published",
        )
        return decision.get("type") == "approved"

    @runbook.step(name="publish_nav", title="Publish NAV")
    async def _publish_nav(
        self, ctx: NavMonthlyContext, computation: NavComputation
    ) -> str:
        published = await runbook.execute_activity(
            publish_nav,
            PublishRequest(context=ctx, computation=computation),
            start_to_close_timeout=ACTIVITY_TIMEOUT,
        )
        return published.nav_ref

    @runbook.run
    async def run(self, ctx: NavMonthlyContext) -> NavMonthlyResult:
        trial_balance = await self._collect_trial_balance(ctx)
        computation = await self._compute_nav(ctx, trial_balance)

        journals = await self._post_journals(ctx, computation)
        if journals.status == "rejected":
            return NavMonthlyResult(
                status="rejected", period=ctx.period, rejected_at="post_journals"
            )

        if not await self._approve_nav(computation):
            return NavMonthlyResult(
                status="rejected", period=ctx.period, rejected_at="approve_nav"
            )

        nav_ref = await self._publish_nav(ctx, computation)
        return NavMonthlyResult(
            status="published", period=ctx.period, nav=computation.nav, nav_ref=nav_ref
        )
