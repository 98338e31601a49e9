"""The rules, applied to the install set of one top-level requirements file.

An install set is what one `pip install -r FILE` installs: the file, what it
includes with -r, and the pins of the constraints files it names with -c.
"""

from __future__ import annotations

import os
import re

from packaging.specifiers import InvalidSpecifier, SpecifierSet

from ntro_ship.requirements import sdk
from ntro_ship.requirements.config import LintConfig
from ntro_ship.requirements.findings import quoted
from ntro_ship.requirements.install_set import duplicates, hash_mode
from ntro_ship.requirements.parsing import Entry
from ntro_ship.requirements.roles import CONSTRAINTS, RUNTIME, name_matcher
from ntro_ship.requirements.tree import Report, RequirementsFile, Tree

FULL_COMMIT = re.compile(r"^([0-9a-f]{40}|[0-9a-f]{64})$")
SVN_REVISION = re.compile(r"^\d+$")


def closure(
    tree: Tree, top: RequirementsFile
) -> tuple[list[tuple[RequirementsFile, Entry]], list[tuple[RequirementsFile, Entry]]]:
    """(requirement entries, constraint entries) installed by `top`."""
    requirements: list[tuple[RequirementsFile, Entry]] = []
    constraints: list[tuple[RequirementsFile, Entry]] = []
    seen: set[tuple[str, str]] = set()

    def visit(current: RequirementsFile) -> None:
        key = (os.path.realpath(current.path), current.role)
        if key in seen:
            return
        seen.add(key)
        bucket = constraints if current.role == CONSTRAINTS else requirements
        for entry in current.entries:
            if entry.kind in ("include", "constraint"):
                role = CONSTRAINTS if entry.kind == "constraint" else current.role
                child = tree.files.get((os.path.realpath(entry.target), role))
                if child is not None:
                    visit(child)
            elif entry.kind in ("requirement", "editable"):
                bucket.append((current, entry))

    visit(top)
    return requirements, constraints


def judge(tree: Tree, top: RequirementsFile, report: Report) -> None:
    config = tree.config
    entries, constraints = closure(tree, top)
    duplicates(entries, report)
    hash_mode(top, entries, report)
    if top.role != RUNTIME:
        return

    pins = _constraint_pins(constraints, os.path.dirname(os.path.abspath(top.path)))
    for owner, entry in entries:
        _pinning(owner.path, entry, pins, config, report)
        _dev_only(owner.path, entry, config, report)
    _sdk(top, entries, config, report)


def _pinning(
    path: str, entry: Entry, pins: dict[str, str], config: LintConfig, report: Report
) -> None:
    name = entry.name
    at = (path, entry.line, entry.column, name)
    if entry.kind == "editable":
        report(
            "NTR013",
            *at,
            f"-e {quoted(entry.reference or '')} is an editable install; the "
            "tenant has only the artifact, so pin a released version",
            entry.source,
        )
        return
    if entry.reference is not None:
        _direct_reference(at, entry, report)
        return

    assert name is not None
    sdk_extras = name == config.sdk_package and entry.extras
    as_written = quoted(entry.raw.split(";", 1)[0].strip())
    code = "NTR022" if sdk_extras else None
    specifier = entry.specifier
    if entry.variables and any(v in entry.raw for v in entry.variables):
        report(
            code or "NTR002",
            *at,
            f"{as_written}: the version comes from "
            f"${{{entry.variables[0]}}}, which the tenant's environment decides; "
            "pin it with ==",
            entry.source,
        )
        return
    if _exact(specifier):
        return
    if specifier.startswith("===") and "," not in specifier:
        report(
            "NTR003",
            *at,
            f"{as_written} uses ===, which compares strings, not versions; prefer ==",
            entry.source,
        )
        return
    if _pinned_by_constraint(name, specifier, pins):
        return
    if not specifier:
        report(
            code or "NTR001",
            *at,
            f"{as_written} has no version pin; pin it with ==, "
            f"e.g. {as_written}==<version>",
            entry.source,
        )
    else:
        how = (
            "regenerate the file with pip-compile --generate-hashes (its --hash "
            "values must change with the pin)"
            if entry.hashes
            else "pin it with =="
        )
        report(
            code or "NTR002",
            *at,
            f"{as_written} is a range, not one version; {how}",
            entry.source,
        )


