from __future__ import annotations

from typing import Any

from ntro.workflow import NtroWorkflow, runbook


@runbook.defn
class StartsComputedChildWorkflow(NtroWorkflow):
    @runbook.run
    async def run(self, period: str) -> Any:
        # Not a literal: no static look-up can know this slug.
        slug = f"journals-{period[:4]}"
        return await self.run_child_workflow(
            slug=slug, input={"period": period}, step_id="post_journals"
        )
