"""Which modules a runbook imports that only its dev requirements provide.

Loaded by `runner.py` inside the runbook's environment (by path, like
`history.py`). That environment holds requirements.txt plus the dev
requirements, so `import rich` works there even though only `ntro-cli` (dev)
brings rich, and the tenant, which installs requirements.txt alone, would
fail to import the code. This module tells the two apart: the distributions
requirements.txt brings, transitively (extras and markers evaluated here),
against the distributions that provide each imported module.
"""

from __future__ import annotations

import importlib
import sys
from importlib import metadata
from typing import Any


def _packaging(module: str) -> Any:
    try:
        return importlib.import_module(f"packaging.{module}")
    except ImportError:
        # Known gap: the tenant's environment need not hold `packaging`, and
        # installing it there would change what the runbook can import, so
        # pip's own copy (pip is in every virtualenv) stands in; remove once
        # the stage runs this check from a harness-only environment.
        return importlib.import_module(f"pip._vendor.packaging.{module}")


Requirement = _packaging("requirements").Requirement
canonicalize_name = _packaging("utils").canonicalize_name


def runtime_closure(lines: list[str]) -> set[str]:
    """Canonical names of the distributions `lines` install, with their deps."""
    extras_of: dict[str, set[str]] = {}
    pending = [r for r in map(Requirement, lines) if _applies(r, set())]
    while pending:
        requirement = pending.pop()
        name = canonicalize_name(requirement.name)
        known = extras_of.get(name)
        if known is not None and set(requirement.extras) <= known:
            continue
        extras = extras_of.setdefault(name, set())
        extras |= set(requirement.extras)

        try:
            requires = metadata.distribution(name).requires or []
        except metadata.PackageNotFoundError:
            continue  # a marker kept it out of this environment
        pending += [r for r in map(Requirement, requires) if _applies(r, extras)]
    return set(extras_of)


def _applies(requirement: Any, extras: set[str]) -> bool:
    if requirement.marker is None:
        return True
    return any(requirement.marker.evaluate({"extra": e}) for e in {"", *extras})


def dev_only(imports: dict[str, str], lines: list[str]) -> list[dict[str, Any]]:
    """Each imported module no distribution of requirements.txt provides.

    A module no installed distribution provides is left to the import itself,
    which fails naming it; so is the standard library.
    """
    providers = metadata.packages_distributions()
    closure: set[str] | None = None
    found = []
    for module, where in imports.items():
        distributions = sorted(set(providers.get(module, [])))
        if module in sys.stdlib_module_names or not distributions:
            continue

        if closure is None:
            closure = runtime_closure(lines)
        if any(canonicalize_name(d) in closure for d in distributions):
            continue
        pins = [f"{d}=={metadata.version(d)}" for d in distributions]
        found.append({"module": module, "where": where, "pins": pins})
    return found
