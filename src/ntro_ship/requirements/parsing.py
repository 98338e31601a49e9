"""One logical line to one `Entry`: a requirement, an include or an option.

pip splits a line at the first token that starts with `-`: what comes before
is the requirement, what comes after are options (`--hash` and friends). Named
requirements are parsed with `packaging`; direct references (URLs, VCS,
editables) with `requirements-parser`, which knows pip's URL fragments.
"""

from __future__ import annotations

import re
import shlex

from packaging.markers import Marker
from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import canonicalize_name

from ntro_ship.requirements.lines import ENV_VAR, LogicalLine

# Options pip accepts in a requirements file, and whether they take a value.
TAKES_VALUE = {
    "-r": "-r", "--requirement": "-r", "-c": "-c", "--constraint": "-c",
    "-e": "-e", "--editable": "-e", "-i": "-i", "--index-url": "-i",
    "--extra-index-url": "--extra-index-url", "-f": "-f", "--find-links": "-f",
    "--no-binary": "--no-binary", "--only-binary": "--only-binary",
    "--trusted-host": "--trusted-host", "--use-feature": "--use-feature",
    "--hash": "--hash", "--config-settings": "--config-settings",
    "--global-option": "--global-option",
}  # fmt: skip
FLAGS = {"--no-index", "--pre", "--prefer-binary", "--require-hashes"}
PER_REQUIREMENT = {"--hash", "--config-settings", "--global-option"}
URL_START = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://")
VCS_PREFIX = re.compile(r"^(git|hg|svn|bzr)\+", re.I)
EXTRAS = re.compile(r"^\s*[A-Za-z0-9._-]+\s*\[([^\]]*)\]")
ARCHIVE = (".whl", ".tar.gz", ".tgz", ".tar.bz2", ".tar.xz", ".zip", ".tar")


class ParseError(Exception):
    def __init__(self, message: str, column: int) -> None:
        super().__init__(message)
        self.column = column


class Entry:
    """What one logical line asks pip to do."""

    __slots__ = (
        "column", "extras", "hashes", "kind", "line", "marker", "name",
        "raw", "reference", "revision", "source", "specifier", "target",
        "url_hash", "variables", "vcs",
    )  # fmt: skip

    def __init__(self, source: LogicalLine, kind: str, column: int) -> None:
        self.source = source
        self.line = source.number
        self.kind = kind  # requirement | include | constraint | editable | option
        self.column = column
        self.raw = ""
        self.name: str | None = None  # canonical name
        self.extras: tuple[str, ...] = ()
        self.specifier = ""
        self.marker: Marker | None = None
        self.reference: str | None = None  # URL, VCS URL or path
        self.hashes: list[str] = []
        self.vcs: str | None = None
        self.revision: str | None = None
        self.url_hash: str | None = None
        self.target = ""
        self.variables: list[str] = []


def parse(source: LogicalLine) -> Entry:
    """Parse one logical line; raise ParseError with a 1-based column."""
    text = source.text
    offset = source.physical[0].find(text.split(" ", 1)[0]) + 1 if text else 1
    column = max(offset, 1)
    requirement, options = _split(text)

    entry = Entry(source, "option", column)
    entry.variables = ENV_VAR.findall(text)
    parsed = _options(options, column)
    if requirement:
        entry.kind = "requirement"
        entry.raw = requirement
        for option, _ in parsed:
            if option not in PER_REQUIREMENT:
                raise ParseError(
                    f"option {option} cannot follow a requirement on the same "
                    "line; give it a line of its own",
                    column,
                )
        entry.hashes = [value for option, value in parsed if option == "--hash"]
        # pip expands ${VAR} from the installing machine's environment; a
        # stand-in keeps the line parseable and the rules judge the variable.
        _requirement(entry, ENV_VAR.sub("0", requirement))
        return entry

    for option, value in parsed:
        if option in ("-r", "-c"):
            entry.kind = "include" if option == "-r" else "constraint"
            entry.target = value
        elif option == "-e":
            entry.kind = "editable"
            entry.raw = value
            _editable(entry, value)
        elif option == "--hash":
            entry.kind = "orphan-hash"
        elif option == "--require-hashes":
            entry.kind = "require-hashes"
    return entry


