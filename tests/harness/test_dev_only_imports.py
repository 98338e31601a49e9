"""Code importing what only the dev requirements bring fails before any scenario.

The environment holds the harness (ntro-cli, typer, hence rich and click), so
an import of those works there; the tenant installs requirements.txt alone.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
from tests.harness.conftest import DATA, EXAMPLES, RunCli

from ntro_ship.harness.environment import HarnessEnvironment, ensure_environment

DEPENDENCIES = (
    Path(__file__).resolve().parents[2] / "src/ntro_ship/harness/dependencies.py"
)
FUTURE = "from __future__ import annotations\n"


def _with_import(source: Path, target: Path, module: str, statement: str) -> Path:
    shutil.copytree(source, target)
    code = target / "templates" / module
    text = code.read_text(encoding="utf-8")
    code.write_text(text.replace(FUTURE, f"{FUTURE}\n{statement}\n", 1))
    return target


@pytest.fixture(scope="module")
def environment() -> HarnessEnvironment:
    runbook = DATA / "two-approvals"
    files = [runbook / "requirements.txt", runbook / "requirements-dev.txt"]
    return ensure_environment(files, log=lambda _: None)


@pytest.fixture(scope="module")
def pins(environment: HarnessEnvironment) -> dict[str, str]:
    """What pip resolved for the harness's unpinned rich and click."""
    code = (
        "from importlib.metadata import version\n"
        "print(' '.join(f'{n}=={version(n)}' for n in ('click', 'rich')))"
    )
    completed = subprocess.run(
        [str(environment.python), "-I", "-c", code],
        capture_output=True,
        text=True,
        check=True,
    )
    click_pin, rich_pin = completed.stdout.split()
    return {"click": click_pin, "rich": rich_pin}


def _dev_only_message(
    book: Path, slug: str, imports: list[str], pins: dict[str, str]
) -> str:
    lines = [
        f"{slug}: {where} imports {module!r}, which only {pins[module]} provides; "
        "here it comes from the dev requirements, which the tenant never installs"
        for where, module in (entry.split(" ") for entry in imports)
    ]
    wanted = ", ".join(sorted(pins[entry.split(" ")[1]] for entry in imports))
    lines.append(
        f"The tenant installs only {book / 'requirements.txt'}, so the run would "
        f"fail to import there: add {wanted} to it"
    )
    return "ntro-ship: error: " + "\n".join(lines) + "\n"


@pytest.mark.parametrize(
    ("statement", "imports"),
    [
        pytest.param("import rich", ["templates/workflow.py:3 rich"], id="rich"),
        pytest.param(
            "from click import echo", ["templates/workflow.py:3 click"], id="click"
        ),
        pytest.param(
            "import click\nimport rich.console",
            ["templates/workflow.py:3 click", "templates/workflow.py:4 rich"],
            id="both-named",
        ),
    ],
)
def test_dev_only_import_fails_before_any_scenario(
    run_cli: RunCli,
    tmp_path: Path,
    pins: dict[str, str],
    statement: str,
    imports: list[str],
) -> None:
    book = _with_import(
        DATA / "two-approvals", tmp_path / "two-approvals", "workflow.py", statement
    )

    completed = run_cli(book)

    assert completed.returncode == 1
    assert completed.stdout == ""
    assert completed.stderr == _dev_only_message(book, "two-approvals", imports, pins)


@pytest.mark.parametrize(
    "statement",
    [
        pytest.param("import typing_extensions", id="transitive-of-pydantic"),
        pytest.param("import dateutil.parser", id="transitive-of-ntro"),
        pytest.param("import openpyxl", id="from-the-workflow-extra"),
        pytest.param("import json, decimal", id="standard-library"),
    ],
)
def test_what_requirements_txt_brings_passes(
    run_cli: RunCli, tmp_path: Path, statement: str
) -> None:
    book = _with_import(
        DATA / "two-approvals", tmp_path / "two-approvals", "workflow.py", statement
    )

    completed = run_cli(book, "--scenario", "happy")

    assert completed.returncode == 0, completed.stderr
    assert completed.stdout.splitlines()[-1] == "summary: 1 passed, 0 failed (of 1)"


