"""Typed platform errors; each carries what the server said, never the key."""

from __future__ import annotations

from urllib.parse import urlsplit

from ntro_ship.errors import PlatformError

EXPECTED_HOST = "https://api.ntropii.com/v1 (or http://127.0.0.1:PORT/v1)"


class PlatformUnreachable(PlatformError):
    """No answer at all: connection refused, DNS, or every retry timed out."""


class PlatformHTTPError(PlatformError):
    """The platform answered with an error status.

    `enveloped` is False when the body was not the platform's error envelope
    (`{statusCode, message, error}`): then something else answered, and the
    host is the likely mistake.
    """

    def __init__(
        self,
        method: str,
        path: str,
        status: int,
        server_message: str,
        retry_after: float | None = None,
        *,
        enveloped: bool = True,
        base_url: str = "",
        key_source: str = "",
    ) -> None:
        self.retry_after = retry_after
        self.method = method
        self.path = path
        self.status = status
        self.server_message = server_message
        self.enveloped = enveloped
        super().__init__(
            f"{method} {path} answered HTTP {status}: {server_message}"
            f"{_hint(status, enveloped, base_url, key_source)}"
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


def host_looks_wrong(base_url: str) -> bool:
    """The Workspace API lives under a path such as /v1, never at the root."""
    return base_url != "" and urlsplit(base_url).path.strip("/") == ""


def _hint(status: int, enveloped: bool, base_url: str, key_source: str) -> str:
    if status == 404 and (not enveloped or host_looks_wrong(base_url)):
        return (
            f" (the host looks wrong: {base_url or 'the host'} did not answer as "
            f"the Workspace API; pass its base URL, e.g. --host {EXPECTED_HOST})"
        )
    if status == 401:
        return (
            f" (the API key was refused; it was read from {key_source or 'nowhere'}:"
            " check NTRO_API_KEY or the connection's api_key in config.toml)"
        )
    if status == 403:
        return (
            f" (the API key, read from {key_source or 'nowhere'}, is not allowed "
            "to do this; keys are tenant-scoped)"
        )
    return _HINTS.get(status, "")


_HINTS = {
    404: " (check the workflow, tenant or id you passed)",
    429: " (rate limited; retry later)",
}
