"""The harness's agent loop, made to know steps and to stop stuck runs.

Loaded by `runner.py` inside the runbook's environment (by path, like
`history.py`, which it is handed), so it imports only the standard library
and `ntro.testing`, at call time.
"""

from __future__ import annotations

import asyncio
import importlib
import time
from contextlib import suppress
from typing import Any


class UnknownChildStarted(Exception):
    """The run started a child nobody registered: about the whole stage."""

    def __init__(self, unknown: Any) -> None:
        super().__init__(unknown.message())
        self.unknown = unknown


def step_aware_loop(history: Any, steps: dict[tuple[str, str], str]) -> type:
    """The harness's agent loop, told which step each review belongs to.

    It also stops a run whose workflow task keeps failing, naming the step
    from `steps`, the (file, function) of each `@runbook.step` method.
    """
    base: Any = importlib.import_module("ntro.testing.agent_loop").HarnessAgentLoop
    harness: Any = importlib.import_module("ntro.testing.harness")

    class StepAwareAgentLoop(base):  # type: ignore[misc]
        @staticmethod
        async def _safe_query(handle: Any, name: str) -> Any:
            try:
                return await handle.query(name, rpc_timeout=history.QUERY_RPC_TIMEOUT)
            except Exception:
                return None

        def _failing_task_result(self, root_id: str, stuck: Any) -> Any:
            step = history.step_in_trace(stuck.stack_trace, steps)
            elapsed = time.monotonic() - self._started
            outcome = harness.RunResult(
                scenario=self.scenario.name,
                workflow_id=root_id,
                status="failed",
                error=(
                    f"the workflow code raised {stuck.cause}, which fails its "
                    "workflow task; on the tenant Temporal would retry that "
                    "task forever and the run would hang, so it was stopped"
                ),
                events=[
                    *self._events,
                    harness.StepEvent(
                        kind="error",
                        workflow_id=stuck.workflow_id,
                        detail={"reason": "workflow_task_failed", "step_id": step},
                        timestamp_s=elapsed,
                    ),
                ],
                duration_s=elapsed,
            )
            outcome.failing_task = {
                "cause": stuck.cause,
                "step": history.step_path(root_id, stuck.workflow_id, step),
            }
            return outcome

        async def _handle_review(
            self, handle: Any, pending: dict[str, Any], events: Any, ts: float
        ) -> None:
            self._events = events
            # wait_for_action gates advertise no step_id (D15), so per-step
            # overrides never matched; the running step is the gate's step.
            if not pending.get("step_id"):
                state = await self._safe_query(handle, "current_ui_state") or {}
                pending = {**pending, "step_id": state.get("current_step_id")}
            await super()._handle_review(handle, pending, events, ts)

        async def _handle_submit_file(
            self, handle: Any, pending: dict[str, Any], events: Any, ts: float
        ) -> None:
            self._events = events  # the events so far, should the run get stuck
            await super()._handle_submit_file(handle, pending, events, ts)

        async def _handle_drill_down(
            self, handle: Any, pending: dict[str, Any], events: Any, ts: float
        ) -> None:
            self._events = events
            known = len(events)
            await super()._handle_drill_down(handle, pending, events, ts)

            _drop_a_repeated_drill_down(events, known)

        async def drive(self, handle: Any, *, timeout_s: float) -> Any:
            self._started, self._events = time.monotonic(), []
            driving = asyncio.ensure_future(super().drive(handle, timeout_s=timeout_s))
            watching = asyncio.ensure_future(history.watch(self.client, handle.id))
            await asyncio.wait({driving, watching}, return_when=asyncio.FIRST_COMPLETED)
            finished = driving if driving.done() else watching
            other = watching if finished is driving else driving
            other.cancel()
            with suppress(asyncio.CancelledError):
                await other
            if finished is driving:
                return driving.result()

            stuck = watching.result()
            # Ending the root ends its children (their default parent-close
            # policy), so the harness shuts down without waiting on them.
            with suppress(Exception):
                await handle.terminate(reason="ntro-ship: stuck workflow task")
            if isinstance(stuck, history.FailingTask):
                return self._failing_task_result(handle.id, stuck)
            raise UnknownChildStarted(stuck)

    return StepAwareAgentLoop


def _drop_a_repeated_drill_down(events: list[Any], known: int) -> None:
    """Forget the drill-downs just noted if the poll before noted the same.

    The SDK's loop notes a drill-down on every poll (each 0.1 s) until a
    child surfaces an action, so a slow child would fill the report with
    copies whose number depends on the machine's speed. One drill-down per
    wait (one chain of them, for grandchildren) is what happened; the
    first is kept.
    """
    chain = 0
    while known + chain < len(events) and events[known + chain].kind == "drill_down":
        chain += 1
    if chain == 0 or known < chain:
        return

    earlier, now = events[known - chain : known], events[known : known + chain]
    if all(
        (a.kind, a.workflow_id, a.detail) == (b.kind, b.workflow_id, b.detail)
        for a, b in zip(earlier, now, strict=True)
    ):
        del events[known : known + chain]


def step_methods(*classes: type) -> dict[tuple[str, str], str]:
    """(file, function) of every `@runbook.step` method, to its step id."""
    found = {}
    for cls in classes:
        for klass in cls.__mro__:
            for method in vars(klass).values():
                marker = getattr(method, "__ntro_ui_step__", None)
                code = getattr(getattr(method, "__wrapped__", None), "__code__", None)
                if marker and code is not None:
                    found[(code.co_filename, code.co_name)] = marker["name"]
    return found
