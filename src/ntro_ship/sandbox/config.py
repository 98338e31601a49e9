"""Sandbox settings: delays, keys, limits, seeded tenants and start-up faults.

Defaults give two tenants, `staging` and `production`, each holding an entity
`fund-a`, and the development key `ntro_dev_key` that `ntro auth login`
writes for its `local` connection. A TOML file adds to them (see
docs/sandbox.md for the format).
"""

from __future__ import annotations

import dataclasses
import math
import tomllib
import uuid
from pathlib import Path
from typing import Any

from ntro_ship.errors import ConfigError

DEV_API_KEY = "ntro_dev_key"
DATA_PLATFORMS = ("managed-postgres", "snowflake", "microsoft-fabric")
# Fixed namespace so a seeded tenant or entity has the same UUID on every
# machine and after every restart: docs and scripts can quote it.
# The longest delay or fault time accepted, in seconds.
MAX_SECONDS = 366 * 24 * 3600
SEED_NAMESPACE = uuid.UUID("6f1d3c52-93a4-4c1e-9e55-2b7c1a0d8e11")


@dataclasses.dataclass(frozen=True)
class TenantSeed:
    slug: str
    name: str
    data_platform: str = "managed-postgres"

    @property
    def id(self) -> str:
        return str(uuid.uuid5(SEED_NAMESPACE, f"tenant:{self.slug}"))


@dataclasses.dataclass(frozen=True)
class EntitySeed:
    slug: str
    name: str
    tenant: str
    currency: str = "GBP"

    @property
    def id(self) -> str:
        return str(uuid.uuid5(SEED_NAMESPACE, f"entity:{self.tenant}:{self.slug}"))


DEFAULT_TENANTS = (
    TenantSeed("staging", "Staging"),
    TenantSeed("production", "Production"),
)
DEFAULT_ENTITIES = (
    EntitySeed("fund-a", "Fund A", "staging"),
    EntitySeed("fund-a", "Fund A", "production"),
)


@dataclasses.dataclass(frozen=True)
class SandboxConfig:
    """How the simulated tenants behave; every delay is in seconds."""

    deploy_delay: float = 1.0
    run_delay: float = 2.0
    api_keys: tuple[str, ...] = (DEV_API_KEY,)
    tenants: tuple[TenantSeed, ...] = ()
    entities: tuple[EntitySeed, ...] = ()
    faults: tuple[dict[str, Any], ...] = ()
    max_upload_bytes: int = 32 * 1024 * 1024
    max_unpacked_bytes: int = 64 * 1024 * 1024
    max_entries: int = 5000
    access_log: bool = False

    def __post_init__(self) -> None:
        check_seconds("deploy_delay", self.deploy_delay)
        check_seconds("run_delay", self.run_delay)

    @property
    def all_tenants(self) -> tuple[TenantSeed, ...]:
        return DEFAULT_TENANTS + self.tenants

    @property
    def all_entities(self) -> tuple[EntitySeed, ...]:
        return DEFAULT_ENTITIES + self.entities


SCALARS = {
    "deploy_delay": float,
    "run_delay": float,
    "max_upload_bytes": int,
    "max_unpacked_bytes": int,
    "max_entries": int,
    "access_log": bool,
}


def load_config(path: Path) -> SandboxConfig:
    """Read a TOML file; an error names the file and the bad key."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ConfigError(f"{path}: cannot be read: {exc.strerror}") from exc
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from exc

    try:
        return from_mapping(data)
    except (TypeError, ValueError, KeyError) as exc:
        raise ConfigError(f"{path}: {exc}; see docs/sandbox.md for the format") from exc


def from_mapping(data: dict[str, Any]) -> SandboxConfig:
    known = {*SCALARS, "api_keys", "tenants", "entities", "faults"}
    unknown = sorted(set(data) - known)
    if unknown:
        raise ValueError(f"unknown setting(s) {', '.join(unknown)}")

    values: dict[str, Any] = {}
    for key, kind in SCALARS.items():
        if key in data:
            values[key] = _scalar(key, data[key], kind)

    if "api_keys" in data:
        keys = data["api_keys"]
        if (
            not isinstance(keys, list)
            or not keys
            or not all(isinstance(k, str) and k for k in keys)
        ):
            raise ValueError("api_keys must be a non-empty list of non-empty strings")
        values["api_keys"] = tuple(keys)

    values["tenants"] = tuple(_tenant(t) for t in _tables(data, "tenants"))
    values["entities"] = tuple(_entity(e) for e in _tables(data, "entities"))
    values["faults"] = tuple(_tables(data, "faults"))
    config = SandboxConfig(**values)
    _check_seeds(config)
    return config


def _scalar(key: str, value: Any, kind: type) -> Any:
    if kind is bool:
        if not isinstance(value, bool):
            raise TypeError(f"{key} must be true or false")
        return value

    if isinstance(value, bool) or not isinstance(value, int | float):
        raise TypeError(f"{key} must be a number")
    if kind is float:
        check_seconds(key, value)
    elif value < 0:
        raise ValueError(f"{key} must not be negative")
    return kind(value)


def check_seconds(key: str, value: float) -> None:
    """A delay is a finite number of seconds, zero or more, at most a year."""
    # nan and inf are valid TOML floats; a nan delay poisons every timestamp
    # computed from it, and one past a year's end may not print as a date.
    if not math.isfinite(value):
        raise ValueError(f"{key} must be a finite number, got {value}")
    if value < 0:
        raise ValueError(f"{key} must not be negative")
    if value > MAX_SECONDS:
        raise ValueError(
            f"{key} must be at most {MAX_SECONDS} seconds (a year); for a run "
            "that never ends, use a run_hang fault"
        )


def _tables(data: dict[str, Any], key: str) -> list[dict[str, Any]]:
    tables = data.get(key, [])
    if not isinstance(tables, list) or not all(isinstance(t, dict) for t in tables):
        raise TypeError(f"{key} must be an array of tables ([[{key}]])")
    return tables


def _tenant(table: dict[str, Any]) -> TenantSeed:
    platform = table.get("data_platform", "managed-postgres")
    if platform not in DATA_PLATFORMS:
        raise ValueError(
            f"tenant data_platform '{platform}' is not one of "
            + ", ".join(DATA_PLATFORMS)
        )
    slug = _text(table, "slug", "tenants")
    return TenantSeed(slug, str(table.get("name", slug)), platform)


def _entity(table: dict[str, Any]) -> EntitySeed:
    slug = _text(table, "slug", "entities")
    tenant = _text(table, "tenant", "entities")
    return EntitySeed(
        slug, str(table.get("name", slug)), tenant, str(table.get("currency", "GBP"))
    )


def _text(table: dict[str, Any], key: str, where: str) -> str:
    value = table.get(key)
    if not isinstance(value, str) or not value:
        raise ValueError(f"each [[{where}]] needs a non-empty string '{key}'")
    return value


def _check_seeds(config: SandboxConfig) -> None:
    slugs = [t.slug for t in config.all_tenants]
    duplicates = sorted({s for s in slugs if slugs.count(s) > 1})
    if duplicates:
        raise ValueError(f"tenant slug(s) declared twice: {', '.join(duplicates)}")

    for entity in config.entities:
        if entity.tenant not in slugs:
            raise ValueError(
                f"entity '{entity.slug}' names tenant '{entity.tenant}', "
                f"which is not declared (known: {', '.join(slugs)})"
            )
