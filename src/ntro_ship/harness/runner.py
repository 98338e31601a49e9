"""Drives `ntro.testing` inside the runbook's own environment.

Executed as a script by that environment's python, never imported by
ntro-ship (which does not have `ntro` installed): `python runner.py SPEC`.
SPEC is a JSON file naming the runbooks, scenarios, input and timeout, and
the path where this script writes its JSON answer. Writing the answer to a
file keeps it apart from the Temporal dev server's banners on stdout.

It uses the harness's Python API rather than `ntro workflow test` because
only the API lets it load custom scenarios (D15), resolve string annotations
before auto-mocking an input (D6), validate an input up front instead of
letting Temporal retry a bad one until the deadline, and tell which step a
review or a failure belongs to.
"""

from __future__ import annotations

import asyncio
import importlib.util
import json
import os
import re
import sys
import time
import traceback
import typing
from pathlib import Path
from typing import Any

# The tenant's worker runs with TEMPORAL_HOST set, which makes WorkflowError
# a Temporal ApplicationError (it fails the run instead of retrying the
# workflow task forever). Match that before `ntro` is first imported.
os.environ.setdefault("TEMPORAL_HOST", "ntro-ship-test-harness")


def _load_sibling(name: str) -> Any:
    """A module next to this script (run isolated, its folder is not on path)."""
    module_name = f"_ntro_ship_{name}"
    path = Path(__file__).with_name(f"{name}.py")
    spec = importlib.util.spec_from_file_location(module_name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[module_name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


history = _load_sibling("history")
dependencies = _load_sibling("dependencies")
loop = _load_sibling("loop")


class StageProblem(Exception):
    """A problem to report as structured JSON instead of a traceback."""

    def __init__(self, kind: str, message: str, **extra: Any) -> None:
        super().__init__(message)
        self.kind = kind
        self.extra = extra


def _load_harness() -> Any:
    try:
        testing = importlib.import_module("ntro.testing")
    except ImportError as exc:
        raise StageProblem(
            "harness_missing",
            f"the test harness cannot be imported ({exc})",
            module=getattr(exc, "name", None),
        ) from exc
    return testing


def _load_runbook(testing: Any, entry: dict[str, Any]) -> type:
    try:
        loaded: tuple[type, Any] = testing.load_runbook(
            entry["path"], workflow_class=entry["workflow_class"]
        )
    except ModuleNotFoundError as exc:
        if (exc.name or "").startswith("_test_rb_"):
            # The harness names the bundle's own modules `_test_rb_<slug>.*`.
            missing = (exc.name or "").rpartition(".")[2]
            raise StageProblem(
                "load_failed",
                f"{entry['slug']}: templates/{missing}.py is missing; "
                "the harness loads it",
                runbook=entry["path"],
            ) from exc
        raise StageProblem(
            "missing_module",
            f"{entry['slug']}: importing its code failed: {exc}",
            module=exc.name,
            runbook=entry["path"],
        ) from exc
    except AttributeError as exc:
        wanted = re.match(r"Workflow class '([^']+)' not found", str(exc))
        if wanted is None:
            raise StageProblem(
                "load_failed",
                f"{entry['slug']}: AttributeError: {exc}",
                runbook=entry["path"],
            ) from exc
        raise StageProblem(
            "no_workflow_class",
            f"{entry['slug']}: templates/workflow.py defines no class "
            f"{wanted.group(1)!r} (the name comes from --workflow-class, or "
            "else from the runbook's slug)",
            runbook=entry["path"],
        ) from exc
    except (FileNotFoundError, ImportError, SyntaxError) as exc:
        raise StageProblem(
            "load_failed",
            f"{entry['slug']}: {type(exc).__name__}: {exc}",
            runbook=entry["path"],
        ) from exc

    cls = loaded[0]
    # The parent dispatches children by the slug in their runbook.md, which
    # need not match the folder name the harness would use.
    setattr(cls, "__ntro_slug__", entry["slug"])  # noqa: B010
    return cls


def _custom_scenarios(testing: Any, runbook_path: str) -> dict[str, Any]:
    path = Path(runbook_path) / "tests" / "scenarios.py"
    if not path.is_file():
        return {}

    spec = importlib.util.spec_from_file_location("_ntro_ship_scenarios", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    try:
        spec.loader.exec_module(module)
    except Exception as exc:
        raise StageProblem(
            "load_failed", f"{path}: {type(exc).__name__}: {exc}"
        ) from exc

    found: dict[str, Any] = {}
    for value in vars(module).values():
        candidates = value if isinstance(value, (list, tuple)) else [value]
        for candidate in candidates:
            if not isinstance(candidate, testing.Scenario):
                continue
            # HAPPY and REJECT_ALL are the platform's bar; a runbook's own
            # scenario must not quietly lower it by taking one's name.
            if candidate.name in testing.BUILT_IN_SCENARIOS:
                raise StageProblem(
                    "shadowed_scenario",
                    f"{path} defines a scenario named {candidate.name!r}, "
                    "which is a built-in scenario's name",
                )
            found[candidate.name] = candidate
    return found


def _select_scenarios(
    testing: Any, spec: dict[str, Any], step_ids: set[str]
) -> list[Any]:
    available = dict(testing.BUILT_IN_SCENARIOS)
    available.update(_custom_scenarios(testing, spec["runbook"]["path"]))
    _check_overrides(list(available.values()), step_ids)
    # dict.fromkeys: `--scenario happy --scenario happy` runs it once.
    names = list(dict.fromkeys(spec["scenarios"] or testing.BUILT_IN_SCENARIOS))
    unknown = [name for name in names if name not in available]
    if unknown:
        raise StageProblem(
            "unknown_scenario",
            f"unknown scenario(s): {', '.join(unknown)}; "
            f"available: {', '.join(available)}",
        )
    return [available[name] for name in names]


def _check_overrides(scenarios: list[Any], step_ids: set[str]) -> None:
    """A per-step answer for a step no runbook has never applies, so the
    scenario would pass without testing what its author meant (a typo)."""
    for scenario in scenarios:
        named = {*scenario.review_overrides, *scenario.corrections}
        unknown = sorted(named - step_ids)
        if unknown:
            known = ", ".join(sorted(step_ids)) or "none"
            raise StageProblem(
                "unknown_override",
                f"scenario {scenario.name!r} answers step(s) "
                f"{', '.join(map(repr, unknown))}, which no @runbook.step "
                f"defines (steps: {known})",
            )


def _run_input(workflow_cls: type, given: Any) -> Any:
    pydantic = importlib.import_module("pydantic")
    auto_mock = importlib.import_module("ntro.testing.auto_mock")

    try:
        hints = typing.get_type_hints(workflow_cls.run)  # type: ignore[attr-defined]
    except Exception as exc:
        raise StageProblem(
            "bad_input", f"cannot resolve the annotations of run(): {exc}"
        ) from exc
    hints.pop("return", None)
    if not hints:
        if given is None:
            raise StageProblem(
                "no_input", f"{workflow_cls.__name__}.run() takes no payload"
            )
        return given

    annotation = next(iter(hints.values()))
    model = annotation if isinstance(annotation, type) else None
    try:
        if given is None:
            return auto_mock.generate_fake(annotation)
        if model is not None and issubclass(model, pydantic.BaseModel):
            return model.model_validate(given)  # type: ignore[attr-defined]
        return given
    except pydantic.ValidationError as exc:
        if given is None:
            # Nobody wrote this input: the mock fills strings with
            # "auto-mock", which a constrained field (a pattern) refuses.
            raise StageProblem(
                "no_input",
                "no --input and no tests/input.json, and the auto-mocked input "
                f"does not fit {annotation.__name__}: {exc}",
            ) from exc
        raise StageProblem(
            "bad_input", f"the input does not fit {annotation.__name__}: {exc}"
        ) from exc
    except auto_mock.MockUnavailable as exc:
        raise StageProblem(
            "no_input", f"cannot build an input for run(): {exc}"
        ) from exc


def _jsonable(value: Any) -> Any:
    pydantic_core = importlib.import_module("pydantic_core")
    try:
        return pydantic_core.to_jsonable_python(value)
    except Exception:
        return repr(value)


async def _run_scenario(
    testing: Any, parent: type, children: list[type], scenario: Any, spec: Any
) -> dict[str, Any]:
    async with testing.WorkflowHarness(parent, child_workflows=children) as harness:
        outcome = await harness.run(
            input=spec["input"], scenario=scenario, timeout_s=spec["timeout"]
        )
        failed_step = cause = None
        failing_task = getattr(outcome, "failing_task", None)
        if failing_task is not None:
            # The queries below would only hit the failing task again.
            failed_step, cause = failing_task["step"], failing_task["cause"]
        elif outcome.status != "completed":
            client = harness._client
            failed_step = await history.failed_step(client, outcome.workflow_id)
            cause = await history.failure_cause(client, outcome.workflow_id)

    timed_out = any(e.detail.get("reason") == "timeout" for e in outcome.events)
    status = "passed" if outcome.status == "completed" else "failed"
    return {
        "name": scenario.name,
        "status": "timed_out" if timed_out else status,
        "error": outcome.error,
        "cause": cause,
        "failed_step": failed_step,
        "workflow_id": outcome.workflow_id,
        "duration_s": round(outcome.duration_s, 3),
        "result": _jsonable(outcome.result),
        "events": [
            {
                "kind": event.kind,
                "workflow_id": event.workflow_id,
                "at_s": round(event.timestamp_s, 3),
                "detail": _jsonable(event.detail),
            }
            for event in outcome.events
        ],
    }


def _versions() -> dict[str, str]:
    from importlib.metadata import PackageNotFoundError, version

    found = {}
    for name in ("ntro", "temporalio"):
        try:
            found[name] = version(name)
        except PackageNotFoundError:
            continue
    return found


def _check_dependencies(entries: list[dict[str, Any]]) -> None:
    """Stop before any scenario when code imports a dev-only distribution."""
    for entry in entries:
        found = dependencies.dev_only(entry["imports"], entry["requirements"])
        if found:
            raise StageProblem(
                "dev_only_module",
                f"{entry['slug']} imports modules only its dev requirements bring",
                runbook=entry["path"],
                modules=found,
            )


async def _main(spec: dict[str, Any]) -> dict[str, Any]:
    _check_dependencies([spec["runbook"], *spec["children"]])
    testing = _load_harness()
    agent_loop: Any = importlib.import_module("ntro.testing.agent_loop")

    parent = _load_runbook(testing, spec["runbook"])
    children = [_load_runbook(testing, child) for child in spec["children"]]
    # WorkflowHarness.run looks the loop class up here at call time.
    steps = loop.step_methods(parent, *children)
    agent_loop.HarnessAgentLoop = loop.step_aware_loop(history, steps)
    scenarios = _select_scenarios(testing, spec, set(steps.values()))
    spec = {**spec, "input": _run_input(parent, spec["input"])}

    results = []
    for scenario in scenarios:
        started = time.monotonic()
        try:
            results.append(
                await _run_scenario(testing, parent, children, scenario, spec)
            )
        except StageProblem:
            raise  # about the whole run, not this scenario
        except loop.UnknownChildStarted as exc:
            unknown = exc.unknown
            raise StageProblem(
                "unknown_child",
                unknown.message(),
                child=unknown.name,
                by_slug=unknown.by_slug,
            ) from exc
        except Exception as exc:
            results.append(
                {
                    "name": scenario.name,
                    "status": "failed",
                    "error": f"{type(exc).__name__}: {exc}",
                    "cause": traceback.format_exc(limit=5),
                    "failed_step": None,
                    "workflow_id": None,
                    "duration_s": round(time.monotonic() - started, 3),
                    "result": None,
                    "events": [],
                }
            )
    return {"scenarios": results, "versions": _versions()}


def main(argv: list[str]) -> int:
    spec = json.loads(Path(argv[0]).read_text(encoding="utf-8"))
    try:
        answer = asyncio.run(_main(spec))
    except StageProblem as problem:
        answer = {
            "problem": {"kind": problem.kind, "message": str(problem), **problem.extra}
        }
    Path(spec["answer"]).write_text(json.dumps(answer, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
