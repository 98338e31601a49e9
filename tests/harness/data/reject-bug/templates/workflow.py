from __future__ import annotations

from ntro.workflow import NtroWorkflow, WorkflowError, runbook
from pydantic import BaseModel


class RejectBugContext(BaseModel):
    period: str
    entity_slug: str


@runbook.defn
class RejectBugWorkflow(NtroWorkflow):
    @runbook.step(name="review_journals", title="Review journals")
    async def _review(self, ctx: RejectBugContext) -> dict[str, str]:
        decision = await self.wait_for_action(payload={"period": ctx.period})
        if decision["type"] != "approved":
            # The bug under test: rejection is treated as impossible.
            raise WorkflowError(f"no approved journals for {ctx.period}")
        return decision

    @runbook.step(name="post_journals", title="Post journals")
    async def _post(self, ctx: RejectBugContext) -> str:
        return f"posted {ctx.period}"

    @runbook.run
    async def run(self, ctx: RejectBugContext) -> str:
        await self._review(ctx)
        return await self._post(ctx)
