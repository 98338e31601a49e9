"""Deliberately broken runbooks fail the stage, each for the reason it should."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from tests.harness.conftest import DATA, EXAMPLES, RunCli

from ntro_ship.harness.environment import ensure_environment


def test_reject_all_bug_fails_naming_scenario_step_and_cause(run_cli: RunCli) -> None:
    completed = run_cli(DATA / "reject-bug")

    assert completed.returncode == 1, completed.stderr
    assert completed.stdout.splitlines()[-2:] == [
        "reject_all failed at step review_journals: workflow ended with status "
        "FAILED (cause: no approved journals for auto-mock)",
        "summary: 1 passed, 1 failed (of 2)",
    ]


def test_reject_all_bug_in_junit_xml(run_cli: RunCli, tmp_path: Path) -> None:
    junit = tmp_path / "junit.xml"
    completed = run_cli(DATA / "reject-bug", "--junit-xml", junit)

    assert completed.returncode == 1
    text = junit.read_text(encoding="utf-8")
    assert 'tests="2" failures="1"' in text
    assert '<failure message="reject_all failed at step review_journals: ' in text


def test_stuck_runbook_times_out_with_exit_4_naming_the_step(run_cli: RunCli) -> None:
    completed = run_cli(
        DATA / "waits-forever", "--input", '"2026-03"', "--timeout", "1"
    )

    assert completed.returncode == 4, completed.stderr
    assert completed.stdout.splitlines()[-3:] == [
        "happy timed out at step await_bank_feed: timed out after 1.0s",
        "reject_all timed out at step await_bank_feed: timed out after 1.0s",
        "summary: 0 passed, 0 failed, 2 timed out (of 2)",
    ]


STUCK_TASK = (
    "which fails its workflow task; on the tenant Temporal would retry that "
    "task forever and the run would hang, so it was stopped"
)


@pytest.mark.parametrize(
    ("period", "where", "cause"),
    [
        pytest.param(
            "2026-03",
            " at step check_balances",
            "ValueError: deliberate bug",
            id="raised-in-a-step",
        ),
        pytest.param(
            "before-any-step",
            "",
            "KeyError: 'before-any-step'",
            id="raised-before-any-step",
        ),
    ],
)
def test_ordinary_exception_fails_at_once_instead_of_timing_out(
    run_cli: RunCli, period: str, where: str, cause: str
) -> None:
    started = time.monotonic()
    completed = run_cli(DATA / "raises-in-step", "--input", json.dumps(period))

    assert time.monotonic() - started < 15  # the default --timeout is 30 s each
    assert completed.returncode == 1, completed.stderr
    assert completed.stdout.splitlines()[-3:] == [
        f"happy failed{where}: the workflow code raised {cause}, {STUCK_TASK}",
        f"reject_all failed{where}: the workflow code raised {cause}, {STUCK_TASK}",
        "summary: 0 passed, 2 failed (of 2)",
    ]


def test_ordinary_exception_in_a_child_names_both_steps(
    run_cli: RunCli, tmp_path: Path
) -> None:
    parent = shutil.copytree(EXAMPLES / "nav-monthly", tmp_path / "nav-monthly")
    child = shutil.copytree(
        EXAMPLES / "nav-monthly-journals", tmp_path / "nav-monthly-journals"
    )
    workflow = child / "templates" / "workflow.py"
    step = "    async def _draft_journals(self, ctx: NavMonthlyJournalsContext) -> "
    text = workflow.read_text(encoding="utf-8")
    workflow.write_text(
        text.replace(
            f"{step}JournalProposal:\n",
            f"{step}JournalProposal:\n        raise ValueError('deliberate bug')\n",
        )
    )

    completed = run_cli(parent, "--child", child, "--scenario", "happy")

    assert completed.returncode == 1, completed.stderr
    assert completed.stdout.splitlines()[-2:] == [
        "happy failed at step post_journals > nav-monthly-journals:draft_journals: "
        f"the workflow code raised ValueError: deliberate bug, {STUCK_TASK}",
        "summary: 0 passed, 1 failed (of 1)",
    ]


def test_missing_dependency_fails_naming_the_module(run_cli: RunCli) -> None:
    completed = run_cli(DATA / "missing-dependency")

    assert completed.returncode == 1
    assert completed.stdout == ""
    assert completed.stderr == (
        "ntro-ship: error: missing-dependency: its code imports 'babel', which "
        "its requirements do not install. The tenant installs only "
        f"{DATA / 'missing-dependency' / 'requirements.txt'}: add a pinned line "
        "for the distribution that provides 'babel' there\n"
    )


@pytest.mark.parametrize(
    ("scenarios", "reviews", "result"),
    [
        pytest.param(
            ["reviewer_rejects"],
            [
                {"response": "approved", "step_id": "preparer_approval"},
                {"response": "rejected", "step_id": "reviewer_approval"},
            ],
            "rejected by reviewer",
            id="custom-scenario-overrides-one-step",
        ),
        pytest.param(
            ["reject_all"],
            [{"response": "rejected", "step_id": "preparer_approval"}],
            "rejected by preparer",
            id="built-in-reject-all",
        ),
    ],
)
def test_custom_scenario_from_tests_scenarios_py_runs_by_name(
    run_cli: RunCli, scenarios: list[str], reviews: list[dict[str, str]], result: str
) -> None:
    options = [arg for name in scenarios for arg in ("--scenario", name)]
    completed = run_cli(DATA / "two-approvals", *options, "--json")

    assert completed.returncode == 0, completed.stderr
    report = json.loads(completed.stdout)
    (scenario,) = report["scenarios"]
    assert scenario["name"] == scenarios[0]
    assert [e["detail"] for e in scenario["events"] if e["kind"] == "review"] == reviews
    assert scenario["result"] == result


def test_unknown_scenario_is_a_usage_error_listing_the_choices(
    run_cli: RunCli,
) -> None:
    completed = run_cli(DATA / "two-approvals", "--scenario", "nope")

    assert completed.returncode == 2
    assert completed.stderr == (
        "ntro-ship: error: unknown scenario(s): nope; available: happy, "
        "reject_all, reviewer_rejects; custom scenarios live in "
        "<runbook>/tests/scenarios.py\n"
    )


def test_string_annotations_without_input_pass(run_cli: RunCli) -> None:
    completed = run_cli(DATA / "string-annotations", "--json")

    assert completed.returncode == 0, completed.stderr
    report = json.loads(completed.stdout)
    assert report["input_source"] == "auto-mock of run()'s type"
    assert [s["result"] for s in report["scenarios"]] == [
        "2026-01-01: matched=True",
        "2026-01-01: matched=True",
    ]


def test_bare_harness_cannot_mock_string_annotations(tmp_path: Path) -> None:
    """The trap the stage removes (D6), pinned on the real `ntro` CLI."""
    runbook = DATA / "string-annotations"
    files = [runbook / "requirements.txt", runbook / "requirements-dev.txt"]
    environment = ensure_environment(files, log=lambda _: None)
    (tmp_path / f"temporal-sdk-python-{environment.temporalio_version}").symlink_to(
        environment.temporal
    )

    completed = subprocess.run(
        [str(environment.path / "bin" / "ntro"), "workflow", "test", str(runbook)],
        env={**os.environ, "TMPDIR": str(tmp_path)},
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert completed.returncode == 1
    assert "no auto-mock recipe for 'ReconciliationContext'" in completed.stderr


@pytest.mark.parametrize(
    ("given", "message"),
    [
        pytest.param(
            '{"period": ',
            "ntro-ship: error: --input: not valid JSON (Expecting value at line 1 "
            "column 12); pass the run() input as a JSON object or @file\n",
            id="not-json",
        ),
        pytest.param(
            '{"period": 7}',
            "ntro-ship: error: the input does not fit TwoApprovalsContext: 1 "
            "validation error for TwoApprovalsContext\nperiod\n  Input should be "
            "a valid string [type=string_type, input_value=7, input_type=int]\n",
            id="wrong-type",
        ),
    ],
)
def test_bad_input_is_a_usage_error_not_a_timeout(
    run_cli: RunCli, given: str, message: str
) -> None:
    completed = run_cli(DATA / "two-approvals", "--input", given, "--timeout", "60")

    assert completed.returncode == 2
    assert completed.stderr.startswith(message)


def _with_scenarios(tmp_path: Path, text: str) -> Path:
    runbook = tmp_path / "two-approvals"
    shutil.copytree(DATA / "two-approvals", runbook)
    (runbook / "tests" / "scenarios.py").write_text(
        "from ntro.testing import Scenario\n\n" + text, encoding="utf-8"
    )
    return runbook


def test_a_custom_scenario_may_not_take_a_built_in_name(
    run_cli: RunCli, tmp_path: Path
) -> None:
    runbook = _with_scenarios(
        tmp_path, 'LENIENT = Scenario(name="reject_all", approve_reviews=True)\n'
    )

    completed = run_cli(runbook)

    assert completed.returncode == 2
    assert completed.stderr == (
        f"ntro-ship: error: {runbook / 'tests' / 'scenarios.py'} defines a "
        "scenario named 'reject_all', which is a built-in scenario's name; give "
        "it a name of its own\n"
    )


def test_an_answer_for_a_step_that_does_not_exist_is_refused(
    run_cli: RunCli, tmp_path: Path
) -> None:
    runbook = _with_scenarios(
        tmp_path,
        'TYPO = Scenario(name="typo", review_overrides={"reviewer_aproval": '
        '"rejected"})\n',
    )

    completed = run_cli(runbook)

    assert completed.returncode == 2
    assert completed.stderr == (
        "ntro-ship: error: scenario 'typo' answers step(s) 'reviewer_aproval', "
        "which no @runbook.step defines (steps: preparer_approval, "
        "reviewer_approval); use a step id from the runbook's runbook.md\n"
    )


def test_a_scenario_named_twice_runs_once(run_cli: RunCli) -> None:
    completed = run_cli(
        DATA / "two-approvals", "--scenario", "happy", "--scenario", "happy", "--json"
    )

    assert completed.returncode == 0, completed.stderr
    assert [s["name"] for s in json.loads(completed.stdout)["scenarios"]] == ["happy"]


def test_a_workflow_class_that_is_not_there_is_a_usage_error(
    run_cli: RunCli,
) -> None:
    completed = run_cli(DATA / "two-approvals", "--workflow-class", "NoSuchWorkflow")

    assert completed.returncode == 2
    assert completed.stderr == (
        "ntro-ship: error: two-approvals: templates/workflow.py defines no class "
        "'NoSuchWorkflow' (the name comes from --workflow-class, or else from "
        "the runbook's slug); pass --workflow-class NAME\n"
    )


def test_a_mocked_input_that_does_not_fit_says_it_was_mocked(
    run_cli: RunCli, tmp_path: Path
) -> None:
    parent = tmp_path / "nav-monthly"
    shutil.copytree(EXAMPLES / "nav-monthly", parent)
    (parent / "tests" / "input.json").unlink()

    completed = run_cli(parent, "--child", EXAMPLES / "nav-monthly-journals")

    assert completed.returncode == 2
    assert completed.stderr.startswith(
        "ntro-ship: error: no --input and no tests/input.json, and the "
        "auto-mocked input does not fit NavMonthlyContext: "
    )
    assert completed.stderr.endswith("; pass --input JSON or add tests/input.json\n")


def test_sigterm_stops_the_stage_like_ctrl_c_and_cleans_up(tmp_path: Path) -> None:
    runbook = DATA / "waits-forever"
    # Built first, so the signal lands while a scenario runs.
    files = [runbook / "requirements.txt", runbook / "requirements-dev.txt"]
    ensure_environment(files, log=lambda _: None)
    command = [sys.executable, "-m", "ntro_ship", "test", str(runbook)]
    stage = subprocess.Popen(
        [*command, "--input", '"2026-03"', "--timeout", "120"],
        env={**os.environ, "TMPDIR": str(tmp_path)},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 60
    while not list(tmp_path.glob("ntro-ship-test-*")):
        assert time.monotonic() < deadline, "the stage never started"
        time.sleep(0.1)
    time.sleep(2)

    stage.send_signal(signal.SIGTERM)
    _, stderr = stage.communicate(timeout=60)

    assert stage.returncode == 130, stderr
    assert stderr.endswith("ntro-ship: interrupted\n")
    assert list(tmp_path.glob("ntro-ship-test-*")) == []
    # The harness's Temporal dev server ran from that folder: gone with it.
    assert _running_from(tmp_path) == []


def _running_from(folder: Path) -> list[int]:
    """Live processes whose command line names `folder` (Linux /proc)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            command = (entry / "cmdline").read_bytes()
            state = (entry / "stat").read_text().split(") ", 1)[1][:1]
        except OSError:
            continue
        if str(folder).encode() in command and state != "Z":
            found.append(int(entry.name))
    return found
