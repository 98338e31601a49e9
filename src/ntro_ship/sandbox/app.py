"""The sandbox as one ASGI application.

/v1/...        the Workspace API, both generations (bearer key)
/v1/workspace/registry/deployments (GET)   sandbox extension
/_sandbox/...  admin: faults, delays, artifacts, health (bearer key)
/ui/tasks/{id} a small page per task, the target of links.workflow_ui
"""

from __future__ import annotations

import logging
from pathlib import Path

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import ClientDisconnect, Request
from starlette.responses import Response
from starlette.routing import Mount
from starlette.types import ASGIApp

from ntro_ship.sandbox import (
    admin,
    deployments,
    registry,
    runbooks,
    tasks,
    tenants,
    ui,
)
from ntro_ship.sandbox.config import SandboxConfig
from ntro_ship.sandbox.errors import ApiError, error_response
from ntro_ship.sandbox.faults import FaultError, FaultSet
from ntro_ship.sandbox.middleware import AuthMiddleware, FaultMiddleware
from ntro_ship.sandbox.store import Store
from ntro_ship.sandbox.web import Runtime

log = logging.getLogger("ntro_ship.sandbox")


async def _api_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, ApiError)
    return error_response(exc.status, exc.message, exc.headers)


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    if exc.status_code == 404:
        message = f"no route for {request.method} {request.url.path}"
    elif exc.status_code == 405:
        message = f"{request.method} is not allowed on {request.url.path}"
    else:
        message = str(exc.detail)
    return error_response(exc.status_code, message, dict(exc.headers or {}))


async def _client_gone(request: Request, exc: Exception) -> Response:
    # A client that gives up (its timeout, Ctrl-C) while a route reads the
    # body is normal traffic, above all under a latency fault: one line, and
    # an answer nobody will receive.
    log.info(
        "client hung up before %s %s was answered", request.method, request.url.path
    )
    return error_response(400, "the client disconnected before sending its body")


async def _crash(request: Request, exc: Exception) -> Response:
    log.exception("unexpected error on %s %s", request.method, request.url.path)
    return error_response(
        500, f"sandbox internal error: {type(exc).__name__}; see its log"
    )


def initial_faults(
    config: SandboxConfig, extra: list[object] | None = None
) -> FaultSet:
    """Faults from the config file and the command line; ConfigError style message."""
    faults = FaultSet()
    for index, body in enumerate([*config.faults, *(extra or [])], start=1):
        try:
            faults.add(body)
        except FaultError as exc:
            raise ValueError(f"fault #{index}: {exc}") from exc
    return faults


def create_app(
    data_dir: Path, config: SandboxConfig, faults: FaultSet
) -> tuple[ASGIApp, Runtime]:
    data_dir.mkdir(parents=True, exist_ok=True)
    runtime = Runtime(
        store=Store(data_dir, config),
        faults=faults,
        config=config,
        deploy_delay=config.deploy_delay,
        run_delay=config.run_delay,
    )
    api = [
        *tenants.ROUTES,
        *registry.ROUTES,
        *deployments.ROUTES,
        *tasks.ROUTES,
        *runbooks.ROUTES,
    ]
    app = Starlette(
        routes=[
            Mount("/v1", routes=api),
            Mount("/_sandbox", routes=admin.ROUTES),
            Mount("/ui", routes=ui.UI_ROUTES),
        ],
        exception_handlers={
            ApiError: _api_error,
            HTTPException: _http_error,
            ClientDisconnect: _client_gone,
            Exception: _crash,
        },
    )
    app.state.runtime = runtime
    guarded = AuthMiddleware(app, config.api_keys)
    return FaultMiddleware(guarded, faults, runtime.stopping), runtime
