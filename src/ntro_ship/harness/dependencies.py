"""Which modules a runbook imports that only its dev requirements provide.

Loaded by `runner.py` inside the runbook's environment (by path, like
`history.py`). That environment holds requirements.txt plus the dev
requirements, so `import rich` works there even though only `ntro-cli` (dev)
brings rich, and the tenant, which installs requirements.txt alone, would
fail to import the code. This module tells the two apart: the distributions
requirements.txt brings, transitively (extras and markers evaluated here),
against the distributions that provide each imported module.

The environment never changes once built (its key is its contents), so what
this finds about it is kept in it, per set of requirement lines: the check
runs on every test, and parsing every `Requires-Dist` costs a tenth of a
second.
"""

from __future__ import annotations

import hashlib
import importlib
import json
import os
import re
import sys
import tempfile
from importlib import metadata
from pathlib import Path
from typing import Any

CACHE = Path(sys.prefix) / "ntro-ship-closures"


def _packaging(module: str) -> Any:
    try:
        return importlib.import_module(f"packaging.{module}")
    except ImportError:
        # Known gap: the tenant's environment need not hold `packaging`, and
        # installing it there would change what the runbook can import, so
        # pip's own copy (pip is in every virtualenv) stands in; remove once
        # the stage runs this check from a harness-only environment.
        return importlib.import_module(f"pip._vendor.packaging.{module}")


def runtime_closure(lines: list[str]) -> set[str]:
    """Canonical names of the distributions `lines` install, with their deps."""
    requirement = _packaging("requirements").Requirement

    extras_of: dict[str, set[str]] = {}
    pending = [r for r in map(requirement, lines) if _applies(r, set())]
    while pending:
        wanted = pending.pop()
        name = _canonical(wanted.name)
        known = extras_of.get(name)
        if known is not None and set(wanted.extras) <= known:
            continue
        extras = extras_of.setdefault(name, set())
        extras |= set(wanted.extras)

        try:
            requires = metadata.distribution(name).requires or []
        except metadata.PackageNotFoundError:
            continue  # a marker kept it out of this environment
        pending += [r for r in map(requirement, requires) if _applies(r, extras)]
    return set(extras_of)


def _applies(requirement: Any, extras: set[str]) -> bool:
    if requirement.marker is None:
        return True
    return any(requirement.marker.evaluate({"extra": e}) for e in {"", *extras})


def _facts(lines: list[str]) -> dict[str, Any]:
    """The closure of `lines` and who provides what, cached in the env."""
    key = hashlib.sha256(json.dumps(sorted(lines)).encode()).hexdigest()[:24]
    cached = CACHE / f"{key}.json"
    try:
        facts: dict[str, Any] = json.loads(cached.read_text(encoding="utf-8"))
        return facts
    except (OSError, ValueError):
        pass

    providers = metadata.packages_distributions()
    facts = {
        "closure": sorted(runtime_closure(lines)),
        "providers": {
            module: sorted({f"{d}=={metadata.version(d)}" for d in distributions})
            for module, distributions in providers.items()
        },
    }
    try:
        CACHE.mkdir(exist_ok=True)
        with tempfile.NamedTemporaryFile("w", dir=CACHE, delete=False) as handle:
            json.dump(facts, handle)
        os.replace(handle.name, cached)  # concurrent runs write the same facts
    except OSError:
        pass  # a read-only environment: the check only runs slower
    return facts


def dev_only(imports: dict[str, str], lines: list[str]) -> list[dict[str, Any]]:
    """Each imported module no distribution of requirements.txt provides.

    A module no installed distribution provides is left to the import itself,
    which fails naming it; so is the standard library.
    """
    outside = [m for m in imports if m not in sys.stdlib_module_names]
    if not outside:
        return []

    facts = _facts(lines)
    closure = set(facts["closure"])
    found = []
    for module in outside:
        pins = facts["providers"].get(module, [])
        names = {_canonical(pin.partition("==")[0]) for pin in pins}
        if pins and not names & closure:
            found.append({"module": module, "where": imports[module], "pins": pins})
    return found


def _canonical(name: str) -> str:
    # PEP 503's normal form, which the cache stores: no packaging to import.
    return re.sub(r"[-_.]+", "-", name).lower()
