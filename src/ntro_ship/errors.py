"""Errors that end a command with a message and a distinct exit code.

    NtroShipError               base; caught once, at the CLI boundary
     +-- UsageError             the user asked for something impossible (2)
     +-- ConfigError            a configuration file or value is wrong (2)
     +-- PlatformError          the platform failed or answered an error (8)
          (ntro_ship.platform defines the detailed subclasses)

Every message says what happened and what to do about it.
"""

from __future__ import annotations

from ntro_ship.exit_codes import ExitCode


class NtroShipError(Exception):
    """An expected failure: printed without a traceback."""

    exit_code: ExitCode = ExitCode.FAILED

    def __init__(self, message: str, *, exit_code: ExitCode | None = None) -> None:
        super().__init__(message)
        if exit_code is not None:
            self.exit_code = exit_code


class UsageError(NtroShipError):
    exit_code = ExitCode.USAGE


class ConfigError(NtroShipError):
    exit_code = ExitCode.USAGE


class PlatformError(NtroShipError):
    exit_code = ExitCode.PLATFORM
