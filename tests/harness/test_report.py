"""The verdict: which outcomes pass, which exit code each gets."""

from __future__ import annotations

import subprocess
import sys
import xml.etree.ElementTree as ElementTree

import pytest

from ntro_ship.exit_codes import ExitCode
from ntro_ship.harness.report import (
    REQUIRED_SCENARIOS,
    Event,
    ScenarioResult,
    TestReport,
)

DONE = Event(kind="done", workflow_id="test-nav-monthly-1a2b3c4d", at_s=0.3, detail={})


def _scenario(name: str, status: str) -> ScenarioResult:
    return ScenarioResult(
        name=name,
        status=status,
        duration_s=0.5,
        events=[DONE] if status == "passed" else [],
        error=None if status == "passed" else f"{name} went wrong",
        failed_step=None if status == "passed" else "approve_nav",
    )


def _report(*scenarios: ScenarioResult, required: tuple[str, ...]) -> TestReport:
    return TestReport(
        runbook="nav-monthly",
        children=[],
        scenarios=list(scenarios),
        required=required,
        input_source="--input",
        versions={"ntro": "0.1.2"},
        environment="env",
    )


@pytest.mark.parametrize(
    ("outcomes", "required", "passed", "exit_code"),
    [
        pytest.param(
            [("happy", "passed"), ("reject_all", "passed")],
            REQUIRED_SCENARIOS,
            True,
            ExitCode.OK,
            id="both-required-passed",
        ),
        pytest.param(
            [("happy", "passed")],
            REQUIRED_SCENARIOS,
            False,
            ExitCode.FAILED,
            id="reject-all-never-ran",
        ),
        pytest.param(
            [("happy", "passed"), ("reject_all", "failed")],
            REQUIRED_SCENARIOS,
            False,
            ExitCode.FAILED,
            id="one-failed",
        ),
        pytest.param(
            [("happy", "passed"), ("reject_all", "timed_out")],
            REQUIRED_SCENARIOS,
            False,
            ExitCode.TIMED_OUT,
            id="one-timed-out",
        ),
        pytest.param(
            [("happy", "timed_out"), ("reject_all", "failed")],
            REQUIRED_SCENARIOS,
            False,
            ExitCode.FAILED,
            id="failed-outranks-timed-out",
        ),
        pytest.param(
            [("reviewer_rejects", "passed")],
            (),
            True,
            ExitCode.OK,
            id="explicit-selection-needs-only-itself",
        ),
        pytest.param([], (), False, ExitCode.FAILED, id="nothing-ran"),
    ],
)
def test_verdict(
    outcomes: list[tuple[str, str]],
    required: tuple[str, ...],
    passed: bool,
    exit_code: ExitCode,
) -> None:
    report = _report(*(_scenario(n, s) for n, s in outcomes), required=required)

    assert (report.passed, report.exit_code) == (passed, exit_code)
    assert report.to_json()["passed"] is passed


def test_missing_required_scenario_is_a_junit_failure() -> None:
    report = _report(_scenario("happy", "passed"), required=REQUIRED_SCENARIOS)

    suite = ElementTree.fromstring(report.junit_xml())

    assert (suite.get("tests"), suite.get("failures")) == ("2", "1")
    cases = {case.get("name"): case.find("failure") for case in suite}
    assert cases["happy"] is None
    failure = cases["reject_all"]
    assert failure is not None
    assert failure.get("message") == "reject_all did not run"


def test_failed_scenario_in_markdown_and_table() -> None:
    report = _report(
        _scenario("happy", "passed"),
        _scenario("reject_all", "failed"),
        required=REQUIRED_SCENARIOS,
    )

    assert "| reject_all | failed | 0.50s | approve_nav | reject_all went wrong |" in (
        report.summary_markdown()
    )
    assert report.table().splitlines()[-2:] == [
        "reject_all failed at step approve_nav: reject_all went wrong",
        "summary: 1 passed, 1 failed (of 2)",
    ]


def test_importing_the_harness_package_stays_cheap() -> None:
    # The pipeline imports it on every run, tests or not.
    code = (
        "import sys, ntro_ship.harness; "
        "print([m for m in ('subprocess', 'ntro_ship.harness.stage') "
        "if m in sys.modules])"
    )
    completed = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )

    assert completed.stdout == "[]\n"


@pytest.mark.parametrize(
    ("outcomes", "summary", "exit_code"),
    [
        pytest.param(
            ["failed", "failed"],
            "summary: 0 passed, 2 failed (of 2)",
            ExitCode.FAILED,
            id="failed",
        ),
        pytest.param(
            ["timed_out", "timed_out"],
            "summary: 0 passed, 0 failed, 2 timed out (of 2)",
            ExitCode.TIMED_OUT,
            id="timed-out",
        ),
        pytest.param(
            ["passed", "timed_out"],
            "summary: 1 passed, 0 failed, 1 timed out (of 2)",
            ExitCode.TIMED_OUT,
            id="one-timed-out",
        ),
        pytest.param(
            ["failed", "timed_out"],
            "summary: 0 passed, 1 failed, 1 timed out (of 2)",
            ExitCode.FAILED,
            id="both",
        ),
    ],
)
def test_summary_line_agrees_with_the_exit_code(
    outcomes: list[str], summary: str, exit_code: ExitCode
) -> None:
    names = REQUIRED_SCENARIOS
    report = _report(
        *(_scenario(n, s) for n, s in zip(names, outcomes, strict=True)),
        required=REQUIRED_SCENARIOS,
    )

    assert (report.table().splitlines()[-1], report.exit_code) == (summary, exit_code)
