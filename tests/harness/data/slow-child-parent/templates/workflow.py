from __future__ import annotations

from typing import Any

from ntro.workflow import NtroWorkflow, runbook


@runbook.defn
class SlowChildParentWorkflow(NtroWorkflow):
    @runbook.run
    async def run(self, period: str) -> Any:
        return await self.run_child_workflow(
            slug="slow-child", input=period, step_id="run_child"
        )
