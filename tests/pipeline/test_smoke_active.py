"""`smoke --workflow`: a smoke run of whatever is active, with no release record.

It is a health check (a scheduled production smoke run), so it must never
count as the staging evidence `promote` asks for.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from tests.pipeline.conftest import RELEASE_ARGS, Ship

from ntro_ship.exit_codes import ExitCode

PRODUCTION = ("--tenant", "production", "--entity", "fund-a", "--period", "2026-11")
ACTIVE = ("--workflow", "nav-monthly")
LIST_DEPLOYMENTS = "GET /v1/workspace/registry/deployments"


def released_then_forgotten(ship: Ship, runbook: Path) -> str:
    """Production runs version 1 and the record is gone; the version's id."""
    assert ship("release", str(runbook), *RELEASE_ARGS).code == ExitCode.OK
    ship.record.unlink()
    return str(ship.versions()[0]["id"])


@pytest.mark.parametrize(
    ("fault", "code", "verdict"),
    [
        pytest.param(None, ExitCode.OK, "passed", id="healthy"),
        pytest.param({"kind": "run_fail"}, ExitCode.FAILED, "failed", id="failing"),
        pytest.param(
            {"kind": "run_block"}, ExitCode.INCONCLUSIVE, "inconclusive", id="blocked"
        ),
    ],
)
def test_smoke_runs_the_active_version_without_a_record(
    ship: Ship,
    runbook: Path,
    fault: dict[str, str] | None,
    code: ExitCode,
    verdict: str,
) -> None:
    version_id = released_then_forgotten(ship, runbook)
    if fault:
        ship.sandbox.add_fault({**fault, "tenant": "production"})

    result = ship("smoke", *PRODUCTION, *ACTIVE, "--json")

    assert result.code == code, result.err
    check = result.json()["check"]
    assert (check["tenant"], check["version_id"], check["verdict"]) == (
        "production",
        version_id,
        verdict,
    )
    assert f"smoke production: run {check['task_id']} of version {version_id} " in (
        result.err
    )
    assert ship.record_data()["release"] is None


def test_smoke_of_the_active_version_is_not_staging_evidence(
    ship: Ship, runbook: Path
) -> None:
    pushed = ship(
        "push", str(runbook), "--workflow", "nav-monthly", "--create-workflow"
    )
    assert pushed.code == ExitCode.OK, pushed.err
    assert ship("deploy", "--tenant", "staging").code == ExitCode.OK
    staging = ("--tenant", "staging", "--entity", "fund-a", "--period", "2026-11")

    checked = ship("smoke", *staging, *ACTIVE)
    promoted = ship("promote", "--tenant", "production")

    assert checked.code == ExitCode.OK, checked.err
    assert ship.record_data()["release"]["smokes"] == []
    assert promoted.code == ExitCode.FAILED
    assert "has no passed staging smoke run" in promoted.err
    assert ship.deployments("production") == []


def test_without_a_listing_the_platform_runs_its_active_version(
    ship: Ship, runbook: Path
) -> None:
    released_then_forgotten(ship, runbook)
    ship.sandbox.add_fault(
        {"kind": "error", "status": 404, "match": LIST_DEPLOYMENTS, "times": None}
    )

    result = ship("smoke", *PRODUCTION, *ACTIVE)

    assert result.code == ExitCode.OK, result.err
    assert " of the active version started" in result.err
    assert "  version    the active one (not listed)\n" in result.out


def test_a_failed_check_keeps_rollback_off_that_version(
    ship: Ship, runbook: Path
) -> None:
    version_id = released_then_forgotten(ship, runbook)
    ship.sandbox.add_fault({"kind": "run_fail", "tenant": "production"})

    assert ship("smoke", *PRODUCTION, *ACTIVE).code == ExitCode.FAILED

    workflow_id = ship.workflow_id()
    ledger = ship.record_data()["tenants"][f"{workflow_id}/production"]
    assert ledger["failed_version_ids"] == [version_id]
    assert ledger["last_check"]["verdict"] == "failed"


@pytest.mark.parametrize(
    ("tenant", "workflow", "code", "says"),
    [
        pytest.param(
            "production-eu",
            "nav-monthly",
            ExitCode.FAILED,
            "no version of workflow nav-monthly is active on production-eu, so "
            "there is nothing to smoke-run; deploy one first",
            id="nothing-deployed",
        ),
        pytest.param(
            "production",
            "no-such-workflow",
            ExitCode.USAGE,
            "workflow 'no-such-workflow' does not exist on ",
            id="unknown-workflow",
        ),
    ],
)
def test_nothing_to_smoke_run_is_said_plainly(
    ship: Ship, runbook: Path, tenant: str, workflow: str, code: ExitCode, says: str
) -> None:
    released_then_forgotten(ship, runbook)

    result = ship(
        "smoke",
        "--tenant",
        tenant,
        "--entity",
        "fund-a",
        "--period",
        "2026-11",
        "--workflow",
        workflow,
    )

    assert result.code == code
    assert says in result.err
    assert "Traceback" not in result.err


def test_check_writes_the_github_outputs_and_summary(
    ship: Ship, runbook: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    version_id = released_then_forgotten(ship, runbook)
    outputs, summary = tmp_path / "out", tmp_path / "summary.md"
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    monkeypatch.setenv("GITHUB_OUTPUT", str(outputs))
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))

    result = ship("smoke", *PRODUCTION, *ACTIVE)

    assert result.code == ExitCode.OK, result.err
    written = outputs.read_text().splitlines()
    values = {
        written[i].split("<<")[0]: written[i + 1] for i in range(0, len(written), 3)
    }
    task_id = values.pop("smoke-task-id")
    assert values == {
        "version-id": version_id,
        "verdict": "passed",
        "rolled-back": "false",
    }
    assert "| smoke on production | **passed** (completed) [run](" in (
        summary.read_text()
    )
    assert task_id in result.out
