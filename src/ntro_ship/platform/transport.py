"""HTTP transport: timeouts, the retry policy, error mapping, a redacted debug log.

Retry policy (design.md, "Retries"):

- reads retry on transport errors, 429 (honouring Retry-After) and 502/503/504;
- writes retry only when the request certainly did not take effect: the
  connection was refused, or the server answered 429 or 503 (it refused the
  work). A write that timed out, was cut off, or got 500/502/504 has an
  unknown outcome: `OutcomeUnknown` is raised and the caller reconciles.

Backoff is jittered and bounded by a time budget and an attempt cap.
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import logging
import random
import time
from collections.abc import Callable
from typing import Any

import httpx

from ntro_ship import __version__
from ntro_ship.platform.config import Connection
from ntro_ship.platform.errors import (
    MalformedResponse,
    NotFound,
    OutcomeUnknown,
    PlatformHTTPError,
    PlatformUnreachable,
)

log = logging.getLogger("ntro_ship.http")

RETRYABLE_READ_STATUS = frozenset({429, 502, 503, 504})
# The server said no before doing anything: safe to send the write again.
RETRYABLE_WRITE_STATUS = frozenset({429, 503})


@dataclasses.dataclass(frozen=True)
class RetryPolicy:
    attempts: int = 5
    budget: float = 30.0
    base_delay: float = 0.2
    max_delay: float = 5.0

    def delay(self, attempt: int, retry_after: float | None) -> float:
        if retry_after is not None:
            return retry_after
        ceiling = min(self.max_delay, self.base_delay * 2**attempt)
        return random.uniform(ceiling / 2, ceiling)


class Transport:
    """One keep-alive httpx client for one connection."""

    def __init__(
        self,
        connection: Connection,
        *,
        request_timeout: float = 30.0,
        retry: RetryPolicy | None = None,
        httpx_transport: httpx.BaseTransport | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.connection = connection
        self.retry = retry or RetryPolicy()
        self.request_count = 0
        # True once the platform answered a request successfully: the
        # host and key work (the release record is written only after).
        self.answered = False
        self._sleep = sleep
        headers = {"User-Agent": f"ntro-ship/{__version__}"}
        if connection.api_key:
            headers["Authorization"] = f"Bearer {connection.api_key}"
        self._client = httpx.Client(
            base_url=connection.base_url,
            headers=headers,
            timeout=request_timeout,
            transport=httpx_transport,
        )

    def close(self) -> None:
        self._client.close()

    def request(
        self,
        method: str,
        path: str,
        *,
        json_body: Any = None,
        content: bytes | None = None,
        params: dict[str, str] | None = None,
    ) -> Any:
        """Send one logical request; return the decoded JSON body (None if empty)."""
        is_write = method not in ("GET", "HEAD")
        started = time.monotonic()
        attempt = 0
        while True:
            try:
                response = self._send(method, path, json_body, content, params)
            except httpx.ConnectError as exc:
                # Refused or unresolvable: nothing reached the server.
                failure: Exception = PlatformUnreachable(
                    f"cannot connect to {self.connection.base_url} ({exc}); "
                    "is the platform running and the host right?"
                )
            except httpx.TransportError as exc:
                if is_write:
                    raise OutcomeUnknown(
                        f"{method} {path}: no answer ({type(exc).__name__}); the "
                        "write may or may not have happened on the platform"
                    ) from exc
                failure = PlatformUnreachable(
                    f"{method} {path}: no answer from {self.connection.base_url} "
                    f"({type(exc).__name__}: {exc or 'timed out'})"
                )
            else:
                retryable = (
                    RETRYABLE_WRITE_STATUS if is_write else RETRYABLE_READ_STATUS
                )
                if response.status_code < 400:
                    self.answered = True
                    return _decode(method, path, response)
                if response.status_code not in retryable:
                    if is_write and response.status_code in (500, 502, 504):
                        raise OutcomeUnknown(
                            f"{method} {path} answered HTTP {response.status_code} "
                            f"({_server_message(response)}); the write may or may "
                            "not have happened on the platform"
                        )
                    raise self._http_error(method, path, response)
                failure = self._http_error(method, path, response)

            retry_after = getattr(failure, "retry_after", None)
            delay = self.retry.delay(attempt, retry_after)
            attempt += 1
            spent = time.monotonic() - started
            if attempt >= self.retry.attempts or spent + delay > self.retry.budget:
                raise failure
            log.debug("retrying %s %s in %.2fs after: %s", method, path, delay, failure)
            self._sleep(delay)

    def _http_error(
        self, method: str, path: str, response: httpx.Response
    ) -> PlatformHTTPError:
        cls = NotFound if response.status_code == 404 else PlatformHTTPError
        retry_after = None
        header = response.headers.get("Retry-After")
        if header is not None:
            # Only the delta-seconds form; an HTTP date falls back to backoff.
            with contextlib.suppress(ValueError):
                retry_after = max(0.0, float(header))
        body = _envelope(response)
        return cls(
            method,
            path,
            response.status_code,
            _server_message(response),
            retry_after,
            enveloped=isinstance(body, dict) and "statusCode" in body,
            base_url=self.connection.base_url,
            key_source=self.connection.key_source,
        )

    def _send(
        self,
        method: str,
        path: str,
        json_body: Any,
        content: bytes | None,
        params: dict[str, str] | None,
    ) -> httpx.Response:
        self.request_count += 1
        headers = {}
        if content is not None:
            headers["Content-Type"] = "application/octet-stream"
        sent = time.monotonic()
        try:
            response = self._client.request(
                method,
                path,
                json=json_body,
                content=content,
                params=params,
                headers=headers,
            )
        except httpx.TransportError as exc:
            log.debug("%s %s -> %s", method, path, type(exc).__name__)
            raise
        # The Authorization header is deliberately never logged.
        log.debug(
            "%s %s -> %d in %.3fs",
            method,
            response.request.url,
            response.status_code,
            time.monotonic() - sent,
        )
        return response


def _decode(method: str, path: str, response: httpx.Response) -> Any:
    if not response.content:
        return None
    try:
        return response.json()
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        snippet = response.text[:80].replace("\n", " ")
        raise MalformedResponse(
            f"{method} {path} answered HTTP {response.status_code} with a body "
            f"that is not JSON ({snippet!r}); is --host the Workspace API base URL?"
        ) from exc


def _envelope(response: httpx.Response) -> Any:
    try:
        return response.json()
    except (json.JSONDecodeError, UnicodeDecodeError):
        return None


def _server_message(response: httpx.Response) -> str:
    body = _envelope(response)
    if body is None:
        return response.text[:200].strip() or response.reason_phrase
    if isinstance(body, dict) and "message" in body:
        message = body["message"]
        if isinstance(message, list):
            return "; ".join(str(item) for item in message)
        return str(message)
    return str(body)[:200]
