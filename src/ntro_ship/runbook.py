"""What a runbook directory is, read without importing any of its code.

A runbook is a directory holding `runbook.md` (YAML front matter, then prose)
and a `templates/` package with `workflow.py`. Its runtime requirements live in
`requirements.txt` at the runbook root or in `templates/requirements.txt`; its
development requirements (the test harness and friends) sit beside them in
files the tenant never installs.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from ntro_ship.errors import UsageError

RUNBOOK_FILE = "runbook.md"
RUNTIME_REQUIREMENTS = ("requirements.txt", "templates/requirements.txt")
DEV_REQUIREMENTS = (
    "requirements-dev.txt",
    "dev-requirements.txt",
    "requirements-test.txt",
    "templates/requirements-dev.txt",
)
FRONT_MATTER = re.compile(r"\A\ufeff?---[ \t]*\r?\n(.*?)\r?\n---[ \t]*(\r?\n|\Z)", re.S)
# Folders never searched for runbooks: they hold tools, not sources.
SKIPPED_DIRS = frozenset(
    {".git", ".hg", ".svn", ".venv", "venv", "node_modules", "__pycache__", ".tox"}
)


@dataclasses.dataclass(frozen=True)
class Runbook:
    path: Path
    front_matter: dict[str, Any]

    @property
    def slug(self) -> str:
        return str(self.front_matter.get("slug") or self.path.name)

    @property
    def version(self) -> str:
        return str(self.front_matter.get("version") or "0.1.0")

    @property
    def name(self) -> str:
        return str(self.front_matter.get("name") or self.slug)

    @property
    def description(self) -> str:
        return str(self.front_matter.get("description") or "").strip()

    @property
    def workflow_class(self) -> str:
        """The class the platform looks for: CamelCase(slug) + `Workflow`."""
        words = re.split(r"[^0-9A-Za-z]+", self.slug)
        return "".join(word[:1].upper() + word[1:] for word in words) + "Workflow"

    @property
    def workflow_module(self) -> Path:
        return self.path / "templates" / "workflow.py"

    @property
    def requirements_file(self) -> Path | None:
        """The runtime requirements file, root first, as the tenant reads it."""
        for name in RUNTIME_REQUIREMENTS:
            candidate = self.path / name
            if candidate.is_file():
                return candidate
        return None

    @property
    def dev_requirements_files(self) -> list[Path]:
        return [self.path / n for n in DEV_REQUIREMENTS if (self.path / n).is_file()]


def read_front_matter(text: str) -> dict[str, Any]:
    """The YAML mapping between the leading `---` lines, or {} when absent."""
    match = FRONT_MATTER.match(text)
    if match is None:
        return {}

    import yaml  # on first use: the requirements hooks never read runbook.md

    try:
        data = yaml.safe_load(match.group(1))
    except yaml.YAMLError as exc:
        raise UsageError(f"runbook.md front matter is not valid YAML: {exc}") from exc

    return data if isinstance(data, dict) else {}


def load(path: Path) -> Runbook:
    """Read the runbook at `path`; a clear error when it is not one."""
    if not path.is_dir():
        raise UsageError(f"{path}: not a directory; pass the runbook's folder")

    marker = path / RUNBOOK_FILE
    if not marker.is_file():
        raise UsageError(
            f"{path}: no {RUNBOOK_FILE} here, so this is not a runbook folder "
            "(expected runbook.md and templates/workflow.py)"
        )

    try:
        text = marker.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise UsageError(f"{marker}: cannot be read: {exc}") from exc

    return Runbook(path=path, front_matter=read_front_matter(text))


def find(root: Path) -> Iterator[Runbook]:
    """Every runbook below `root` (itself included), in a stable order."""
    for marker in sorted(_walk(root)):
        yield load(marker.parent)


def _walk(root: Path) -> Iterator[Path]:
    if (root / RUNBOOK_FILE).is_file():
        yield root / RUNBOOK_FILE
    for child in root.iterdir() if root.is_dir() else ():
        if child.is_dir() and not child.is_symlink() and child.name not in SKIPPED_DIRS:
            yield from _walk(child)
