"""Faults injected on purpose, for rehearsals and reliability tests.

Two families, one JSON shape (docs/sandbox.md has the table):

- HTTP faults hit the next `times` requests whose "METHOD /path" matches a
  glob: an error status, a 429 with Retry-After, added latency, a hang or a
  dropped connection, either before the request is handled or after it has
  been committed (so the write happened and the client never hears of it).
- Tenant faults change how the next deployment or run on a tenant ends:
  a failed deployment, a failed, blocked or never-ending run.

`times` defaults to 1; `null` means every matching call until cleared.
"""

from __future__ import annotations

import fnmatch
import itertools
import logging
import threading
from collections.abc import Iterable
from typing import Any, Literal

import pydantic

from ntro_ship.sandbox.config import MAX_SECONDS

HTTP_KINDS = (
    "error",
    "rate_limit",
    "latency",
    "hang",
    "drop",
    "hang_after_commit",
    "drop_after_commit",
)
DEPLOY_KINDS = ("deploy_fail",)
RUN_KINDS = ("run_fail", "run_block", "run_hang")
# `ntro-ship sandbox serve` shows these on stderr, so a rehearsal says when
# each injected fault fired.
log = logging.getLogger("ntro_ship.sandbox.faults")
METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS", "*")
DEFAULT_SECONDS = {"latency": 0.5, "hang": 300.0, "hang_after_commit": 300.0}

Kind = Literal[
    "error",
    "rate_limit",
    "latency",
    "hang",
    "drop",
    "hang_after_commit",
    "drop_after_commit",
    "deploy_fail",
    "run_fail",
    "run_block",
    "run_hang",
]


class Failure(pydantic.BaseModel):
    model_config = pydantic.ConfigDict(extra="forbid")

    type: str = "ActivityError"
    message: str = "injected by the sandbox"


class FaultSpec(pydantic.BaseModel):
    model_config = pydantic.ConfigDict(extra="forbid")

    kind: Kind
    match: str | None = None
    times: int | None = pydantic.Field(default=1, ge=1)
    status: int = pydantic.Field(default=503, ge=400, le=599)
    retry_after: int = pydantic.Field(default=1, ge=0, le=MAX_SECONDS)
    seconds: float | None = pydantic.Field(
        default=None, ge=0, le=MAX_SECONDS, allow_inf_nan=False
    )
    tenant: str | None = None
    workflow: str | None = None
    version: str | None = None
    message: str | None = None
    failure: Failure | None = None

    @pydantic.model_validator(mode="after")
    def _fits_kind(self) -> FaultSpec:
        if self.kind in HTTP_KINDS:
            if not self.match:
                raise ValueError(
                    f"fault kind '{self.kind}' needs 'match', e.g. "
                    '"POST /v1/workspace/registry/deployments"'
                )
            method, _, path = self.match.partition(" ")
            if method.upper() not in METHODS or not path.startswith("/"):
                raise ValueError(
                    f"match '{self.match}' must be \"METHOD /path\" (METHOD one of "
                    f"{', '.join(METHODS)}; the path may use * globs)"
                )
        elif self.match is not None:
            raise ValueError(
                f"fault kind '{self.kind}' takes tenant/workflow/version, not match"
            )
        return self


class FaultError(ValueError):
    """A fault description that cannot be used; the message says why."""


class Fault:
    def __init__(self, fault_id: int, spec: FaultSpec) -> None:
        self.id = fault_id
        self.spec = spec
        self.remaining = spec.times
        self.hits = 0

    @property
    def seconds(self) -> float:
        if self.spec.seconds is not None:
            return self.spec.seconds
        return DEFAULT_SECONDS.get(self.spec.kind, 0.0)

    def describe(self) -> dict[str, Any]:
        body = self.spec.model_dump(exclude_none=True)
        # Defaults that only an error answer uses would mislead elsewhere.
        if self.spec.kind not in ("error", "rate_limit"):
            body.pop("status", None)
            body.pop("retry_after", None)
        body.update(id=self.id, remaining=self.remaining, hits=self.hits)
        return body

    def matches_request(self, method: str, path: str) -> bool:
        if self.spec.kind not in HTTP_KINDS or self.spec.match is None:
            return False
        want_method, _, pattern = self.spec.match.partition(" ")
        if want_method != "*" and want_method.upper() != method.upper():
            return False
        bare = path.removeprefix("/v1") if path.startswith("/v1/") else path
        return fnmatch.fnmatchcase(path, pattern) or fnmatch.fnmatchcase(bare, pattern)

    def matches_target(
        self, kinds: Iterable[str], aliases: dict[str, set[str]]
    ) -> bool:
        if self.spec.kind not in kinds:
            return False
        wanted = {
            "tenant": self.spec.tenant,
            "workflow": self.spec.workflow,
            "version": self.spec.version,
        }
        return all(v is None or v in aliases.get(k, set()) for k, v in wanted.items())


def parse(body: Any) -> FaultSpec:
    try:
        return FaultSpec.model_validate(body)
    except pydantic.ValidationError as exc:
        raise FaultError(describe_errors(exc)) from exc


def describe_errors(exc: pydantic.ValidationError) -> str:
    parts = []
    for error in exc.errors():
        where = ".".join(str(p) for p in error["loc"])
        message = error["msg"].removeprefix("Value error, ")
        parts.append(f"{where}: {message}" if where else message)
    return "; ".join(parts)


class FaultSet:
    """The active faults, shared by the request handlers; thread-safe."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._faults: list[Fault] = []
        self._ids = itertools.count(1)

    def add(self, body: Any) -> Fault:
        spec = parse(body)
        with self._lock:
            fault = Fault(next(self._ids), spec)
            self._faults.append(fault)
            return fault

    def describe(self) -> list[dict[str, Any]]:
        with self._lock:
            return [f.describe() for f in self._faults]

    def clear(self) -> None:
        with self._lock:
            self._faults.clear()

    def remove(self, fault_id: int) -> bool:
        with self._lock:
            before = len(self._faults)
            self._faults = [f for f in self._faults if f.id != fault_id]
            return len(self._faults) < before

    def take_for_request(self, method: str, path: str) -> list[Fault]:
        """Every matching latency fault, then at most one other fault; used up."""
        with self._lock:
            if not self._faults:
                return []
            chosen: list[Fault] = []
            other_taken = False
            for fault in self._faults:
                if not fault.matches_request(method, path):
                    continue
                if fault.spec.kind != "latency":
                    if other_taken:
                        continue
                    other_taken = True
                chosen.append(fault)
            self._use(chosen)
            for fault in chosen:
                log.info(
                    "fault %d (%s) hit %s %s", fault.id, fault.spec.kind, method, path
                )
            return chosen

    def take_for_target(
        self, kinds: Iterable[str], aliases: dict[str, set[str]]
    ) -> Fault | None:
        kinds = tuple(kinds)
        with self._lock:
            for fault in self._faults:
                if fault.matches_target(kinds, aliases):
                    self._use([fault])
                    log.info("fault %d (%s) applied", fault.id, fault.spec.kind)
                    return fault
            return None

    def _use(self, faults: list[Fault]) -> None:
        for fault in faults:
            fault.hits += 1
            if fault.remaining is not None:
                fault.remaining -= 1
        self._faults = [f for f in self._faults if f.remaining != 0]
