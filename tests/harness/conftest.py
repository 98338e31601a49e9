"""Shared helpers: run the real `ntro-ship` command in a subprocess.

The runbooks' environment is cached under ~/.cache/ntro-ship (or
NTRO_SHIP_CACHE_DIR), so it is built once per machine; every runbook here
pins exactly what the examples pin, so they all share that one environment.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable, Mapping
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples" / "runbooks"
DATA = Path(__file__).resolve().parent / "data"
# Any download attempt through these proxies fails at once.
OFFLINE = {"HTTPS_PROXY": "http://127.0.0.1:9", "HTTP_PROXY": "http://127.0.0.1:9"}

RunCli = Callable[..., subprocess.CompletedProcess[str]]


@pytest.fixture
def run_cli(tmp_path: Path) -> RunCli:
    def run(
        *args: str | Path, env: Mapping[str, str] | None = None
    ) -> subprocess.CompletedProcess[str]:
        environment = {
            key: value
            for key, value in os.environ.items()
            if not key.startswith("GITHUB_")
        }
        environment.update({"TMPDIR": str(tmp_path), **(env or {})})
        return subprocess.run(
            [sys.executable, "-m", "ntro_ship", "test", *map(str, args)],
            cwd=ROOT,
            env=environment,
            capture_output=True,
            text=True,
            timeout=900,
        )

    return run