def _split(text: str) -> tuple[str, str]:
    """pip's break_args_options: tokens before the first `-token` are the req."""
    tokens = text.split(" ")
    for index, token in enumerate(tokens):
        if token.startswith("-"):
            return " ".join(tokens[:index]), " ".join(tokens[index:])
    return text, ""


def _options(text: str, column: int) -> list[tuple[str, str]]:
    try:
        tokens = shlex.split(text)
    except ValueError as exc:
        raise ParseError(f"cannot split options: {exc}", column) from None

    parsed: list[tuple[str, str]] = []
    index = 0
    while index < len(tokens):
        token = tokens[index]
        index += 1
        name, equals, value = token.partition("=")
        if not token.startswith("--") and len(token) > 2 and token[:2] in TAKES_VALUE:
            name, equals, value = token[:2], "=", token[2:]
        if name in FLAGS and not equals:
            parsed.append((name, ""))
            continue
        if name not in TAKES_VALUE:
            raise ParseError(f"pip does not know the option {token!r}", column)
        if not equals:
            if index >= len(tokens):
                raise ParseError(f"option {name} needs a value", column)
            value = tokens[index]
            index += 1
        parsed.append((TAKES_VALUE[name], value))
    return parsed


def _requirement(entry: Entry, text: str) -> None:
    if URL_START.match(text) or VCS_PREFIX.match(text) or _looks_like_path(text):
        _direct(entry, text)
        return

    try:
        parsed = Requirement(text)
    except InvalidRequirement as exc:
        raise ParseError(_first_line(exc), entry.column) from None

    entry.name = canonicalize_name(parsed.name)
    written = EXTRAS.match(text)
    if written:
        extras = (extra.strip() for extra in written.group(1).split(","))
        entry.extras = tuple(extra for extra in extras if extra)
    entry.specifier = str(parsed.specifier)
    entry.marker = parsed.marker
    if parsed.url is not None:
        _reference(entry, parsed.url)


def _direct(entry: Entry, text: str) -> None:
    """A bare URL, VCS URL or path, maybe with `#egg=name`."""
    reference, _, marker = text.partition(";")
    _reference(entry, reference.strip())
    if marker.strip():
        try:
            entry.marker = Marker(marker.strip())
        except Exception as exc:  # packaging raises several marker errors
            raise ParseError(_first_line(exc), entry.column) from None


def _editable(entry: Entry, value: str) -> None:
    _reference(entry, value)


def _reference(entry: Entry, reference: str) -> None:
    """VCS, revision and hash of a direct reference, read by requirements-parser."""
    from requirements.requirement import Requirement as Reference

    entry.reference = reference
    egg = re.search(r"[#&]egg=([A-Za-z0-9._-]+)", reference)
    if egg:
        entry.name = entry.name or canonicalize_name(egg.group(1))
    if not (URL_START.match(reference) or VCS_PREFIX.match(reference)):
        return

    try:
        details = Reference.parse_line(reference)
    except Exception:  # its fallback hands anything else to packaging
        return
    entry.vcs = details.vcs
    entry.revision = details.revision
    entry.url_hash = details.hash


def _looks_like_path(text: str) -> bool:
    head = text.split(";", 1)[0].strip()
    if " @ " in head or "@" in head.split("/", 1)[0]:
        return False
    return (
        "/" in head or "\\" in head or head.startswith(".")
        or head.lower().endswith(ARCHIVE)
    )  # fmt: skip


def _first_line(exc: BaseException) -> str:
    return str(exc).splitlines()[0] if str(exc) else type(exc).__name__
