"""The local test stage: the real `ntro.testing` harness, in the tenant's env.

ntro-ship never imports `ntro`: it builds (or reuses) the runbook's own
virtualenv, seeds the Temporal dev server where temporalio's sdk-core looks
for a cached download, and runs `runner.py` with that env's python. The
runner answers in a JSON file, which becomes a `TestReport`.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ntro_ship import runbook as runbooks
from ntro_ship.errors import UsageError
from ntro_ship.harness.children import resolve_children
from ntro_ship.harness.environment import HarnessEnvironment, ensure_environment
from ntro_ship.harness.errors import (
    HarnessEnvironmentError,
    HarnessTimeoutError,
    MissingModuleError,
)
from ntro_ship.harness.imports import imported_modules, runtime_requirements
from ntro_ship.harness.report import (
    REQUIRED_SCENARIOS,
    ScenarioResult,
    TestOptions,
    TestReport,
)

RUNNER = Path(__file__).with_name("runner.py")
INPUT_FILE = Path("tests") / "input.json"
# Importing the SDK and starting the first dev server, on a slow machine.
STARTUP_ALLOWANCE_S = 120.0


def _stderr(message: str) -> None:
    print(f"ntro-ship: {message}", file=sys.stderr, flush=True)


def run_test_stage(
    options: TestOptions, *, log: Callable[[str], None] = _stderr
) -> TestReport:
    parent = runbooks.load(options.runbook)
    given = [runbooks.load(path) for path in options.children]
    # Before the environment: a missing child is a usage error in seconds.
    children = resolve_children(parent, given, log)
    given_input, input_source = _input(options, parent)

    environment = ensure_environment(_requirement_files([parent, *children]), log=log)
    spec = {
        "runbook": _entry(parent, options.workflow_class),
        "children": [_entry(child, None) for child in children],
        "scenarios": options.scenarios,
        "input": given_input,
        "timeout": options.timeout,
    }
    answer = _run_harness(environment, spec, options)

    if "problem" in answer:
        raise _problem_error(answer["problem"], [parent, *children])
    required = () if options.scenarios else REQUIRED_SCENARIOS
    return TestReport(
        runbook=parent.slug,
        children=[child.slug for child in children],
        scenarios=[ScenarioResult.from_runner(s) for s in answer["scenarios"]],
        required=required,
        input_source=input_source,
        versions=answer.get("versions", {}),
        environment=str(environment.path),
    )


def _requirement_files(selected: list[runbooks.Runbook]) -> list[Path]:
    runtime = []
    for book in selected:
        if book.requirements_file is None:
            raise HarnessEnvironmentError(
                f"{book.path}: no requirements.txt; the tenant builds the "
                "runbook's environment from it, so the test stage does too. "
                "Add one that pins ntro[workflow]==<version>"
            )
        runtime.append(book.requirements_file)
    development = [path for book in selected for path in book.dev_requirements_files]
    return runtime + development


def _entry(book: runbooks.Runbook, workflow_class: str | None) -> dict[str, Any]:
    runtime = book.requirements_file
    return {
        "path": str(book.path.resolve()),
        "slug": book.slug,
        "workflow_class": workflow_class or book.workflow_class,
        "imports": imported_modules(book),
        "requirements": runtime_requirements(runtime) if runtime else [],
    }


def _input(options: TestOptions, parent: runbooks.Runbook) -> tuple[Any, str]:
    """The run() input and where it came from: --input, tests/input.json, mock."""
    if options.input is not None:
        text, source = options.input, "--input"
        if text.startswith("@"):
            path = Path(text[1:])
            try:
                text, source = path.read_text(encoding="utf-8"), str(path)
            except OSError as exc:
                raise UsageError(f"--input {options.input}: {exc.strerror}") from exc
        return _json(text, source), source

    default = parent.path / INPUT_FILE
    if default.is_file():
        return _json(default.read_text(encoding="utf-8"), str(default)), str(default)
    return None, "auto-mock of run()'s type"


def _json(text: str, source: str) -> Any:
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise UsageError(
            f"{source}: not valid JSON ({exc.msg} at line {exc.lineno} column "
            f"{exc.colno}); pass the run() input as a JSON object or @file"
        ) from exc


def _run_harness(
    environment: HarnessEnvironment, spec: dict[str, Any], options: TestOptions
) -> dict[str, Any]:
    scenario_count = len(options.scenarios or REQUIRED_SCENARIOS)
    deadline = STARTUP_ALLOWANCE_S + scenario_count * (options.timeout + 5)

    with tempfile.TemporaryDirectory(prefix="ntro-ship-test-") as private_tmp:
        # sdk-core runs `$TMPDIR/temporal-sdk-python-<version>` when present
        # instead of downloading one; a private TMPDIR touches nothing global.
        seeded = Path(private_tmp) / (
            f"temporal-sdk-python-{environment.temporalio_version}"
        )
        os.symlink(environment.temporal, seeded)
        spec_path = Path(private_tmp) / "spec.json"
        answer_path = Path(private_tmp) / "answer.json"
        spec_path.write_text(json.dumps({**spec, "answer": str(answer_path)}))

        env = {**os.environ, "TMPDIR": private_tmp}
        # -I: nothing from PYTHONPATH or the runner's folder shadows the
        # runbook's imports; -B: no __pycache__ in its tree (it gets zipped).
        command = [str(environment.python), "-I", "-B", str(RUNNER), str(spec_path)]
        try:
            completed = _run_as_group(command, env, deadline)
        except subprocess.TimeoutExpired as exc:
            raise HarnessTimeoutError(
                f"the harness was still running after {deadline:.0f}s "
                f"(--timeout {options.timeout:g}s per scenario); it was stopped"
            ) from exc

        if not answer_path.is_file():
            tail = (completed.stderr or completed.stdout).strip().splitlines()[-15:]
            raise HarnessEnvironmentError(
                f"the harness exited with status {completed.returncode} "
                "without an answer:\n" + "\n".join(tail)
            )
        answer: dict[str, Any] = json.loads(answer_path.read_text(encoding="utf-8"))
        return answer


def _run_as_group(
    command: list[str], env: dict[str, str], timeout: float
) -> subprocess.CompletedProcess[str]:
    """Run the harness in a process group of its own, and end the whole group
    on a timeout, Ctrl-C or SIGTERM: killing the harness alone would leave
    its Temporal dev server running, orphaned."""
    process = subprocess.Popen(
        command,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    try:
        stdout, stderr = process.communicate(timeout=timeout)
    except BaseException:
        _end_group(process.pid)
        process.communicate()
        raise
    # Whatever the harness left behind (nothing, when it ends cleanly).
    _end_group(process.pid)
    return subprocess.CompletedProcess(command, process.returncode, stdout, stderr)


def _end_group(group: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(group, signal.SIGKILL)


def _problem_error(
    problem: dict[str, Any], selected: list[runbooks.Runbook]
) -> Exception:
    kind, message = problem["kind"], problem["message"]
    owner = next(
        (b for b in selected if str(b.path.resolve()) == problem.get("runbook")),
        selected[0],
    )
    if kind == "dev_only_module":
        return _dev_only_error(owner, problem["modules"])
    if kind == "missing_module":
        # `message` repeats the ImportError; the module name says it all.
        module = str(problem.get("module") or "?")
        return MissingModuleError(
            f"{owner.slug}: its code imports {module!r}, which its requirements "
            f"do not install. The tenant installs only "
            f"{owner.requirements_file}: add a pinned line for the distribution "
            f"that provides {module!r} there",
            module=module,
        )
    if kind == "harness_missing":
        return HarnessEnvironmentError(
            f"{message}: the test harness comes from the dev requirements; add "
            "ntro[testing]==<the ntro version> to requirements-dev.txt"
        )
    if kind == "unknown_child":
        # A slug computed at run time escapes the static look-up: same advice.
        which = "whose slug is" if problem.get("by_slug") else "that defines"
        return UsageError(
            f"{message}; pass --child DIR with the folder of the runbook "
            f"{which} {problem.get('child')!r}"
        )
    hints = {
        "unknown_scenario": "custom scenarios live in <runbook>/tests/scenarios.py",
        "shadowed_scenario": "give it a name of its own",
        "unknown_override": "use a step id from the runbook's runbook.md",
        "bad_input": "fix --input or tests/input.json",
        "no_input": "pass --input JSON or add tests/input.json",
        "no_workflow_class": "pass --workflow-class NAME",
    }
    if kind in hints:
        return UsageError(f"{message}; {hints[kind]}")
    return HarnessEnvironmentError(message)


def _dev_only_error(
    owner: runbooks.Runbook, modules: list[dict[str, Any]]
) -> MissingModuleError:
    lines = [
        f"{owner.slug}: {found['where']} imports {found['module']!r}, which only "
        f"{' or '.join(found['pins'])} provides; here it comes from the dev "
        "requirements, which the tenant never installs"
        for found in modules
    ]
    pins = sorted({found["pins"][0] for found in modules})
    lines.append(
        f"The tenant installs only {owner.requirements_file}, so the run would "
        f"fail to import there: add {', '.join(pins)} to it"
    )
    return MissingModuleError("\n".join(lines), module=modules[0]["module"])
