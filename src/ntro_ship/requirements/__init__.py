"""The requirements contract: parse requirements files, judge them, report.

    from ntro_ship.requirements import check_runbook, Finding

Importing this package is cheap (no click, no packaging): the names below
load their modules on first use, because the pre-commit hook imports this
package on every commit and must start fast.
"""

from __future__ import annotations

import importlib

TYPE_CHECKING = False
if TYPE_CHECKING:
    from ntro_ship.requirements.config import LintConfig
    from ntro_ship.requirements.config import load as load_config
    from ntro_ship.requirements.engine import check_files, check_runbook
    from ntro_ship.requirements.findings import Finding

__all__ = ["Finding", "LintConfig", "check_files", "check_runbook", "load_config"]

_HOMES = {
    "Finding": ("ntro_ship.requirements.findings", "Finding"),
    "LintConfig": ("ntro_ship.requirements.config", "LintConfig"),
    "load_config": ("ntro_ship.requirements.config", "load"),
    "check_files": ("ntro_ship.requirements.engine", "check_files"),
    "check_runbook": ("ntro_ship.requirements.engine", "check_runbook"),
}


def __getattr__(name: str) -> object:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(home[0]), home[1])
    globals()[name] = value
    return value
