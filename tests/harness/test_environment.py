"""The runbook's environment: keyed by content, never half-built, offline-safe."""

from __future__ import annotations

import functools
import http.server
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from tests.harness.conftest import DATA, ROOT, RunCli

from ntro_ship.harness.environment import MARKER, environment_key

RUNBOOK = DATA / "string-annotations"


def _copy_runbook(target: Path) -> Path:
    shutil.copytree(RUNBOOK, target)
    return target


def _files(runbook: Path) -> list[Path]:
    return [runbook / "requirements.txt", runbook / "requirements-dev.txt"]


def test_key_follows_content_not_location(tmp_path: Path) -> None:
    copy = _copy_runbook(tmp_path / "elsewhere")

    assert environment_key(_files(copy)) == environment_key(_files(RUNBOOK))


@pytest.mark.parametrize(
    ("edited", "line"),
    [
        pytest.param("requirements.txt", "babel==2.17.0", id="runtime-requirements"),
        pytest.param("requirements-dev.txt", "pytest==9.2.0", id="dev-requirements"),
    ],
)
def test_key_changes_when_a_requirements_file_changes(
    tmp_path: Path, edited: str, line: str
) -> None:
    copy = _copy_runbook(tmp_path / "copy")
    before = environment_key(_files(copy))

    with open(copy / edited, "a", encoding="utf-8") as handle:
        handle.write(line + "\n")

    assert environment_key(_files(copy)) != before


def test_key_follows_included_files(tmp_path: Path) -> None:
    copy = _copy_runbook(tmp_path / "copy")
    before = environment_key([copy / "requirements-dev.txt"])

    # requirements-dev.txt includes requirements.txt with `-r`.
    with open(copy / "requirements.txt", "a", encoding="utf-8") as handle:
        handle.write("babel==2.17.0\n")

    assert environment_key([copy / "requirements-dev.txt"]) != before


@pytest.fixture
def empty_index(tmp_path: Path) -> Iterator[str]:
    """A real package index over HTTP that has no packages at all."""
    root = tmp_path / "index"
    (root / "simple").mkdir(parents=True)
    (root / "simple" / "index.html").write_text("<html><body></body></html>")

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, format: str, *args: object) -> None:
            pass

    handler = functools.partial(Quiet, directory=str(root))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/simple"
    finally:
        server.shutdown()
        server.server_close()


def test_unresolvable_requirement_names_package_and_index(
    run_cli: RunCli, tmp_path: Path, empty_index: str
) -> None:
    runbook = _copy_runbook(tmp_path / "private")
    (runbook / "requirements.txt").write_text("ntro-core==0.1.0\n")
    cache = tmp_path / "cache"

    completed = run_cli(
        runbook,
        env={
            "NTRO_SHIP_CACHE_DIR": str(cache),
            "PIP_CONFIG_FILE": os.devnull,
            "PIP_INDEX_URL": empty_index,
            "PIP_NO_CACHE_DIR": "1",
        },
    )

    assert completed.returncode == 1
    assert completed.stderr.splitlines()[-1] == (
        "ntro-ship: error: cannot build the test environment: no distribution "
        f"of ntro-core==0.1.0 on the package index ({empty_index}). If it is a "
        "private package, point pip at the index that has it (PIP_INDEX_URL or "
        "PIP_EXTRA_INDEX_URL); otherwise fix its pin in "
        f"{runbook / 'requirements.txt'}"
    )
    # The failed build left nothing behind to be mistaken for an environment.
    leftovers = [p.name for p in (cache / "envs").iterdir() if p.suffix != ".lock"]
    assert leftovers == []


def _wait_for_install(envs: Path, deadline_s: float) -> Path:
    """The build directory, once pip has started filling it."""
    stop = time.monotonic() + deadline_s
    while time.monotonic() < stop:
        for build in envs.glob("*-*"):
            if list(build.glob("lib/python*/site-packages/*temporalio*")):
                return build
        time.sleep(0.05)
    raise AssertionError("pip never started installing into the environment")


def test_environment_killed_mid_build_is_never_reused(
    run_cli: RunCli, tmp_path: Path
) -> None:
    cache = tmp_path / "cache"
    env = {**os.environ, "NTRO_SHIP_CACHE_DIR": str(cache), "TMPDIR": str(tmp_path)}
    first = subprocess.Popen(
        [sys.executable, "-m", "ntro_ship", "test", str(RUNBOOK)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        half_built = _wait_for_install(cache / "envs", deadline_s=300)
    finally:
        os.killpg(first.pid, signal.SIGKILL)
        first.wait()
    key = environment_key(_files(RUNBOOK))

    assert not (cache / "envs" / key).exists()
    assert not (half_built / MARKER).exists()

    completed = run_cli(RUNBOOK, env={"NTRO_SHIP_CACHE_DIR": str(cache)})

    assert completed.returncode == 0, completed.stderr
    published = (cache / "envs" / key).resolve()
    assert (published / MARKER).is_file()
    assert published != half_built
    assert not half_built.exists()
