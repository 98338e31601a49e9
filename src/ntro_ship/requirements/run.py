"""One lint run, shared by `ntro-ship lint` and the pre-commit hooks."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from ntro_ship.errors import UsageError
from ntro_ship.exit_codes import ExitCode
from ntro_ship.requirements import report
from ntro_ship.requirements.config import LintConfig
from ntro_ship.requirements.defaults import NOT_REGULAR
from ntro_ship.requirements.engine import check_files, check_runbook_tree
from ntro_ship.requirements.findings import Finding, sort_key
from ntro_ship.requirements.tree import role_of

FORMATS = ("text", "json", "sarif")
HOOK_FILES = ("requirements*.txt", "requirements/*.txt", "templates/requirements.txt")


def collect(
    paths: list[str],
    config: LintConfig,
    role: str | None,
    *,
    empty_ok: bool = False,
) -> list[Finding]:
    """Findings for files, runbook folders, or (no paths) the current folder.

    A folder with nothing to check is a usage error (a mistyped folder must
    not look clean) unless `empty_ok`: a hook run without file names is
    clean when the repository has no requirements files.
    """
    from ntro_ship import runbook

    findings: list[Finding] = []
    files: list[str] = []
    for path in paths or ["."]:
        if os.path.isdir(path):
            books = list(runbook.find(Path(path)))
            for book in books:
                findings += check_runbook_tree(_shown(book.path), config)
            found = [] if books else _requirements_files(path, config)
            if not books and not found and not empty_ok:
                # An empty result would look like a clean one, so a mistyped
                # folder must not pass silently.
                raise UsageError(
                    f"{path}: no runbook (runbook.md) and no requirements file "
                    "found in this folder; pass a runbook folder or a "
                    "requirements file"
                )
            files += found
        elif os.path.isfile(path) or not paths:
            files.append(path)
        elif os.path.exists(path):
            # A device or fifo is a wrong argument, not a defect of a file:
            # usage error, as for a path that does not exist.
            raise UsageError(f"{path}: {NOT_REGULAR}; pass a requirements file")
        else:
            raise UsageError(f"{path}: no such file or folder")
    if files:
        findings += check_files(files, config, role=role)
    return sorted(set(findings), key=sort_key)


def _shown(path: Path) -> Path:
    """Paths relative to the current folder read better in findings."""
    try:
        return path.relative_to(Path.cwd())
    except ValueError:
        return path


def _requirements_files(folder: str, config: LintConfig) -> list[str]:
    from ntro_ship.requirements.sdk import SKIPPED_DIRS

    found = []
    for root, dirs, names in os.walk(folder):
        dirs[:] = sorted(d for d in dirs if d not in SKIPPED_DIRS | {"data"})
        for name in sorted(names):
            path = os.path.normpath(os.path.join(root, name))
            if name.endswith(".txt") and _is_requirements(path, config):
                found.append(path)
    return found


def _is_requirements(path: str, config: LintConfig) -> bool:
    from ntro_ship.requirements.roles import matches

    posix = path.replace(os.sep, "/")
    patterns = (*HOOK_FILES, *config.runtime_files, *config.dev_files)
    return any(matches(posix, pattern) for pattern in patterns)


def emit(findings: list[Finding], output_format: str, output: str | None) -> None:
    if output_format not in FORMATS:
        raise UsageError(f"--format {output_format}: choose one of {FORMATS}")
    render = {"text": report.as_text, "json": report.as_json, "sarif": report.as_sarif}
    text = render[output_format](findings)
    if output:
        try:
            Path(output).write_text(text, encoding="utf-8")
        except OSError as exc:
            raise UsageError(
                f"-o {output}: cannot write the report: {exc.strerror or exc}; "
                "choose a file in a folder you can write to"
            ) from None
    else:
        sys.stdout.write(text)
    if output or output_format == "text":
        # Annotations are workflow commands on stdout: they would corrupt a
        # JSON or SARIF document written there.
        report.annotate(findings)


def exit_code(findings: list[Finding]) -> int:
    if any(finding.severity == "error" for finding in findings):
        return ExitCode.FAILED
    return ExitCode.OK


__all__ = ["collect", "emit", "exit_code", "role_of"]
