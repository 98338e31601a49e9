"""Opening a pipeline session: connection, platform client, record, output."""

from __future__ import annotations

import contextlib
import logging
import sys
from collections.abc import Iterator

from ntro_ship import github
from ntro_ship.pipeline.context import Context
from ntro_ship.pipeline.progress import Progress
from ntro_ship.pipeline.record import Record
from ntro_ship.pipeline.settings import Settings
from ntro_ship.platform import open_platform, resolve_connection


@contextlib.contextmanager
def session(settings: Settings) -> Iterator[Context]:
    connection = resolve_connection(settings.connection, settings.host)
    github.mask(connection.api_key)
    if settings.debug:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("debug: %(message)s"))
        logger = logging.getLogger("ntro_ship.http")
        logger.addHandler(handler)
        logger.setLevel(logging.DEBUG)

    record = Record.load(settings.record)
    platform = open_platform(
        connection, request_timeout=settings.policy.request_timeout
    )
    try:
        yield Context(
            platform=platform,
            record=record,
            policy=settings.policy,
            progress=Progress(),
            host=connection.base_url,
        )
    finally:
        platform.close()
