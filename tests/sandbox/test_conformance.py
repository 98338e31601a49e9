"""The published `ntro` CLI against the sandbox, in isolated, cached venvs.

Generation 1 (`ntro-cli==0.1.0`, `ntro==0.1.0`, `typer==0.25.1`) drives the
push/deploy flow; generation 3 (`ntro-cli==0.1.1`, `ntro==0.1.2`,
`typer==0.25.1`) runs and inspects tasks. Both pin typer below 0.26, the only
combination that starts at all (reference, section 2.6). The venvs live under
~/.cache/ntro-ship/conformance/ (or $NTRO_SHIP_CACHE), keyed by the pins, so
they are installed once per machine.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from ntro_ship.sandbox import Sandbox, SandboxConfig

pytestmark = pytest.mark.slow

GENERATION_1 = ("ntro-cli==0.1.0", "ntro==0.1.0", "typer==0.25.1")
GENERATION_3 = ("ntro-cli==0.1.1", "ntro==0.1.2", "typer==0.25.1")


def cache_root() -> Path:
    override = os.environ.get("NTRO_SHIP_CACHE")
    base = Path(override) if override else Path.home() / ".cache" / "ntro-ship"
    return base / "conformance"


def installed_cli(name: str, pins: tuple[str, ...]) -> Path:
    """The `ntro` executable of a venv holding exactly `pins`; built once."""
    key = hashlib.sha256("\n".join((sys.version, *pins)).encode()).hexdigest()[:12]
    venv = cache_root() / f"{name}-{key}"
    done = venv / ".complete"
    venv.parent.mkdir(parents=True, exist_ok=True)
    with open(venv.parent / f"{venv.name}.lock", "w") as lock:
        # Parallel workers (pytest-xdist) wait for the one that installs.
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not done.exists():
            subprocess.run(
                [sys.executable, "-m", "venv", "--clear", str(venv)], check=True
            )
            install = subprocess.run(
                [str(venv / "bin" / "python"), "-m", "pip", "install", "--quiet",
                 "--disable-pip-version-check", *pins],
                capture_output=True, text=True,
            )  # fmt: skip
            if install.returncode != 0:
                pytest.fail(f"pip install {' '.join(pins)} failed:\n{install.stderr}")
            done.write_text("\n".join(pins) + "\n")
    return venv / "bin" / "ntro"


class Ntro:
    """One published CLI, pointed at the sandbox through a config.toml.

    D9: with --host or NTRO_HOST the CLI ignores NTRO_API_KEY, so the key
    goes in a connection of $NTRO_HOME/config.toml and nothing else is set.
    """

    def __init__(self, executable: Path, home: Path, sandbox: Sandbox) -> None:
        self.executable = executable
        home.mkdir(parents=True, exist_ok=True)
        (home / "config.toml").write_text(
            'default_connection_name = "sandbox"\n'
            "[connections.sandbox]\n"
            f'host = "{sandbox.url}"\n'
            f'api_key = "{sandbox.api_key}"\n'
        )
        self.env = {
            key: value
            for key, value in os.environ.items()
            if not key.startswith(("NTRO_", "VIRTUAL_ENV", "PYTHON"))
        }
        self.env.update(NTRO_HOME=str(home), COLUMNS="10000", NO_COLOR="1", TERM="dumb")

    def __call__(self, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [str(self.executable), "-o", "json", *args],
            capture_output=True, text=True, env=self.env, timeout=120,
        )  # fmt: skip

    def json(self, *args: str) -> Any:
        result = self(*args)
        assert result.returncode == 0, result.stderr
        return json.loads(result.stdout)


def documents(text: str) -> list[Any]:
    """Every JSON document in `text`, which may hold several back to back."""
    decoder, found, index = json.JSONDecoder(), [], 0
    while index < len(text):
        if text[index].isspace():
            index += 1
            continue
        document, index = decoder.raw_decode(text, index)
        found.append(document)
    return found


@pytest.fixture
def live(tmp_path: Path) -> Iterator[Sandbox]:
    config = SandboxConfig(deploy_delay=1.0, run_delay=0)
    with Sandbox(tmp_path / "sandbox", config) as sandbox:
        yield sandbox


@pytest.fixture
def gen1(live: Sandbox, tmp_path: Path) -> Ntro:
    return Ntro(installed_cli("gen1", GENERATION_1), tmp_path / "home1", live)


@pytest.fixture
def gen3(live: Sandbox, tmp_path: Path) -> Ntro:
    return Ntro(installed_cli("gen3", GENERATION_3), tmp_path / "home3", live)


def test_generation_1_push_deploy_run(
    gen1: Ntro, live: Sandbox, tmp_path: Path, good_zip: bytes
) -> None:
    artifact = tmp_path / "nav-monthly.zip"
    artifact.write_bytes(good_zip)

    workflow = gen1.json("workflow", "create", "--name", "nav-monthly")
    version = gen1.json("workflow", "push", workflow["id"], str(artifact))
    deployment = gen1.json(
        "workflow", "deploy", "--workflow", workflow["id"],
        "--version", version["id"], "--tenant", "staging",
    )  # fmt: skip
    seen = [deployment["status"]]
    deadline = time.monotonic() + 30
    while seen[-1] != "DEPLOYED" and time.monotonic() < deadline:
        status = gen1.json("workflow", "deploy-status", deployment["id"])["status"]
        if status != seen[-1]:
            seen.append(status)

    assert workflow["name"] == "nav-monthly"
    assert uuid.UUID(workflow["id"])
    assert (version["workflowId"], version["version"]) == (workflow["id"], "1")
    assert deployment["workflowVersionId"] == version["id"]
    assert seen in (["PENDING", "DEPLOYING", "DEPLOYED"], ["PENDING", "DEPLOYED"])

    # D5: SDK 0.1.0 reuses one AsyncClient across asyncio.run() calls, so
    # against a keep-alive server `--wait` prints the created task, then the
    # first poll dies with "Event loop is closed" and the CLI exits 1.
    waited = gen1(
        "workflow", "run", "nav-monthly", "--tenant", "staging",
        "--entity", "fund-a", "--period", "2026-01", "--wait",
    )  # fmt: skip
    created = documents(waited.stdout)
    assert waited.returncode == 1
    assert "RuntimeError: Event loop is closed" in waited.stderr
    assert [task["title"] for task in created] == ["nav-monthly 2026-01"]

    # The run itself went through; `run status` (one call) reads it fine.
    task = gen1.json("run", "status", created[0]["id"])
    assert (task["status"], task["workflowId"]) == ("COMPLETED", workflow["id"])
    assert [step["status"] for step in task["steps"]] == ["COMPLETED"] * 3


def test_generation_1_deploy_status_reports_a_failed_deploy(
    gen1: Ntro, live: Sandbox, tmp_path: Path, good_zip: bytes
) -> None:
    artifact = tmp_path / "nav-monthly.zip"
    artifact.write_bytes(good_zip)
    live.set_delays(deploy_delay=0)
    live.add_fault(
        {"kind": "deploy_fail", "tenant": "production", "message": "no disk"}
    )

    workflow = gen1.json("workflow", "create", "--name", "nav-monthly")
    version = gen1.json("workflow", "push", workflow["id"], str(artifact))
    deployment = gen1.json(
        "workflow", "deploy", "--workflow", workflow["id"],
        "--version", version["id"], "--tenant", "production",
    )  # fmt: skip
    status = gen1("workflow", "deploy-status", deployment["id"])

    # The CLI exits 0 whatever the status: only the parsed JSON says FAILED.
    assert status.returncode == 0
    assert {k: json.loads(status.stdout)[k] for k in ("status", "error")} == {
        "status": "FAILED",
        "error": "no disk",
    }


def deploy_generation_3(sandbox: Sandbox) -> None:
    """What `ntro workflow create --path` sends before D3 crashes it."""
    headers = {"Authorization": f"Bearer {sandbox.api_key}"}
    with httpx.Client(base_url=sandbox.url, headers=headers) as client:
        deployed = client.post(
            "/runbooks/nav-monthly/deploy",
            json={
                "tenantSlug": "staging", "version": "0.1.0",
                "workflowClass": "NavMonthlyWorkflow",
                "activityModules": ["activities"],
                "files": {
                    "templates/workflow.py": "from ntro.workflow import runbook\n",
                    "templates/requirements.txt": "ntro[workflow]==0.1.2\n",
                },
            },
        )  # fmt: skip
        entity = client.get("/workspace/tenants/staging/entities/fund-a").json()
        bound = client.post(
            "/workspace/registry/workflows",
            json={"runbookSlug": "nav-monthly", "entityId": entity["id"]},
        )
        assert (deployed.status_code, bound.status_code) == (201, 201)


def test_generation_3_run_and_status(gen3: Ntro, live: Sandbox) -> None:
    deploy_generation_3(live)

    started = gen3.json(
        "workflow", "run", "nav-monthly", "--tenant", "staging",
        "--entity", "fund-a", "--period", "2026-01",
    )  # fmt: skip
    status = gen3.json("run", "status", started["id"])

    assert started["title"] == "nav-monthly 2026-01"
    assert status["status"] == "COMPLETED"
    assert status["links"]["workflow_ui"] == (
        f"{live.url.removesuffix('/v1')}/ui/tasks/{started['id']}"
    )
    assert status["failure"] is None


def test_generation_3_wait_exits_0_on_a_failed_run(gen3: Ntro, live: Sandbox) -> None:
    deploy_generation_3(live)
    live.add_fault(
        {"kind": "run_fail", "tenant": "staging",
         "failure": {"type": "ActivityError", "message": "trial balance missing"}}
    )  # fmt: skip

    waited = gen3("workflow", "run", "nav-monthly", "--tenant", "staging", "--wait")
    created, final = documents(waited.stdout)
    status = gen3.json("run", "status", created["id"])

    # D8: `--wait` prints two JSON documents and exits 0 although it FAILED.
    assert waited.returncode == 0
    assert final["status"] == "FAILED"
    assert status["failure"]["type"] == "ActivityError"
    assert status["failure"]["message"] == "trial balance missing"


def test_generation_3_create_path_deploys_then_crashes_in_the_cli(
    gen3: Ntro, live: Sandbox, tmp_path: Path
) -> None:
    runbook = tmp_path / "nav-monthly"
    (runbook / "templates").mkdir(parents=True)
    (runbook / "runbook.md").write_text("---\nslug: nav-monthly\nversion: 0.3.0\n---\n")
    (runbook / "templates" / "workflow.py").write_text(
        "from ntro.workflow import runbook\n"
    )
    (runbook / "templates" / "requirements.txt").write_text("ntro[workflow]==0.1.2\n")

    created = gen3("workflow", "create", "--path", str(runbook), "--tenant", "staging")
    headers = {"Authorization": f"Bearer {live.api_key}"}
    with httpx.Client(base_url=live.url, headers=headers) as client:
        entity = client.get("/workspace/tenants/staging/entities/fund-a").json()
        client.post(
            "/workspace/registry/workflows",
            json={"runbookSlug": "nav-monthly", "entityId": entity["id"]},
        )
        task = client.post(
            "/workspace/tasks",
            json={"tenantId": "staging", "workflowId": "nav-monthly"},
        )

    # D3: the deploy request is sent and succeeds, then the CLI itself fails.
    assert created.returncode == 1
    assert "has no attribute 'print_kv'" in created.stderr
    assert (task.status_code, task.json()["workflowVersion"]) == (201, "0.3.0")
