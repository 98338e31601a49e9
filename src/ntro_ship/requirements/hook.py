"""pre-commit entry points, built to start fast.

A hook runs on every commit, so its cost is mostly Python start-up and
imports. Most commits touch requirements files that are already clean, so
each file first goes through a screen that imports nothing heavier than `re`:
it accepts only lines it can judge with certainty (`name[extras]==version`,
pip-compile `--hash` continuations, comments). If every file passes the
screen the hook exits 0; otherwise the full linter (packaging, the rules,
the config file) runs on all files and reports. The screen never reports a
finding itself, so both paths agree by construction.
"""

from __future__ import annotations

import os
import re
import sys

from ntro_ship.requirements import defaults, roles, sdk

NAME = r"[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?"
VERSION = (
    r"[0-9]+(?:\.[0-9]+)*(?:(?:a|b|rc)[0-9]+)?(?:\.post[0-9]+)?(?:\.dev[0-9]+)?"
    r"(?:\+[a-z0-9]+(?:\.[a-z0-9]+)*)?"
)
PINNED = re.compile(
    rf"(?P<name>{NAME})(?:\[(?P<extras>{NAME}(?:,{NAME})*)\])?=={VERSION}"
    r"(?P<tail>[ \t]+\\|[ \t]+#[^\\]*)?[ \t]*"
)
HASH = re.compile(r"[ \t]+--hash=sha(?:256|384|512):[0-9a-f]+(?P<more>[ \t]+\\)?[ \t]*")
SEPARATORS = re.compile(r"[-_.]+")
OPTIONS_WITH_VALUE = ("--select", "--ignore", "--pin-from", "--role", "--format")


def looks_clean(path: str) -> bool:
    """True only when the full linter would certainly report nothing."""
    role = roles.role_for(
        path, defaults.RUNTIME_FILES, defaults.DEV_FILES, defaults.CONSTRAINTS_FILES
    )
    try:
        with open(path, "rb") as handle:
            data = handle.read()
        text = data.removeprefix(b"\xef\xbb\xbf").decode("utf-8")
    except (OSError, UnicodeDecodeError):
        return False
    if "\x00" in text:
        return False

    sdk_extras: set[str] | None = None
    names: set[str] = set()
    in_hashes = False
    for line in text.splitlines():
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            in_hashes = False
            continue
        if in_hashes:
            hashed = HASH.fullmatch(line)
            if hashed is None:
                return False
            in_hashes = hashed.group("more") is not None
            continue

        pinned = PINNED.fullmatch(line)
        if pinned is None:
            return False
        name = SEPARATORS.sub("-", pinned.group("name")).lower()
        if name in names:
            return False
        names.add(name)
        written = pinned.group("extras")
        extras = set(written.lower().split(",")) if written else set()
        if role == roles.RUNTIME and _dev_only(name, extras):
            return False
        if name == "ntro":
            sdk_extras = extras
        in_hashes = (pinned.group("tail") or "").endswith("\\")

    if in_hashes:
        return False
    if role != roles.RUNTIME:
        return True
    return _sdk_satisfied(path, sdk_extras)


def _dev_only(name: str, extras: set[str]) -> bool:
    if roles.name_matcher(defaults.DEV_PACKAGES)(name):
        return True
    return bool(extras & set(defaults.DEV_EXTRAS.get(name, ())))


def _sdk_satisfied(path: str, carried: set[str] | None) -> bool:
    modules = sdk.imported_modules(sdk.source_files(path), "ntro")
    if not modules:
        return True
    if carried is None:
        return False
    needed = sdk.required_extras(modules, defaults.SDK_EXTRAS)
    return set(needed) <= carried


def _configured() -> bool:
    """A pyproject.toml mentioning ntro-ship may change any rule: go slow."""
    folder = os.getcwd()
    while True:
        candidate = os.path.join(folder, "pyproject.toml")
        if os.path.isfile(candidate):
            try:
                with open(candidate, "rb") as handle:
                    return b"ntro-ship" in handle.read()
            except OSError:
                return True
        parent = os.path.dirname(folder)
        if parent == folder:
            return False
        folder = parent


def _split(argv: list[str]) -> tuple[list[str], list[str]]:
    """(files, options): options are the flags the full linter understands."""
    files: list[str] = []
    options: list[str] = []
    index = 0
    while index < len(argv):
        arg = argv[index]
        index += 1
        if arg == "--":
            files += argv[index:]
            break
        if arg.startswith("-"):
            options.append(arg)
            if arg in OPTIONS_WITH_VALUE and index < len(argv):
                options.append(argv[index])
                index += 1
        else:
            files.append(arg)
    return files, options


def run(argv: list[str] | None, preset: list[str]) -> int:
    arguments = sys.argv[1:] if argv is None else list(argv)
    files, options = _split(arguments)
    screenable = "--role" not in options and "--format" not in options
    if (
        files
        and screenable
        and not _configured()
        and all(looks_clean(path) for path in files)
    ):
        return 0

    from ntro_ship.requirements.full import lint

    return lint(files, [*preset, *options])


def main(argv: list[str] | None = None) -> int:
    """`ntro-requirements`: every rule."""
    return run(argv, [])


def pinned(argv: list[str] | None = None) -> int:
    """`ntro-requirements-pinned`: pins, direct references, SDK extras, syntax."""
    return run(argv, ["--ignore", "NTR03"])


def no_dev(argv: list[str] | None = None) -> int:
    """`ntro-requirements-no-dev`: development-only packages in runtime files."""
    return run(argv, ["--select", "NTR03,NTR06"])


if __name__ == "__main__":
    raise SystemExit(main())
