"""The deterministic artifact: same runbook tree, same zip bytes, same digest.

Entries are sorted by path, stamped with a fixed date and fixed modes, and
compressed at a fixed level, so the sha256 identifies the content alone.
Tooling folders, caches, virtualenvs, development requirement files and OS
junk stay out; a symlink that leaves the tree or an unreadable file stops
the packaging with a message naming it.
"""

from __future__ import annotations

import dataclasses
import fnmatch
import functools
import hashlib
import io
import json
import os
import re
import stat
import zipfile
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from ntro_ship.errors import UsageError
from ntro_ship.runbook import DEV_REQUIREMENTS

# zip cannot store dates before 1980; any fixed date would do.
FIXED_DATE = (1980, 1, 1, 0, 0, 0)
FILE_MODE = 0o644
EXECUTABLE_MODE = 0o755
DEFAULT_EXCLUDES: tuple[str, ...] = (
    ".git",
    ".hg",
    ".svn",
    ".venv",
    "venv",
    ".tox",
    ".nox",
    "__pycache__",
    "*.pyc",
    "*.pyo",
    ".mypy_cache",
    ".pytest_cache",
    ".ruff_cache",
    ".ipynb_checkpoints",
    "*.egg-info",
    "node_modules",
    ".ntro-ship",
    ".DS_Store",
    "Thumbs.db",
    "desktop.ini",
    "*~",
    "*.swp",
    *DEV_REQUIREMENTS,
)


@dataclasses.dataclass(frozen=True)
class ManifestEntry:
    path: str
    size: int
    sha256: str


@dataclasses.dataclass(frozen=True)
class Artifact:
    data: bytes
    entries: tuple[ManifestEntry, ...]

    @functools.cached_property
    def digest(self) -> str:
        return "sha256:" + hashlib.sha256(self.data).hexdigest()

    def manifest(self) -> dict[str, Any]:
        # Spelled out: dataclasses.asdict deep-copies, a cost per file.
        files = [
            {"path": e.path, "size": e.size, "sha256": e.sha256} for e in self.entries
        ]
        return {"digest": self.digest, "size": len(self.data), "files": files}

    def write(self, output: Path) -> Path:
        """Write the zip and `<output>.manifest.json` beside it; return the manifest.

        The folder must exist: creating it would turn a typo in -o into a
        stray directory tree.
        """
        if not output.parent.is_dir():
            raise UsageError(
                f"-o {output}: the folder {output.parent} does not exist; "
                "create it first or pick another path"
            )
        manifest = output.with_name(output.name + ".manifest.json")
        try:
            output.write_bytes(self.data)
            manifest.write_text(json.dumps(self.manifest(), indent=2) + "\n")
        except OSError as exc:
            raise UsageError(
                f"-o {output}: cannot be written ({exc.strerror}); pick a path "
                "in a folder you can write to"
            ) from exc
        return manifest


class Excluder:
    """Exclusion globs compiled once: names match any component, paths with
    a `/` match the whole relative path."""

    def __init__(self, patterns: Iterable[str]) -> None:
        patterns = list(patterns)
        names = [fnmatch.translate(p) for p in patterns if "/" not in p]
        paths = [fnmatch.translate(p) for p in patterns if "/" in p]
        self._name = re.compile("|".join(names)) if names else None
        self._path = re.compile("|".join(paths)) if paths else None

    def name(self, name: str) -> bool:
        return self._name is not None and self._name.match(name) is not None

    def path(self, relative: str) -> bool:
        return self._path is not None and self._path.match(relative) is not None

    def __call__(self, relative: str) -> bool:
        if self.path(relative):
            return True
        return any(self.name(part) for part in relative.split("/"))


def is_excluded(relative: str, patterns: Iterable[str]) -> bool:
    """True when any path component, or the whole relative path, matches."""
    return Excluder(patterns)(relative)


def collect(root: Path, excludes: Iterable[str] = ()) -> list[tuple[str, Path]]:
    """(archive path, file on disk) for every file to pack, sorted."""
    excluded = Excluder((*DEFAULT_EXCLUDES, *excludes))
    real_root = root.resolve()
    found: list[tuple[str, Path]] = []
    # scandir, not os.walk + Path.is_symlink: the directory listing already
    # says what is a folder or a link, which saves an lstat per file.
    folders = [("", os.fspath(root))]
    while folders:
        prefix, folder = folders.pop()
        for entry in _listing(folder):
            relative = prefix + entry.name
            # Parents were checked on the way down, so only the new name
            # and the whole path need matching here.
            if excluded.name(entry.name) or excluded.path(relative):
                continue
            if entry.is_symlink():
                _check_link(Path(entry.path), real_root)
                if entry.is_dir():
                    raise UsageError(
                        f"{entry.path}: a symlinked folder; ntro-ship packs "
                        "files, so replace it with a real folder or exclude "
                        "it with --exclude"
                    )
            elif entry.is_dir():
                folders.append((relative + "/", entry.path))
                continue
            found.append((relative, Path(entry.path)))
    found.sort()
    return found


def _listing(folder: str) -> list[os.DirEntry[str]]:
    try:
        with os.scandir(folder) as listing:
            return list(listing)
    except OSError as exc:
        raise UsageError(
            f"{folder}: the folder cannot be read ({exc.strerror}); fix its "
            "permissions or leave it out with --exclude"
        ) from exc


def _check_link(path: Path, real_root: Path) -> None:
    target = path.resolve()
    if not target.is_relative_to(real_root):
        raise UsageError(
            f"{path}: a symlink to {target}, outside the runbook; the tenant "
            "would not get that file. Copy it into the runbook or --exclude it."
        )


def build(root: Path, excludes: Iterable[str] = ()) -> Artifact:
    """Zip the runbook tree at `root` deterministically."""
    files = collect(root, excludes)
    if not files:
        raise UsageError(f"{root}: nothing to package (every file is excluded)")

    buffer = io.BytesIO()
    entries = []
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=6) as zf:
        for relative, path in files:
            try:
                # One open for the mode and the bytes: no separate stat call.
                with open(path, "rb", buffering=0) as stream:
                    executable = os.fstat(stream.fileno()).st_mode & stat.S_IXUSR
                    content = stream.read()
            except OSError as exc:
                raise UsageError(
                    f"{path}: cannot be read ({exc.strerror}); fix its "
                    "permissions or leave it out with --exclude"
                ) from exc
            info = zipfile.ZipInfo(relative, date_time=FIXED_DATE)
            mode = EXECUTABLE_MODE if executable else FILE_MODE
            info.external_attr = (stat.S_IFREG | mode) << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 3  # unix, whatever machine packs it
            zf.writestr(info, content)
            entries.append(
                ManifestEntry(
                    relative, len(content), hashlib.sha256(content).hexdigest()
                )
            )
    return Artifact(data=buffer.getvalue(), entries=tuple(entries))
