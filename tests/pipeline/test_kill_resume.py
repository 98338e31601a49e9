"""SIGKILL `ntro-ship release` at each stage boundary, run it again: it ends
released, and the sandbox holds one version and one deployment per tenant.

Both the pipeline and the sandbox run as separate processes, as in CI.
"""

from __future__ import annotations

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


def count(url: str, path: str, **params: str) -> list[dict[str, object]]:
    headers = {"Authorization": "Bearer ntro_dev_key"}
    response = httpx.get(url + path, params=params, headers=headers)
    response.raise_for_status()
    return list(response.json())


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

    first = subprocess.Popen(command, env=env, stderr=subprocess.PIPE, text=True)
    assert first.stderr is not None
    for line in first.stderr:
        if re.search(boundary, line):
            first.send_signal(signal.SIGKILL)
            break
    assert first.wait(timeout=60) == -signal.SIGKILL

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
