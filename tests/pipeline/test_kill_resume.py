"""SIGKILL `ntro-ship release` at each stage boundary, run it again: it ends
released, and the sandbox holds one version and one deployment per tenant.

Both the pipeline and the sandbox run as separate processes, as in CI. A kill
just after a deployment request is sent is made deterministic with the
sandbox's `hang_after_commit` fault: the deployment exists, its answer never
comes, and the kill lands only once the sandbox lists it.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from tests.pipeline.conftest import EXAMPLE, RELEASE_ARGS

from ntro_ship.exit_codes import ExitCode

DEPLOY_POST = "POST /workspace/registry/deployments"
# Kill points where the deployment request is in flight: the fault is armed
# before the process starts (staging's deployment is the first) or once
# staging is active (the staging smoke run, at least the sandbox's run delay,
# lies between that line and production's request); the kill lands once the
# tenant lists the deployment.
IN_FLIGHT = {
    "staging-deploy-sent": ("", "staging"),
    "production-deploy-sent": ("deploy staging: active:", "production"),
}
BOUNDARIES = [
    pytest.param(r"push: pushed version", id="after-push"),
    pytest.param(r"deploy staging: deploying version", id="staging-deploy-sent"),
    pytest.param(r"deploy staging: active:", id="after-staging-deploy"),
    pytest.param(r"smoke staging: run \S+ started", id="staging-smoke-running"),
    pytest.param(r"smoke staging: passed", id="after-staging-smoke"),
    pytest.param(r"deploy production: deploying version", id="production-deploy-sent"),
    pytest.param(r"deploy production: active:", id="after-production-deploy"),
    pytest.param(r"smoke production: run \S+ started", id="production-smoke-running"),
]


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    root = tmp_path_factory.mktemp("served")
    config = root / "sandbox.toml"
    config.write_text("deploy_delay = 0.4\nrun_delay = 0.4\n")
    ready = root / "ready"
    process = subprocess.Popen(
        [sys.executable, "-m", "ntro_ship", "sandbox", "serve", "--port", "0",
         "--data", str(root / "data"), "--config", str(config),
         "--ready-file", str(ready)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 30
        while not ready.exists() or not ready.read_text().strip():
            assert process.poll() is None, "sandbox serve exited"
            assert time.monotonic() < deadline, "sandbox serve never became ready"
            time.sleep(0.05)
        yield ready.read_text().strip()
    finally:
        process.terminate()
        process.wait(timeout=10)


HEADERS = {"Authorization": "Bearer ntro_dev_key"}


def count(url: str, path: str, **params: str) -> list[dict[str, object]]:
    response = httpx.get(url + path, params=params, headers=HEADERS)
    response.raise_for_status()
    return list(response.json())


def admin(url: str, method: str, path: str, body: object = None) -> None:
    root = url.removesuffix("/v1")
    response = httpx.request(method, root + path, json=body, headers=HEADERS)
    response.raise_for_status()


def deployments_of(url: str, workflow: str, tenant: str) -> list[dict[str, object]]:
    found = [w for w in count(url, "/workspace/registry/workflows")
             if w["name"] == workflow]  # fmt: skip
    if not found:
        return []
    return count(
        url,
        "/workspace/registry/deployments",
        workflowId=str(found[0]["id"]),
        tenantId=tenant,
    )


def wait_for_deployment(url: str, workflow: str, tenant: str) -> str:
    deadline = time.monotonic() + 30
    while not (listed := deployments_of(url, workflow, tenant)):
        assert time.monotonic() < deadline, f"no deployment on {tenant}"
        time.sleep(0.05)
    return str(listed[0]["id"])


@pytest.mark.parametrize("boundary", BOUNDARIES)
def test_killed_at_a_boundary_and_rerun(
    served: str, tmp_path: Path, boundary: str, request: pytest.FixtureRequest
) -> None:
    workflow = f"kill-{request.node.callspec.id}"
    args = [a if a != "nav-monthly" else workflow for a in RELEASE_ARGS]
    command = [sys.executable, "-m", "ntro_ship", "release", str(EXAMPLE), *args]
    env = {
        **os.environ,
        "NTRO_HOST": served,
        "NTRO_API_KEY": "ntro_dev_key",
        "NTRO_HOME": str(tmp_path),
        "NTRO_SHIP_RECORD": str(tmp_path / "release.json"),
    }

    arm_at, tenant_in_flight = IN_FLIGHT.get(request.node.callspec.id, (None, ""))
    fault = {"kind": "hang_after_commit", "match": DEPLOY_POST}
    if arm_at == "":
        admin(served, "POST", "/_sandbox/faults", fault)
    first = subprocess.Popen(command, env=env, stderr=subprocess.PIPE, text=True)
    assert first.stderr is not None
    in_flight = None
    try:
        for line in first.stderr:
            if arm_at and arm_at in line:
                admin(served, "POST", "/_sandbox/faults", fault)
            if re.search(boundary, line):
                if arm_at is not None:
                    in_flight = wait_for_deployment(served, workflow, tenant_in_flight)
                first.send_signal(signal.SIGKILL)
                break
        assert first.wait(timeout=60) == -signal.SIGKILL
    finally:
        admin(served, "DELETE", "/_sandbox/faults")

    second = subprocess.run(command, env=env, capture_output=True, text=True)

    assert second.returncode == ExitCode.OK, second.stderr
    found = [w for w in count(served, "/workspace/registry/workflows")
             if w["name"] == workflow]  # fmt: skip
    workflow_id = str(found[0]["id"])
    versions = count(served, f"/workspace/registry/workflows/{workflow_id}/versions")
    assert len(versions) == 1
    for tenant in ("staging", "production"):
        deployments = count(
            served,
            "/workspace/registry/deployments",
            workflowId=workflow_id,
            tenantId=tenant,
        )
        assert [(d["version"], d["active"]) for d in deployments] == [("1", True)]
    if in_flight:
        adopted = [
            d["id"]
            for d in json.loads((tmp_path / "release.json").read_text())["release"][
                "deployments"
            ]
            if d["tenant"] == tenant_in_flight
        ]
        assert adopted == [in_flight]
