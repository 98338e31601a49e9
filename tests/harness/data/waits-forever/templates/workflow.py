from __future__ import annotations

from ntro.workflow import NtroWorkflow, runbook


@runbook.defn
class WaitsForeverWorkflow(NtroWorkflow):
    @runbook.step(name="await_bank_feed", title="Await bank feed")
    async def _await_bank_feed(self) -> None:
        # Advertises no pending action, so no agent knows what to send.
        await runbook.wait_condition(lambda: False)

    @runbook.run
    async def run(self, period: str) -> str:
        await self._await_bank_feed()
        return period
