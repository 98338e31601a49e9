from __future__ import annotations

from ntro.workflow import NtroWorkflow, runbook


@runbook.defn
class RaisesInStepWorkflow(NtroWorkflow):
    @runbook.step(name="check_balances", title="Check balances")
    async def _check_balances(self, period: str) -> str:
        # The bug under test: not a WorkflowError, so the run never fails.
        raise ValueError("deliberate bug")

    @runbook.run
    async def run(self, period: str) -> str:
        if period == "before-any-step":
            raise KeyError(period)
        return await self._check_balances(period)
