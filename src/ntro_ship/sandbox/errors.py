"""The platform's error envelope: `{statusCode, message, error}`.

The real Workspace API is a NestJS service, so every error a client sees has
that shape; the `ntro` SDK reads `message` and `error` from it.
"""

from __future__ import annotations

from http import HTTPStatus

from starlette.responses import JSONResponse


class ApiError(Exception):
    """An answer other than success, raised anywhere inside a request."""

    def __init__(
        self, status: int, message: str, headers: dict[str, str] | None = None
    ) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.headers = headers or {}


def envelope(status: int, message: str) -> dict[str, object]:
    return {
        "statusCode": status,
        "message": message,
        "error": HTTPStatus(status).phrase,
    }


def error_response(
    status: int, message: str, headers: dict[str, str] | None = None
) -> JSONResponse:
    return JSONResponse(envelope(status, message), status_code=status, headers=headers)


def not_found(kind: str, key: str) -> ApiError:
    return ApiError(404, f"{kind} '{key}' not found")
