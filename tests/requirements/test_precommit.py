"""The hooks, installed and run by the real pre-commit from this repository's
manifest, in a throwaway git repository: they fail, then pass once fixed."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from ntro_ship.requirements import defaults, engine

ROOT = Path(__file__).resolve().parents[2]
HOOK_IDS = ("ntro-requirements", "ntro-requirements-pinned", "ntro-requirements-no-dev")


def _hook_files() -> re.Pattern[str]:
    hooks = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())
    [pattern] = {hook["files"] for hook in hooks}  # one pattern for all hooks
    return re.compile(pattern)


def _examples(glob: str) -> list[str]:
    """Concrete names a role glob matches, at the top and deep in a repo."""
    names = {glob.replace("*", ""), glob.replace("*", "-lint")}
    return sorted(name for base in names for name in (base, f"a/b/{base}"))


ROLE_NAMES = sorted(
    {
        example
        for glob in (
            *defaults.RUNTIME_FILES,
            *defaults.DEV_FILES,
            *defaults.CONSTRAINTS_FILES,
            *engine.RUNTIME_NAMES,
            *engine.DEV_NAMES,
            "*constraints*.txt",  # the README promises these too
        )
        for example in _examples(glob)
    }
)


@pytest.mark.parametrize("name", ROLE_NAMES)
def test_hooks_run_on_every_file_name_the_linter_knows(name: str) -> None:
    assert _hook_files().search(name)


@pytest.mark.parametrize(
    "name",
    [
        "notes.txt",
        "requirements.md",
        "docs/requirements.rst",
        "requirements.txt.orig",
        "requirements/notes.md",
        "requirements/old/dev.txt",
        "dev-notes.txt",
        "setup.cfg",
    ],
)
def test_hooks_leave_other_files_alone(name: str) -> None:
    assert not _hook_files().search(name)


def git(repo: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True)


def try_repo(repo: Path, cache: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PRE_COMMIT_HOME": str(cache), "NO_COLOR": "1"}
    env.pop("GITHUB_ACTIONS", None)
    return subprocess.run(
        [sys.executable, "-m", "pre_commit", "try-repo", str(ROOT), "--all-files",
         "--color", "never"],
        cwd=repo, env=env, capture_output=True, text=True, check=False, timeout=900,
    )  # fmt: skip


def hook_status(output: str) -> dict[str, str]:
    """'Passed' / 'Failed' per hook name line of pre-commit's report."""
    names = {
        "ntro requirements contract": "ntro-requirements",
        "ntro requirements pinned (with extras)": "ntro-requirements-pinned",
        "ntro requirements without dev packages": "ntro-requirements-no-dev",
    }
    status = {}
    for line in output.splitlines():
        for name, hook_id in names.items():
            if line.startswith(name + ".") and line.rstrip().endswith(
                ("Passed", "Failed")
            ):
                status[hook_id] = line.rstrip().rsplit(".", 1)[-1]
    return status


@pytest.mark.slow
def test_hooks_through_pre_commit_try_repo(tmp_path: Path, request) -> None:
    cache = Path(request.config.cache.mkdir("ntro-ship-pre-commit"))
    repo = tmp_path / "repo"
    (repo / "runbooks" / "nav" / "templates").mkdir(parents=True)
    git(repo, "init", "-q")
    git(repo, "config", "user.email", "dev@example.com")
    git(repo, "config", "user.name", "dev")
    runtime = repo / "runbooks" / "nav" / "templates" / "requirements.txt"
    runtime.write_text("httpx>=0.27\npytest==8.0.0\n")
    (repo / "runbooks" / "nav" / "requirements-dev.txt").write_text("pytest==8.0.0\n")
    (repo / "README.md").write_text("not a requirements file: httpx\n")
    git(repo, "add", ".")

    failing = try_repo(repo, cache)
    assert failing.returncode == 1, failing.stdout + failing.stderr
    assert hook_status(failing.stdout) == dict.fromkeys(HOOK_IDS, "Failed")
    assert (
        "runbooks/nav/templates/requirements.txt:1:1: NTR002 error: httpx>=0.27 "
        "is a range" in failing.stdout
    )
    assert (
        "runbooks/nav/templates/requirements.txt:2:1: NTR030 error: pytest"
        in failing.stdout
    )

    runtime.write_text("httpx==0.27.0\n")
    git(repo, "add", ".")
    passing = try_repo(repo, cache)
    assert passing.returncode == 0, passing.stdout + passing.stderr
    assert hook_status(passing.stdout) == dict.fromkeys(HOOK_IDS, "Passed")
