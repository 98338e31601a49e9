"""Ids the user typed that the platform does not know: usage errors, not
platform errors.

The platform answers 404 or 422 for a tenant, entity or version it does not
know; when that id came from a flag, the fix is the flag, so the message
names it and the exit code is 2.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterator

from ntro_ship.errors import UsageError
from ntro_ship.platform import PlatformHTTPError


@contextlib.contextmanager
def typed_by_user(host: str, **flags: str) -> Iterator[None]:
    """Turn "<kind> ... not found" into a usage error naming `flags[kind]`.

    `flags` maps what the platform calls the id (tenant, entity, version) to
    the flag that passed it, e.g. tenant="--tenant".
    """
    try:
        yield
    except PlatformHTTPError as exc:
        if exc.status not in (404, 422) or not exc.enveloped:
            raise
        for kind, flag in flags.items():
            if re.search(rf"\b{kind}\b", exc.server_message, re.IGNORECASE):
                raise UsageError(
                    f"{flag}: {exc.server_message} on {host}; check the {kind} "
                    f"you passed with {flag}"
                ) from exc
        raise
