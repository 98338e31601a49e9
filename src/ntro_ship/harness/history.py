"""What Temporal knows about a scenario's run: failed step, cause, stuck task.

Loaded by `runner.py` inside the runbook's environment (by path: the runner
runs isolated, without its own folder on sys.path), so it imports only the
standard library and takes the Temporal client duck-typed.

A run that starts a child nobody registered never ends on its own: the
workflow task raises and Temporal retries it until the scenario's deadline.
`watch` spots it early; two messages say so in the history, in the workflow
task's failure:
- ntro 0.1.2 (`NtroWorkflow._resolve_workflow_class`), in the parent, when
  no class is registered for the child's slug;
- temporalio's worker, in the child, when its workflow type is not one of the
  worker's classes (a child started by type rather than by slug).

Any other exception the runbook's workflow code raises (`ValueError`, not
`WorkflowError`) fails the workflow task the same way; `watch` reports it as
a `FailingTask`, so the scenario fails at once instead of timing out.
"""

from __future__ import annotations

import asyncio
import dataclasses
import re
from datetime import timedelta
from typing import Any

# A query on a workflow whose task keeps failing blocks until the server
# gives up (about 30 s, D14); a short RPC deadline keeps `--timeout` honest.
QUERY_RPC_TIMEOUT = timedelta(seconds=2)

UNKNOWN_SLUG = re.compile(r"No workflow registered for slug '(?P<name>[^']+)'")
UNKNOWN_TYPE = re.compile(
    r"Workflow class (?P<name>\S+) is not registered on this worker"
)
POLL_INTERVAL_S = 0.2
# Task failures that replaying the same code can never get past. Others (an
# unhandled command when a signal lands mid-task) are Temporal's routine.
RETRIED_FOREVER = frozenset(
    {
        "WORKFLOW_TASK_FAILED_CAUSE_WORKFLOW_WORKER_UNHANDLED_FAILURE",
        "WORKFLOW_TASK_FAILED_CAUSE_NON_DETERMINISTIC_ERROR",
    }
)


@dataclasses.dataclass(frozen=True)
class UnknownChild:
    workflow_id: str
    name: str
    by_slug: bool

    def message(self) -> str:
        what = "runbook slug" if self.by_slug else "workflow type"
        return (
            f"workflow {self.workflow_id} started a child with {what} "
            f"{self.name!r}, which no --child gives (Temporal would retry it "
            "until the scenario's deadline, so the run was stopped)"
        )


@dataclasses.dataclass(frozen=True)
class FailingTask:
    """A workflow task the code fails on every attempt: the run never ends."""

    workflow_id: str
    cause: str
    stack_trace: str


async def watch(client: Any, root_id: str) -> UnknownChild | FailingTask:
    """Return once any workflow of the run fails a task it can never pass."""
    while True:
        try:
            found = await _scan(client, root_id)
        except Exception:
            found = None  # a watcher's hiccup must never fail the scenario
        if found is not None:
            return found
        await asyncio.sleep(POLL_INTERVAL_S)


async def _scan(client: Any, root_id: str) -> UnknownChild | FailingTask | None:
    pending, seen = [root_id], set()
    while pending:
        workflow_id = pending.pop()
        if workflow_id in seen:
            continue
        seen.add(workflow_id)
        try:
            history = await client.get_workflow_handle(workflow_id).fetch_history()
        except Exception:
            continue  # not visible yet, or gone: the next scan sees it

        for event in history.events:
            if event.HasField(
                "start_child_workflow_execution_initiated_event_attributes"
            ):
                child = event.start_child_workflow_execution_initiated_event_attributes
                pending.append(child.workflow_id)
            if event.HasField("workflow_task_failed_event_attributes"):
                found = _stuck(workflow_id, event.workflow_task_failed_event_attributes)
                if found is not None:
                    return found
    return None


def _stuck(workflow_id: str, attributes: Any) -> UnknownChild | FailingTask | None:
    failure = attributes.failure
    unknown = _unknown_child(workflow_id, failure.message)
    if unknown is not None:
        return unknown

    # Protobuf reflection gives the enum's name without importing temporalio.
    causes = attributes.DESCRIPTOR.fields_by_name["cause"].enum_type
    if causes.values_by_number[attributes.cause].name not in RETRIED_FOREVER:
        return None
    return FailingTask(workflow_id, _failure_text(failure), failure.stack_trace)


def _unknown_child(workflow_id: str, message: str) -> UnknownChild | None:
    for pattern, by_slug in ((UNKNOWN_SLUG, True), (UNKNOWN_TYPE, False)):
        match = pattern.search(message)
        if match is not None:
            return UnknownChild(workflow_id, match.group("name"), by_slug)
    return None


async def failed_step(client: Any, workflow_id: str, depth: int = 0) -> str | None:
    handle = client.get_workflow_handle(workflow_id)
    try:
        state = await handle.query("current_ui_state", rpc_timeout=QUERY_RPC_TIMEOUT)
    except Exception:
        return None

    step = state.get("current_step_id") if isinstance(state, dict) else None
    children = (state.get("children") or {}).get(step) or []
    unfinished = [c for c in children if c.get("status") != "completed"]
    if step and unfinished and depth < 3:
        child_id = f"{workflow_id}:{step}:{unfinished[0]['slug']}"
        inner = await failed_step(client, child_id, depth + 1)
        if inner:
            return f"{step} > {unfinished[0]['slug']}:{inner}"
    return step


def _failure_text(failure: Any) -> str:
    deepest = failure
    while deepest.HasField("cause"):
        deepest = deepest.cause
    kind = deepest.application_failure_info.type or ""
    return f"{kind}: {deepest.message}" if kind else deepest.message


async def failure_cause(client: Any, workflow_id: str) -> str | None:
    """The last failure Temporal recorded: why the run failed or is stuck."""
    try:
        history = await client.get_workflow_handle(workflow_id).fetch_history()
    except Exception:
        return None

    cause = None
    for event in history.events:
        for field in (
            "workflow_execution_failed_event_attributes",
            "workflow_task_failed_event_attributes",
        ):
            if event.HasField(field):
                cause = _failure_text(getattr(event, field).failure)
    return cause


TRACE_FRAME = re.compile(r'File "(?P<file>[^"]+)", line \d+, in (?P<function>\S+)')


def step_in_trace(stack_trace: str, steps: dict[tuple[str, str], str]) -> str | None:
    """The innermost `@runbook.step` method (file, function) the trace passes."""
    for match in reversed(list(TRACE_FRAME.finditer(stack_trace))):
        step = steps.get((match.group("file"), match.group("function")))
        if step is not None:
            return step
    return None


def step_path(root_id: str, workflow_id: str, step: str | None) -> str | None:
    """`parent_step > child_slug:step`, as `failed_step` names a child's step.

    A child's id is `<parent id>:<parent step>:<child slug>`, nested as deep
    as the children go.
    """
    nested = workflow_id.removeprefix(root_id).strip(":")
    if not nested:
        return step

    parts = nested.split(":")
    parent_steps, slugs = parts[::2], parts[1::2]
    inner_steps = [*parent_steps[1:], step]
    path = parent_steps[0]
    for slug, inner in zip(slugs, inner_steps, strict=False):
        path += f" > {slug}:{inner}" if inner else f" > {slug}"
    return path
