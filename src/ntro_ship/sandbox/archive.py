"""Reading a pushed artifact without trusting it.

A tenant unpacks what it is given, so the sandbox refuses what a careful
tenant would: bytes that are not a zip, entries that would land outside the
target folder (absolute paths, `..`, drive letters, symlinks), more entries or
more unpacked bytes than the limits, and compression ratios only a zip bomb
reaches. Sizes are checked on the declared headers first, then counted again
while writing, because headers can lie.
"""

from __future__ import annotations

import dataclasses
import io
import stat
import zipfile
import zlib
from pathlib import Path, PurePosixPath

# A text-heavy runbook compresses maybe 10:1; 200:1 on a megabyte or more is
# the signature of padding made to explode.
MAX_RATIO = 200
RATIO_FLOOR_BYTES = 1024 * 1024
CHUNK = 64 * 1024


class ArtifactProblem(Exception):
    """Why the artifact cannot be installed; the message names the entry."""


@dataclasses.dataclass(frozen=True)
class Limits:
    max_unpacked_bytes: int
    max_entries: int


def inspect(data: bytes, limits: Limits) -> list[zipfile.ZipInfo]:
    """The entries of a safe zip; ArtifactProblem for anything else."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError) as exc:
        raise ArtifactProblem(
            f"artifact is not a readable zip archive ({exc}); "
            "push the zip built by `ntro-ship package`"
        ) from exc

    entries = archive.infolist()
    if len(entries) > limits.max_entries:
        raise ArtifactProblem(
            f"artifact has {len(entries)} entries, more than the limit of "
            f"{limits.max_entries}"
        )

    total = 0
    for info in entries:
        _check_name(info)
        total += info.file_size
        ratio = info.file_size / max(info.compress_size, 1)
        if info.file_size >= RATIO_FLOOR_BYTES and ratio > MAX_RATIO:
            raise ArtifactProblem(
                f"artifact entry '{info.filename}' expands to {info.file_size} "
                f"bytes at more than {MAX_RATIO}:1: refused as a zip bomb"
            )
    if total > limits.max_unpacked_bytes:
        raise ArtifactProblem(
            f"artifact unpacks to {total} bytes, more than the limit of "
            f"{limits.max_unpacked_bytes}"
        )
    return entries


def extract(data: bytes, target: Path, limits: Limits) -> None:
    """Unpack into `target` (which must exist), counting every byte written."""
    entries = inspect(data, limits)
    archive = zipfile.ZipFile(io.BytesIO(data))
    budget = limits.max_unpacked_bytes

    for info in entries:
        destination = target.joinpath(*PurePosixPath(info.filename).parts)
        if info.is_dir():
            destination.mkdir(parents=True, exist_ok=True)
            continue

        destination.parent.mkdir(parents=True, exist_ok=True)
        try:
            with archive.open(info) as source, destination.open("wb") as sink:
                while chunk := source.read(CHUNK):
                    budget -= len(chunk)
                    if budget < 0:
                        raise ArtifactProblem(
                            "artifact unpacks to more bytes than its headers "
                            f"declare, past the limit of {limits.max_unpacked_bytes}"
                        )
                    sink.write(chunk)
        except (zipfile.BadZipFile, zlib.error, EOFError) as exc:
            raise ArtifactProblem(
                f"artifact entry '{info.filename}' is corrupt ({exc})"
            ) from exc
        except (RuntimeError, NotImplementedError) as exc:
            # zipfile raises these for encrypted entries and unknown methods.
            raise ArtifactProblem(
                f"artifact entry '{info.filename}' cannot be unpacked ({exc})"
            ) from exc


def read_member(data: bytes, name: str, limit: int) -> bytes | None:
    """One small member by exact name, or None when absent or unreadable."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        info = archive.getinfo(name)
        if info.file_size > limit:
            return None
        with archive.open(info) as member:
            return member.read(limit + 1)[:limit]
    except (KeyError, zipfile.BadZipFile, zlib.error, RuntimeError, ValueError):
        return None


def _check_name(info: zipfile.ZipInfo) -> None:
    name = info.filename
    path = PurePosixPath(name)
    escapes = (
        not name
        or "\\" in name
        or "\x00" in name
        or path.is_absolute()
        or ".." in path.parts
        or (path.parts and ":" in path.parts[0])
    )
    if escapes:
        raise ArtifactProblem(
            f"artifact entry '{name}' escapes the archive root; "
            "entries must be relative paths inside the runbook folder"
        )

    mode = info.external_attr >> 16
    if stat.S_ISLNK(mode):
        raise ArtifactProblem(
            f"artifact entry '{name}' is a symbolic link; tenants refuse links"
        )
