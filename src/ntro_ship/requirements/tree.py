"""Read a requirements file and everything it pulls in with -r and -c.

Each file is read once, parsed into entries, and given a role: a file a
runtime file includes with -r is runtime too (pip installs it), the target of
-c is a constraints file. Problems found while reading (an unreadable file, a
missing include, a cycle, a line pip cannot parse) become findings here; the
rules in `rules.py` then judge the entries.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Callable

from ntro_ship.requirements.config import LintConfig
from ntro_ship.requirements.decoding import DecodeError, decode
from ntro_ship.requirements.defaults import MAX_FILE_BYTES, NOT_REGULAR
from ntro_ship.requirements.lines import LogicalLine, logical_lines
from ntro_ship.requirements.parsing import Entry, ParseError, parse
from ntro_ship.requirements.roles import CONSTRAINTS, DEV, RUNTIME, role_for

# (code, path, line, column, package, message, source line or None)
Report = Callable[[str, str, int, int, "str | None", str, "LogicalLine | None"], None]


class NotRequirements(Exception):
    """A path that cannot hold a requirements file: why, as a finding says it."""


def read_bounded(path: str) -> bytes:
    """The bytes of a regular file of at most MAX_FILE_BYTES.

    A device never ends (`/dev/zero` fills the memory) and opening a fifo
    waits for a writer, so neither is opened; the fstat after a non-blocking
    open catches a path swapped for one in between.
    """
    _check_regular(os.stat(path).st_mode)
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)
    descriptor = os.open(path, flags)  # O_BINARY: Windows must not touch CRLF
    with os.fdopen(descriptor, "rb") as handle:
        status = os.fstat(descriptor)
        _check_regular(status.st_mode)
        if status.st_size > MAX_FILE_BYTES:
            raise NotRequirements(_too_big(f"{status.st_size:,} bytes"))
        # The size can be stale (a growing file, a /proc file reporting 0).
        data = handle.read(MAX_FILE_BYTES + 1)
    if len(data) > MAX_FILE_BYTES:
        raise NotRequirements(_too_big(f"more than {MAX_FILE_BYTES:,} bytes"))
    return data


def _check_regular(mode: int) -> None:
    if stat.S_ISDIR(mode):
        raise NotRequirements("is a directory, not a requirements file")
    if not stat.S_ISREG(mode):
        raise NotRequirements(f"{NOT_REGULAR}; name a requirements file")


def _too_big(size: str) -> str:
    return (
        f"is {size}, over the {MAX_FILE_BYTES:,}-byte (10 MB) limit for a "
        "requirements file; is this the right file?"
    )


class RequirementsFile:
    def __init__(self, path: str, role: str) -> None:
        self.path = path
        self.role = role
        self.entries: list[Entry] = []


def role_of(path: str, config: LintConfig) -> str:
    return role_for(
        path, config.runtime_files, config.dev_files, config.constraints_files
    )


class Tree:
    """All files reached from the files linted in one run."""

    def __init__(self, config: LintConfig, report: Report) -> None:
        self.config = config
        self.report = report
        self.files: dict[tuple[str, str], RequirementsFile] = {}

    def load(
        self, path: str, role: str, *, stack: tuple[str, ...] = ()
    ) -> RequirementsFile | None:
        key = (os.path.realpath(path), role)
        if key in self.files:
            return self.files[key]

        requirements = RequirementsFile(path, role)
        self.files[key] = requirements
        text = self._read(path)
        if text is None:
            return requirements

        for source in logical_lines(text):
            if source.swallowed:
                self._swallowed(path, source)
            if not source.text:
                continue
            try:
                entry = parse(source)
            except ParseError as exc:
                self.report(
                    "NTR060",
                    path,
                    source.number,
                    exc.column,
                    None,
                    f"pip cannot parse this line: {exc}",
                    source,
                )
                continue
            requirements.entries.append(entry)
            if entry.kind == "orphan-hash":
                self.report(
                    "NTR051",
                    path,
                    entry.line,
                    entry.column,
                    None,
                    "--hash on a line of its own belongs to no requirement; "
                    "pip ignores it (end the line before with `\\`)",
                    source,
                )
            elif entry.kind in ("include", "constraint"):
                self._include(requirements, entry, (*stack, key[0]))
        return requirements

    def _read(self, path: str) -> str | None:
        try:
            data = read_bounded(path)
        except OSError as exc:
            reason = exc.strerror or str(exc)
            self.report("NTR061", path, 1, 1, None, f"cannot be read: {reason}", None)
            return None
        except NotRequirements as exc:
            self.report("NTR061", path, 1, 1, None, str(exc), None)
            return None
        try:
            return decode(data)[0]
        except DecodeError as exc:
            self.report("NTR061", path, 1, 1, None, f"file {exc}", None)
            return None

    def _swallowed(self, path: str, source: LogicalLine) -> None:
        hidden = [text.strip() for _, text in source.swallowed if text.strip()]
        if not hidden:
            return
        self.report(
            "NTR050",
            path,
            source.number,
            1,
            None,
            "the comment on this line ends in a backslash, so pip also "
            f"ignores the next line ({hidden[0]!r}); remove the backslash",
            source,
        )

    def _include(
        self, parent: RequirementsFile, entry: Entry, stack: tuple[str, ...]
    ) -> None:
        target = entry.target
        if "://" in target:
            # Lint never touches the network (hooks run offline), so the
            # target stays unchecked; saying so beats passing in silence.
            self.report(
                "NTR064",
                parent.path,
                entry.line,
                entry.column,
                None,
                f"{'-r' if entry.kind == 'include' else '-c'} {target} is fetched "
                "when pip installs and was not checked (its content can change); "
                "copy the file next to this one and include it by path",
                entry.source,
            )
            return
        folder = os.path.dirname(parent.path)
        path = os.path.normpath(os.path.join(folder, target))
        option = "-r" if entry.kind == "include" else "-c"

        if os.path.realpath(path) in stack:
            self.report(
                "NTR063",
                parent.path,
                entry.line,
                entry.column,
                None,
                f"{option} {target} includes a file that already includes "
                "this one; remove one of the two includes",
                entry.source,
            )
            return
        if not os.path.isfile(path):
            if os.path.isdir(path):
                problem = (
                    "is a directory, not a requirements file; name the file inside it"
                )
            elif os.path.exists(path):
                problem = f"{NOT_REGULAR}; name a requirements file"
            else:
                problem = "no such file"
            self.report(
                "NTR062",
                parent.path,
                entry.line,
                entry.column,
                None,
                f"{option} {target}: {problem} (looked for {path})",
                entry.source,
            )
            return

        if entry.kind == "constraint":
            role = CONSTRAINTS
        elif parent.role == RUNTIME:
            role = RUNTIME
            if role_of(path, self.config) == DEV:
                self.report(
                    "NTR031",
                    parent.path,
                    entry.line,
                    entry.column,
                    None,
                    f"-r {target} pulls a development file into runtime "
                    "requirements; install it from the dev file instead",
                    entry.source,
                )
        else:
            role = parent.role
        entry.target = path
        self.load(path, role, stack=stack)
