"""State on the tenant's clock: transitions, the active version, restarts."""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest

from ntro_ship.sandbox import Sandbox, SandboxConfig

GOOD = {
    "runbook.md": "---\nslug: nav\nsteps: [collect, compute, publish]\n---\n",
    "requirements.txt": "ntro[workflow]==0.1.2\n",
    "templates/workflow.py": "from ntro.workflow import runbook\n",
}


def statuses_until_done(
    first: dict[str, Any], fetch: Callable[[], dict[str, Any]], done: set[str]
) -> list[str]:
    """Every distinct status seen, in order, from the create response on."""
    seen = [first["status"]]
    deadline = time.monotonic() + 10
    while seen[-1] not in done and time.monotonic() < deadline:
        time.sleep(0.02)
        status = fetch()["status"]
        if status != seen[-1]:
            seen.append(status)
    return seen


@pytest.fixture
def slow_sandbox(tmp_path: Path) -> Any:
    config = SandboxConfig(deploy_delay=0.6, run_delay=0.6)
    with Sandbox(data_dir=tmp_path / "slow", config=config) as running:
        yield running


def authorised(sandbox: Sandbox) -> httpx.Client:
    headers = {"Authorization": f"Bearer {sandbox.api_key}"}
    return httpx.Client(base_url=sandbox.url, headers=headers, timeout=10)


def test_deployment_and_run_move_on_their_own_clock(
    slow_sandbox: Sandbox, zip_of: Any, platform_class: Any
) -> None:
    with authorised(slow_sandbox) as client:
        platform = platform_class(client)
        platform.workflow("nav")
        version = platform.push("nav", zip_of(GOOD))
        deployment = platform.deploy("nav", version["id"], "staging")
        deploy_path = f"/workspace/registry/deployments/{deployment['id']}"
        early_run = platform.run("nav", "staging")

        deploy_seen = statuses_until_done(
            deployment, lambda: client.get(deploy_path).json(), {"DEPLOYED", "FAILED"}
        )
        task = platform.run("nav", "staging").json()
        task_path = f"/workspace/tasks/{task['id']}"
        steps_seen: list[list[str]] = []

        def fetch_task() -> dict[str, Any]:
            body: dict[str, Any] = client.get(task_path).json()
            statuses = [s["status"] for s in body["steps"]]
            if not steps_seen or steps_seen[-1] != statuses:
                steps_seen.append(statuses)
            return body

        task_seen = statuses_until_done(task, fetch_task, {"COMPLETED", "FAILED"})

    assert deploy_seen == ["PENDING", "DEPLOYING", "DEPLOYED"]
    assert early_run.status_code == 409
    assert task_seen == ["PENDING", "IN_PROGRESS", "COMPLETED"]
    assert steps_seen[0] in (
        ["PENDING", "PENDING", "PENDING"],
        ["IN_PROGRESS", "PENDING", "PENDING"],
    )
    assert steps_seen[-1] == ["COMPLETED", "COMPLETED", "COMPLETED"]


def test_only_the_latest_successful_deploy_is_active(
    platform: Any, zip_of: Any
) -> None:
    platform.workflow("nav")
    one = platform.push("nav", zip_of(GOOD))
    two = platform.push("nav", zip_of({**GOOD, "templates/extra.py": "x = 2\n"}))
    broken = platform.push("nav", zip_of({"runbook.md": GOOD["runbook.md"]}))

    def active_run_version() -> str:
        return str(platform.run("nav", "staging").json()["workflowVersion"])

    platform.deploy("nav", one["id"], "staging")
    after_one = active_run_version()
    platform.deploy("nav", two["id"], "staging")
    after_two = active_run_version()
    failed = platform.deploy("nav", broken["id"], "staging")
    after_failure = active_run_version()
    platform.deploy("nav", "1", "staging")  # rollback: deploy version 1 again
    after_rollback = active_run_version()

    assert (after_one, after_two, after_failure, after_rollback) == ("1", "2", "2", "1")
    assert failed["status"] == "FAILED"
    production = platform.run("nav", "production")
    assert production.status_code == 409


