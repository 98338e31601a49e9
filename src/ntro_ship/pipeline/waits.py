"""Waiting for the platform: deployments to settle, runs to reach a verdict."""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable
from typing import TypeVar

from ntro_ship.errors import PlatformError
from ntro_ship.pipeline.policy import Verdict, poll_interval
from ntro_ship.platform import Deployment, Platform, Task
from ntro_ship.platform.base import (
    DEPLOYMENT_DONE,
    DEPLOYMENT_PENDING,
    TASK_DONE,
    TASK_PENDING,
)

T = TypeVar("T")

# Said where a wait ended without the platform's last word (timed out, or a
# run blocked on a human): a re-run goes back to the same deployment or run.
WAIT_AGAIN = (
    "run the same command again (with a larger timeout, or --accept-blocked "
    "once a human step is enough) to go on waiting on the same deployment or "
    "run"
)


@dataclasses.dataclass(frozen=True)
class Outcome:
    verdict: Verdict
    status: str
    detail: str
    seconds: float


def _poll(
    fetch: Callable[[], T],
    status_of: Callable[[T], str],
    done: frozenset[str],
    pending: frozenset[str],
    timeout: float,
    on_change: Callable[[str], None],
    sleep: Callable[[float], None] = time.sleep,
) -> tuple[T, float, bool]:
    """Poll until a done status (False) or the timeout (True); last value seen."""
    started = time.monotonic()
    last = None
    while True:
        current = fetch()
        status = status_of(current)
        if status != last:
            on_change(status)
            last = status
        if status in done:
            return current, time.monotonic() - started, False
        if status not in pending:
            known = ", ".join(sorted(done | pending))
            raise PlatformError(
                f"the platform reported status {status!r}, which ntro-ship does "
                f"not know (expected one of {known}); nothing was decided, check "
                "the platform before re-running"
            )

        elapsed = time.monotonic() - started
        if elapsed >= timeout:
            return current, elapsed, True
        sleep(min(poll_interval(elapsed), timeout - elapsed))


def _deployment_status(deployment: Deployment) -> str:
    return deployment.status


def _task_status(task: Task) -> str:
    return task.status


def wait_deployment(
    platform: Platform,
    deployment_id: str,
    timeout: float,
    on_change: Callable[[str], None],
) -> tuple[Outcome, Deployment]:
    final, seconds, timed_out = _poll(
        lambda: platform.get_deployment(deployment_id),
        _deployment_status,
        DEPLOYMENT_DONE,
        DEPLOYMENT_PENDING,
        timeout,
        on_change,
    )
    if timed_out:
        detail = f"not DEPLOYED within --deploy-timeout ({timeout:g}s)"
        return Outcome(Verdict.TIMED_OUT, final.status, detail, seconds), final
    if final.status == "DEPLOYED":
        return Outcome(Verdict.PASSED, final.status, "deployed", seconds), final
    detail = final.error or "the platform gave no reason"
    return Outcome(Verdict.FAILED, final.status, detail, seconds), final


def run_verdict(task: Task, accept_blocked: bool) -> tuple[Verdict, str]:
    if task.status == "COMPLETED":
        return Verdict.PASSED, "completed"
    if task.status == "BLOCKED":
        if accept_blocked:
            return Verdict.PASSED, "blocked on a human step (accepted)"
        return Verdict.INCONCLUSIVE, (
            "blocked on a human step; approve it in the tenant UI, or pass "
            "--accept-blocked if reaching the first review is enough"
        )
    failure = ": ".join(p for p in (task.failure_type, task.failure_message) if p)
    failure = failure or "the platform gave no failure detail"
    if task.status == "CANCELLED":
        return Verdict.FAILED, f"cancelled: {failure}"
    return Verdict.FAILED, failure


def wait_task(
    platform: Platform,
    task_id: str,
    timeout: float,
    accept_blocked: bool,
    on_change: Callable[[str], None],
) -> tuple[Outcome, Task]:
    final, seconds, timed_out = _poll(
        lambda: platform.get_task(task_id),
        _task_status,
        TASK_DONE,
        TASK_PENDING,
        timeout,
        on_change,
    )
    if timed_out:
        detail = f"no verdict within --run-timeout ({timeout:g}s)"
        return Outcome(Verdict.TIMED_OUT, final.status, detail, seconds), final
    verdict, detail = run_verdict(final, accept_blocked)
    return Outcome(verdict, final.status, detail, seconds), final
