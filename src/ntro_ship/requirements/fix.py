"""`--fix`: pin loose runtime requirements to versions from a lock file.

The versions come from files given with `--pin-from` (a lock file, a
constraints file or `pip freeze` output: any requirements file whose lines
are `name==version`) or, with `--resolve`, from pip-tools. Only the
version specifier of a line changes (and a missing SDK extra is appended);
comments, order, extras, markers, hashes, option lines, the encoding, the
byte-order mark and the line endings stay as they were.
"""

from __future__ import annotations

import os
import re

from packaging.specifiers import InvalidSpecifier, SpecifierSet

from ntro_ship.errors import UsageError
from ntro_ship.requirements.config import LintConfig
from ntro_ship.requirements.decoding import DecodeError, decode
from ntro_ship.requirements.defaults import NOT_REGULAR
from ntro_ship.requirements.findings import Finding
from ntro_ship.requirements.lines import LogicalLine
from ntro_ship.requirements.parsing import Entry, ParseError, parse
from ntro_ship.requirements.roles import CONSTRAINTS, RUNTIME
from ntro_ship.requirements.tree import Tree

NO_PIN_SOURCE = (
    "--fix needs a source of versions: pass --pin-from FILE (a lock, "
    "constraints or `pip freeze` file) or --resolve (pick them with pip-tools)"
)
PINNABLE = {"NTR001", "NTR002", "NTR022"}
# The blanks after a name belong to the head only when extras follow: taken
# otherwise, they would vanish from `name \`, `name # c` or `name --hash`,
# where they are what keeps pip from gluing the pin to the next token.
HEAD = re.compile(
    r"(?P<name>[A-Za-z0-9][A-Za-z0-9._-]*)(?:[ \t]*(?P<extras>\[[^\]]*\]))?"
)
SPEC_END = re.compile(r"[ \t]*(;|[ \t]#|[ \t]--|\\$)|[ \t]*$")


def pins_from(paths: list[str], config: LintConfig) -> dict[str, str]:
    """name -> version for every exact pin in the given files."""
    problems: list[str] = []
    tree = Tree(
        config,
        lambda code, path, line, *rest: problems.append(f"{path}:{line}: {rest[2]}"),
    )
    pins: dict[str, str] = {}
    for path in paths:
        if not os.path.isfile(path):
            if os.path.isdir(path):
                problem = "is a directory; pass the lock file inside it"
            elif os.path.exists(path):
                problem = f"{NOT_REGULAR}; pass a lock file"
            else:
                problem = "no such file"
            raise UsageError(f"--pin-from {path}: {problem}")
        loaded = tree.load(path, CONSTRAINTS)
        for entry in loaded.entries if loaded else []:
            spec = entry.specifier
            if entry.name and spec.startswith("==") and "*" not in spec:
                pins.setdefault(entry.name, spec.lstrip("="))
    if problems:
        raise UsageError(f"--pin-from cannot be read: {problems[0]}")
    return pins


def apply(
    findings: list[Finding],
    config: LintConfig,
    *,
    pin_from: list[str],
    use_resolver: bool,
) -> list[str]:
    """Rewrite the files with fixable findings; return the paths changed."""
    by_file: dict[str, dict[int, set[str]]] = {}
    for finding in findings:
        if finding.code in PINNABLE or finding.code == "NTR021":
            lines = by_file.setdefault(finding.path, {})
            lines.setdefault(finding.line, set()).add(finding.code)
    if not by_file:
        return []

    tree = Tree(config, lambda *args: None)
    targets: dict[str, list[tuple[Entry, set[str]]]] = {}
    for path, lines in by_file.items():
        loaded = tree.load(path, RUNTIME)
        for entry in loaded.entries if loaded else []:
            if entry.line in lines and entry.name:
                targets.setdefault(path, []).append((entry, lines[entry.line]))

    pins = pins_from(pin_from, config) if pin_from else {}
    if use_resolver:
        loose = [
            e for items in targets.values() for e, codes in items if codes & PINNABLE
        ]
        from ntro_ship.requirements.resolve import resolve

        pins = {**resolve(loose), **pins}
    needed = {
        (finding.path, finding.line): _extra(finding.message)
        for finding in findings
        if finding.code == "NTR021"
    }

    changed = []
    for path, items in sorted(targets.items()):
        if _rewrite(path, items, pins, needed):
            changed.append(path)
    return changed


def _extra(message: str) -> str:
    match = re.search(r"lacks the \[([^\]]+)\] extra", message)
    return match.group(1) if match else ""


def _rewrite(
    path: str,
    items: list[tuple[Entry, set[str]]],
    pins: dict[str, str],
    needed: dict[tuple[str, int], str],
) -> bool:
    with open(path, "rb") as handle:
        data = handle.read()
    try:
        text, encoding, bom = decode(data)
    except DecodeError:
        return False
    lines = text.splitlines(keepends=True)

    for entry, codes in items:
        index = entry.line - 1
        version = pins.get(entry.name or "")
        if codes & PINNABLE and not _fits(version, entry.specifier):
            version = None
        extra = needed.get((path, entry.line)) if "NTR021" in codes else None
        if version is None and not extra:
            continue
        edited = _edit(lines[index], entry.column - 1, version, extra)
        if _reads_as_fixed(entry, edited, version, extra):
            lines[index] = edited

    new_text = "".join(lines)
    if new_text == text:
        return False
    with open(path, "wb") as handle:
        handle.write(bom + new_text.encode(encoding))
    return True


def _reads_as_fixed(
    entry: Entry, edited: str, version: str | None, extra: str | None
) -> bool:
    """Would pip read the edited line as the same requirement, now fixed?

    Only the first physical line is edited, so a requirement whose version
    goes on after a backslash (`name>=2,\\` then `<3`) would be joined into
    nonsense: such a line is left as it was, and its finding stays.
    """
    physical = [*edited.splitlines()[:1], *entry.source.physical[1:]]
    try:
        fixed = parse(LogicalLine(entry.line, physical))
    except ParseError:
        return False
    return (
        fixed.name == entry.name
        and (version is None or fixed.specifier == f"=={version}")
        and (not extra or extra in fixed.extras)
        and fixed.hashes == entry.hashes
        and str(fixed.marker) == str(entry.marker)
    )


def _fits(version: str | None, specifier: str) -> bool:
    if version is None:
        return False
    try:
        return SpecifierSet(specifier).contains(version, prereleases=True)
    except InvalidSpecifier:
        return False


def _edit(line: str, start: int, version: str | None, extra: str | None) -> str:
    body = line.rstrip("\r\n")
    return _edit_body(body, start, version, extra) + line[len(body) :]


def _edit_body(line: str, start: int, version: str | None, extra: str | None) -> str:
    head = HEAD.match(line, start)
    if head is None:
        return line

    extras = head.group("extras")
    if extra:
        inside = extras[1:-1].strip() if extras else ""
        extras = f"[{inside},{extra}]" if inside else f"[{extra}]"
    name_end = head.end("name")
    rest_start = head.end()
    stop = SPEC_END.search(line, rest_start)
    spec_end = stop.start() if stop else len(line)
    spec = f"=={version}" if version else line[rest_start:spec_end].strip()
    gap = line[name_end : head.start("extras")] if head.group("extras") else ""
    return line[:name_end] + gap + (extras or "") + spec + line[spec_end:]
