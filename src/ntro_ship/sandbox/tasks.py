"""Runs: tasks that execute the version active on their tenant."""

from __future__ import annotations

import json
import uuid
from typing import Any

import pydantic
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from ntro_ship.sandbox import clock, lookup, shapes
from ntro_ship.sandbox.deployments import active_version
from ntro_ship.sandbox.errors import ApiError, not_found
from ntro_ship.sandbox.faults import RUN_KINDS
from ntro_ship.sandbox.store import Row, Store
from ntro_ship.sandbox.web import Model, query_choice, read_json, reply, runtime

TASK_STATUSES = ("PENDING", "READY", "IN_PROGRESS", "BLOCKED", "COMPLETED", "FAILED")
FAULT_OUTCOMES = {"run_fail": "FAILED", "run_block": "BLOCKED", "run_hang": "HANG"}


class TaskCreate(Model):
    tenantId: str
    workflowId: str
    entityId: str | None = None
    context: dict[str, Any] = pydantic.Field(default_factory=dict)


def _resolve_workflow(
    store: Store, key: str, tenant_id: str, entity_id: str | None
) -> Row:
    """By id or name; else a runbook-bound workflow of that slug on the target."""
    row = store.one("SELECT * FROM workflows WHERE id = ? OR name = ?", (key, key))
    if row is not None:
        return row

    candidates = store.all(
        "SELECT w.* FROM workflows w JOIN entities e ON e.id = w.entity_id "
        "WHERE w.runbook_slug = ? AND e.tenant_id = ? ORDER BY w.created_at DESC",
        (key, tenant_id),
    )
    for candidate in candidates:
        if entity_id is None or candidate["entity_id"] == entity_id:
            return candidate
    raise not_found("workflow", key)


def _runnable(
    store: Store, workflow: Row, tenant: Row, at: float
) -> tuple[str, str, list[str]]:
    """(version label, version ref, step names) of what the tenant would run."""
    if workflow["runbook_slug"] is None:
        version = active_version(store, workflow["id"], tenant["id"], at)
        if version is not None:
            return str(version["number"]), version["id"], json.loads(version["steps"])
    else:
        params: list[Any] = [workflow["runbook_slug"], tenant["id"]]
        pin = ""
        if workflow["runbook_version"]:
            pin, params = " AND version = ?", [*params, workflow["runbook_version"]]
        deploy = store.one(
            f"SELECT * FROM runbook_deploys WHERE slug = ? AND tenant_id = ?{pin} "
            "ORDER BY created_at DESC, rowid DESC",
            params,
        )
        if deploy is not None:
            return (
                deploy["version"],
                deploy["workflow_class"],
                json.loads(deploy["steps"]),
            )

    name = workflow["name"] or workflow["runbook_slug"]
    raise ApiError(
        409,
        f"workflow '{name}' has no deployed version on tenant '{tenant['slug']}'; "
        "deploy one (and wait for DEPLOYED) before starting a run",
    )


async def create_task(request: Request) -> JSONResponse:
    rt = runtime(request)
    body = await read_json(request, TaskCreate)
    tenant = lookup.tenant(rt.store, body.tenantId)
    entity_id = None
    if body.entityId:
        entity_id = lookup.entity_in(rt.store, tenant["id"], body.entityId)["id"]

    workflow = _resolve_workflow(rt.store, body.workflowId, tenant["id"], entity_id)
    if entity_id is None and workflow["runbook_slug"] is not None:
        entity_id = workflow["entity_id"]

    now = clock.now()
    label, ref, steps = _runnable(rt.store, workflow, tenant, now)
    fault = rt.faults.take_for_target(
        RUN_KINDS,
        {
            "tenant": {tenant["id"], tenant["slug"]},
            "workflow": {
                workflow["id"],
                workflow["name"] or "",
                workflow["runbook_slug"] or "",
            },
            "version": {label, ref},
        },
    )
    outcome, failure_type, failure_message = "COMPLETED", None, None
    if fault is not None:
        outcome = FAULT_OUTCOMES[fault.spec.kind]
        if outcome == "FAILED":
            failure = fault.spec.failure
            failure_type = failure.type if failure else "ActivityError"
            failure_message = (
                (failure.message if failure else None)
                or fault.spec.message
                or ("run failed (failure injected by the sandbox)")
            )

    name = workflow["name"] or workflow["runbook_slug"]
    period = body.context.get("period")
    title = f"{name} {period}" if period else str(name)
    task_id = str(uuid.uuid4())
    with rt.store.transaction() as db:
        db.execute(
            "INSERT INTO tasks VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,NULL,NULL)",
            (
                task_id,
                workflow["id"],
                tenant["id"],
                entity_id,
                label,
                ref,
                title,
                str(body.context.get("priority") or "NORMAL"),
                json.dumps(body.context),
                json.dumps(steps),
                outcome,
                failure_type,
                failure_message,
                rt.run_delay,
                now,
            ),
        )
    return reply(
        shapes.task(_task_row(rt.store, task_id), clock.now(), str(request.base_url)),
        201,
    )


def _task_row(store: Store, task_id: str) -> Row:
    row = store.one("SELECT * FROM tasks WHERE id = ?", (task_id,))
    if row is None:
        raise not_found("task", task_id)
    return row


