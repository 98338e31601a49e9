"""Opening a pipeline session: connection, platform client, record, output."""

from __future__ import annotations

import contextlib
import logging
import sys
from collections.abc import Iterator
from pathlib import Path

import filelock

from ntro_ship.errors import ConfigError, UsageError
from ntro_ship.pipeline.context import Context
from ntro_ship.pipeline.progress import Progress
from ntro_ship.pipeline.record import Record
from ntro_ship.pipeline.settings import Settings
from ntro_ship.platform import Connection, open_platform, resolve_connection
from ntro_ship.platform.config import config_path


@contextlib.contextmanager
def session(settings: Settings, exclusive: bool = True) -> Iterator[Context]:
    """Everything a pipeline command needs, for as long as it runs.

    `exclusive` holds the record's lock throughout: two runs writing one
    record would both push and deploy. Read-only commands leave it off.
    """
    connection = resolve_connection(settings.connection, settings.host)
    if not connection.api_key:
        raise ConfigError(
            f"no API key for {connection.base_url}: set NTRO_API_KEY, or add "
            f"api_key to connection {connection.name!r} in {config_path()} "
            "(`ntro auth login` writes it); nothing was sent"
        )

    with contextlib.ExitStack() as stack:
        if exclusive:
            stack.enter_context(_sole_user(settings.record))
        if settings.debug:
            stack.enter_context(_http_debug_on_stderr())
        yield stack.enter_context(_context(settings, connection))


@contextlib.contextmanager
def _sole_user(record: Path) -> Iterator[None]:
    # An OS lock: a killed run (even SIGKILL) lets go of it at once, so a
    # re-run is never locked out by the run it resumes.
    lock_path = _lock_path(record)
    try:
        lock_path.parent.mkdir(parents=True, exist_ok=True)
        # filelock reports a file it cannot create as "held by another";
        # creating it first tells the two apart.
        lock_path.touch()
    except OSError as exc:
        reason = exc.strerror or str(exc)
        if isinstance(exc, (FileExistsError, NotADirectoryError)):
            reason = "a part of its folder path is a file, not a folder"
        raise UsageError(
            f"{record}: the release record cannot be written ({reason}); pass a "
            "--record path in a folder you can write to"
        ) from None
    lock = filelock.FileLock(lock_path, timeout=0)
    try:
        lock.acquire()
    except filelock.Timeout:
        raise UsageError(
            f"another ntro-ship run is using {record} right now; wait for it "
            "to finish, or give this run its own --record"
        ) from None
    try:
        yield
    finally:
        lock.release()


@contextlib.contextmanager
def _http_debug_on_stderr() -> Iterator[None]:
    # Removed again on the way out: a second command in the same process
    # (tests, an embedding tool) must not write to this one's stderr.
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("debug: %(message)s"))
    logger = logging.getLogger("ntro_ship.http")
    level = logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)
    try:
        yield
    finally:
        logger.removeHandler(handler)
        logger.setLevel(level)


@contextlib.contextmanager
def _context(settings: Settings, connection: Connection) -> Iterator[Context]:
    record = Record.load(settings.record)
    bind_to_host(record, connection)
    platform = open_platform(
        connection, request_timeout=settings.policy.request_timeout
    )
    record.may_write = lambda: platform.transport.answered
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


def bind_to_host(record: Record, connection: Connection) -> None:
    """A record describes one platform: its ids mean nothing on another."""
    recorded = record.data.get("host")
    if recorded is None:
        record.data["host"] = connection.base_url
        return

    if recorded != connection.base_url:
        raise UsageError(
            f"{record.path} belongs to {recorded}, not {connection.base_url}: its "
            "workflow, version and deployment ids mean nothing there. Pass "
            "another --record path for this host, or delete the file to start "
            "over (its history of that host is then lost)"
        )


def in_use(record: Path) -> bool:
    """Whether a run holds the record's lock right now (read-only check)."""
    lock_path = _lock_path(record)
    if not lock_path.exists():
        return False
    lock = filelock.FileLock(lock_path, timeout=0)
    try:
        lock.acquire()
    except (filelock.Timeout, OSError):
        return True
    lock.release()
    return False


def _lock_path(record: Path) -> Path:
    return record.with_name(record.name + ".lock")
