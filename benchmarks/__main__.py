"""Run benchmarks: `python -m benchmarks [NAME]...` (all of them by default).

Each benchmark is a module of this package with a `main(argv) -> int`; it runs
ntro-ship and the peers named in its docstring in one process, interleaved, so
that a noisy machine slows all of them alike, and prints ratios.
"""

from __future__ import annotations

import importlib
import pkgutil
import sys

import benchmarks


def available() -> list[str]:
    return sorted(
        module.name
        for module in pkgutil.iter_modules(benchmarks.__path__)
        if not module.name.startswith("_")
    )


def main(argv: list[str]) -> int:
    if {"-h", "--help"} & set(argv):
        print(__doc__.strip())
        print(f"\nbenchmarks: {', '.join(available())}")
        return 0

    names = argv or available()
    unknown = sorted(set(names) - set(available()))
    if unknown:
        print(
            f"unknown benchmark(s): {', '.join(unknown)}; "
            f"choose from: {', '.join(available())}",
            file=sys.stderr,
        )
        return 2

    status = 0
    for name in names:
        print(f"== {name}", flush=True)
        module = importlib.import_module(f"benchmarks.{name}")
        status |= module.main([])
    return status


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
