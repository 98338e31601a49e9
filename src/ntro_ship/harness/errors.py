"""Why the test stage could not produce a verdict."""

from __future__ import annotations

from ntro_ship.errors import NtroShipError
from ntro_ship.exit_codes import ExitCode


class HarnessEnvironmentError(NtroShipError):
    """The runbook's environment cannot be built or cannot run its code."""

    exit_code = ExitCode.FAILED


class UnresolvableRequirementError(HarnessEnvironmentError):
    """pip found no distribution for a requirement on the configured index."""

    def __init__(self, message: str, *, package: str, index: str) -> None:
        super().__init__(message)
        self.package = package
        self.index = index


class MissingModuleError(HarnessEnvironmentError):
    """The runbook imports a module its requirements do not install."""

    def __init__(self, message: str, *, module: str) -> None:
        super().__init__(message)
        self.module = module


class HarnessTimeoutError(NtroShipError):
    """The harness process outlived every scenario's deadline together."""

    exit_code = ExitCode.TIMED_OUT
