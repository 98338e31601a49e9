"""Fixtures for the sandbox tests: a live server on a free loopback port."""

from __future__ import annotations

import io
import subprocess
import sys
import time
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from ntro_ship.sandbox import Sandbox

RUNBOOK_MD = """---
slug: nav-monthly
version: 0.1.0
steps:
  - id: collect
    label: Collect trial balance
  - id: compute
    label: Compute NAV
  - id: publish
---
Month-end NAV.
"""
GOOD_FILES = {
    "runbook.md": RUNBOOK_MD,
    "requirements.txt": "ntro[workflow]==0.1.2\n",
    "templates/__init__.py": "",
    "templates/workflow.py": "from ntro.workflow import runbook\n",
}


def make_zip(files: dict[str, str | bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in files.items():
            archive.writestr(name, content)
    return buffer.getvalue()


@pytest.fixture
def good_zip() -> bytes:
    return make_zip(dict(GOOD_FILES))


@pytest.fixture
def client(sandbox: Sandbox) -> Iterator[httpx.Client]:
    headers = {"Authorization": f"Bearer {sandbox.api_key}"}
    with httpx.Client(base_url=sandbox.url, headers=headers, timeout=10) as http:
        yield http


class Platform:
    """The few calls most tests make before the one they are about."""

    def __init__(self, client: httpx.Client) -> None:
        self.client = client

    def workflow(self, name: str = "nav-monthly") -> dict[str, Any]:
        response = self.client.post(
            "/workspace/registry/workflows", json={"name": name}
        )
        assert response.status_code == 201, response.text
        return dict(response.json())

    def push(self, workflow: str, data: bytes) -> dict[str, Any]:
        response = self.client.post(
            f"/workspace/registry/workflows/{workflow}/versions",
            content=data,
            headers={"Content-Type": "application/octet-stream"},
        )
        assert response.status_code == 201, response.text
        return dict(response.json())

    def deploy(self, workflow: str, version: str, tenant: str) -> dict[str, Any]:
        response = self.client.post(
            "/workspace/registry/deployments",
            json={
                "workflowId": workflow,
                "workflowVersionId": version,
                "tenantId": tenant,
            },
        )
        assert response.status_code == 201, response.text
        return dict(response.json())

    def run(self, workflow: str, tenant: str, **extra: Any) -> httpx.Response:
        body = {"tenantId": tenant, "workflowId": workflow, "context": {}, **extra}
        return self.client.post("/workspace/tasks", json=body)

    def released(self, data: bytes, tenant: str = "staging") -> dict[str, Any]:
        """A workflow with one version deployed on `tenant`."""
        workflow = self.workflow()
        version = self.push(workflow["id"], data)
        deployment = self.deploy(workflow["id"], version["id"], tenant)
        return {"workflow": workflow, "version": version, "deployment": deployment}


@pytest.fixture
def platform(client: httpx.Client) -> Platform:
    return Platform(client)


@pytest.fixture
def zip_of() -> Callable[[dict[str, str | bytes]], bytes]:
    return make_zip


@pytest.fixture
def platform_class() -> type[Platform]:
    """For tests that run their own sandbox (another config, a restart)."""
    return Platform


def start(tmp_path: Path, *extra: str) -> tuple[subprocess.Popen[str], str]:
    ready = tmp_path / "ready"
    process = subprocess.Popen(
        [sys.executable, "-m", "ntro_ship", "sandbox", "serve", "--port", "0",
         "--data", str(tmp_path / "data"), "--ready-file", str(ready), *extra],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    deadline = time.monotonic() + 30
    while not ready.exists():
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            _, err = process.communicate()
            pytest.fail(f"serve did not start (exit {process.returncode}):\n{err}")
        time.sleep(0.05)
    return process, ready.read_text().strip()
