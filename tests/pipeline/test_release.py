"""`release` end to end against the sandbox, and the promises it keeps."""

from __future__ import annotations

import shutil
import time
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest
from tests.pipeline.conftest import EXAMPLE, RELEASE_ARGS, Ship, change

from ntro_ship.exit_codes import ExitCode


def test_release_takes_the_runbook_to_production(ship: Ship, runbook: Path) -> None:
    result = ship("release", str(runbook), *RELEASE_ARGS)

    assert result.code == ExitCode.OK, result.err
    assert result.out.startswith("released: ")
    assert ship.active("staging") == "1"
    assert ship.active("production") == "1"
    record = ship.record_data()
    assert record["release"]["outcome"] == "released"
    assert [s["verdict"] for s in record["release"]["smokes"]] == ["passed", "passed"]


def test_running_it_again_creates_nothing_new(ship: Ship, runbook: Path) -> None:
    first = ship("release", str(runbook), *RELEASE_ARGS)
    again = ship("release", str(runbook), *RELEASE_ARGS)

    assert (first.code, again.code) == (ExitCode.OK, ExitCode.OK)
    assert len(ship.versions()) == 1
    assert len(ship.deployments("staging")) == 1
    assert len(ship.deployments("production")) == 1


def test_a_new_version_remembers_the_previous_one(ship: Ship, runbook: Path) -> None:
    ship("release", str(runbook), *RELEASE_ARGS)
    change(runbook, "v2")

    result = ship("release", str(runbook), *RELEASE_ARGS, "--json")

    assert result.code == ExitCode.OK, result.err
    production = [
        d
        for d in result.json()["release"]["deployments"]
        if d["purpose"] == "production"
    ]
    assert production[0]["previous_version_id"] == ship.versions()[1]["id"]
    assert ship.active("production") == "2"


def test_plan_changes_nothing(ship: Ship, runbook: Path) -> None:
    result = ship("release", str(runbook), *RELEASE_ARGS, "--plan")

    assert result.code == ExitCode.OK, result.err
    assert "- create workflow 'nav-monthly'" in result.out
    assert "- deploy to production production (active now: nothing)" in result.out
    assert ship.api("/workspace/registry/workflows") == []
    assert not ship.record.exists()


def test_stop_after_staging_then_resume(ship: Ship, runbook: Path) -> None:
    staged = ship("release", str(runbook), *RELEASE_ARGS, "--stop-after", "staging")

    assert staged.code == ExitCode.OK, staged.err
    assert staged.out.startswith("staged: ")
    assert ship.active("staging") == "1"
    assert ship.deployments("production") == []

    resumed = ship("release", str(runbook), *RELEASE_ARGS, "--resume")

    assert resumed.code == ExitCode.OK, resumed.err
    assert ship.active("production") == "1"
    assert len(ship.deployments("staging")) == 1
    assert len(ship.versions()) == 1


def test_resume_refuses_a_different_checkout(ship: Ship, runbook: Path) -> None:
    ship("release", str(runbook), *RELEASE_ARGS, "--stop-after", "staging")
    change(runbook, "edited after approval")

    result = ship("release", str(runbook), *RELEASE_ARGS, "--resume")

    assert result.code == ExitCode.USAGE
    assert "production gets only what passed staging" in result.err
    assert ship.deployments("production") == []


def test_release_without_the_test_stage_flag_runs_or_explains(
    ship: Ship, runbook: Path
) -> None:
    args = [a for a in RELEASE_ARGS if a != "--skip-tests"]

    result = ship("release", str(runbook), *args, "--plan")

    # This copy of the runbook has no child next to it: the plan says the
    # test stage would stop, and so would the release.
    assert result.code == ExitCode.USAGE
    assert f"- FAIL: test {runbook}: nav-monthly starts child runbook" in result.out


