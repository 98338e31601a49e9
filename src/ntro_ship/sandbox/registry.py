"""Generation 1 registry: workflows (both generations' bodies) and pushed versions."""

from __future__ import annotations

import json
import sqlite3
import uuid
from typing import Any

import anyio.to_thread
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from ntro_ship.sandbox import archive, clock, lookup, shapes, tenant_checks
from ntro_ship.sandbox.errors import ApiError
from ntro_ship.sandbox.store import Row, Store
from ntro_ship.sandbox.web import Model, read_json, reply, runtime


class WorkflowCreate(Model):
    name: str | None = None
    description: str | None = None
    tenantId: str | None = None
    schedule: str | None = None
    timezone: str | None = None
    runbookSlug: str | None = None
    entityId: str | None = None
    runbookVersion: str | None = None
    defaultConfig: dict[str, Any] | str | None = None


class WorkflowPatch(Model):
    name: str | None = None
    description: str | None = None
    schedule: str | None = None
    timezone: str | None = None
    defaultConfig: dict[str, Any] | str | None = None


def latest_version(store: Store, workflow_id: str) -> str | None:
    row = store.one(
        "SELECT MAX(number) AS n FROM versions WHERE workflow_id = ?", (workflow_id,)
    )
    return None if row is None or row["n"] is None else str(row["n"])


def render_workflow(store: Store, row: Row) -> dict[str, Any]:
    return shapes.workflow(row, latest_version(store, row["id"]))


async def create_workflow(request: Request) -> JSONResponse:
    rt = runtime(request)
    body = await read_json(request, WorkflowCreate)
    tenant_id = entity_id = None

    if body.runbookSlug:
        # Generation 3: the row binds a runbook to an entity.
        if not body.entityId:
            raise ApiError(422, "entityId: required when runbookSlug is given")
        entity_row = lookup.entity_anywhere(rt.store, body.entityId)
        entity_id, tenant_id = entity_row["id"], entity_row["tenant_id"]
    elif not body.name:
        raise ApiError(
            422,
            "name: required (or runbookSlug and entityId for a runbook-bound workflow)",
        )
    elif body.tenantId:
        tenant_id = lookup.tenant(rt.store, body.tenantId)["id"]

    config = body.defaultConfig
    config_text = json.dumps(config) if config is not None else None
    workflow_id, now = str(uuid.uuid4()), clock.now()
    try:
        with rt.store.transaction() as db:
            db.execute(
                "INSERT INTO workflows VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
                (
                    workflow_id,
                    body.name,
                    body.description,
                    tenant_id,
                    body.schedule,
                    body.timezone,
                    body.runbookSlug,
                    entity_id,
                    body.runbookVersion,
                    config_text,
                    now,
                    now,
                ),
            )
    except sqlite3.IntegrityError as exc:
        raise ApiError(409, f"a workflow named '{body.name}' already exists") from exc

    row = lookup.workflow(rt.store, workflow_id)
    return reply(render_workflow(rt.store, row), 201)


async def list_workflows(request: Request) -> JSONResponse:
    store = runtime(request).store
    rows = store.all("SELECT * FROM workflows ORDER BY created_at, rowid")
    return reply([render_workflow(store, r) for r in rows])


async def get_workflow(request: Request) -> JSONResponse:
    store = runtime(request).store
    row = lookup.workflow(store, request.path_params["workflow"])
    return reply(render_workflow(store, row))


async def patch_workflow(request: Request) -> JSONResponse:
    rt = runtime(request)
    row = lookup.workflow(rt.store, request.path_params["workflow"])
    body = await read_json(request, WorkflowPatch)
    changes = body.model_dump(exclude_unset=True)
    if not changes:
        raise ApiError(
            422,
            "send at least one of name, description, schedule, timezone, defaultConfig",
        )

    columns = {
        "name": "name",
        "description": "description",
        "schedule": "schedule",
        "timezone": "timezone",
        "defaultConfig": "default_config",
    }
    if "defaultConfig" in changes:
        changes["defaultConfig"] = json.dumps(changes["defaultConfig"])
    assignments = ", ".join(f"{columns[k]} = ?" for k in changes)
    try:
        with rt.store.transaction() as db:
            db.execute(
                f"UPDATE workflows SET {assignments}, updated_at = ? WHERE id = ?",
                (*changes.values(), clock.now(), row["id"]),
            )
    except sqlite3.IntegrityError as exc:
        raise ApiError(
            409, f"a workflow named '{changes.get('name')}' already exists"
        ) from exc
    return reply(render_workflow(rt.store, lookup.workflow(rt.store, row["id"])))


async def push_version(request: Request) -> JSONResponse:
    rt = runtime(request)
    workflow_row = lookup.workflow(rt.store, request.path_params["workflow"])
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type != "application/octet-stream":
        raise ApiError(
            415,
            "push the artifact as raw bytes with "
            "Content-Type: application/octet-stream "
            f"(got '{content_type or 'none'}')",
        )

    data = await _read_capped(request, rt.config.max_upload_bytes)
    if not data:
        raise ApiError(
            422, "the artifact is empty (0 bytes); push the zip of the runbook"
        )

    if data[:4] == b"PK\x03\x04" or data[:4] == b"PK\x05\x06":
        limits = archive.Limits(rt.config.max_unpacked_bytes, rt.config.max_entries)
        try:
            archive.inspect(data, limits)
        except archive.ArtifactProblem as exc:
            raise ApiError(422, str(exc)) from exc

    steps = await anyio.to_thread.run_sync(tenant_checks.steps_of, data)
    digest = await anyio.to_thread.run_sync(rt.store.put_blob, data)
    version_id, now = str(uuid.uuid4()), clock.now()
    with rt.store.transaction() as db:
        number = db.execute(
            "SELECT COALESCE(MAX(number), 0) + 1 FROM versions WHERE workflow_id = ?",
            (workflow_row["id"],),
        ).fetchone()[0]
        db.execute(
            "INSERT INTO versions VALUES (?,?,?,?,?,?,?)",
            (
                version_id,
                workflow_row["id"],
                number,
                digest,
                len(data),
                json.dumps(steps),
                now,
            ),
        )

    row = rt.store.one("SELECT * FROM versions WHERE id = ?", (version_id,))
    assert row is not None
    return reply(shapes.version(row, str(request.base_url)), 201)


async def list_versions(request: Request) -> JSONResponse:
    store = runtime(request).store
    workflow_row = lookup.workflow(store, request.path_params["workflow"])
    rows = store.all(
        "SELECT * FROM versions WHERE workflow_id = ? ORDER BY number DESC",
        (workflow_row["id"],),
    )
    return reply([shapes.version(r, str(request.base_url)) for r in rows])


async def _read_capped(request: Request, limit: int) -> bytes:
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > limit:
        raise ApiError(
            413, f"artifact of {declared} bytes is over the {limit}-byte upload limit"
        )

    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise ApiError(413, f"artifact is over the {limit}-byte upload limit")
        chunks.append(chunk)
    return b"".join(chunks)


ROUTES = [
    Route("/workspace/registry/workflows", create_workflow, methods=["POST"]),
    Route("/workspace/registry/workflows", list_workflows, methods=["GET"]),
    Route("/workspace/registry/workflows/{workflow}", get_workflow, methods=["GET"]),
    Route(
        "/workspace/registry/workflows/{workflow}", patch_workflow, methods=["PATCH"]
    ),
    Route(
        "/workspace/registry/workflows/{workflow}/versions",
        push_version,
        methods=["POST"],
    ),
    Route(
        "/workspace/registry/workflows/{workflow}/versions",
        list_versions,
        methods=["GET"],
    ),
]
