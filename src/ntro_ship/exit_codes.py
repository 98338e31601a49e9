"""Exit codes shared by every ntro-ship command.

One table for the whole tool, so a CI script can branch on the number alone:

    0  OK            clean lint, passed verdict, command succeeded
    1  FAILED        lint findings, a file rewritten by --fix, a failed verdict
    2  USAGE         bad flags, bad configuration, malformed user input
    3  INTERNAL      a bug in ntro-ship (the message asks for a report)
    4  TIMED_OUT     a wait ran out of time before the platform decided
    5  INCONCLUSIVE  a smoke run is blocked on a human step
    6  ROLLED_BACK   a promotion failed and production was put back
    7  DEGRADED      a rollback itself failed: production needs a human now
    8  PLATFORM      the platform could not be reached or answered an error
  130  INTERRUPTED   Ctrl-C
"""

from __future__ import annotations

import enum


class ExitCode(enum.IntEnum):
    OK = 0
    FAILED = 1
    USAGE = 2
    INTERNAL = 3
    TIMED_OUT = 4
    INCONCLUSIVE = 5
    ROLLED_BACK = 6
    DEGRADED = 7
    PLATFORM = 8
    INTERRUPTED = 130
