"""The sandbox's own admin API under /_sandbox: faults, delays, blobs, health."""

from __future__ import annotations

import re

import pydantic
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from ntro_ship.sandbox.config import MAX_SECONDS
from ntro_ship.sandbox.errors import ApiError
from ntro_ship.sandbox.faults import FaultError
from ntro_ship.sandbox.web import Model, read_json, read_object, reply, runtime

SHA256 = re.compile(r"[0-9a-f]{64}")
# JSON bodies may carry NaN and Infinity (Python's json reads them); a delay
# must be a finite number of seconds, zero or more.
SECONDS = pydantic.Field(default=None, ge=0, le=MAX_SECONDS, allow_inf_nan=False)


class Delays(Model):
    deploy_delay: float | None = SECONDS
    run_delay: float | None = SECONDS


async def health(request: Request) -> JSONResponse:
    return reply({"status": "ok"})


async def list_faults(request: Request) -> JSONResponse:
    return reply(runtime(request).faults.describe())


async def add_fault(request: Request) -> JSONResponse:
    raw = await read_object(request)
    try:
        fault = runtime(request).faults.add(raw)
    except FaultError as exc:
        raise ApiError(422, str(exc)) from exc
    return reply(fault.describe(), 201)


async def clear_faults(request: Request) -> Response:
    runtime(request).faults.clear()
    return Response(status_code=204)


async def remove_fault(request: Request) -> Response:
    key = request.path_params["fault"]
    if not key.isdigit() or not runtime(request).faults.remove(int(key)):
        raise ApiError(404, f"fault '{key}' not found")
    return Response(status_code=204)


async def get_delays(request: Request) -> JSONResponse:
    rt = runtime(request)
    return reply({"deploy_delay": rt.deploy_delay, "run_delay": rt.run_delay})


async def set_delays(request: Request) -> JSONResponse:
    rt = runtime(request)
    body = await read_json(request, Delays)
    if body.deploy_delay is not None:
        rt.deploy_delay = body.deploy_delay
    if body.run_delay is not None:
        rt.run_delay = body.run_delay
    return await get_delays(request)


async def get_artifact(request: Request) -> Response:
    digest = request.path_params["sha256"]
    store = runtime(request).store
    if not SHA256.fullmatch(digest) or not (store.blob_dir / digest).is_file():
        raise ApiError(404, f"artifact '{digest}' not found")
    return Response(store.get_blob(digest), media_type="application/zip")


ROUTES = [
    Route("/health", health, methods=["GET"]),
    Route("/faults", list_faults, methods=["GET"]),
    Route("/faults", add_fault, methods=["POST"]),
    Route("/faults", clear_faults, methods=["DELETE"]),
    Route("/faults/{fault}", remove_fault, methods=["DELETE"]),
    Route("/delays", get_delays, methods=["GET"]),
    Route("/delays", set_delays, methods=["PUT"]),
    Route("/artifacts/{sha256}", get_artifact, methods=["GET"]),
]
