"""A parent's child runbooks: found next to it, or a usage error at once."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
from tests.harness.conftest import DATA, EXAMPLES, OFFLINE, ROOT, RunCli

from ntro_ship import runbook as runbooks
from ntro_ship.errors import UsageError
from ntro_ship.harness.children import ChildStart, child_starts, resolve_children
from ntro_ship.harness.environment import ensure_environment
from ntro_ship.sandbox import Sandbox, SandboxConfig


def test_parent_without_child_finds_its_sibling_and_passes(run_cli: RunCli) -> None:
    parent, child = EXAMPLES / "nav-monthly", EXAMPLES / "nav-monthly-journals"
    # Built (or found) first, so stderr holds only what the stage says.
    runtime = [parent / "requirements.txt", child / "requirements.txt"]
    development = [parent / "requirements-dev.txt", child / "requirements-dev.txt"]
    ensure_environment([*runtime, *development], log=lambda _: None)

    completed = run_cli(parent, "--json", env=OFFLINE)

    assert completed.returncode == 0, completed.stderr
    assert completed.stderr == (
        "ntro-ship: nav-monthly starts child runbook 'nav-monthly-journals': "
        f"testing it with {EXAMPLES / 'nav-monthly-journals'} "
        "(pass --child DIR to choose another)\n"
    )
    report = json.loads(completed.stdout)
    assert report["children"] == ["nav-monthly-journals"]
    assert [(s["name"], s["status"]) for s in report["scenarios"]] == [
        ("happy", "passed"),
        ("reject_all", "passed"),
    ]


def test_parent_whose_child_is_absent_fails_at_once(run_cli: RunCli) -> None:
    parent = DATA / "starts-absent-child"

    started = time.monotonic()
    completed = run_cli(parent)
    elapsed = time.monotonic() - started

    assert completed.returncode == 2
    assert completed.stdout == ""
    assert completed.stderr == (
        "ntro-ship: error: starts-absent-child starts child runbook "
        f"'absent-journals' ({parent / 'templates' / 'workflow.py'}:12), but no "
        f"--child gives it and no folder next to {parent} holds a runbook with "
        "that slug; pass --child DIR with the child runbook's folder\n"
    )
    assert elapsed < 10  # before any environment is built or server started


def test_release_stops_at_its_test_stage_when_the_child_is_absent(
    tmp_path: Path,
) -> None:
    """`release` runs the same stage: it stops there, without a timeout.

    Release reads the platform once before its tests (a wrong host or key
    stops it before minutes of tests), so a real sandbox answers that read.
    """
    release = [sys.executable, "-m", "ntro_ship", "release"]
    targets = ["--workflow", "w", "--staging", "staging", "--production", "production"]
    run = ["--entity", "fund-a", "--period", "2026-03"]
    config = SandboxConfig(deploy_delay=0, run_delay=0)

    with Sandbox(data_dir=tmp_path / "sandbox", config=config) as platform:
        environment = {
            k: v for k, v in os.environ.items() if not k.startswith("GITHUB_")
        }
        environment.update(
            NTRO_HOST=platform.url,
            NTRO_API_KEY=platform.api_key,
            NTRO_HOME=str(tmp_path / "ntro-home"),
            NTRO_SHIP_RECORD=str(tmp_path / "release.json"),
        )
        completed = subprocess.run(
            [*release, str(DATA / "starts-absent-child"), *targets, *run],
            cwd=ROOT,
            env=environment,
            capture_output=True,
            text=True,
            timeout=60,
        )

    assert completed.returncode == 2
    assert completed.stderr.splitlines()[-1].startswith(
        "ntro-ship: error: starts-absent-child starts child runbook 'absent-journals' ("
    )
    assert completed.stderr.endswith(
        "pass --child DIR with the child runbook's folder\n"
    )


def test_child_slug_computed_at_run_time_stops_the_run_early(
    run_cli: RunCli,
) -> None:
    parent = DATA / "starts-computed-child"
    # Built (or found) first, so the clock below times the run alone.
    ensure_environment(
        [parent / "requirements.txt", parent / "requirements-dev.txt"],
        log=lambda _: None,
    )

    started = time.monotonic()
    completed = run_cli(parent, "--input", '"2026-03"', "--timeout", "600")
    elapsed = time.monotonic() - started

    assert completed.returncode == 2
    assert completed.stdout == ""
    message = completed.stderr
    assert message.startswith("ntro-ship: error: workflow test-starts-computed-")
    assert message.endswith(
        "started a child with runbook slug 'journals-2026', which no --child "
        "gives (Temporal would retry it until the scenario's deadline, so the "
        "run was stopped); pass --child DIR with the folder of the runbook "
        "whose slug is 'journals-2026'\n"
    )
    assert elapsed < 30


def _write_runbook(folder: Path, slug: str, workflow: str, **modules: str) -> Path:
    (folder / "templates").mkdir(parents=True)
    (folder / "runbook.md").write_text(f"---\nslug: {slug}\n---\n", "utf-8")
    (folder / "templates" / "workflow.py").write_text(
        textwrap.dedent(workflow), "utf-8"
    )
    for name, text in modules.items():
        (folder / "templates" / f"{name}.py").write_text(textwrap.dedent(text))
    return folder


@pytest.mark.parametrize(
    ("workflow", "modules", "slugs"),
    [
        pytest.param(
            'self.run_child_workflow(slug="journals", input=x)',
            {},
            ["journals"],
            id="literal",
        ),
        pytest.param(
            'CHILD = "journals"\nself.run_child_workflow(slug=CHILD, input=x)',
            {},
            ["journals"],
            id="module-constant",
        ),
        pytest.param(
            "from .names import CHILD as C\n"
            "self.run_child_workflows(slug=C, inputs=xs)",
            {"names": 'CHILD: str = "journals"\n'},
            ["journals"],
            id="constant-imported-from-the-bundle",
        ),
        pytest.param(
            "self.collect_documents(expected=e, inputs=xs)",
            {},
            ["document-ingest"],
            id="collect-documents-sdk-default",
        ),
        pytest.param(
            'self.collect_documents(expected=e, inputs=xs, runbook_slug="rr")',
            {},
            ["rr"],
            id="collect-documents-given",
        ),
        pytest.param(
            'self.run_child_workflow(slug=f"j-{period}", input=x)',
            {},
            [None],
            id="computed-at-run-time",
        ),
        pytest.param(
            "self.run_child_workflow(**options)",
            {},
            [None],
            id="keywords-unpacked",
        ),
        pytest.param(
            "self.run_activity(slug='not-a-child')",
            {},
            [],
            id="other-calls-ignored",
        ),
    ],
)
def test_child_slugs_read_from_the_code(
    tmp_path: Path, workflow: str, modules: dict[str, str], slugs: list[str | None]
) -> None:
    folder = _write_runbook(tmp_path / "parent", "parent", workflow, **modules)

    starts = child_starts(runbooks.load(folder))

    assert [start.slug for start in starts] == slugs


def test_child_start_says_where_it_is(tmp_path: Path) -> None:
    folder = _write_runbook(
        tmp_path / "p", "p", '\n\nself.run_child_workflow(slug="c", input=1)'
    )

    (start,) = child_starts(runbooks.load(folder))

    assert start == ChildStart("c", folder / "templates" / "workflow.py", 3)


def test_siblings_found_by_slug_and_followed_to_grandchildren(tmp_path: Path) -> None:
    parent = _write_runbook(
        tmp_path / "parent", "parent", 'self.run_child_workflow(slug="kid")'
    )
    _write_runbook(  # the folder name differs from the slug: the slug counts
        tmp_path / "kid-checkout", "kid", 'self.run_child_workflow(slug="gc")'
    )
    _write_runbook(tmp_path / "gc", "gc", "pass")
    _write_runbook(tmp_path / "kid", "not-the-kid", "pass")
    logged: list[str] = []

    children = resolve_children(runbooks.load(parent), [], logged.append)

    assert [(c.slug, c.path) for c in children] == [
        ("kid", tmp_path / "kid-checkout"),
        ("gc", tmp_path / "gc"),
    ]
    assert logged == [
        f"parent starts child runbook 'kid': testing it with "
        f"{tmp_path / 'kid-checkout'} (pass --child DIR to choose another)",
        f"kid starts child runbook 'gc': testing it with {tmp_path / 'gc'} "
        "(pass --child DIR to choose another)",
    ]


def test_a_given_child_is_not_looked_for(tmp_path: Path) -> None:
    parent = _write_runbook(
        tmp_path / "a" / "parent", "parent", 'self.run_child_workflow(slug="k")'
    )
    given = runbooks.load(_write_runbook(tmp_path / "b" / "k", "k", "pass"))
    logged: list[str] = []

    children = resolve_children(runbooks.load(parent), [given], logged.append)

    assert (children, logged) == ([given], [])


def test_a_broken_neighbour_does_not_hide_the_missing_child(tmp_path: Path) -> None:
    parent = _write_runbook(
        tmp_path / "parent", "parent", 'self.run_child_workflow(slug="k")'
    )
    (tmp_path / "broken").mkdir()
    (tmp_path / "broken" / "runbook.md").write_text("---\n[unclosed\n---\n")

    with pytest.raises(UsageError, match=r"starts child runbook 'k' \(.*:1\)"):
        resolve_children(runbooks.load(parent), [], lambda _: None)


def test_waiting_on_a_slow_child_is_one_drill_down(run_cli: RunCli) -> None:
    # The SDK's loop polls every 0.1 s; the child's one-second timer means
    # about ten polls find nothing to do yet.
    parent, child = DATA / "slow-child-parent", DATA / "slow-child"

    completed = run_cli(parent, "--child", child, "--input", '"2026-11"', "--json")

    assert completed.returncode == 0, completed.stderr
    happy, reject_all = json.loads(completed.stdout)["scenarios"]
    assert [(e["kind"], e["detail"].get("step_id")) for e in happy["events"]] == [
        ("drill_down", None),
        ("review", "approve_after_a_while"),
        ("done", None),
    ]
    assert [e["kind"] for e in reject_all["events"]] == ["drill_down", "review", "done"]