@pytest.mark.slow
def test_release_runs_the_real_test_stage_first(ship: Ship, runbook: Path) -> None:
    child = runbook.parent / "nav-monthly-journals"
    shutil.copytree(EXAMPLE.parent / "nav-monthly-journals", child)
    args = [a for a in RELEASE_ARGS if a != "--skip-tests"]

    result = ship("release", str(runbook), *args, "--child", str(child), "--json")

    assert result.code == ExitCode.OK, result.err
    release = result.json()["release"]
    assert release["tests"]["passed"] is True
    assert release["stages"]["test"]["status"] == "passed"
    assert "happy" in release["tests"]["summary_markdown"]


def test_a_staging_run_that_timed_out_is_asked_again_not_run_again(
    ship: Ship, runbook: Path
) -> None:
    ship.sandbox.set_delays(run_delay=1.5)
    first = ship("release", str(runbook), *RELEASE_ARGS, "--run-timeout", "0.3")
    assert first.code == ExitCode.TIMED_OUT
    (timed_out,) = ship.record_data()["release"]["smokes"]

    again = ship("release", str(runbook), *RELEASE_ARGS)

    assert again.code == ExitCode.OK, again.err
    assert "smoke staging: was timed out; asking again" in again.err
    staging = [
        s for s in ship.record_data()["release"]["smokes"] if s["tenant"] == "staging"
    ]
    assert [(s["task_id"], s["verdict"]) for s in staging] == [
        (timed_out["task_id"], "passed")
    ]
    assert len(ship.deployments("staging")) == 1


def test_a_blocked_staging_run_can_be_accepted_on_a_re_run(
    ship: Ship, runbook: Path
) -> None:
    ship.sandbox.add_fault({"kind": "run_block", "tenant": "staging"})
    first = ship("release", str(runbook), *RELEASE_ARGS)
    assert first.code == ExitCode.INCONCLUSIVE

    again = ship("release", str(runbook), *RELEASE_ARGS, "--accept-blocked")

    assert again.code == ExitCode.OK, again.err
    smokes = ship.record_data()["release"]["smokes"]
    assert [s["tenant"] for s in smokes] == ["staging", "production"]
    assert ship.active("production") == "1"


def test_a_failed_staging_run_stays_failed(ship: Ship, runbook: Path) -> None:
    ship.sandbox.add_fault({"kind": "run_fail", "tenant": "staging"})
    assert ship("release", str(runbook), *RELEASE_ARGS).code == ExitCode.FAILED
    ship.sandbox.clear_faults()

    again = ship("release", str(runbook), *RELEASE_ARGS)

    assert again.code == ExitCode.FAILED
    assert len(ship.record_data()["release"]["smokes"]) == 1


@pytest.mark.parametrize(
    ("flag", "value", "says"),
    [
        pytest.param(
            "--staging",
            "stagign",
            "--staging: tenant 'stagign' not found on",
            id="staging-typo",
        ),
        pytest.param(
            "--entity",
            "fund-z",
            "--entity: entity 'fund-z' not found on tenant 'staging' (--staging)",
            id="entity-typo",
        ),
        pytest.param(
            "--production",
            "staging",
            "--staging and --production both name 'staging'",
            id="same-tenant",
        ),
    ],
)
def test_a_wrong_target_stops_the_release_before_anything_is_pushed(
    ship: Ship, runbook: Path, flag: str, value: str, says: str
) -> None:
    args = list(RELEASE_ARGS)
    args[args.index(flag) + 1] = value

    planned = ship("release", str(runbook), *args, "--plan")
    result = ship("release", str(runbook), *args)

    assert planned.code == ExitCode.USAGE
    # The plan stops where the release would: nothing after the failure.
    assert planned.out.splitlines()[-1].startswith(f"- FAIL: {says}")
    assert result.code == ExitCode.USAGE
    assert says in result.err
    assert ship.workflow_id() is None


def test_plan_of_a_finished_release_says_there_is_nothing_more(
    ship: Ship, runbook: Path
) -> None:
    assert ship("release", str(runbook), *RELEASE_ARGS).code == ExitCode.OK

    result = ship("release", str(runbook), *RELEASE_ARGS, "--plan")

    assert result.code == ExitCode.OK
    assert "nothing more: this artifact's release ended (released)" in result.out
    assert "deploy to" not in result.out


