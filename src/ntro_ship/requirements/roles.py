"""A requirements file's role from its name: runtime, dev or constraints.

Patterns match the end of the path, as a glob would (`requirements/dev*.txt`
matches `any/where/requirements/dev-lint.txt`). A file matching no pattern
is runtime: when in doubt, hold it to the stricter contract.
"""

from __future__ import annotations

import os
from fnmatch import fnmatchcase

RUNTIME, DEV, CONSTRAINTS = "runtime", "dev", "constraints"


def role_for(
    path: str,
    runtime: tuple[str, ...],
    dev: tuple[str, ...],
    constraints: tuple[str, ...],
) -> str:
    posix = path.replace(os.sep, "/")
    for role, patterns in ((DEV, dev), (CONSTRAINTS, constraints), (RUNTIME, runtime)):
        if any(matches(posix, pattern) for pattern in patterns):
            return role
    return RUNTIME


def matches(posix: str, pattern: str) -> bool:
    depth = pattern.count("/") + 1
    tail = "/".join(posix.split("/")[-depth:])
    return fnmatchcase(tail, pattern) or fnmatchcase(posix, pattern)
