"""`ntro-ship package` against `zip -r` on a 2,000-file runbook tree.

Both produce a deflated zip of the same tree; ntro-ship also sorts entries,
fixes dates and modes, lints the requirements and hashes the result. Runs
are interleaved (zip, ntro-ship, zip, ...) so machine noise hits both, and
each side is timed end to end as a user would run it: a fresh process.
Target: ntro-ship no slower than `zip -r`.

Two more fresh processes split ntro-ship's time: `python -c pass` (the
interpreter's own start-up) and a process that only imports what `package`
imports, so what is left is the work itself.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from ntro_ship import artifact

FILES = 2000
RUNS = 5
# What `ntro-ship package` imports before it reads a file.
IMPORTS = (
    "import ntro_ship.cli.pipeline, ntro_ship.pipeline.packaging; "
    "from ntro_ship.requirements import check_runbook"
)


def make_tree(root: Path, files: int) -> Path:
    """A runbook with `files` files: sources, fixtures and reference data."""
    (root / "templates").mkdir(parents=True)
    (root / "runbook.md").write_text("---\nslug: bench\nversion: 0.1.0\n---\n")
    (root / "requirements.txt").write_text("ntro[workflow]==0.1.2\n")
    (root / "templates" / "__init__.py").write_text("")
    (root / "templates" / "workflow.py").write_text("from ntro.workflow import x\n")
    line = "2026-11-30,4010,Management fee accrual,GBP,1250.00,0.00\n"
    for index in range(files - 4):
        folder = root / "data" / f"batch-{index // 100:02d}"
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"ledger-{index:04d}.csv").write_text(line * (20 + index % 40))
    return root


def timed(command: list[str], cwd: Path) -> float:
    started = time.perf_counter()
    subprocess.run(command, cwd=cwd, check=True, capture_output=True)
    return time.perf_counter() - started


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks package_zip")
    parser.add_argument("--files", type=int, default=FILES)
    parser.add_argument("--runs", type=int, default=RUNS)
    args = parser.parse_args(argv)
    if shutil.which("zip") is None:
        print("package_zip: `zip` is not installed; nothing to compare with")
        return 2

    ship = [sys.executable, "-m", "ntro_ship", "package"]
    with tempfile.TemporaryDirectory() as temporary:
        work = Path(temporary)
        tree = make_tree(work / "tree", args.files)
        times: dict[str, list[float]] = {"zip -r": [], "ntro-ship package": []}
        startup: dict[str, list[float]] = {"python -c pass": [], "+ imports": []}
        for run in range(args.runs):
            startup["python -c pass"].append(
                timed([sys.executable, "-c", "pass"], work)
            )
            startup["+ imports"].append(timed([sys.executable, "-c", IMPORTS], work))
            for out in work.glob("*.zip*"):
                out.unlink()
            times["zip -r"].append(
                timed(["zip", "-q", "-r", str(work / f"z{run}.zip"), "."], tree)
            )
            times["ntro-ship package"].append(
                timed([*ship, str(tree), "-o", str(work / f"n{run}.zip")], work)
            )
        in_process = []
        for _ in range(args.runs):
            started = time.perf_counter()
            artifact.build(tree)
            in_process.append(time.perf_counter() - started)
        sizes = {
            "zip -r": (work / f"z{args.runs - 1}.zip").stat().st_size,
            "ntro-ship package": (work / f"n{args.runs - 1}.zip").stat().st_size,
        }

    print(f"tree: {args.files} files; {args.runs} interleaved runs, median wall time")
    for name, values in times.items():
        print(
            f"  {name:<18} {statistics.median(values):6.3f}s "
            f"(min {min(values):.3f}s)  zip {sizes[name] / 1024:,.0f} KiB"
        )
    print(
        f"  {'artifact.build()':<18} {statistics.median(in_process):6.3f}s "
        "(in process: no interpreter start, imports or lint)"
    )
    bare = statistics.median(startup["python -c pass"])
    loaded = statistics.median(startup["+ imports"])
    print(f"  {'python -c pass':<18} {bare:6.3f}s (interpreter start-up alone)")
    print(f"  {'+ imports':<18} {loaded:6.3f}s (start-up and imports, no work)")
    zip_time = statistics.median(times["zip -r"])
    ratio = statistics.median(times["ntro-ship package"]) / zip_time
    verdict = "met" if ratio <= 1.0 else "NOT met"
    print(f"  ntro-ship / zip: {ratio:.2f}x (target <= 1.00x: {verdict})")
    if ratio > 1.0 and loaded >= zip_time:
        print(
            f"  why: before reading a single file, Python's start-up and the "
            f"imports (click, the lint rules with packaging, YAML) take "
            f"{loaded:.3f}s, {loaded / zip_time:.1f}x all of `zip -r`"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
