from __future__ import annotations

from datetime import timedelta

from ntro.workflow import NtroWorkflow, runbook

from .activities import format_amount


@runbook.defn
class MissingDependencyWorkflow(NtroWorkflow):
    @runbook.run
    async def run(self, amount: str) -> str:
        return await runbook.execute_activity(
            format_amount, amount, start_to_close_timeout=timedelta(seconds=10)
        )
