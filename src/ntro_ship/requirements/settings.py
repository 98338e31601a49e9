"""Validate a `[tool.ntro-ship.lint]` table into a LintConfig."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

from ntro_ship.errors import ConfigError
from ntro_ship.requirements.codes import RULES
from ntro_ship.requirements.config import LintConfig

LISTS = {
    "runtime-files": "runtime_files",
    "dev-files": "dev_files",
    "constraints-files": "constraints_files",
    "dev-packages": "dev_packages",
    "allowed-packages": "allowed_packages",
    "select": "select",
    "ignore": "ignore",
}
EXTENDABLE = ("runtime-files", "dev-files", "constraints-files", "dev-packages")
KEYS = (
    *LISTS,
    *(f"extend-{key}" for key in EXTENDABLE),
    "sdk-package",
    "sdk-extras",
    "dev-extras",
    "severity",
)
SEVERITIES = ("error", "warning", "off")


def build(table: dict[str, Any], source: Path | None) -> LintConfig:
    where = f"{source}: [tool.ntro-ship.lint]" if source else "lint settings"
    defaults = LintConfig()
    values: dict[str, Any] = {"source": source}

    for key, field in LISTS.items():
        if key in table:
            values[field] = _strings(table[key], f"{where} {key}")
    for key in EXTENDABLE:
        extra = f"extend-{key}"
        if extra in table:
            field = LISTS[key]
            base = values.get(field, getattr(defaults, field))
            values[field] = (*base, *_strings(table[extra], f"{where} {extra}"))

    if "sdk-package" in table:
        values["sdk_package"] = _string(table["sdk-package"], f"{where} sdk-package")
    if "sdk-extras" in table:
        values["sdk_extras"] = _mapping(table["sdk-extras"], f"{where} sdk-extras")
    if "dev-extras" in table:
        mapping = table["dev-extras"]
        if not isinstance(mapping, dict):
            raise ConfigError(f"{where} dev-extras must be a table of lists")
        values["dev_extras"] = {
            name: _strings(extras, f"{where} dev-extras.{name}")
            for name, extras in mapping.items()
        }
    if "severity" in table:
        values["severity"] = _severity(table["severity"], where)

    for field in ("select", "ignore"):
        for code in values.get(field, ()):
            check_selector(code, f"{where} {field}")
    return dataclasses.replace(defaults, **values)


def _strings(value: Any, where: str) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ConfigError(f"{where} must be a list of strings, got {value!r}")
    return tuple(value)


def _string(value: Any, where: str) -> str:
    if not isinstance(value, str) or not value:
        raise ConfigError(f"{where} must be a non-empty string, got {value!r}")
    return value


def _mapping(value: Any, where: str) -> dict[str, str]:
    if not isinstance(value, dict) or not all(
        isinstance(v, str) for v in value.values()
    ):
        raise ConfigError(f"{where} must map module names to extra names")
    return dict(value)


def _severity(value: Any, where: str) -> dict[str, str]:
    mapping = _mapping(value, f"{where} severity")
    for code, level in mapping.items():
        if code not in RULES:
            raise ConfigError(
                f"{where} severity: unknown rule code {code!r}; "
                "`ntro-ship lint --list-rules` shows them"
            )
        if level not in SEVERITIES:
            raise ConfigError(
                f"{where} severity.{code} = {level!r}; use one of "
                f"{', '.join(SEVERITIES)}"
            )
    return mapping


def check_selector(code: str, where: str) -> None:
    problem = selector_problem(code)
    if problem:
        raise ConfigError(f"{where}: {problem}")


def selector_problem(code: str) -> str | None:
    """Why `code` cannot select or ignore rules, or None when it can."""
    # Every code starts with "", so an empty selector would quietly mean
    # "all rules": almost always a shell variable that was never set.
    if not code.strip():
        return (
            "an empty rule code; name a code or a prefix such as NTR0 "
            "(`ntro-ship lint --list-rules` shows them)"
        )
    if not any(rule.startswith(code) for rule in RULES):
        return (
            f"{code!r} matches no rule code; `ntro-ship lint --list-rules` shows them"
        )
    return None
