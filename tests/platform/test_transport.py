"""Retry policy, error mapping and the redacted debug log, over httpx.MockTransport."""

from __future__ import annotations

import logging
from collections.abc import Callable

import httpx
import pytest

from ntro_ship.platform import (
    Connection,
    MalformedResponse,
    OutcomeUnknown,
    PlatformHTTPError,
    PlatformUnreachable,
    RetryPolicy,
    Transport,
)

SECRET = "sk-very-secret"
Handler = Callable[[httpx.Request], httpx.Response]


def scripted(*steps: int | type[Exception]) -> tuple[Handler, list[httpx.Request]]:
    """A handler answering each call with the next status (or raising)."""
    seen: list[httpx.Request] = []
    queue = list(steps)

    def handle(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        step = queue.pop(0) if len(queue) > 1 else queue[0]
        if isinstance(step, type):
            raise step("scripted", request=request)  # type: ignore[call-arg]
        headers = {"Retry-After": "0"} if step == 429 else {}
        body = {"id": "x"} if step < 400 else {"statusCode": step, "message": "nope"}
        return httpx.Response(step, json=body, headers=headers)

    return handle, seen


def transport(handler: Handler, sleeps: list[float] | None = None) -> Transport:
    record = sleeps if sleeps is not None else []
    return Transport(
        Connection("t", "http://platform.test/v1", SECRET),
        retry=RetryPolicy(attempts=4, budget=10, base_delay=0.01),
        httpx_transport=httpx.MockTransport(handler),
        sleep=record.append,
    )


@pytest.mark.parametrize(
    ("steps", "calls"),
    [
        pytest.param((200,), 1, id="ok"),
        pytest.param((503, 200), 2, id="503-retried"),
        pytest.param((502, 504, 200), 3, id="502-504-retried"),
        pytest.param((429, 200), 2, id="429-retried"),
        pytest.param((httpx.ReadTimeout, 200), 2, id="timeout-retried"),
        pytest.param((httpx.ConnectError, 200), 2, id="refused-retried"),
    ],
)
def test_reads_retry_transient_failures(steps: tuple[int, ...], calls: int) -> None:
    handler, seen = scripted(*steps)

    assert transport(handler).request("GET", "/thing") == {"id": "x"}
    assert len(seen) == calls


@pytest.mark.parametrize(
    ("steps", "error", "calls"),
    [
        pytest.param((500,), PlatformHTTPError, 1, id="500-not-retried"),
        pytest.param((404,), PlatformHTTPError, 1, id="404"),
        pytest.param((503,), PlatformHTTPError, 4, id="503-budget-spent"),
        pytest.param((httpx.ConnectError,), PlatformUnreachable, 4, id="refused"),
    ],
)
def test_reads_give_up_with_a_typed_error(
    steps: tuple[int, ...], error: type[Exception], calls: int
) -> None:
    handler, seen = scripted(*steps)

    with pytest.raises(error):
        transport(handler).request("GET", "/thing")
    assert len(seen) == calls


@pytest.mark.parametrize(
    ("steps", "outcome", "calls"),
    [
        pytest.param((httpx.ConnectError, 200), "ok", 2, id="refused-is-safe"),
        pytest.param((429, 200), "ok", 2, id="429-is-safe"),
        pytest.param((503, 200), "ok", 2, id="503-is-safe"),
        pytest.param((httpx.ReadTimeout, 200), OutcomeUnknown, 1, id="timeout"),
        pytest.param((httpx.RemoteProtocolError, 200), OutcomeUnknown, 1, id="drop"),
        pytest.param((500, 200), OutcomeUnknown, 1, id="500"),
        pytest.param((502, 200), OutcomeUnknown, 1, id="502"),
        pytest.param((422, 200), PlatformHTTPError, 1, id="422"),
    ],
)
def test_writes_are_never_blindly_repeated(
    steps: tuple[int, ...], outcome: object, calls: int
) -> None:
    handler, seen = scripted(*steps)
    client = transport(handler)

    if outcome == "ok":
        assert client.request("POST", "/things", json_body={}) == {"id": "x"}
    else:
        with pytest.raises(outcome):  # type: ignore[call-overload]
            client.request("POST", "/things", json_body={})
    assert len(seen) == calls


def test_retry_after_is_honoured() -> None:
    def handle(request: httpx.Request) -> httpx.Response:
        if handle.calls == 0:  # type: ignore[attr-defined]
            handle.calls = 1  # type: ignore[attr-defined]
            return httpx.Response(429, headers={"Retry-After": "1.5"}, json={})
        return httpx.Response(200, json={})

    handle.calls = 0  # type: ignore[attr-defined]
    sleeps: list[float] = []

    transport(handle, sleeps).request("GET", "/x")

    assert sleeps == [1.5]


def test_error_carries_the_server_message() -> None:
    def handle(request: httpx.Request) -> httpx.Response:
        body = {"statusCode": 404, "message": "Workflow wf_9 not found"}
        return httpx.Response(404, json=body)

    with pytest.raises(PlatformHTTPError) as caught:
        transport(handle).request("GET", "/workspace/registry/workflows/wf_9")

    assert caught.value.status == 404
    assert caught.value.server_message == "Workflow wf_9 not found"
    assert "answered HTTP 404: Workflow wf_9 not found" in str(caught.value)


def test_malformed_body_is_a_clear_error() -> None:
    def handle(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, text="<html>gateway</html>")

    with pytest.raises(MalformedResponse, match="not JSON"):
        transport(handle).request("GET", "/x")


def test_key_is_sent_but_never_logged(caplog: pytest.LogCaptureFixture) -> None:
    handler, seen = scripted(200)

    with caplog.at_level(logging.DEBUG, logger="ntro_ship.http"):
        transport(handler).request("GET", "/x")

    assert seen[0].headers["Authorization"] == f"Bearer {SECRET}"
    assert "GET http://platform.test/v1/x -> 200" in caplog.text
    assert SECRET not in caplog.text
