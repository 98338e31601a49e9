"""The simulated tenant's clock: statuses computed from timestamps on read.

Nothing advances in the background. A deployment or a task records when it
started, how long the tenant takes (the delay in force at the time) and how
it will end; its status at any moment follows from those three, so a restart
loses nothing and a test with zero delays sees the end state at once.
"""

from __future__ import annotations

import dataclasses
import datetime
import time
from typing import Any

# Share of a delay spent waiting in the queue before the work starts.
PENDING_SHARE = 0.3


def now() -> float:
    return time.time()


def iso(timestamp: float) -> str:
    moment = datetime.datetime.fromtimestamp(timestamp, datetime.UTC)
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")


@dataclasses.dataclass(frozen=True)
class Phase:
    status: str
    since: float


def deployment_phase(created: float, delay: float, outcome: str, at: float) -> Phase:
    """PENDING, then DEPLOYING, then the outcome (DEPLOYED or FAILED)."""
    started = created + delay * PENDING_SHARE
    if at >= created + delay:
        return Phase(outcome, created + delay)
    if at >= started:
        return Phase("DEPLOYING", started)
    return Phase("PENDING", created)


def finished_at(created: float, delay: float) -> float:
    return created + delay


# How a task ends, as recorded at creation; HANG never ends.
TASK_OUTCOMES = ("COMPLETED", "FAILED", "BLOCKED", "HANG")


@dataclasses.dataclass(frozen=True)
class Resolution:
    """A human's answer to a BLOCKED task: COMPLETED or FAILED from `at` on."""

    outcome: str
    at: float


def task_phase(
    created: float,
    delay: float,
    outcome: str,
    at: float,
    resolution: Resolution | None = None,
) -> Phase:
    """PENDING, then IN_PROGRESS, then COMPLETED, FAILED or BLOCKED."""
    if resolution is not None and at >= resolution.at:
        return Phase(resolution.outcome, resolution.at)

    started = created + delay * PENDING_SHARE
    if at >= created + delay and outcome != "HANG":
        return Phase(outcome, created + delay)
    if at >= started:
        return Phase("IN_PROGRESS", started)
    return Phase("PENDING", created)


def task_steps(
    names: list[str],
    created: float,
    delay: float,
    outcome: str,
    at: float,
    resolution: Resolution | None = None,
) -> list[dict[str, Any]]:
    """Step statuses: done one after another while the task is in progress."""
    phase = task_phase(created, delay, outcome, at, resolution)
    last = len(names) - 1
    if phase.status == "PENDING":
        return [{"name": n, "status": "PENDING"} for n in names]

    if phase.status == "COMPLETED":
        return [{"name": n, "status": "COMPLETED"} for n in names]

    if phase.status in ("FAILED", "BLOCKED"):
        current, current_status = last, phase.status
    elif at >= created + delay:
        current, current_status = last, "IN_PROGRESS"
    else:
        span = delay * (1 - PENDING_SHARE)
        share = (at - phase.since) / span if span else 1.0
        current, current_status = min(int(share * len(names)), last), "IN_PROGRESS"

    steps = []
    for index, name in enumerate(names):
        if index < current:
            status = "COMPLETED"
        elif index == current:
            status = current_status
        else:
            status = "PENDING"
        steps.append({"name": name, "status": status})
    return steps
