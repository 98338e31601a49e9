from __future__ import annotations

from typing import Any

from ntro.workflow import NtroWorkflow, runbook


@runbook.defn
class StartsAbsentChildWorkflow(NtroWorkflow):
    @runbook.run
    async def run(self, period: str) -> Any:
        return await self.run_child_workflow(
            slug="absent-journals", input={"period": period}, step_id="post_journals"
        )
