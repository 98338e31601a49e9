"""Lint settings: defaults, `[tool.ntro-ship.lint]` in pyproject.toml, flags.

The nearest pyproject.toml found upward from the current directory is read;
keys may sit in `[tool.ntro-ship]` or in its `lint` sub-table (the sub-table
wins). Lists named `extend-*` add to the defaults; the plain names replace
them. See docs/lint.md for every key.
"""

from __future__ import annotations

import dataclasses
import os
from pathlib import Path
from typing import Any

from ntro_ship.errors import ConfigError
from ntro_ship.requirements.codes import RULES
from ntro_ship.requirements.defaults import (
    CONSTRAINTS_FILES,
    DEV_EXTRAS,
    DEV_FILES,
    DEV_PACKAGES,
    RUNTIME_FILES,
    SDK_EXTRAS,
)


@dataclasses.dataclass(frozen=True)
class LintConfig:
    runtime_files: tuple[str, ...] = RUNTIME_FILES
    dev_files: tuple[str, ...] = DEV_FILES
    constraints_files: tuple[str, ...] = CONSTRAINTS_FILES
    dev_packages: tuple[str, ...] = DEV_PACKAGES
    allowed_packages: tuple[str, ...] = ()
    dev_extras: dict[str, tuple[str, ...]] = dataclasses.field(
        default_factory=lambda: dict(DEV_EXTRAS)
    )
    sdk_package: str = "ntro"
    sdk_extras: dict[str, str] = dataclasses.field(
        default_factory=lambda: dict(SDK_EXTRAS)
    )
    select: tuple[str, ...] = ("NTR",)
    ignore: tuple[str, ...] = ()
    severity: dict[str, str] = dataclasses.field(default_factory=dict)
    source: Path | None = None

    def enabled(self, code: str) -> bool:
        from ntro_ship.requirements.codes import matches

        if self.severity.get(code) == "off":
            return False
        return matches(code, self.select) and not matches(code, self.ignore)

    def severity_of(self, code: str) -> str:
        return self.severity.get(code) or RULES[code][1]

    def with_flags(self, **flags: Any) -> LintConfig:
        """A copy with the command-line flags that were given applied."""
        given = {key: value for key, value in flags.items() if value}
        return dataclasses.replace(self, **given)


def find_pyproject(start: Path) -> Path | None:
    for folder in (start, *start.parents):
        candidate = folder / "pyproject.toml"
        if candidate.is_file():
            return candidate
    return None


def load(start: Path | None = None, path: Path | None = None) -> LintConfig:
    """The settings for a run from `start` (the cwd by default)."""
    pyproject = path or find_pyproject(Path(start or os.getcwd()).resolve())
    if pyproject is None:
        return LintConfig()

    try:
        raw = pyproject.read_bytes()
    except OSError as exc:
        raise ConfigError(f"{pyproject}: cannot be read: {exc}") from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        # Undecodable bytes could hide a [tool.ntro-ship] table: refuse
        # rather than run with defaults the user did not choose.
        raise ConfigError(
            f"{pyproject}: not a UTF-8 text file ({exc.reason} at byte "
            f"{exc.start}); TOML must be UTF-8: fix or replace the file, or "
            "pass --config with another one"
        ) from None
    if "ntro-ship" not in text:
        return LintConfig(source=pyproject)

    import tomllib

    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{pyproject}: not valid TOML: {exc}") from None

    from ntro_ship.requirements.settings import KEYS, build

    table = document.get("tool", {}).get("ntro-ship", {})
    lint = table.get("lint", {})
    if not isinstance(lint, dict):
        raise ConfigError(f"{pyproject}: [tool.ntro-ship] lint must be a table")
    # Other parts of ntro-ship own other keys of [tool.ntro-ship]; only the
    # lint sub-table is ours alone, so only there is an unknown key an error.
    settings = {key: value for key, value in table.items() if key in KEYS}
    unknown = sorted(set(lint) - set(KEYS))
    if unknown:
        raise ConfigError(
            f"{pyproject}: unknown key(s) in [tool.ntro-ship.lint]: "
            f"{', '.join(unknown)}; the keys are listed in docs/lint.md"
        )
    settings.update(lint)
    return build(settings, pyproject)
