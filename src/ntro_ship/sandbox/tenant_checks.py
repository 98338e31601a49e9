"""What a tenant checks before it installs a version.

A readable, safe zip (see `archive`), the workflow module, and a runtime
requirements file that meets the pinning contract. The contract is the one
`ntro-ship lint` enforces: the same rules are called here, not restated.
"""

from __future__ import annotations

import io
import os
import tempfile
import zipfile
from pathlib import Path, PurePosixPath
from typing import Any

from ntro_ship import runbook
from ntro_ship.errors import NtroShipError
from ntro_ship.sandbox import archive

WORKFLOW_MODULE = "templates/workflow.py"
DEFAULT_STEPS = ["run"]
MAX_FRONT_MATTER_BYTES = 256 * 1024
# Findings quoted in a deployment error; the rest are counted.
QUOTED_FINDINGS = 5


def check_zip(data: bytes, limits: archive.Limits) -> str | None:
    """None when a tenant would install this zip, else the reason it would not."""
    with tempfile.TemporaryDirectory(prefix="ntro-sandbox-") as scratch:
        target = Path(scratch)
        try:
            archive.extract(data, target, limits)
        except archive.ArtifactProblem as exc:
            return str(exc)
        return check_tree(runbook_root(target))


def check_files(files: dict[str, str], slug: str, version: str) -> str | None:
    """The same checks for generation 3, which sends files instead of a zip."""
    with tempfile.TemporaryDirectory(prefix="ntro-sandbox-") as scratch:
        root = Path(scratch)
        for name, text in files.items():
            path = PurePosixPath(name)
            if path.is_absolute() or ".." in path.parts or "\\" in name or not name:
                return f"file '{name}' escapes the runbook folder"
            destination = root.joinpath(*path.parts)
            destination.parent.mkdir(parents=True, exist_ok=True)
            destination.write_text(text, encoding="utf-8")

        # Generation 3 never uploads runbook.md; the lint rules want one.
        marker = root / runbook.RUNBOOK_FILE
        if not marker.exists():
            marker.write_text(f"---\nslug: {slug}\nversion: {version}\n---\n")
        return check_tree(root)


def runbook_root(extracted: Path) -> Path:
    """The folder holding the runbook: the zip root, or its only folder."""
    if (extracted / runbook.RUNBOOK_FILE).exists() or (
        extracted / "templates"
    ).exists():
        return extracted

    children = [c for c in extracted.iterdir() if not c.name.startswith(".")]
    if len(children) == 1 and children[0].is_dir():
        return children[0]
    return extracted


def check_tree(root: Path) -> str | None:
    if not (root / WORKFLOW_MODULE).is_file():
        return (
            f"artifact has no {WORKFLOW_MODULE}: the tenant has no workflow "
            "module to register"
        )

    found = [name for name in runbook.RUNTIME_REQUIREMENTS if (root / name).is_file()]
    if not found:
        return (
            "artifact has no runtime requirements file (requirements.txt or "
            "templates/requirements.txt): the tenant cannot build its virtualenv"
        )
    return requirement_problems(root)


def requirement_problems(root: Path) -> str | None:
    # Imported here: the lint rules are only needed when a deployment is made.
    from ntro_ship.requirements import check_runbook

    try:
        findings = check_runbook(root)
    except NtroShipError as exc:
        return f"requirements cannot be checked: {_relative(str(exc), root)}"

    errors = [f for f in findings if f.severity == "error"]
    if not errors:
        return None

    quoted = "; ".join(_relative(str(f), root) for f in errors[:QUOTED_FINDINGS])
    more = len(errors) - QUOTED_FINDINGS
    suffix = f" (and {more} more)" if more > 0 else ""
    return f"requirements do not meet the pinning contract: {quoted}{suffix}"


def steps_of(data: bytes) -> list[str]:
    """Step names from runbook.md front matter `steps[]`, for task progress."""
    for name in (runbook.RUNBOOK_FILE, *_nested_markers(data)):
        raw = archive.read_member(data, name, MAX_FRONT_MATTER_BYTES)
        if raw is not None:
            return steps_from_text(raw.decode("utf-8", "replace"))
    return list(DEFAULT_STEPS)


def steps_from_text(text: str) -> list[str]:
    try:
        front = runbook.read_front_matter(text)
    except NtroShipError:
        return list(DEFAULT_STEPS)

    steps = front.get("steps")
    names = [_step_name(step) for step in steps] if isinstance(steps, list) else []
    return [n for n in names if n] or list(DEFAULT_STEPS)


def _step_name(step: Any) -> str:
    if isinstance(step, dict):
        for key in ("label", "name", "id"):
            if step.get(key):
                return str(step[key])
        return ""
    return str(step) if step is not None else ""


def _nested_markers(data: bytes) -> list[str]:
    try:
        names = zipfile.ZipFile(io.BytesIO(data)).namelist()
    except (zipfile.BadZipFile, ValueError):
        return []
    return [n for n in names if n.count("/") == 1 and n.endswith("/runbook.md")][:1]


def _relative(text: str, root: Path) -> str:
    """Paths as the runbook author knows them, not under the scratch folder."""
    for prefix in (str(root), os.path.relpath(root)):
        text = text.replace(prefix + os.sep, "").replace(prefix, ".")
    return text
