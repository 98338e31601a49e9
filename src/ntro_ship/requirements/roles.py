"""A requirements file's role from its name: runtime, dev or constraints.

Patterns match the end of the path, as a glob would (`requirements/dev*.txt`
matches `any/where/requirements/dev-lint.txt`). A file matching no pattern
is runtime: when in doubt, hold it to the stricter contract.
"""

from __future__ import annotations

import os

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable

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
    return glob(tail, pattern) or glob(posix, pattern)


def glob(text: str, pattern: str) -> bool:
    """fnmatchcase, without compiling a regex for the usual `*`-only patterns.

    The hook matches a few dozen patterns once per process, and compiling
    each into a regex would cost more than the whole check of a short file.
    """
    if "?" in pattern or "[" in pattern:
        from fnmatch import fnmatchcase  # imports re: only for rare patterns

        return fnmatchcase(text, pattern)
    parts = pattern.split("*")
    if len(parts) == 1:
        return text == pattern
    first, *middle, last = parts
    if len(text) < len(first) + len(last) or not (
        text.startswith(first) and text.endswith(last)
    ):
        return False
    position, end = len(first), len(text) - len(last)
    for part in middle:
        found = text.find(part, position, end)
        if found < 0:
            return False
        position = found + len(part)
    return True


# functools.cache would import functools and collections: 3 ms on a hook.
_MATCHERS: dict[tuple[str, ...], Callable[[str], bool]] = {}


def name_matcher(patterns: tuple[str, ...]) -> Callable[[str], bool]:
    """A test for "this package name matches one of these glob patterns".

    Plain names go in a set, so that a pip-compile output with thousands of
    names costs one set lookup per name plus the few real globs.
    """
    if patterns in _MATCHERS:
        return _MATCHERS[patterns]
    literal = frozenset(p for p in patterns if not any(c in p for c in "*?["))
    globs = tuple(p for p in patterns if p not in literal)

    def matches(name: str) -> bool:
        return name in literal or any(glob(name, pattern) for pattern in globs)

    return _MATCHERS.setdefault(patterns, matches)
