"""Where the sandbox keeps its state: one SQLite file and a blob folder.

SQLite runs in WAL mode behind one lock, so request handlers on the event
loop and the admin thread never interleave a write. Artifacts are stored once
per content hash under `artifacts/<sha256>`, whatever workflow pushed them.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import sqlite3
import threading
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from ntro_ship.errors import UsageError
from ntro_ship.sandbox.config import SandboxConfig

SCHEMA = """
CREATE TABLE IF NOT EXISTS tenants (
    id TEXT PRIMARY KEY, slug TEXT NOT NULL UNIQUE, name TEXT NOT NULL,
    data_platform TEXT NOT NULL, created_at REAL NOT NULL);
CREATE TABLE IF NOT EXISTS entities (
    id TEXT PRIMARY KEY, tenant_id TEXT NOT NULL REFERENCES tenants(id),
    slug TEXT NOT NULL, name TEXT NOT NULL, currency TEXT,
    created_at REAL NOT NULL, UNIQUE (tenant_id, slug));
CREATE TABLE IF NOT EXISTS workflows (
    id TEXT PRIMARY KEY, name TEXT UNIQUE, description TEXT, tenant_id TEXT,
    schedule TEXT, timezone TEXT, runbook_slug TEXT, entity_id TEXT,
    runbook_version TEXT, default_config TEXT,
    created_at REAL NOT NULL, updated_at REAL NOT NULL);
CREATE TABLE IF NOT EXISTS versions (
    id TEXT PRIMARY KEY, workflow_id TEXT NOT NULL REFERENCES workflows(id),
    number INTEGER NOT NULL, sha256 TEXT NOT NULL, size INTEGER NOT NULL,
    steps TEXT NOT NULL, created_at REAL NOT NULL, UNIQUE (workflow_id, number));
CREATE TABLE IF NOT EXISTS deployments (
    id TEXT PRIMARY KEY, workflow_id TEXT NOT NULL, version_id TEXT NOT NULL,
    tenant_id TEXT NOT NULL, entity_id TEXT, outcome TEXT NOT NULL, error TEXT,
    delay REAL NOT NULL, created_at REAL NOT NULL);
CREATE TABLE IF NOT EXISTS runbook_deploys (
    id TEXT PRIMARY KEY, slug TEXT NOT NULL, version TEXT NOT NULL,
    tenant_id TEXT NOT NULL, workflow_class TEXT NOT NULL, sha256 TEXT NOT NULL,
    steps TEXT NOT NULL, created_at REAL NOT NULL);
CREATE TABLE IF NOT EXISTS tasks (
    id TEXT PRIMARY KEY, workflow_id TEXT NOT NULL, tenant_id TEXT NOT NULL,
    entity_id TEXT, version_label TEXT NOT NULL, version_ref TEXT NOT NULL,
    title TEXT NOT NULL, priority TEXT, context TEXT NOT NULL,
    steps TEXT NOT NULL, outcome TEXT NOT NULL, failure_type TEXT,
    failure_message TEXT, delay REAL NOT NULL, created_at REAL NOT NULL,
    resolution TEXT, resolved_at REAL);
CREATE INDEX IF NOT EXISTS deployments_by_target
    ON deployments (workflow_id, tenant_id);
CREATE INDEX IF NOT EXISTS tasks_by_tenant ON tasks (tenant_id, entity_id);
"""

Row = sqlite3.Row
# What SQLite says of a file that is not (or no longer) one of its databases.
NOT_A_DATABASE = ("SQLITE_NOTADB", "SQLITE_CORRUPT")


class Store:
    def __init__(self, data_dir: Path, config: SandboxConfig) -> None:
        self.data_dir = data_dir
        self.blob_dir = data_dir / "artifacts"
        self.blob_dir.mkdir(parents=True, exist_ok=True)
        self._lock = threading.RLock()
        path = data_dir / "sandbox.sqlite3"
        self._db = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        self._db.row_factory = sqlite3.Row
        try:
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA foreign_keys=ON")
            self._db.executescript(SCHEMA)
            self._add_missing_columns()
            self._seed(config)
        except sqlite3.DatabaseError as exc:
            self._db.close()
            if exc.sqlite_errorname in NOT_A_DATABASE:
                raise UsageError(
                    f"{path} is not a valid SQLite database ({exc}); move it "
                    "away to start with fresh sandbox state, or pass --data "
                    "with another folder"
                ) from exc
            raise

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def all(self, sql: str, params: Sequence[Any] = ()) -> list[Row]:
        with self._lock:
            return self._db.execute(sql, params).fetchall()

    def one(self, sql: str, params: Sequence[Any] = ()) -> Row | None:
        with self._lock:
            row: Row | None = self._db.execute(sql, params).fetchone()
            return row

    @contextlib.contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """All writes go through here: all or nothing, one writer at a time."""
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                yield self._db
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")

    def put_blob(self, data: bytes) -> str:
        digest = hashlib.sha256(data).hexdigest()
        target = self.blob_dir / digest
        if not target.exists():
            # Write then rename, so a crash never leaves a truncated blob
            # under a digest that other rows would trust.
            partial = target.with_suffix(f".{os.getpid()}.{threading.get_ident()}.part")
            partial.write_bytes(data)
            partial.replace(target)
        return digest

    def get_blob(self, digest: str) -> bytes:
        return (self.blob_dir / digest).read_bytes()

    def _add_missing_columns(self) -> None:
        """Bring a data folder made by an older sandbox up to this schema."""
        present = {row["name"] for row in self._db.execute("PRAGMA table_info(tasks)")}
        for name, kind in (("resolution", "TEXT"), ("resolved_at", "REAL")):
            if name not in present:
                self._db.execute(f"ALTER TABLE tasks ADD COLUMN {name} {kind}")

    def _seed(self, config: SandboxConfig) -> None:
        now = time.time()
        with self.transaction() as db:
            for tenant in config.all_tenants:
                db.execute(
                    "INSERT OR IGNORE INTO tenants VALUES (?, ?, ?, ?, ?)",
                    (tenant.id, tenant.slug, tenant.name, tenant.data_platform, now),
                )
            for entity in config.all_entities:
                tenant_row = db.execute(
                    "SELECT id FROM tenants WHERE slug = ?", (entity.tenant,)
                ).fetchone()
                db.execute(
                    "INSERT OR IGNORE INTO entities VALUES (?, ?, ?, ?, ?, ?)",
                    (
                        entity.id,
                        tenant_row["id"],
                        entity.slug,
                        entity.name,
                        entity.currency,
                        now,
                    ),
                )
