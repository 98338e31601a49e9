"""The release record: one JSON file, rewritten atomically after every step.

It holds two things (schema in docs/release-record.md):

- `release`: the release in progress or last finished (runbook, artifact,
  version, deployments, smoke runs, stage results, outcome);
- a ledger that outlives releases: every version pushed (`versions`, keyed
  by digest, so the same artifact is never pushed twice) and, per workflow
  and tenant, the active, previous and last good versions (`tenants`), which
  is where rollback targets come from when the platform cannot list
  deployments.

Never a secret: the API key is not passed to anything in this module.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ntro_ship.errors import UsageError

SCHEMA = "ntro-ship/release-record/1"


def now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="milliseconds")


class Record:
    def __init__(self, path: Path, data: dict[str, Any] | None = None) -> None:
        self.path = path
        self.data: dict[str, Any] = data or {
            "schema": SCHEMA,
            "host": None,
            "release": None,
            "versions": [],
            "tenants": {},
        }
        # While this says no (the platform has not answered yet), saves are
        # held back: a run with a wrong host or key leaves no record behind.
        self.may_write: Callable[[], bool] = lambda: True

    @classmethod
    def load(cls, path: Path) -> Record:
        if not path.exists():
            return cls(path)
        try:
            data = json.loads(path.read_bytes().decode("utf-8"))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise UsageError(
                f"{path}: the release record cannot be read ({_why(exc)}); fix "
                "or remove it (it is only needed to resume or roll back), or "
                "pass another --record path"
            ) from exc
        if not isinstance(data, dict) or data.get("schema") != SCHEMA:
            raise UsageError(
                f"{path}: not an ntro-ship release record (schema {SCHEMA}); "
                "pass another --record path"
            )
        problem = _shape_problem(data)
        if problem:
            raise UsageError(
                f"{path}: a damaged release record ({problem}); fix or remove "
                "it, or pass another --record path"
            )
        return cls(path, data)

    def save(self) -> None:
        """Replace the file atomically: a reader sees the old or the new record."""
        if not self.may_write():
            return
        self.data["updated_at"] = now()
        text = json.dumps(self.data, indent=2, sort_keys=False) + "\n"
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            handle, temporary = tempfile.mkstemp(
                prefix=".release-", suffix=".tmp", dir=self.path.parent
            )
        except OSError as exc:
            raise UsageError(
                f"{self.path}: the release record cannot be written ({_why(exc)});"
                " pass a --record path in a folder you can write to"
            ) from exc
        try:
            with os.fdopen(handle, "w", encoding="utf-8") as stream:
                stream.write(text)
                stream.flush()
                os.fsync(stream.fileno())
            os.replace(temporary, self.path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise

    # -- the current release ------------------------------------------------

    @property
    def release(self) -> dict[str, Any]:
        if self.data.get("release") is None:
            raise UsageError(
                f"{self.path}: no release recorded yet; run `ntro-ship package` "
                "and `ntro-ship push` first (or `ntro-ship release`)"
            )
        release: dict[str, Any] = self.data["release"]
        return release

    def has_release(self) -> bool:
        return self.data.get("release") is not None

    def start_release(self, runbook: dict[str, Any], artifact: dict[str, Any]) -> None:
        self.data["release"] = {
            "started_at": now(),
            "commit": os.environ.get("GITHUB_SHA"),
            "runbook": runbook,
            "artifact": artifact,
            "workflow": None,
            "version": None,
            "tests": None,
            "deployments": [],
            "smokes": [],
            "stages": {},
            "pending": None,
            "outcome": None,
        }

    def stage_done(self, name: str, status: str, seconds: float, **extra: Any) -> None:
        self.release["stages"][name] = {
            "status": status,
            "seconds": round(seconds, 3),
            "finished_at": now(),
            **extra,
        }
        self.save()

    def stage_status(self, name: str) -> str | None:
        stage = self.release["stages"].get(name) if self.has_release() else None
        return None if stage is None else str(stage["status"])

    def set_pending(self, pending: dict[str, Any] | None) -> None:
        """Write-ahead note of a write in flight, reconciled if the run dies."""
        self.release["pending"] = pending and {**pending, "since": now()}
        self.save()

    # -- the ledger ---------------------------------------------------------

    def version_for_digest(
        self, workflow_id: str, digest: str
    ) -> dict[str, Any] | None:
        for entry in reversed(self.data["versions"]):
            if entry["workflow_id"] == workflow_id and entry["digest"] == digest:
                return dict(entry)
        return None

    def remember_version(self, entry: dict[str, Any]) -> None:
        self.data["versions"].append({**entry, "pushed_at": now()})

    def version_by_name(self, workflow_id: str, name: str) -> dict[str, Any] | None:
        for entry in reversed(self.data["versions"]):
            if entry["workflow_id"] == workflow_id and name in (
                entry["version_id"],
                entry["version"],
            ):
                return dict(entry)
        return None

    def tenant(self, workflow_id: str, tenant: str) -> dict[str, Any]:
        key = f"{workflow_id}/{tenant}"
        entry: dict[str, Any] = self.data["tenants"].setdefault(
            key,
            {
                "workflow_id": workflow_id,
                "tenant": tenant,
                "active_version_id": None,
                "previous_version_id": None,
                "last_good_version_id": None,
            },
        )
        return entry


def _why(exc: Exception) -> str:
    if isinstance(exc, OSError):
        return exc.strerror or type(exc).__name__
    if isinstance(exc, UnicodeDecodeError):
        return "not UTF-8 text; a binary file?"
    return str(exc)


# field -> the JSON type it must have when present
_SHAPE: dict[str, type | tuple[type, ...]] = {
    "host": (str, type(None)),
    "release": (dict, type(None)),
    "versions": list,
    "tenants": dict,
}


def _shape_problem(data: dict[str, Any]) -> str | None:
    for field, kind in _SHAPE.items():
        if field in data and not isinstance(data[field], kind):
            return f"{field!r} is a {type(data[field]).__name__}"
    data.setdefault("versions", [])
    data.setdefault("tenants", {})
    release = data.get("release")
    if isinstance(release, dict):
        for field in ("deployments", "smokes"):
            if not isinstance(release.get(field, []), list):
                return f"'release.{field}' is not a list"
    return None
