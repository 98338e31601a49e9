"""The action's own checks, in one-step workflows run with act.

Before it calls ntro-ship the action refuses what cannot be right: a
promotion of anything but the version staging verified, an unknown command,
a boolean that is neither 'true' nor 'false', a command without the inputs it
needs. Each refusal is an error annotation and a failed step, and nothing
reaches the platform. The local commands (lint, package, test) run without
one, and a lint finding lands as an annotation on its line.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

pytestmark = pytest.mark.slow

ONE_STEP = """\
name: one step
on: workflow_dispatch
jobs:
  production:
    runs-on: ubuntu-latest
    steps:
      - name: Check out
        uses: actions/checkout@11bd71901bbe5b1630ceea73d27597364c9af683 # v4.2.2
      - name: Use the action
        id: ship
        uses: ntropii-com/ntro-ship@v0.1.0
        with:
          host: ${{ vars.NTRO_HOST }}
          api-key: ${{ secrets.NTRO_API_KEY }}
"""


def add_one_step_workflow(platform: Any, inputs: dict[str, str]) -> str:
    """A workflow of one step using the action with these inputs."""
    lines = "".join(f"          {name}: {value}\n" for name, value in inputs.items())
    workflow = platform.repository / ".github" / "workflows" / "one-step.yml"
    workflow.write_text(ONE_STEP + lines)
    platform.commit("a workflow of one step")
    return str(workflow.name)


def test_promote_refuses_a_version_other_than_the_one_staging_verified(
    run_workflow: Any, repository: Path, platform: Any, settings: Any
) -> None:
    platform.release_directly(repository / "staged.json")
    before = platform.deployments("production")
    workflow = add_one_step_workflow(
        platform,
        {
            "command": "promote",
            "version-id": "not-what-staging-verified",
            "production-tenants": "production",
            "release-record": "staged.json",
        },
    )

    run = run_workflow(workflow, "workflow_dispatch", **settings)

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
    assert platform.deployments("production") == before


@pytest.mark.parametrize(
    ("inputs", "annotation"),
    [
        pytest.param(
            {"command": "deploy-everything"},
            "ntro-ship deploy-everything::'deploy-everything' is not one of "
            "release, stage, promote, rollback, smoke, lint, test, package; fix "
            "the command input.",
            id="unknown-command",
        ),
        pytest.param(
            {"command": "stage", "plan-only": "yes"},
            "ntro-ship: bad input::plan-only is 'yes'; set it to 'true' or 'false'.",
            id="boolean-neither-true-nor-false",
        ),
        pytest.param(
            {
                "command": "promote",
                "version-id": "what-staging-verified",
                "production-tenants": "production",
            },
            "ntro-ship promote::no release record at .ntro-ship/release.json; "
            "download the staging job's record there before promoting.",
            id="promote-without-the-staging-record",
        ),
        pytest.param(
            {"command": "promote"},
            "ntro-ship promote::the production-tenants input is required for promote.",
            id="promote-without-tenants",
        ),
    ],
)
def test_bad_inputs_stop_the_action_with_an_annotation(
    run_workflow: Any,
    platform: Any,
    settings: Any,
    inputs: dict[str, str],
    annotation: str,
) -> None:
    workflow = add_one_step_workflow(platform, inputs)

    run = run_workflow(workflow, "workflow_dispatch", **settings)

    assert run.job_results == {"production": "failure"}
    assert run.errors[-1] == annotation


@pytest.mark.parametrize(
    "command", ["lint", "package", "test"], ids=["lint", "package", "test"]
)
def test_the_local_commands_need_no_platform(
    run_workflow: Any, platform: Any, command: str
) -> None:
    workflow = add_one_step_workflow(
        platform,
        {
            "command": command,
            "runbook": "runbooks/nav-monthly",
            "children": "runbooks/nav-monthly-journals",
        },
    )

    run = run_workflow(workflow, "workflow_dispatch", secrets={}, variables={})

    assert run.job_results == {"production": "success"}
    assert run.errors == []


def test_a_loose_pin_fails_lint_with_an_annotation_on_its_line(
    run_workflow: Any, platform: Any
) -> None:
    requirements = platform.repository / "runbooks/nav-monthly/requirements.txt"
    requirements.write_text(
        requirements.read_text().replace("ntro[workflow]==0.1.2", "ntro[workflow]>=0.1")
    )
    workflow = add_one_step_workflow(
        platform, {"command": "lint", "runbook": "runbooks/nav-monthly"}
    )

    run = run_workflow(workflow, "workflow_dispatch", secrets={}, variables={})

    assert run.job_results == {"production": "failure"}
    assert (
        "NTR022 extras-unpinned::ntro[workflow]>=0.1 is a range, not one version; "
        "pin it with ==" in run.errors
    )
    assert run.errors[-1].startswith("ntro-ship lint: failed::")


RELEASE_INPUTS = {
    "runbook": "runbooks/nav-monthly",
    "children": "runbooks/nav-monthly-journals",
    "create-workflow": "'true'",
    "staging-tenant": "staging",
    "production-tenants": "production",
    "entity": "fund-a",
    "period": "2026-11",
}


def test_release_in_one_job_ends_in_production(
    run_workflow: Any, platform: Any, settings: Any
) -> None:
    workflow = add_one_step_workflow(platform, {"command": "release", **RELEASE_INPUTS})

    run = run_workflow(workflow, "workflow_dispatch", **settings)

    assert run.job_results == {"production": "success"}
    outputs = run.outputs["production", "ship"]
    assert outputs["verdict"] == "released"
    assert platform.active_version("production") == outputs["version-id"]


def test_plan_only_changes_nothing(
    run_workflow: Any, platform: Any, settings: Any
) -> None:
    workflow = add_one_step_workflow(
        platform, {"command": "stage", "plan-only": "'true'", **RELEASE_INPUTS}
    )

    run = run_workflow(workflow, "workflow_dispatch", **settings)

    assert run.job_results == {"production": "success"}
    plan_line = "- deploy to staging staging (active now: nothing), smoke-run it"
    assert plan_line in run.shown
    assert platform.deployments("staging") == []
