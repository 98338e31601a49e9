"""The example workflows, run for real with act against the sandbox.

Each test is one situation a team meets: a clean release, a staging smoke run
that fails, a production check that fails after the promotion, and a release
manager rolling production back by hand. The assertions read the platform's
state from the sandbox, not only what the workflow says about it.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from ntro_ship.sandbox import Sandbox, SandboxConfig

pytestmark = pytest.mark.slow

WORKFLOW = "nav-monthly"
RUNBOOK = "runbooks/nav-monthly"
CHILD = "runbooks/nav-monthly-journals"
PERIOD = "2026-11"


@pytest.fixture
def sandbox(tmp_path: Path) -> Iterator[Sandbox]:
    config = SandboxConfig(deploy_delay=0, run_delay=0)
    with Sandbox(data_dir=tmp_path / "sandbox", config=config) as running:
        yield running


@pytest.fixture
def settings(sandbox: Sandbox) -> dict[str, dict[str, str]]:
    """What a team sets up in GitHub, pointed at the sandbox."""
    return {
        "secrets": {"NTRO_API_KEY": sandbox.api_key},
        "variables": {
            "NTRO_HOST": sandbox.url,
            "NTRO_STAGING_TENANT": "staging",
            "NTRO_PRODUCTION_TENANTS": "production",
            "NTRO_SMOKE_ENTITY": "fund-a",
            "NTRO_SMOKE_PERIOD": PERIOD,
        },
    }


def deployments(sandbox: Sandbox, tenant: str) -> list[dict[str, Any]]:
    response = httpx.get(
        f"{sandbox.url}/workspace/registry/deployments",
        params={"workflowId": WORKFLOW, "tenantId": tenant},
        headers={"Authorization": f"Bearer {sandbox.api_key}"},
    )
    if response.status_code == 404:
        return []
    response.raise_for_status()
    items: list[dict[str, Any]] = response.json()
    return items


def active_version(sandbox: Sandbox, tenant: str) -> str | None:
    active = [d for d in deployments(sandbox, tenant) if d["active"]]
    return active[0]["workflowVersionId"] if active else None


def ship(sandbox: Sandbox, repository: Path, *args: str) -> None:
    """Release with the CLI directly: the history a rollback goes back to."""
    environment = {
        **os.environ,
        "NTRO_HOST": sandbox.url,
        "NTRO_API_KEY": sandbox.api_key,
    }
    subprocess.run(
        [sys.executable, "-m", "ntro_ship", *args],
        cwd=repository,
        env=environment,
        check=True,
        capture_output=True,
    )


def release_directly(sandbox: Sandbox, repository: Path, record: Path) -> None:
    ship(
        sandbox,
        repository,
        "release",
        RUNBOOK,
        "--workflow",
        WORKFLOW,
        "--create-workflow",
        "--staging",
        "staging",
        "--production",
        "production",
        "--entity",
        "fund-a",
        "--period",
        PERIOD,
        "--skip-tests",
        "--record",
        str(record),
    )


def bump_version(repository: Path, version: str) -> None:
    """A new commit whose runbook packages to a new artifact."""
    front_matter = repository / RUNBOOK / "runbook.md"
    text = front_matter.read_text()
    front_matter.write_text(text.replace("version: 0.1.0", f"version: {version}", 1))
    commit_all(repository, f"nav-monthly {version}")


def commit_all(repository: Path, message: str) -> None:
    identity = ["-c", "user.name=ci", "-c", "user.email=ci@example.com"]
    for command in (["add", "--all"], [*identity, "commit", "-qm", message]):
        subprocess.run(["git", *command], cwd=repository, check=True)


def head(repository: Path) -> str:
    return subprocess.run(
        ["git", "rev-parse", "HEAD"],
        cwd=repository,
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()


def digest_of(repository: Path) -> str:
    packaged = subprocess.run(
        [sys.executable, "-m", "ntro_ship", "package", RUNBOOK],
        cwd=repository,
        check=True,
        capture_output=True,
        text=True,
    )
    return packaged.stdout.strip()


def test_a_clean_release_promotes_what_staging_verified(
    run_workflow: Any, repository: Path, sandbox: Sandbox, settings: Any
) -> None:
    run = run_workflow("release.yml", "push", **settings)

    assert run.job_results == {"staging": "success", "production": "success"}
    staged = run.outputs["staging", "stage"]
    promoted = run.outputs["production", "promote"]
    version = staged["version-id"]
    assert staged["artifact-digest"] == digest_of(repository)
    assert staged["verdict"] == "staged"
    assert staged["smoke-task-id"] != ""
    assert staged["staging-deployment-id"] == deployments(sandbox, "staging")[0]["id"]
    assert promoted["version-id"] == version
    assert promoted["artifact-digest"] == staged["artifact-digest"]
    assert promoted["verdict"] == "passed"
    assert promoted["rolled-back"] == "false"
    assert (
        promoted["production-deployment-ids"]
        == (deployments(sandbox, "production")[0]["id"])
    )
    assert active_version(sandbox, "staging") == version
    assert active_version(sandbox, "production") == version

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
    assert sandbox.api_key not in run.shown


def test_a_failing_staging_smoke_promotes_nothing(
    run_workflow: Any, sandbox: Sandbox, settings: Any
) -> None:
    sandbox.add_fault({"kind": "run_fail", "tenant": "staging"})

    run = run_workflow("release.yml", "push", **settings)

    assert run.job_results == {"staging": "failure"}
    staged = run.outputs["staging", "stage"]
    assert staged["verdict"] == "staging failed"
    assert active_version(sandbox, "staging") == staged["version-id"]
    assert deployments(sandbox, "production") == []
    # The action's annotation: the outcome as its title, ntro-ship's words.
    title, message = run.errors[-1].split("::", 1)
    assert title == "ntro-ship stage: failed"
    assert message.startswith("staging failed: ")
    assert message.endswith(
        "ActivityError: run failed (failure injected by the sandbox); "
        "production untouched"
    )
    assert "| smoke on staging | **failed**" in run.job_summary("staging")


def test_a_failing_production_check_rolls_production_back(
    run_workflow: Any, repository: Path, sandbox: Sandbox, settings: Any
) -> None:
    release_directly(sandbox, repository, repository.parent / "earlier.json")
    earlier = active_version(sandbox, "production")
    bump_version(repository, "0.2.0")
    sandbox.add_fault({"kind": "run_fail", "tenant": "production"})

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
    assert active_version(sandbox, "production") == earlier
    assert active_version(sandbox, "staging") == candidate
    assert [d["workflowVersionId"] for d in deployments(sandbox, "production")] == [
        earlier,
        candidate,
        earlier,
    ]
    title, message = run.errors[-1].split("::", 1)
    assert title == "ntro-ship promote: rolled back: production was restored"
    assert message.startswith("promotion failed (production: failed: ")
    assert message.endswith("; rolled back: production")


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
    sandbox: Sandbox,
    settings: Any,
    name_the_version: bool,
) -> None:
    history = repository.parent / "history.json"
    release_directly(sandbox, repository, history)
    first = active_version(sandbox, "production")
    bump_version(repository, "0.2.0")
    release_directly(sandbox, repository, history)
    assert first is not None and active_version(sandbox, "production") != first

    run = run_workflow(
        "rollback.yml",
        "workflow_dispatch",
        **settings,
        inputs={"tenant": "production", "version": first if name_the_version else ""},
    )

    assert run.job_results == {"rollback": "success"}
    assert run.outputs["rollback", "rollback"]["rolled-back"] == "true"
    assert active_version(sandbox, "production") == first


def test_pull_requests_run_the_runbooks_local_tests(
    run_workflow: Any, settings: Any
) -> None:
    run = run_workflow("pull-request.yml", "pull_request", **settings, job="test")

    assert run.job_results == {"test": "success"}
    summary = run.job_summary("test")
    assert "| happy | passed |" in summary
    assert "| reject_all | passed |" in summary


# Known gap: `ntro-ship smoke` reads the version to run from a release record,
# which a scheduled run does not have; remove this mark once smoke can target
# the version active on the tenant (strict: the test says when that happens).
@pytest.mark.xfail(strict=True, reason="smoke needs a release record")
def test_the_scheduled_production_smoke_passes_on_a_healthy_production(
    run_workflow: Any, repository: Path, sandbox: Sandbox, settings: Any
) -> None:
    release_directly(sandbox, repository, repository.parent / "earlier.json")

    run = run_workflow("production-smoke.yml", "schedule", **settings)

    assert run.job_results == {"smoke": "success"}


PROMOTE_WRONG_VERSION = """\
name: promote
on: workflow_dispatch
jobs:
  production:
    runs-on: ubuntu-latest
    steps:
      - name: Check out
        uses: actions/checkout@11bd71901bbe5b1630ceea73d27597364c9af683 # v4.2.2
      - name: Promote
        id: promote
        uses: ntropii-com/ntro-ship@v0.1.0
        with:
          command: promote
          version-id: not-what-staging-verified
          production-tenants: production
          release-record: staged.json
          host: ${{ vars.NTRO_HOST }}
          api-key: ${{ secrets.NTRO_API_KEY }}
"""


def test_promote_refuses_a_version_other_than_the_one_staging_verified(
    run_workflow: Any, repository: Path, sandbox: Sandbox, settings: Any
) -> None:
    release_directly(sandbox, repository, repository / "staged.json")
    before = deployments(sandbox, "production")
    workflow = repository / ".github" / "workflows" / "promote.yml"
    workflow.write_text(PROMOTE_WRONG_VERSION)
    commit_all(repository, "a promotion of the wrong version")

    run = run_workflow("promote.yml", "workflow_dispatch", **settings)

    assert run.job_results == {"production": "failure"}
    title, message = run.errors[-1].split("::", 1)
    assert title == "ntro-ship promote"
    recorded = json.loads((repository / "staged.json").read_text())["release"]
    digest = recorded["artifact"]["digest"]
    assert message == (
        f"staging verified version not-what-staging-verified ({digest}) but the "
        f"record holds {recorded['version']['version_id']} ({digest}); "
        "nothing was promoted."
    )
    assert deployments(sandbox, "production") == before
