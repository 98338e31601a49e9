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
import stat
import sys

from ntro_ship.requirements import defaults, roles, sdk

# Not even `re` is imported here: on a three-line file its import costs more
# than the whole check, and the peers we measure against import almost nothing.
NAME_CHARS = frozenset(
    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-"
)
HEX = frozenset("0123456789abcdef")
HASH_PREFIXES = ("--hash=sha256:", "--hash=sha384:", "--hash=sha512:")
OPTIONS_WITH_VALUE = ("--select", "--ignore", "--pin-from", "--role", "--format")
USAGE = """\
usage: ntro-requirements [OPTIONS] FILE...

The pre-commit hooks of ntro-ship (ntro-requirements, ntro-requirements-pinned,
ntro-requirements-no-dev): check requirements files against the pinning
contract. Exit 0 clean, 1 findings or a file fixed, 2 usage or config error.

options:
  --select CODES     only these codes or prefixes (NTR0,NTR030)
  --ignore CODES     skip these codes or prefixes
  --role ROLE        judge the files as runtime, dev or constraints
  --format FORMAT    text (default), json or sarif
  --fix              pin loose requirements in place (needs --pin-from or
                     --resolve)
  --pin-from FILE    lock, constraints or `pip freeze` file to take versions from
  --resolve          pick versions with pip-tools
  -h, --help         show this message and exit

The rules and settings: docs/lint.md; `ntro-ship lint --list-rules`.
"""


def _is_name(text: str) -> bool:
    return (
        bool(text)
        and text[0].isalnum()
        and text[-1].isalnum()
        and text.isascii()
        and NAME_CHARS.issuperset(text)
    )


def _normalise(name: str) -> str:
    name = name.lower().replace("_", "-").replace(".", "-")
    while "--" in name:
        name = name.replace("--", "-")
    return name


def _pin(line: str) -> tuple[str, set[str], bool] | None:
    """(name, extras, continued) for `name[extras]==1.2.3`, else None.

    Only plain release versions are accepted; anything rarer (pre-releases,
    local versions, markers) goes to the full linter, which judges it.
    """
    body = line.rstrip()
    continued = body.endswith("\\")
    if continued:
        body = body[:-1]
        if body[-1:] not in (" ", "\t"):
            return None
        body = body.rstrip()
    for marker in (" #", "\t#"):
        if marker in body:
            body, comment = body.split(marker, 1)
            if continued or "\\" in comment:
                return None
            body = body.rstrip()
    requirement, equals, version = body.partition("==")
    if not equals or not version.replace(".", "").isdigit() or ".." in version:
        return None
    if version.startswith(".") or version.endswith(".") or not version.isascii():
        return None

    extras: set[str] = set()
    if requirement.endswith("]"):
        requirement, bracket, inside = requirement[:-1].partition("[")
        written = inside.split(",")
        if not bracket or not all(_is_name(extra) for extra in written):
            return None
        extras = {extra.lower() for extra in written}
    if not _is_name(requirement):
        return None
    return _normalise(requirement), extras, continued


def _is_hash(line: str) -> tuple[bool, bool]:
    """(is a --hash continuation line, continues further)."""
    body = line.rstrip()
    continued = body.endswith("\\")
    if continued:
        body = body[:-1].rstrip()
    if not line[:1].isspace():
        return False, False
    body = body.lstrip()
    if not body.startswith(HASH_PREFIXES):
        return False, False
    digest = body[14:]
    return bool(digest) and HEX.issuperset(digest), continued


def looks_clean(path: str) -> bool:
    """True only when the full linter would certainly report nothing."""
    role = roles.role_for(
        path, defaults.RUNTIME_FILES, defaults.DEV_FILES, defaults.CONSTRAINTS_FILES
    )
    try:
        # A device or fifo would never end or never open, and a huge file is
        # surely wrong: all go to the full linter, which says why.
        if not stat.S_ISREG(os.stat(path).st_mode):
            return False
        limit = defaults.MAX_FILE_BYTES
        with open(path, "rb") as handle:
            data = handle.read(limit + 1)
        text = data.removeprefix(b"\xef\xbb\xbf").decode("utf-8")
    except (OSError, UnicodeDecodeError):
        return False
    if len(data) > limit:
        return False
    if "\x00" in text:
        return False

    sdk_extras: set[str] | None = None
    names: set[str] = set()
    in_hashes = False
    hashed = unhashed = False
    for line in text.splitlines():
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            in_hashes = False
            continue
        if in_hashes:
            is_hash, in_hashes = _is_hash(line)
            if not is_hash:
                return False
            continue

        pinned = _pin(line)
        if pinned is None:
            return False
        name, extras, in_hashes = pinned
        # One --hash puts pip in hash-checking mode: then all need hashes.
        hashed = hashed or in_hashes
        unhashed = unhashed or not in_hashes
        if name in names:
            return False
        names.add(name)
        if role == roles.RUNTIME and _dev_only(name, extras):
            return False
        if name == "ntro":
            sdk_extras = extras

    if in_hashes or (hashed and unhashed):
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
                    data = handle.read()
                data.decode("utf-8-sig")
            except (OSError, UnicodeDecodeError):
                # The full run reports the file as a configuration error.
                return True
            return b"ntro-ship" in data
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


def _wants_help(arguments: list[str]) -> bool:
    options = arguments[: arguments.index("--")] if "--" in arguments else arguments
    return "--help" in options or "-h" in options


def run(argv: list[str] | None, preset: list[str]) -> int:
    arguments = sys.argv[1:] if argv is None else list(argv)
    if _wants_help(arguments):
        sys.stdout.write(USAGE)
        return 0

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