def _exact(specifier: str) -> bool:
    return (
        specifier.startswith("==")
        and not specifier.startswith("===")
        and "," not in specifier
        and not specifier.endswith("*")
    )


def _constraint_pins(
    constraints: list[tuple[RequirementsFile, Entry]], root: str
) -> dict[str, str]:
    """Exact pins from constraints files inside the linted folder."""
    pins: dict[str, str] = {}
    for owner, entry in constraints:
        inside = os.path.abspath(owner.path).startswith(root + os.sep)
        if inside and entry.name and _exact(entry.specifier) and not entry.variables:
            pins[entry.name] = entry.specifier[2:]
    return pins


def _pinned_by_constraint(name: str, specifier: str, pins: dict[str, str]) -> bool:
    version = pins.get(name)
    if version is None:
        return False
    try:
        return SpecifierSet(specifier).contains(version, prereleases=True)
    except InvalidSpecifier:
        return False


def _direct_reference(
    at: tuple[str, int, int, str | None], entry: Entry, report: Report
) -> None:
    reference = quoted(entry.reference or "")
    if entry.vcs:
        revision = entry.revision or ""
        pinned = FULL_COMMIT.match(revision.lower()) or (
            entry.vcs == "svn" and SVN_REVISION.match(revision)
        )
        if not pinned:
            shown = f"@{revision}" if revision else "without a revision"
            report(
                "NTR010",
                *at,
                f"{reference} points at {shown}, which can "
                "move; pin it to a full commit hash",
                entry.source,
            )
        return
    if reference.lower().startswith(("http://", "https://", "ftp://", "ftps://")):
        if not (entry.url_hash or entry.hashes):
            report(
                "NTR011",
                *at,
                f"{reference} has no hash, so its content can "
                "change; add #sha256=<hash> or --hash",
                entry.source,
            )
        return
    report(
        "NTR012",
        *at,
        f"{reference} is a local path the tenant does not have; "
        "publish the package and pin its version",
        entry.source,
    )


def _dev_only(path: str, entry: Entry, config: LintConfig, report: Report) -> None:
    name = entry.name
    if name is None or name in config.allowed_packages:
        return
    at = (path, entry.line, entry.column, name)
    if name_matcher(config.dev_packages)(name):
        report(
            "NTR030",
            *at,
            f"{name} is a development tool; move it to a dev "
            "requirements file (e.g. requirements-dev.txt)",
            entry.source,
        )
        return
    dev_extras = sorted(set(entry.extras) & set(config.dev_extras.get(name, ())))
    if dev_extras:
        report(
            "NTR030",
            *at,
            f"{name}[{dev_extras[0]}] is development-only; drop "
            f"the {dev_extras[0]} extra here and install it from the dev file",
            entry.source,
        )


def _sdk(
    top: RequirementsFile,
    entries: list[tuple[RequirementsFile, Entry]],
    config: LintConfig,
    report: Report,
) -> None:
    package = config.sdk_package
    modules = sdk.imported_modules(sdk.source_files(top.path), package)
    if not modules:
        return

    needed = sdk.required_extras(modules, config.sdk_extras)
    lines = [(owner, e) for owner, e in entries if e.name == package]
    if not lines:
        module, (source, line) = min(modules.items(), key=lambda item: item[0])
        extras = f"[{','.join(sorted(needed))}]" if needed else ""
        where = f"{os.path.relpath(source)}:{line}"
        report(
            "NTR020",
            top.path,
            1,
            1,
            package,
            f"the code imports {module} "
            f"({where}) but no {package} requirement is listed; add "
            f"{package}{extras}==<version>",
            None,
        )
        return

    carried = {extra for _, entry in lines for extra in entry.extras}
    owner, first = lines[0]
    for extra, (module, source, line) in sorted(needed.items()):
        if extra not in carried:
            where = f"{os.path.relpath(source)}:{line}"
            report(
                "NTR021",
                owner.path,
                first.line,
                first.column,
                package,
                f"{package} lacks the [{extra}] extra that {module} needs "
                f"({where}); write {package}[{extra}]",
                first.source,
            )
