"""The local test stage around the real `ntro` harness (`ntro.testing`).

    from ntro_ship.harness import run_test_stage, TestOptions

    report = run_test_stage(TestOptions(runbook=Path("examples/runbooks/x")))
    report.passed, report.summary_markdown(), report.to_json()

Importing this package is cheap: the stage itself (subprocesses, the
environment cache) loads on the first call.
"""

from __future__ import annotations

from collections.abc import Callable

from ntro_ship.harness.report import ScenarioResult, TestOptions, TestReport

__all__ = ["ScenarioResult", "TestOptions", "TestReport", "run_test_stage"]


def run_test_stage(
    options: TestOptions, *, log: Callable[[str], None] | None = None
) -> TestReport:
    """Run the selected scenarios; environment problems raise NtroShipError."""
    from ntro_ship.harness import stage

    if log is None:
        return stage.run_test_stage(options)
    return stage.run_test_stage(options, log=log)
