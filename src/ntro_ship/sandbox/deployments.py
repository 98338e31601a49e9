"""Generation 1 deployments: create, get, and the sandbox's list extension.

A deployment's outcome is decided when it is created (the tenant checks and
any injected fault); its status then follows the clock. The active version
of a workflow on a tenant is derived from the deployments, never stored.
"""

from __future__ import annotations

import uuid

import anyio.to_thread
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from ntro_ship.sandbox import archive, clock, lookup, shapes, tenant_checks
from ntro_ship.sandbox.errors import ApiError, not_found
from ntro_ship.sandbox.faults import DEPLOY_KINDS
from ntro_ship.sandbox.store import Row, Store
from ntro_ship.sandbox.web import Model, read_json, reply, runtime

EXTENSION_HEADER = {"X-Ntro-Sandbox-Extension": "deployments-list"}


class DeploymentCreate(Model):
    workflowId: str
    workflowVersionId: str
    tenantId: str | None = None
    entityId: str | None = None


async def create_deployment(request: Request) -> JSONResponse:
    rt = runtime(request)
    body = await read_json(request, DeploymentCreate)
    if not body.tenantId:
        raise ApiError(
            422, "tenantId: required; the sandbox deploys to one tenant at a time"
        )

    workflow_row = lookup.workflow(rt.store, body.workflowId)
    version_row = lookup.version(rt.store, workflow_row, body.workflowVersionId)
    tenant_row = lookup.tenant(rt.store, body.tenantId)
    entity_id = None
    if body.entityId:
        entity_id = lookup.entity_in(rt.store, tenant_row["id"], body.entityId)["id"]

    async with rt.deploy_lock:
        now = clock.now()
        busy = [
            r
            for r in _deployments_of(rt.store, workflow_row["id"], tenant_row["id"])
            if clock.deployment_phase(
                r["created_at"], r["delay"], r["outcome"], now
            ).status
            in ("PENDING", "DEPLOYING")
        ]
        if busy:
            raise ApiError(
                409,
                f"deployment {busy[0]['id']} of workflow '{workflow_row['name']}' "
                f"to tenant '{tenant_row['slug']}' is still in progress; "
                "wait for it to finish",
            )

        limits = archive.Limits(rt.config.max_unpacked_bytes, rt.config.max_entries)
        data = await anyio.to_thread.run_sync(rt.store.get_blob, version_row["sha256"])
        error = await anyio.to_thread.run_sync(tenant_checks.check_zip, data, limits)
        fault = rt.faults.take_for_target(
            DEPLOY_KINDS,
            {
                "tenant": {tenant_row["id"], tenant_row["slug"]},
                "workflow": {workflow_row["id"], workflow_row["name"] or ""},
                "version": {version_row["id"], str(version_row["number"])},
            },
        )
        if error is None and fault is not None:
            error = fault.spec.message or (
                f"tenant '{tenant_row['slug']}' could not install version "
                f"{version_row['number']} (failure injected by the sandbox)"
            )

        deployment_id = str(uuid.uuid4())
        with rt.store.transaction() as db:
            db.execute(
                "INSERT INTO deployments VALUES (?,?,?,?,?,?,?,?,?)",
                (
                    deployment_id,
                    workflow_row["id"],
                    version_row["id"],
                    tenant_row["id"],
                    entity_id,
                    "FAILED" if error else "DEPLOYED",
                    error,
                    rt.deploy_delay,
                    now,
                ),
            )
    row = rt.store.one("SELECT * FROM deployments WHERE id = ?", (deployment_id,))
    assert row is not None
    return reply(shapes.deployment(row, clock.now()), 201)


async def get_deployment(request: Request) -> JSONResponse:
    store = runtime(request).store
    key = request.path_params["deployment"]
    row = store.one("SELECT * FROM deployments WHERE id = ?", (key,))
    if row is None:
        raise not_found("deployment", key)
    return reply(shapes.deployment(row, clock.now()))


async def list_deployments(request: Request) -> JSONResponse:
    """Sandbox extension: what is deployed, and active, where."""
    store = runtime(request).store
    where, params = [], []
    if key := request.query_params.get("workflowId"):
        where.append("d.workflow_id = ?")
        params.append(lookup.workflow(store, key)["id"])
    if key := request.query_params.get("tenantId"):
        where.append("d.tenant_id = ?")
        params.append(lookup.tenant(store, key)["id"])

    clause = f"WHERE {' AND '.join(where)}" if where else ""
    rows = store.all(
        "SELECT d.rowid AS seq, d.*, v.number FROM deployments d "
        f"JOIN versions v ON v.id = d.version_id {clause} "
        "ORDER BY d.created_at DESC, d.rowid DESC",
        params,
    )
    now = clock.now()
    active = {
        active_deployment(
            [r for r in rows if (r["workflow_id"], r["tenant_id"]) == pair], now
        )
        for pair in {(r["workflow_id"], r["tenant_id"]) for r in rows}
    }
    items = [
        {
            **shapes.deployment(r, now),
            "active": r["id"] in active,
            "version": str(r["number"]),
        }
        for r in rows
    ]
    return reply(items, headers=EXTENSION_HEADER)


def _deployments_of(store: Store, workflow_id: str, tenant_id: str) -> list[Row]:
    return store.all(
        "SELECT rowid AS seq, * FROM deployments "
        "WHERE workflow_id = ? AND tenant_id = ?",
        (workflow_id, tenant_id),
    )


def active_deployment(rows: list[Row], at: float) -> str | None:
    """The most recent deployment that finished DEPLOYED by `at`."""
    finished = [
        (clock.finished_at(r["created_at"], r["delay"]), r["seq"], r["id"])
        for r in rows
        if r["outcome"] == "DEPLOYED"
        and clock.finished_at(r["created_at"], r["delay"]) <= at
    ]
    return max(finished)[2] if finished else None


def active_version(
    store: Store, workflow_id: str, tenant_id: str, at: float
) -> Row | None:
    deployment_id = active_deployment(
        _deployments_of(store, workflow_id, tenant_id), at
    )
    if deployment_id is None:
        return None
    return store.one(
        "SELECT v.* FROM versions v JOIN deployments d ON d.version_id = v.id "
        "WHERE d.id = ?",
        (deployment_id,),
    )


ROUTES = [
    Route("/workspace/registry/deployments", create_deployment, methods=["POST"]),
    Route("/workspace/registry/deployments", list_deployments, methods=["GET"]),
    Route(
        "/workspace/registry/deployments/{deployment}", get_deployment, methods=["GET"]
    ),
]
