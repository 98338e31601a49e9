"""ASGI layers in front of the routes: injected faults, then the API key.

Both are plain ASGI callables rather than Starlette's BaseHTTPMiddleware, so a
fault can hold back or cut a response the route has already produced.
"""

from __future__ import annotations

import contextvars
import hmac
import json
import logging
import threading
from collections.abc import Sequence

import anyio
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ntro_ship.sandbox.errors import envelope
from ntro_ship.sandbox.faults import Fault, FaultSet

ADMIN_PREFIX = "/_sandbox"
OPEN_PATHS = ("/_sandbox/health",)
# How often a held request checks whether the server is stopping.
POLL_SECONDS = 0.05

# Set while a fault drops a connection, so uvicorn's "returned without
# completing response" complaint about it is not logged as a server error.
_dropping: contextvars.ContextVar[bool] = contextvars.ContextVar(
    "dropping", default=False
)


class DroppedResponseFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        return not _dropping.get()


async def send_error(
    send: Send, status: int, message: str, headers: Sequence[tuple[bytes, bytes]] = ()
) -> None:
    body = json.dumps(envelope(status, message)).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
                *headers,
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


async def drop(send: Send) -> None:
    """Cut the connection mid-response: the client gets no usable answer."""
    _dropping.set(True)
    await send(
        {
            "type": "http.response.start",
            "status": 200,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", b"1024"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": b"{", "more_body": True})


class FaultMiddleware:
    def __init__(
        self, app: ASGIApp, faults: FaultSet, stopping: threading.Event
    ) -> None:
        self.app = app
        self.faults = faults
        self.stopping = stopping

    async def hold(self, receive: Receive, seconds: float) -> None:
        """Wait `seconds`, less if the client hangs up or the server stops."""
        deadline = anyio.current_time() + seconds
        async with anyio.create_task_group() as group:

            async def until_disconnect() -> None:
                while (await receive())["type"] != "http.disconnect":
                    pass
                group.cancel_scope.cancel()

            group.start_soon(until_disconnect)
            while not self.stopping.is_set():
                left = deadline - anyio.current_time()
                if left <= 0:
                    break
                await anyio.sleep(min(left, POLL_SECONDS))
            group.cancel_scope.cancel()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"].startswith(ADMIN_PREFIX):
            await self.app(scope, receive, send)
            return

        chosen = self.faults.take_for_request(scope["method"], scope["path"])
        for fault in chosen:
            if fault.spec.kind == "latency":
                await anyio.sleep(fault.seconds)
        other = next((f for f in chosen if f.spec.kind != "latency"), None)
        if other is None:
            await self.app(scope, receive, send)
            return

        await self._inject(other, scope, receive, send)

    async def _inject(
        self, fault: Fault, scope: Scope, receive: Receive, send: Send
    ) -> None:
        kind = fault.spec.kind
        if kind == "error":
            await send_error(
                send,
                fault.spec.status,
                f"sandbox fault: injected HTTP {fault.spec.status}",
            )
        elif kind == "rate_limit":
            retry = str(fault.spec.retry_after).encode()
            await send_error(
                send,
                429,
                "sandbox fault: rate limited; retry later",
                [(b"retry-after", retry)],
            )
        elif kind == "drop":
            # Read the body first: closing a socket with unread input makes
            # the kernel send a reset instead of a clean end of stream.
            while (await receive()).get("more_body"):
                pass
            await drop(send)
        elif kind == "hang":
            await self.hold(receive, fault.seconds)
            await send_error(
                send,
                504,
                f"sandbox fault: hung {fault.seconds:g}s; request not handled",
            )
        else:
            # *_after_commit: the route runs and commits; its answer is lost.
            held: list[Message] = []

            async def hold(message: Message) -> None:
                held.append(message)

            await self.app(scope, receive, hold)
            if kind == "drop_after_commit":
                await drop(send)
                return
            await self.hold(receive, fault.seconds)
            for message in held:
                await send(message)


class AuthMiddleware:
    """Bearer keys on /v1 and the admin API, as the Workspace API demands them."""

    def __init__(self, app: ASGIApp, keys: Sequence[str]) -> None:
        self.app = app
        self.keys = [k.encode() for k in keys]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "")
        guarded = path.startswith(("/v1/", ADMIN_PREFIX)) and path not in OPEN_PATHS
        if scope["type"] != "http" or not guarded:
            await self.app(scope, receive, send)
            return

        header = dict(scope["headers"]).get(b"authorization", b"")
        scheme, _, key = header.partition(b" ")
        if scheme.lower() != b"bearer" or not key.strip():
            await send_error(
                send, 401, "missing API key: send 'Authorization: Bearer <key>'"
            )
            return
        if not any(hmac.compare_digest(key.strip(), k) for k in self.keys):
            await send_error(
                send,
                401,
                "API key not accepted by this sandbox; use one of its configured "
                "keys (ntro_dev_key unless api_keys is set in its config)",
            )
            return
        await self.app(scope, receive, send)
