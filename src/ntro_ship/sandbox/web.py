"""Request plumbing shared by the route modules: state, bodies, replies."""

from __future__ import annotations

import dataclasses
import json
import threading
from typing import Any, TypeVar

import anyio
import pydantic
from starlette.requests import Request
from starlette.responses import JSONResponse

from ntro_ship.sandbox.config import SandboxConfig
from ntro_ship.sandbox.errors import ApiError
from ntro_ship.sandbox.faults import FaultSet, describe_errors
from ntro_ship.sandbox.store import Store

Body = TypeVar("Body", bound=pydantic.BaseModel)


@dataclasses.dataclass
class Runtime:
    """Everything a handler needs; delays can change while serving."""

    store: Store
    faults: FaultSet
    config: SandboxConfig
    deploy_delay: float
    run_delay: float
    # Set when the server shuts down, to release requests held by faults.
    stopping: threading.Event = dataclasses.field(default_factory=threading.Event)
    # Held from the "one in progress?" check to the insert of a deployment,
    # which awaits in between: two requests must not both see "none".
    deploy_lock: anyio.Lock = dataclasses.field(default_factory=anyio.Lock)


class Model(pydantic.BaseModel):
    """A request body: camelCase keys, unknown keys ignored like the platform."""

    model_config = pydantic.ConfigDict(extra="ignore", str_strip_whitespace=True)


def runtime(request: Request) -> Runtime:
    state: Runtime = request.app.state.runtime
    return state


async def read_object(request: Request) -> dict[str, Any]:
    """The body as a JSON object: 415 or 400 in the envelope when it is not."""
    content_type = request.headers.get("content-type", "")
    if content_type.split(";")[0].strip().lower() != "application/json":
        raise ApiError(
            415,
            f"expected Content-Type: application/json, got '{content_type or 'none'}'",
        )

    raw = await request.body()
    if not raw.strip():
        raise ApiError(400, "request body is empty; send a JSON object")

    try:
        data = json.loads(raw)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise ApiError(400, f"request body is not valid JSON: {exc}") from exc

    if not isinstance(data, dict):
        raise ApiError(400, "request body must be a JSON object")
    return data


async def read_json(request: Request, model: type[Body]) -> Body:
    """The body as `model`: 415, 400 or 422 in the envelope when it is not."""
    data = await read_object(request)
    try:
        return model.model_validate(data)
    except pydantic.ValidationError as exc:
        raise ApiError(422, describe_errors(exc)) from exc


def reply(
    body: Any, status: int = 200, headers: dict[str, str] | None = None
) -> JSONResponse:
    return JSONResponse(body, status_code=status, headers=headers)


def query_choice(request: Request, name: str, choices: tuple[str, ...]) -> str | None:
    value = request.query_params.get(name)
    if value is not None and value not in choices:
        raise ApiError(
            422, f"{name} must be one of {', '.join(choices)}; got '{value}'"
        )
    return value
