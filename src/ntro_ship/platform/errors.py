"""Typed platform errors; each carries what the server said, never the key."""

from __future__ import annotations

from ntro_ship.errors import PlatformError


class PlatformUnreachable(PlatformError):
    """No answer at all: connection refused, DNS, or every retry timed out."""


class PlatformHTTPError(PlatformError):
    """The platform answered with an error status."""

    def __init__(
        self,
        method: str,
        path: str,
        status: int,
        server_message: str,
        retry_after: float | None = None,
    ) -> None:
        self.retry_after = retry_after
        self.method = method
        self.path = path
        self.status = status
        self.server_message = server_message
        super().__init__(
            f"{method} {path} answered HTTP {status}: {server_message}"
            f"{_HINTS.get(status, '')}"
        )


class NotFound(PlatformHTTPError):
    pass


class MalformedResponse(PlatformError):
    """The platform answered 2xx with a body ntro-ship cannot read."""


class OutcomeUnknown(PlatformError):
    """A write was sent but no answer came back: it may or may not have happened.

    Never retried blindly; the pipeline reconciles (looks for what the write
    would have created) or stops with this message.
    """


_HINTS = {
    401: " (check NTRO_API_KEY or the connection's api_key in config.toml)",
    403: " (the API key is not allowed to do this; keys are tenant-scoped)",
    404: " (check the workflow, tenant or id you passed)",
    429: " (rate limited; retry later)",
}