BAD_ARTIFACTS = [
    pytest.param(
        b"\x1f\x8b\x08\x00not really a tarball",
        "artifact is not a readable zip archive (File is not a zip file); "
        "push the zip built by `ntro-ship package`",
        id="not-a-zip",
    ),
    pytest.param(
        {k: v for k, v in GOOD.items() if k != "templates/workflow.py"},
        "artifact has no templates/workflow.py: the tenant has no workflow module "
        "to register",
        id="no-workflow-module",
    ),
    pytest.param(
        {k: v for k, v in GOOD.items() if k != "requirements.txt"},
        "artifact has no runtime requirements file (requirements.txt or "
        "templates/requirements.txt): the tenant cannot build its virtualenv",
        id="no-requirements",
    ),
]


@pytest.mark.parametrize(("artifact", "error"), BAD_ARTIFACTS)
def test_a_bad_artifact_fails_its_deployment_with_the_reason(
    platform: Any, zip_of: Any, artifact: Any, error: str
) -> None:
    data = artifact if isinstance(artifact, bytes) else zip_of(artifact)
    platform.workflow("nav")
    version = platform.push("nav", data)

    deployment = platform.deploy("nav", version["id"], "staging")

    assert (deployment["status"], deployment["error"]) == ("FAILED", error)


def test_requirements_that_break_the_pinning_contract_fail_the_deployment(
    platform: Any, zip_of: Any
) -> None:
    loose = {**GOOD, "requirements.txt": "ntro[workflow]>=0.1\n"}
    platform.workflow("nav")
    version = platform.push("nav", zip_of(loose))

    deployment = platform.deploy("nav", version["id"], "staging")

    assert deployment["status"] == "FAILED"
    assert deployment["error"] == (
        "requirements do not meet the pinning contract: requirements.txt:1:1: NTR022 "
        "ntro[workflow]>=0.1 is a range, not one version; pin it with =="
    )
    assert "ntro-sandbox-" not in deployment["error"]


def test_a_runbook_inside_one_top_folder_deploys(platform: Any, zip_of: Any) -> None:
    nested = {f"nav-monthly/{name}": text for name, text in GOOD.items()}
    platform.workflow("nav")
    version = platform.push("nav", zip_of(nested))

    assert platform.deploy("nav", version["id"], "staging")["status"] == "DEPLOYED"


def test_a_second_deploy_while_one_is_in_progress_is_409(
    slow_sandbox: Sandbox, zip_of: Any, platform_class: Any
) -> None:
    with authorised(slow_sandbox) as client:
        platform = platform_class(client)
        platform.workflow("nav")
        version = platform.push("nav", zip_of(GOOD))
        first = platform.deploy("nav", version["id"], "staging")
        second = client.post(
            "/workspace/registry/deployments",
            json={"workflowId": "nav", "workflowVersionId": "1", "tenantId": "staging"},
        )
        elsewhere = platform.deploy("nav", version["id"], "production")

    assert second.status_code == 409
    assert second.json()["message"] == (
        f"deployment {first['id']} of workflow 'nav' to tenant 'staging' is still "
        "in progress; wait for it to finish"
    )
    assert elsewhere["status"] == "PENDING"


def test_state_survives_a_restart(
    tmp_path: Path, zip_of: Any, platform_class: Any
) -> None:
    config = SandboxConfig(deploy_delay=0, run_delay=0)
    with Sandbox(tmp_path, config) as first, authorised(first) as client:
        platform = platform_class(client)
        released = platform.released(zip_of(GOOD))
        task = platform.run("nav-monthly", "staging").json()
        tenants = client.get("/workspace/tenants").json()

    with Sandbox(tmp_path, config) as second, authorised(second) as client:
        platform = platform_class(client)
        again = client.get(f"/workspace/tasks/{task['id']}").json()
        deployments = client.get(
            "/workspace/registry/deployments", params={"workflowId": "nav-monthly"}
        ).json()
        next_version = platform.push("nav-monthly", zip_of(GOOD))
        blob_path = httpx.URL(released["version"]["artifactUrl"]).path
        artifact = client.get(second.url.removesuffix("/v1") + blob_path)
        new_run = platform.run("nav-monthly", "staging").json()
        tenants_after = client.get("/workspace/tenants").json()

    assert {k: v for k, v in again.items() if k != "links"} == {
        k: v for k, v in task.items() if k != "links"
    }
    assert [(d["id"], d["active"]) for d in deployments] == [
        (released["deployment"]["id"], True)
    ]
    assert next_version["version"] == "2"
    digest = hashlib.sha256(artifact.content).hexdigest()
    assert digest == released["version"]["sha256"]
    assert new_run["workflowVersion"] == "1"
    assert tenants_after == tenants