def test_stop_after_and_resume_together_are_refused(ship: Ship, runbook: Path) -> None:
    result = ship(
        "release", str(runbook), *RELEASE_ARGS, "--stop-after", "staging", "--resume"
    )

    assert result.code == ExitCode.USAGE
    assert "pull opposite ways" in result.err


def test_a_fresh_record_reuses_the_version_the_platform_holds(
    ship: Ship, runbook: Path, tmp_path: Path
) -> None:
    # A CI runner that lost the record: same bytes, new record file.
    assert ship("release", str(runbook), *RELEASE_ARGS).code == ExitCode.OK
    fresh = ("--record", str(tmp_path / "fresh.json"))

    planned = ship("release", str(runbook), *RELEASE_ARGS, *fresh, "--plan")
    again = ship("release", str(runbook), *RELEASE_ARGS, *fresh)

    (version,) = ship.versions()
    assert f"reuse version {version['id']}: the platform holds" in planned.out
    assert again.code == ExitCode.OK, again.err
    assert "already holds" in again.err
    # Staging already ran these bytes: nothing changed, and the summary says so.
    assert f"staging: passed, deployed 1 ({version['id'][:8]}), before 1 (" in (
        again.out
    )
    assert len(ship.deployments("staging")) == 1
    assert len(ship.deployments("production")) == 1


def _wait_until(check: Callable[[], bool], seconds: float = 10.0) -> None:
    deadline = time.monotonic() + seconds
    while not check():
        assert time.monotonic() < deadline, "the sandbox never got there"
        time.sleep(0.1)


def test_a_production_deploy_still_landing_is_never_called_rolled_back(
    ship: Ship, runbook: Path
) -> None:
    assert ship("release", str(runbook), *RELEASE_ARGS).code == ExitCode.OK
    change(runbook, "v2")
    staged = ship("release", str(runbook), *RELEASE_ARGS, "--stop-after", "staging")
    assert staged.code == ExitCode.OK, staged.err
    ship.sandbox.set_delays(deploy_delay=2.0)

    result = ship(
        "release", str(runbook), *RELEASE_ARGS, "--resume", "--deploy-timeout", "0.5"
    )

    # Version 2's deployment lands after the timeout and replaces version 1:
    # saying "rolled back" here would be a lie.
    assert result.code == ExitCode.DEGRADED, result.err
    assert "is still in progress on production" in result.out
    assert "production: timed out, version 2 (" in result.out
    assert "`ntro-ship rollback --tenant production`" in result.out
    _wait_until(lambda: ship.active("production") == "2")
    assert "  production: active 2 (" in ship("status").out

    ship.sandbox.set_delays(deploy_delay=0)
    rolled = ship("rollback", "--tenant", "production")
    assert rolled.code == ExitCode.OK, rolled.err
    assert ship.active("production") == "1"


def test_a_rollback_the_record_calls_done_is_checked_on_the_platform(
    ship: Ship, runbook: Path
) -> None:
    assert ship("release", str(runbook), *RELEASE_ARGS).code == ExitCode.OK
    change(runbook, "v2")
    assert ship("release", str(runbook), *RELEASE_ARGS).code == ExitCode.OK
    assert ship("rollback", "--tenant", "production").code == ExitCode.OK
    # Someone puts version 2 back by hand; the record still says 1.
    versions = {v["version"]: v["id"] for v in ship.versions()}
    httpx.post(
        ship.sandbox.url + "/workspace/registry/deployments",
        json={
            "workflowId": ship.workflow_id(),
            "workflowVersionId": versions["2"],
            "tenantId": "production",
        },
        headers={"Authorization": f"Bearer {ship.sandbox.api_key}"},
    ).raise_for_status()
    _wait_until(lambda: ship.active("production") == "2")

    again = ship("rollback", "--tenant", "production", "--to", "1")

    assert again.code == ExitCode.OK, again.err
    assert "already deployed" not in again.err
    assert ship.active("production") == "1"


