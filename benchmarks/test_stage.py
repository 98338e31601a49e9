"""`ntro-ship test` against a bare `ntro workflow test`, on the example.

Peers, run interleaved on the nav-monthly example with its child, offline:

- warm `ntro-ship test`: the cached environment already exists;
- bare `ntro workflow test --input @tests/input.json` run by that same
  environment's `ntro`, with the Temporal binary already seeded, i.e. the
  harness as published in an already-prepared environment.

The target is a warm ratio of at most 1.2. The cold time (an empty
NTRO_SHIP_CACHE_DIR, so the environment is built; pip's own download cache
is left as it is) is reported once; `--no-cold` skips it.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from ntro_ship.harness.environment import HarnessEnvironment, ensure_environment

ROOT = Path(__file__).resolve().parents[1]
PARENT = ROOT / "examples" / "runbooks" / "nav-monthly"
CHILD = ROOT / "examples" / "runbooks" / "nav-monthly-journals"
OFFLINE = {"HTTPS_PROXY": "http://127.0.0.1:9", "HTTP_PROXY": "http://127.0.0.1:9"}
TARGET_RATIO = 1.2
BARE_PASSED = "summary: 2 passed, 0 failed (of 2)"
SHIP = [sys.executable, "-m", "ntro_ship", "test", str(PARENT), "--child", str(CHILD)]


def _timed(command: list[str], env: dict[str, str]) -> float:
    started = time.perf_counter()
    completed = subprocess.run(command, env=env, capture_output=True, text=True)
    elapsed = time.perf_counter() - started
    # The published CLI sometimes aborts while the interpreter shuts down
    # (SIGABRT, "PyGILState_Release"), after printing a passing report; the
    # run itself was complete, so its time counts.
    finished = BARE_PASSED in completed.stdout
    if completed.returncode != 0 and not finished:
        raise SystemExit(f"{command[:4]} failed:\n{completed.stderr[-2000:]}")
    return elapsed


def _bare_command(environment: HarnessEnvironment) -> list[str]:
    return [
        str(environment.path / "bin" / "ntro"),
        "workflow",
        "test",
        str(PARENT),
        "--child",
        str(CHILD),
        "--input",
        f"@{PARENT / 'tests' / 'input.json'}",
    ]


def _cold(workdir: Path) -> float:
    env = {**os.environ, "NTRO_SHIP_CACHE_DIR": str(workdir / "cold-cache")}
    return _timed(SHIP, env)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks test_stage")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--no-cold", action="store_true")
    args = parser.parse_args(argv)

    files = [
        PARENT / "requirements.txt",
        CHILD / "requirements.txt",
        PARENT / "requirements-dev.txt",
        CHILD / "requirements-dev.txt",
    ]
    environment = ensure_environment(files, log=lambda line: print(line, flush=True))

    with tempfile.TemporaryDirectory(prefix="bench-test-stage-") as workdir:
        seeded_tmp = Path(workdir) / "tmp"
        seeded_tmp.mkdir()
        seeded = seeded_tmp / f"temporal-sdk-python-{environment.temporalio_version}"
        seeded.symlink_to(environment.temporal)
        bare_env = {**os.environ, **OFFLINE, "TMPDIR": str(seeded_tmp)}
        ship_env = {**os.environ, **OFFLINE}

        # One untimed run each, so neither pays for a cold page cache.
        _timed(SHIP, ship_env)
        _timed(_bare_command(environment), bare_env)
        ship, bare = [], []
        for _ in range(args.rounds):
            ship.append(_timed(SHIP, ship_env))
            bare.append(_timed(_bare_command(environment), bare_env))

        cold = None if args.no_cold else _cold(Path(workdir))

    ship_median, bare_median = statistics.median(ship), statistics.median(bare)
    ratio = ship_median / bare_median
    print(f"bare `ntro workflow test` (prepared env): median {bare_median:.2f}s")
    print(f"warm `ntro-ship test`:                   median {ship_median:.2f}s")
    print(f"ratio warm/bare: {ratio:.2f} (target <= {TARGET_RATIO})")
    if cold is not None:
        print(f"cold `ntro-ship test` (builds the environment): {cold:.1f}s")
    return 0 if ratio <= TARGET_RATIO else 1


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
