"""The example workflows, run for real with act against the sandbox.

Each test is one situation a team meets: a clean release, a staging smoke run
that fails, a production check that fails after the promotion, and a release
manager rolling production back by hand. The assertions read the platform's
state from the sandbox, not only what the workflow says about it.
"""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

import pytest

pytestmark = pytest.mark.slow
# The artifacts release.yml keeps: the record after staging, after production.
KEPT_RECORDS = ("release-record", "release-record-production")


def head(repository: Path) -> str:
    return subprocess.run(
        ["git", "rev-parse", "HEAD"],
        cwd=repository,
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()


def test_a_clean_release_promotes_what_staging_verified(
    run_workflow: Any,
    repository: Path,
    platform: Any,
    settings: Any,
    artifact_store: Path,
) -> None:
    run = run_workflow("release.yml", "push", **settings)

    assert run.job_results == {"staging": "success", "production": "success"}
    staged = run.outputs["staging", "stage"]
    promoted = run.outputs["production", "promote"]
    version = staged["version-id"]
    assert staged["artifact-digest"] == platform.digest()
    assert staged["verdict"] == "staged"
    assert staged["smoke-task-id"] != ""
    assert staged["staging-deployment-id"] == platform.deployments("staging")[0]["id"]
    assert promoted["version-id"] == version
    assert promoted["artifact-digest"] == staged["artifact-digest"]
    assert promoted["verdict"] == "passed"
    assert promoted["rolled-back"] == "false"
    assert (
        promoted["production-deployment-ids"]
        == (platform.deployments("production")[0]["id"])
    )
    assert platform.active_version("staging") == version
    assert platform.active_version("production") == version

    summary = run.job_summary("staging")
    assert "| runbook | `nav-monthly` 0.1.0 |" in summary
    assert f"| version | `{version}` (1) |" in summary
    assert f"| digest | `{staged['artifact-digest']}` |" in summary
    assert f"| commit | `{head(repository)}` |" in summary
    task = staged["smoke-task-id"]
    assert "| smoke on staging | **passed** (completed) [run](" in summary
    assert f"/ui/tasks/{task})" in summary
    assert "happy" in summary and "reject_all" in summary
    assert summary.endswith(
        "#### After approval\n\n"
        "- deploy to production production (active now: nothing), smoke-run it\n"
        "- on a production failure: roll back the tenants already changed\n"
    )
    assert "### ntro-ship promote: promoted to production" in (
        run.job_summary("production")
    )
    assert platform.sandbox.api_key not in run.shown
    kept = [artifact_store / name / "release.json" for name in KEPT_RECORDS]
    assert all(platform.sandbox.api_key not in path.read_text() for path in kept)


def test_a_failing_staging_smoke_promotes_nothing(
    run_workflow: Any, platform: Any, settings: Any
) -> None:
    platform.sandbox.add_fault({"kind": "run_fail", "tenant": "staging"})

    run = run_workflow("release.yml", "push", **settings)

    assert run.job_results == {"staging": "failure"}
    staged = run.outputs["staging", "stage"]
    assert staged["verdict"] == "staging failed"
    assert platform.active_version("staging") == staged["version-id"]
    assert platform.deployments("production") == []
    # The action's annotation: the outcome as its title, ntro-ship's words.
    title, message = run.errors[-1].split("::", 1)
    assert title == "ntro-ship stage: failed"
    assert message.startswith("staging failed: ")
    assert message.endswith(
        "ActivityError: run failed (failure injected by the sandbox); "
        "production untouched"
    )
    assert "| smoke on staging | **failed**" in run.job_summary("staging")


def test_a_staging_job_run_again_resumes_from_the_record_it_kept(
    run_workflow: Any, platform: Any, settings: Any, artifact_store: Path
) -> None:
    # The platform fails to start the smoke run: exit 8, nothing final.
    platform.sandbox.add_fault(
        {"kind": "error", "status": 500, "match": "POST /v1/workspace/tasks"}
    )
    first = run_workflow("release.yml", "push", **settings)
    assert first.job_results == {"staging": "failure"}
    assert (artifact_store / "release-record" / "release.json").is_file()
    platform.sandbox.clear_faults()

    again = run_workflow("release.yml", "push", **settings)

    assert again.job_results == {"staging": "success", "production": "success"}
    assert "already pushed as version" in again.shown
    assert len(platform.deployments("staging")) == 1


def test_a_failing_production_check_rolls_production_back(
    run_workflow: Any, repository: Path, platform: Any, settings: Any
) -> None:
    platform.release_directly(repository.parent / "earlier.json")
    earlier = platform.active_version("production")
    platform.bump_version("0.2.0")
    platform.sandbox.add_fault({"kind": "run_fail", "tenant": "production"})

    run = run_workflow("release.yml", "push", **settings)

    assert run.job_results == {"staging": "success", "production": "failure"}
    candidate = run.outputs["staging", "stage"]["version-id"]
    promoted = run.outputs["production", "promote"]
    assert candidate != earlier
    assert (
        f"- deploy to production production (active now: {earlier}), smoke-run it"
        in run.job_summary("staging")
    )
    assert promoted["rolled-back"] == "true"
    assert promoted["previous-version-id"] == earlier
    assert platform.active_version("production") == earlier
    assert platform.active_version("staging") == candidate
    assert [d["workflowVersionId"] for d in platform.deployments("production")] == [
        earlier,
        candidate,
        earlier,
    ]
    title, message = run.errors[-1].split("::", 1)
    assert title == "ntro-ship promote: rolled back: production was restored"
    assert message.startswith("rolled back: promotion failed (production: failed: ")
    assert message.endswith("; production put back on the version active before")


@pytest.mark.parametrize(
    "name_the_version",
    [
        pytest.param(False, id="to-the-last-good-version"),
        pytest.param(True, id="to-the-version-given"),
    ],
)
def test_a_manual_rollback_restores_the_earlier_version(
    run_workflow: Any,
    repository: Path,
    platform: Any,
    settings: Any,
    name_the_version: bool,
) -> None:
    history = repository.parent / "history.json"
    platform.release_directly(history)
    first = platform.active_version("production")
    platform.bump_version("0.2.0")
    platform.release_directly(history)
    assert first is not None and platform.active_version("production") != first

    run = run_workflow(
        "rollback.yml",
        "workflow_dispatch",
        **settings,
        inputs={"tenant": "production", "version": first if name_the_version else ""},
    )

    assert run.job_results == {"rollback": "success"}
    assert run.outputs["rollback", "rollback"]["rolled-back"] == "true"
    assert platform.active_version("production") == first


def test_pull_requests_run_the_runbooks_local_tests(
    run_workflow: Any, settings: Any
) -> None:
    run = run_workflow("pull-request.yml", "pull_request", **settings, job="test")

    assert run.job_results == {"test": "success"}
    summary = run.job_summary("test")
    assert "| happy | passed |" in summary
    assert "| reject_all | passed |" in summary


@pytest.mark.parametrize(
    ("fault", "result", "verdict"),
    [
        pytest.param(None, "success", "passed", id="healthy"),
        pytest.param({"kind": "run_fail"}, "failure", "failed", id="failing"),
    ],
)
def test_the_scheduled_production_smoke_runs_what_production_has(
    run_workflow: Any,
    repository: Path,
    platform: Any,
    settings: Any,
    fault: dict[str, str] | None,
    result: str,
    verdict: str,
) -> None:
    platform.release_directly(repository.parent / "earlier.json")
    active = platform.active_version("production")
    if fault:
        platform.sandbox.add_fault({**fault, "tenant": "production"})

    run = run_workflow("production-smoke.yml", "schedule", **settings)

    assert run.job_results == {"smoke": result}
    outputs = run.outputs["smoke", "smoke"]
    assert (outputs["verdict"], outputs["version-id"]) == (verdict, active)
    assert f"| smoke on production | **{verdict}** " in run.job_summary("smoke")
    assert platform.active_version("production") == active
    if fault:
        title, message = run.errors[-1].split("::", 1)
        assert title == "ntro-ship smoke: failed"
        assert message.startswith("smoke on production: failed (ActivityError")
