from __future__ import annotations

from datetime import timedelta

from ntro.workflow import NtroWorkflow, runbook

from .activities import reconcile
from .models import Reconciliation, ReconciliationContext


@runbook.defn
class StringAnnotationsWorkflow(NtroWorkflow):
    @runbook.step(name="reconcile", title="Reconcile")
    async def _reconcile(self, ctx: ReconciliationContext) -> Reconciliation:
        return await runbook.execute_activity(
            reconcile, ctx, start_to_close_timeout=timedelta(seconds=10)
        )

    @runbook.run
    async def run(self, ctx: ReconciliationContext) -> str:
        outcome = await self._reconcile(ctx)
        return f"{ctx.period_end}: matched={outcome.matched}"
