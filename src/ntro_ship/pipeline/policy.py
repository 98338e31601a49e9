"""Verdicts, their exit codes, and the timeouts every wait runs under."""

from __future__ import annotations

import dataclasses
import enum

from ntro_ship.exit_codes import ExitCode


class Verdict(enum.StrEnum):
    PASSED = "passed"
    FAILED = "failed"
    TIMED_OUT = "timed out"
    INCONCLUSIVE = "inconclusive"

    @property
    def exit_code(self) -> ExitCode:
        return _EXIT[self]


_EXIT = {
    Verdict.PASSED: ExitCode.OK,
    Verdict.FAILED: ExitCode.FAILED,
    Verdict.TIMED_OUT: ExitCode.TIMED_OUT,
    Verdict.INCONCLUSIVE: ExitCode.INCONCLUSIVE,
}


@dataclasses.dataclass(frozen=True)
class Policy:
    deploy_timeout: float = 600.0
    run_timeout: float = 900.0
    request_timeout: float = 30.0
    # A run waiting on a human counts as passed only when asked for.
    accept_blocked: bool = False


def poll_interval(elapsed: float) -> float:
    """Short first, longer later: a status change is seen within ~0.25 s plus
    5 % of the time already waited, and a long wait costs few requests."""
    return min(2.0, 0.2 + 0.05 * elapsed)
