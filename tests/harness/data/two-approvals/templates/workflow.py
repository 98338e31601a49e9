from __future__ import annotations

from ntro.workflow import NtroWorkflow, runbook
from pydantic import BaseModel


class TwoApprovalsContext(BaseModel):
    period: str


@runbook.defn
class TwoApprovalsWorkflow(NtroWorkflow):
    @runbook.step(name="preparer_approval", title="Preparer approval")
    async def _preparer(self) -> bool:
        decision = await self.wait_for_action(reason="Preparer sign-off")
        return decision["type"] == "approved"

    @runbook.step(name="reviewer_approval", title="Reviewer approval")
    async def _reviewer(self) -> bool:
        decision = await self.wait_for_action(reason="Reviewer sign-off")
        return decision["type"] == "approved"

    @runbook.run
    async def run(self, ctx: TwoApprovalsContext) -> str:
        if not await self._preparer():
            return "rejected by preparer"
        if not await self._reviewer():
            return "rejected by reviewer"
        return f"{ctx.period} approved"
