"""Fixtures: a real sandbox over real HTTP, a runbook copy, and `ship(...)`.

`ship` runs the real `ntro-ship` entry point in this process (argv in, exit
code and captured stdout/stderr out), pointed at the sandbox through the same
environment variables a CI job would set.
"""

from __future__ import annotations

import dataclasses
import json
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from ntro_ship.cli import main
from ntro_ship.sandbox import Sandbox, SandboxConfig
from ntro_ship.sandbox.config import EntitySeed, TenantSeed

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "runbooks" / "nav-monthly"
RELEASE_ARGS = (
    "--workflow",
    "nav-monthly",
    "--create-workflow",
    "--staging",
    "staging",
    "--production",
    "production",
    "--entity",
    "fund-a",
    "--period",
    "2026-11",
    "--skip-tests",
)


@dataclasses.dataclass
class Result:
    code: int
    out: str
    err: str

    def json(self) -> Any:
        return json.loads(self.out)


@pytest.fixture
def sandbox(tmp_path: Path) -> Iterator[Sandbox]:
    config = SandboxConfig(
        deploy_delay=0,
        run_delay=0,
        tenants=(TenantSeed("production-eu", "Production EU"),),
        entities=(EntitySeed("fund-a", "Fund A", "production-eu"),),
    )
    with Sandbox(data_dir=tmp_path / "sandbox", config=config) as sb:
        yield sb


@pytest.fixture
def runbook(tmp_path: Path) -> Path:
    target = tmp_path / "nav-monthly"
    shutil.copytree(EXAMPLE, target)
    return target


def change(runbook: Path, marker: str) -> None:
    """Make a new version of the runbook (a different digest)."""
    workflow = runbook / "templates" / "workflow.py"
    workflow.write_text(workflow.read_text() + f"\n# {marker}\n")


@dataclasses.dataclass
class Ship:
    sandbox: Sandbox
    record: Path
    capsys: pytest.CaptureFixture[str]

    def __call__(self, *args: str) -> Result:
        self.capsys.readouterr()
        code = main(list(args))
        captured = self.capsys.readouterr()
        return Result(code, captured.out, captured.err)

    def api(self, path: str, **params: str) -> Any:
        """Ask the sandbox directly (test oracle, not the code under test)."""
        response = httpx.get(
            self.sandbox.url + path,
            params=params,
            headers={"Authorization": f"Bearer {self.sandbox.api_key}"},
        )
        response.raise_for_status()
        return response.json()

    def workflow_id(self, name: str = "nav-monthly") -> str | None:
        listed = self.api("/workspace/registry/workflows")
        found = [w for w in listed if w["name"] == name]
        return str(found[0]["id"]) if found else None

    def versions(self, workflow: str = "nav-monthly") -> list[dict[str, Any]]:
        workflow_id = self.workflow_id(workflow)
        if workflow_id is None:
            return []
        return list(self.api(f"/workspace/registry/workflows/{workflow_id}/versions"))

    def deployments(self, tenant: str, workflow: str = "nav-monthly") -> list[Any]:
        workflow_id = self.workflow_id(workflow)
        if workflow_id is None:
            return []
        return list(
            self.api(
                "/workspace/registry/deployments",
                workflowId=workflow_id,
                tenantId=tenant,
            )
        )

    def active(self, tenant: str) -> str | None:
        active = [d for d in self.deployments(tenant) if d["active"]]
        return active[0]["version"] if active else None

    def record_data(self) -> dict[str, Any]:
        return dict(json.loads(self.record.read_text()))


@pytest.fixture
def ship(
    sandbox: Sandbox,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> Ship:
    record = tmp_path / "record" / "release.json"
    monkeypatch.setenv("NTRO_HOST", sandbox.url)
    monkeypatch.setenv("NTRO_API_KEY", sandbox.api_key)
    monkeypatch.setenv("NTRO_HOME", str(tmp_path / "ntro-home"))
    monkeypatch.setenv("NTRO_SHIP_RECORD", str(record))
    for name in ("GITHUB_ACTIONS", "GITHUB_OUTPUT", "GITHUB_STEP_SUMMARY"):
        monkeypatch.delenv(name, raising=False)
    return Ship(sandbox, record, capsys)