def test_child_with_dev_only_import_fails_naming_the_child(
    run_cli: RunCli, tmp_path: Path, pins: dict[str, str]
) -> None:
    parent = shutil.copytree(EXAMPLES / "nav-monthly", tmp_path / "nav-monthly")
    child = _with_import(
        EXAMPLES / "nav-monthly-journals",
        tmp_path / "nav-monthly-journals",
        "activities.py",
        "import rich",
    )

    completed = run_cli(parent, "--child", child)

    assert completed.returncode == 1
    assert completed.stderr == _dev_only_message(
        child, "nav-monthly-journals", ["templates/activities.py:5 rich"], pins
    )


@pytest.mark.parametrize(
    ("requirements", "brought"),
    [
        pytest.param(
            ["ntro[workflow]==0.1.2"],
            {"temporalio": True, "openpyxl": True, "httpx": True, "rich": False},
            id="extra-brings-its-requirements",
        ),
        pytest.param(
            ["ntro==0.1.2"],
            {"temporalio": False, "openpyxl": False, "httpx": True, "rich": False},
            id="no-extra",
        ),
        pytest.param(
            ["ntro[workflow]==0.1.2; python_version < '3'"],
            {"temporalio": False, "openpyxl": False, "httpx": False, "rich": False},
            id="marker-false-here",
        ),
        pytest.param(
            ["ntro-cli==0.1.1"],
            {"temporalio": False, "openpyxl": False, "httpx": True, "rich": True},
            id="dev-tool-brings-rich",
        ),
    ],
)
def test_runtime_closure_honours_extras_and_markers(
    environment: HarnessEnvironment,
    requirements: list[str],
    brought: dict[str, bool],
) -> None:
    code = (
        "import importlib.util, json, sys\n"
        f"spec = importlib.util.spec_from_file_location('d', {str(DEPENDENCIES)!r})\n"
        "deps = importlib.util.module_from_spec(spec); spec.loader.exec_module(deps)\n"
        "closure = deps.runtime_closure(json.loads(sys.argv[1]))\n"
        "print(json.dumps({n: n in closure for n in json.loads(sys.argv[2])}))\n"
    )

    completed = subprocess.run(
        [
            str(environment.python),
            *("-I", "-c", code),
            *(json.dumps(requirements), json.dumps(list(brought))),
        ],
        capture_output=True,
        text=True,
        check=True,
    )

    assert json.loads(completed.stdout) == brought


def test_findings_kept_in_the_environment_match_a_fresh_look(
    environment: HarnessEnvironment, tmp_path: Path
) -> None:
    code = (
        "import importlib.util, json, pathlib, sys\n"
        f"spec = importlib.util.spec_from_file_location('d', {str(DEPENDENCIES)!r})\n"
        "deps = importlib.util.module_from_spec(spec); spec.loader.exec_module(deps)\n"
        "deps.CACHE = pathlib.Path(sys.argv[1])\n"
        "imports = {'rich': 'a.py:1', 'pydantic': 'a.py:2', 'json': 'a.py:3'}\n"
        "lines = ['ntro[workflow]==0.1.2', 'pydantic==2.14.4']\n"
        "fresh = deps.dev_only(imports, lines)\n"
        "kept = deps.dev_only(imports, lines)\n"
        "print(json.dumps([fresh == kept, [f['module'] for f in kept]]))\n"
    )
    cache = tmp_path / "closures"

    completed = subprocess.run(
        [str(environment.python), "-I", "-c", code, str(cache)],
        capture_output=True,
        text=True,
        check=True,
    )

    assert json.loads(completed.stdout) == [True, ["rich"]]
    assert len(list(cache.glob("*.json"))) == 1
