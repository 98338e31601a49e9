"""Stage `package`: lint the runbook, then zip it deterministically.

Kept free of the HTTP client so `ntro-ship package` starts fast.
"""

from __future__ import annotations

import importlib
import json
import time
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from ntro_ship import artifact as artifacts
from ntro_ship import runbook as runbooks
from ntro_ship.errors import NtroShipError, UsageError
from ntro_ship.exit_codes import ExitCode
from ntro_ship.pipeline.progress import Progress

if TYPE_CHECKING:
    from ntro_ship.pipeline.record import Record


class LintRefused(NtroShipError):
    exit_code = ExitCode.FAILED


def lint(path: Path, progress: Progress) -> None:
    """Refuse a runbook whose runtime requirements break the contract."""
    try:
        requirements = importlib.import_module("ntro_ship.requirements")
        check_runbook = requirements.check_runbook
    except (ImportError, AttributeError):
        # Known gap: while ntro_ship.requirements has not landed, packaging
        # warns instead of linting; remove once check_runbook exists.
        progress.problem(
            "package", "requirements rules unavailable: NOT linted", level="warning"
        )
        return

    findings = check_runbook(path)
    errors = [f for f in findings if f.severity == "error"]
    for finding in findings:
        progress.step("package", str(finding))
    if errors:
        raise LintRefused(
            f"{path}: {len(errors)} requirements error(s) above; the tenant would "
            "install something else than you tested. Fix them "
            "(`ntro-ship lint --fix` can pin loose lines), then package again."
        )


def package(
    path: Path,
    excludes: Sequence[str],
    progress: Progress,
    output: Path | None = None,
) -> tuple[runbooks.Runbook, artifacts.Artifact]:
    book = runbooks.load(path)
    if not book.workflow_module.is_file():
        raise UsageError(f"{path}: no templates/workflow.py; the tenant needs it")
    if book.requirements_file is None:
        raise UsageError(
            f"{path}: no requirements.txt; the tenant builds its virtualenv "
            "from it, so add one pinning ntro[workflow]==<version>"
        )

    lint(path, progress)
    started = time.monotonic()
    built = artifacts.build(path, excludes)
    progress.step(
        "package",
        f"{book.slug} {book.version}: {len(built.entries)} files, "
        f"{len(built.data)} bytes, {built.digest} "
        f"({time.monotonic() - started:.2f}s)",
    )
    if output is not None:
        built.write(output)
        progress.step("package", f"wrote {output}")
    return book, built


def describe(book: runbooks.Runbook, built: artifacts.Artifact) -> dict[str, Any]:
    return {
        "runbook": {
            "path": str(book.path),
            "slug": book.slug,
            "name": book.name,
            "version": book.version,
        },
        "artifact": {
            "digest": built.digest,
            "size": len(built.data),
            "files": len(built.entries),
        },
    }


def begin(record: Record, book: runbooks.Runbook, built: artifacts.Artifact) -> bool:
    """Start a release for this artifact unless the record already holds it.

    Returns True when an existing release of the same digest is resumed.
    """
    if record.has_release() and record.release["artifact"]["digest"] == built.digest:
        return True
    described = describe(book, built)
    record.start_release(described["runbook"], described["artifact"])
    record.save()
    return False


def run_package(
    runbook: Path, output: Path | None, excludes: tuple[str, ...], as_json: bool
) -> int:
    """The `package` command: digest on stdout (or JSON), progress on stderr."""
    book, built = package(runbook, excludes, Progress(), output)
    if as_json:
        described = describe(book, built)
        described["artifact"]["output"] = str(output) if output else None
        click.echo(json.dumps(described, indent=2))
    else:
        click.echo(built.digest)
    return ExitCode.OK
