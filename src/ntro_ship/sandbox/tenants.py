"""Who is calling, and the tenants and entities they can target."""

from __future__ import annotations

import sqlite3
import uuid
from typing import Literal

from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from ntro_ship.sandbox import clock, lookup, shapes
from ntro_ship.sandbox.errors import ApiError
from ntro_ship.sandbox.store import Row, Store
from ntro_ship.sandbox.web import Model, read_json, reply, runtime

ME = {
    "id": "user_sandbox",
    "email": "developer@sandbox.local",
    "name": "Sandbox Developer",
    "orgId": shapes.ORG_ID,
    "roles": ["admin"],
}


class TenantCreate(Model):
    name: str
    slug: str
    dataPlatform: Literal["managed-postgres", "snowflake", "microsoft-fabric"]


class EntityCreate(Model):
    name: str
    slug: str
    currency: str | None = None


async def me(request: Request) -> JSONResponse:
    return reply(ME)


def _render_tenant(store: Store, row: Row) -> dict[str, object]:
    count = store.one(
        "SELECT COUNT(*) AS n FROM entities WHERE tenant_id = ?", (row["id"],)
    )
    return shapes.tenant(row, count["n"] if count else 0)


async def list_tenants(request: Request) -> JSONResponse:
    store = runtime(request).store
    rows = store.all("SELECT * FROM tenants ORDER BY created_at, rowid")
    return reply([_render_tenant(store, r) for r in rows])


async def get_tenant(request: Request) -> JSONResponse:
    store = runtime(request).store
    return reply(
        _render_tenant(store, lookup.tenant(store, request.path_params["tenant"]))
    )


async def create_tenant(request: Request) -> JSONResponse:
    store = runtime(request).store
    body = await read_json(request, TenantCreate)
    tenant_id = str(uuid.uuid4())
    try:
        with store.transaction() as db:
            db.execute(
                "INSERT INTO tenants VALUES (?,?,?,?,?)",
                (tenant_id, body.slug, body.name, body.dataPlatform, clock.now()),
            )
    except sqlite3.IntegrityError as exc:
        raise ApiError(409, f"a tenant with slug '{body.slug}' already exists") from exc
    return reply(_render_tenant(store, lookup.tenant(store, tenant_id)), 201)


async def list_entities(request: Request) -> JSONResponse:
    store = runtime(request).store
    if "tenant" in request.path_params:
        tenant = lookup.tenant(store, request.path_params["tenant"])
        rows = store.all(
            "SELECT * FROM entities WHERE tenant_id = ? ORDER BY created_at, rowid",
            (tenant["id"],),
        )
    else:
        rows = store.all("SELECT * FROM entities ORDER BY created_at, rowid")
    return reply([shapes.entity(r) for r in rows])


async def get_entity(request: Request) -> JSONResponse:
    store = runtime(request).store
    tenant = lookup.tenant(store, request.path_params["tenant"])
    return reply(
        shapes.entity(
            lookup.entity_in(store, tenant["id"], request.path_params["entity"])
        )
    )


async def create_entity(request: Request) -> JSONResponse:
    store = runtime(request).store
    tenant = lookup.tenant(store, request.path_params["tenant"])
    body = await read_json(request, EntityCreate)
    entity_id = str(uuid.uuid4())
    try:
        with store.transaction() as db:
            db.execute(
                "INSERT INTO entities VALUES (?,?,?,?,?,?)",
                (
                    entity_id,
                    tenant["id"],
                    body.slug,
                    body.name,
                    body.currency,
                    clock.now(),
                ),
            )
    except sqlite3.IntegrityError as exc:
        raise ApiError(
            409, f"tenant '{tenant['slug']}' already has an entity '{body.slug}'"
        ) from exc
    return reply(shapes.entity(lookup.entity_in(store, tenant["id"], entity_id)), 201)


ROUTES = [
    Route("/me", me, methods=["GET"]),
    Route("/workspace/tenants", list_tenants, methods=["GET"]),
    Route("/workspace/tenants", create_tenant, methods=["POST"]),
    Route("/workspace/tenants/{tenant}", get_tenant, methods=["GET"]),
    Route("/workspace/entities", list_entities, methods=["GET"]),
    Route("/workspace/tenants/{tenant}/entities", list_entities, methods=["GET"]),
    Route("/workspace/tenants/{tenant}/entities", create_entity, methods=["POST"]),
    Route("/workspace/tenants/{tenant}/entities/{entity}", get_entity, methods=["GET"]),
]