async def get_task(request: Request) -> JSONResponse:
    row = _task_row(runtime(request).store, request.path_params["task"])
    return reply(shapes.task(row, clock.now(), str(request.base_url)))


def task_logs(row: Row, at: float) -> list[dict[str, Any]]:
    """The task's events so far, as SDK >= 0.1.1 reads them (TaskLogEntry)."""
    created, delay, outcome = row["created_at"], row["delay"], row["outcome"]
    answer = shapes.resolution(row)
    phase = clock.task_phase(created, delay, outcome, at, answer)
    events: list[tuple[float, str, dict[str, Any]]] = [
        (created, "TASK_QUEUED", {"tenantId": row["tenant_id"]})
    ]
    if phase.status != "PENDING":
        started = created + delay * clock.PENDING_SHARE
        events.append((started, "TASK_STARTED", {"version": row["version_label"]}))
    names = json.loads(row["steps"])
    for step in clock.task_steps(names, created, delay, outcome, at, answer):
        if step["status"] != "PENDING":
            events.append((phase.since, "STEP_UPDATED", dict(step)))
    if phase.status == "FAILED":
        failure = {"type": row["failure_type"], "message": row["failure_message"]}
        events.append((phase.since, "TASK_FAILED", failure))
    elif phase.status in ("COMPLETED", "BLOCKED"):
        events.append((phase.since, f"TASK_{phase.status}", {}))
    return [
        {"id": f"{row['id']}-{index}", "type": kind, "payload": payload,
         "createdAt": clock.iso(moment)}
        for index, (moment, kind, payload) in enumerate(events, start=1)
    ]  # fmt: skip


async def get_logs(request: Request) -> JSONResponse:
    row = _task_row(runtime(request).store, request.path_params["task"])
    return reply(task_logs(row, clock.now()))


def _listed(request: Request, rows: list[Row], status: str | None) -> JSONResponse:
    now, base = clock.now(), str(request.base_url)
    tasks = [shapes.task(r, now, base) for r in rows]
    return reply([t for t in tasks if status is None or t["status"] == status])


async def list_tasks(request: Request) -> JSONResponse:
    status = query_choice(request, "status", TASK_STATUSES)
    rows = runtime(request).store.all(
        "SELECT * FROM tasks ORDER BY created_at DESC, rowid DESC"
    )
    return _listed(request, rows, status)


async def history(request: Request) -> JSONResponse:
    store = runtime(request).store
    tenant = lookup.tenant(store, request.path_params["tenant"])
    entity = lookup.entity_in(store, tenant["id"], request.path_params["entity"])
    rows = store.all(
        "SELECT * FROM tasks WHERE tenant_id = ? AND entity_id = ? "
        "ORDER BY created_at DESC, rowid DESC",
        (tenant["id"], entity["id"]),
    )
    return _listed(request, rows, None)


async def blocked_tasks(request: Request) -> JSONResponse:
    rows = runtime(request).store.all("SELECT * FROM tasks ORDER BY created_at DESC")
    return _listed(request, rows, "BLOCKED")


async def incoming_tasks(request: Request) -> JSONResponse:
    # The sandbox never makes a task READY: nothing waits for a human to start.
    return reply([])


class Review(Model):
    reason: str | None = None


async def _review(request: Request, outcome: str) -> JSONResponse:
    """Approve or reject a BLOCKED task: it ends COMPLETED or FAILED now."""
    rt = runtime(request)
    row = _task_row(rt.store, request.path_params["task"])
    body = await read_json(request, Review) if await request.body() else Review()
    now = clock.now()
    current = shapes.task(row, now, str(request.base_url))["status"]
    if current != "BLOCKED":
        raise ApiError(
            409,
            f"task {row['id']} is {current}, not BLOCKED; only a task waiting on a "
            "human step can be approved or rejected",
        )

    failure_type = failure_message = None
    if outcome == "FAILED":
        failure_type = "Rejected"
        failure_message = body.reason or "rejected by a reviewer"
    with rt.store.transaction() as db:
        db.execute(
            "UPDATE tasks SET resolution = ?, resolved_at = ?, failure_type = ?, "
            "failure_message = ? WHERE id = ?",
            (outcome, now, failure_type, failure_message, row["id"]),
        )
    fresh = _task_row(rt.store, row["id"])
    return reply(shapes.task(fresh, clock.now(), str(request.base_url)))


async def approve(request: Request) -> JSONResponse:
    return await _review(request, "COMPLETED")


async def reject(request: Request) -> JSONResponse:
    return await _review(request, "FAILED")


ROUTES = [
    Route("/workspace/tasks", create_task, methods=["POST"]),
    Route("/workspace/tasks", list_tasks, methods=["GET"]),
    Route("/workspace/tasks/{task}", get_task, methods=["GET"]),
    Route("/workspace/tasks/{task}/logs", get_logs, methods=["GET"]),
    Route("/workspace/tasks/{task}/approve", approve, methods=["POST"]),
    Route("/workspace/tasks/{task}/reject", reject, methods=["POST"]),
    Route("/workspace/schedule", list_tasks, methods=["GET"]),
    Route("/workspace/pending", blocked_tasks, methods=["GET"]),
    Route("/workspace/incoming", incoming_tasks, methods=["GET"]),
    Route(
        "/workspace/tenants/{tenant}/entities/{entity}/tasks", history, methods=["GET"]
    ),
]
