"""The Workspace API client: connection settings, transport, one module per generation.

    settings = resolve_connection(connection=None, host=None)
    with open_platform(settings, request_timeout=30) as platform:
        platform.get_deployment("dep_1")

`Platform` is the interface the pipeline codes against; `Gen1Platform`
speaks the documented push/deploy flow. A generation-3 implementation joins
by implementing the same protocol.
"""

from __future__ import annotations

from ntro_ship.platform.base import (
    Deployment,
    Platform,
    Task,
    Version,
    Workflow,
)
from ntro_ship.platform.config import Connection, resolve_connection
from ntro_ship.platform.errors import (
    MalformedResponse,
    OutcomeUnknown,
    PlatformHTTPError,
    PlatformUnreachable,
)
from ntro_ship.platform.gen1 import Gen1Platform
from ntro_ship.platform.transport import RetryPolicy, Transport


def open_platform(
    connection: Connection,
    *,
    request_timeout: float = 30.0,
    retry: RetryPolicy | None = None,
) -> Gen1Platform:
    """The platform client for `connection` (generation 1 until gen 3 lands)."""
    transport = Transport(
        connection, request_timeout=request_timeout, retry=retry or RetryPolicy()
    )
    return Gen1Platform(transport)


__all__ = [
    "Connection",
    "Deployment",
    "Gen1Platform",
    "MalformedResponse",
    "OutcomeUnknown",
    "Platform",
    "PlatformHTTPError",
    "PlatformUnreachable",
    "RetryPolicy",
    "Task",
    "Transport",
    "Version",
    "Workflow",
    "open_platform",
    "resolve_connection",
]
