from __future__ import annotations

import asyncio

from ntro.workflow import NtroWorkflow, runbook


@runbook.defn
class SlowChildWorkflow(NtroWorkflow):
    @runbook.step(name="approve_after_a_while", title="Approve after a while")
    async def _approve(self) -> bool:
        # A workflow timer: the parent shows a drill-down the whole time.
        await asyncio.sleep(1)
        decision = await self.wait_for_action(reason="Approve")
        return decision["type"] == "approved"

    @runbook.run
    async def run(self, period: str) -> bool:
        return await self._approve()
