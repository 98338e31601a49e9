"""Can two environment markers both be true on some machine?

Markers are judged for every platform the tenant might run, not for the
interpreter running the linter: `foo==1; sys_platform == "win32"` and
`foo==2; sys_platform != "win32"` never meet, so they are not duplicates.
We evaluate both markers over a grid of plausible target environments.
"""

from __future__ import annotations

import itertools

from packaging.markers import Marker

PYTHONS = ("3.8", "3.9", "3.10", "3.11", "3.12", "3.13", "3.14")
PLATFORMS = (
    ("linux", "posix", "Linux", "x86_64"),
    ("linux", "posix", "Linux", "aarch64"),
    ("darwin", "posix", "Darwin", "arm64"),
    ("win32", "nt", "Windows", "AMD64"),
)
IMPLEMENTATIONS = (("cpython", "CPython"), ("pypy", "PyPy"))


def environments() -> list[dict[str, str]]:
    grid = []
    for python, platform, implementation in itertools.product(
        PYTHONS, PLATFORMS, IMPLEMENTATIONS
    ):
        sys_platform, os_name, system, machine = platform
        grid.append(
            {
                "python_version": python,
                "python_full_version": f"{python}.0",
                "sys_platform": sys_platform,
                "os_name": os_name,
                "platform_system": system,
                "platform_machine": machine,
                "platform_release": "",
                "platform_version": "",
                "implementation_name": implementation[0],
                "implementation_version": f"{python}.0",
                "platform_python_implementation": implementation[1],
                "extra": "",
            }
        )
    return grid


GRID = environments()


def may_overlap(first: Marker | None, second: Marker | None) -> bool:
    if first is None or second is None:
        return True
    for environment in GRID:
        try:
            if first.evaluate(environment) and second.evaluate(environment):
                return True
        except Exception:  # an odd comparison: assume the worst
            return True
    return False