def test_a_staging_job_needs_no_read_of_production(
    ship: Ship, runbook: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Keys are tenant-scoped; the sandbox's answer for a tenant this key
    # cannot see is the same 404 as for one that does not exist.
    summary = tmp_path / "summary.md"
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    args = list(RELEASE_ARGS)
    args[args.index("--production") + 1] = "production-elsewhere"

    result = ship("release", str(runbook), *args, "--stop-after", "staging")

    assert result.code == ExitCode.OK, result.err
    assert (
        "| production production-elsewhere before this release | unknown (this "
        "job's API key cannot read it)" in summary.read_text()
    )


def test_a_blocked_run_accepted_then_rejected_is_never_promoted(
    ship: Ship, runbook: Path
) -> None:
    ship.sandbox.add_fault({"kind": "run_block", "tenant": "staging"})
    stage = ("release", str(runbook), *RELEASE_ARGS, "--stop-after", "staging")
    assert ship(*stage, "--accept-blocked").code == ExitCode.OK
    (accepted,) = ship.record_data()["release"]["smokes"]
    httpx.post(
        f"{ship.sandbox.url}/workspace/tasks/{accepted['task_id']}/reject",
        json={"reason": "numbers wrong"},
        headers={"Authorization": f"Bearer {ship.sandbox.api_key}"},
    ).raise_for_status()

    result = ship("release", str(runbook), *RELEASE_ARGS, "--resume")

    assert result.code == ExitCode.FAILED
    assert f"staging run {accepted['task_id']} passed while it waited" in result.err
    assert "ended FAILED: Rejected: numbers wrong" in result.err
    assert ship.deployments("production") == []


def test_status_shows_a_tenant_whose_first_deploy_never_settled_in_time(
    ship: Ship, runbook: Path
) -> None:
    stage = ("release", str(runbook), *RELEASE_ARGS)
    assert ship(*stage, "--stop-after", "staging").code == ExitCode.OK
    ship.sandbox.set_delays(deploy_delay=1.0)
    finish = ship(*stage, "--resume", "--deploy-timeout", "0.3")
    assert finish.code == ExitCode.DEGRADED, finish.err
    _wait_until(lambda: ship.active("production") == "1")

    result = ship("status")

    assert "  production: active 1 (" in result.out


def test_plan_ends_where_the_release_would_stop(ship: Ship, runbook: Path) -> None:
    no_workflow = [a for a in RELEASE_ARGS if a != "--create-workflow"]

    unknown = ship("release", str(runbook), *no_workflow, "--plan")
    no_release = ship("release", str(runbook), *RELEASE_ARGS, "--resume", "--plan")

    assert unknown.code == no_release.code == ExitCode.USAGE
    assert unknown.out.splitlines()[-1] == (
        "- FAIL: no workflow 'nav-monthly'; pass --create-workflow to register it"
    )
    assert no_release.out.splitlines()[-1].startswith(
        f"- FAIL: --resume: {ship.record} holds no release"
    )


def test_plan_of_a_staged_release_says_what_staging_already_proved(
    ship: Ship, runbook: Path
) -> None:
    stage = ("release", str(runbook), *RELEASE_ARGS)
    staged_plan = ship(*stage, "--stop-after", "staging", "--plan")
    assert ship(*stage, "--stop-after", "staging").code == ExitCode.OK
    (passed,) = ship.record_data()["release"]["smokes"]

    result = ship(*stage, "--resume", "--plan")

    assert staged_plan.out.splitlines()[-1] == (
        "- stop after staging (--stop-after staging)"
    )
    assert result.code == ExitCode.OK, result.err
    assert (
        f"- staging staging done (from the record): smoke run {passed['task_id']} "
        "passed"
    ) in result.out
    assert "deploy to staging" not in result.out
    assert "- deploy to production production (active now: nothing)" in result.out
