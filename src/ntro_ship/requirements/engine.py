"""Lint requirements files and runbook folders into a sorted list of findings."""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

from ntro_ship.requirements import sdk
from ntro_ship.requirements.codes import RULES
from ntro_ship.requirements.config import LintConfig
from ntro_ship.requirements.findings import Finding, sort_key
from ntro_ship.requirements.lines import LogicalLine
from ntro_ship.requirements.roles import DEV, RUNTIME
from ntro_ship.requirements.rules import judge
from ntro_ship.requirements.tree import Tree, role_of

RUNTIME_NAMES = ("requirements.txt", os.path.join("templates", "requirements.txt"))
DEV_NAMES = (
    "requirements-dev.txt",
    "dev-requirements.txt",
    "requirements-test.txt",
    os.path.join("templates", "requirements-dev.txt"),
)


class Collector:
    """Receives raw reports and keeps those the config and comments allow."""

    def __init__(self, config: LintConfig) -> None:
        self.config = config
        self.findings: set[Finding] = set()

    def __call__(
        self,
        code: str,
        path: str,
        line: int,
        column: int,
        package: str | None,
        message: str,
        source: LogicalLine | None,
    ) -> None:
        if not self.config.enabled(code):
            return
        if source is not None:
            silenced = source.suppressed()
            if silenced is not None and (not silenced or code in silenced):
                return
        kind = RULES[code][0]
        severity = self.config.severity_of(code)
        self.findings.add(
            Finding(path, line, column, code, kind, severity, package, message)
        )

    def sorted(self) -> list[Finding]:
        return sorted(self.findings, key=sort_key)


def check_files(
    paths: Iterable[str | Path],
    config: LintConfig | None = None,
    *,
    role: str | None = None,
) -> list[Finding]:
    """Lint requirements files, each with the role its name gives it."""
    config = config or LintConfig()
    collector = Collector(config)
    tree = Tree(config, collector)
    for path in paths:
        name = os.path.normpath(path)
        top = tree.load(name, role or role_of(name, config))
        if top is not None:
            judge(tree, top, collector)
    return collector.sorted()


def check_runbook(path: Path, config: LintConfig | None = None) -> list[Finding]:
    """Lint the runtime requirements of one runbook folder (see the README)."""
    config = config or LintConfig()
    folder = str(path)
    runtime = [os.path.join(folder, n) for n in RUNTIME_NAMES]
    present = [name for name in runtime if os.path.isfile(name)]
    if present:
        return check_files(present, config, role=RUNTIME)

    collector = Collector(config)
    modules = sdk.imported_modules(
        sdk.source_files(os.path.join(folder, "requirements.txt")), config.sdk_package
    )
    target = os.path.join(folder, "templates", "requirements.txt")
    if modules:
        module = min(modules)
        collector(
            "NTR020",
            folder,
            1,
            1,
            config.sdk_package,
            f"no requirements file, but the code imports {module}; create "
            f"{target} listing {config.sdk_package}==<version>",
            None,
        )
    else:
        collector(
            "NTR023",
            folder,
            1,
            1,
            None,
            f"no runtime requirements file, so the tenant has nothing to "
            f"install; create {target}",
            None,
        )
    return collector.sorted()


def check_runbook_tree(path: Path, config: LintConfig) -> list[Finding]:
    """A runbook's runtime requirements, plus its dev files checked as dev."""
    findings = check_runbook(path, config)
    dev = [os.path.join(str(path), n) for n in DEV_NAMES]
    present = [name for name in dev if os.path.isfile(name)]
    if present:
        findings += check_files(present, config, role=DEV)
    return sorted(set(findings), key=sort_key)
