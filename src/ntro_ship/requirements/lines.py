"""Physical lines to pip's logical lines, with their first line number.

This mirrors what pip does before it parses a line: split with
`str.splitlines`, join backslash continuations (a line that is only a comment
ends a continuation), drop comments, and expand `${VAR}`. Along the way it
records what pip drops without a word, so the rules can warn about it, and the
suppression comments pip never shows us.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

# pip's own comment pattern: a `#` at the start or after whitespace.
COMMENT = re.compile(r"(^|\s+)#.*$")
SUPPRESSION = re.compile(r"#\s*ntro-ship:\s*ignore(?:\[(?P<codes>[A-Z0-9,\s]*)\])?")
ENV_VAR = re.compile(r"\$\{(?P<name>[A-Z0-9_]+)\}")


class LogicalLine:
    """One line as pip sees it, remembering the physical lines it came from."""

    __slots__ = ("number", "physical", "swallowed", "text")

    def __init__(self, number: int, physical: list[str]) -> None:
        self.number = number
        self.physical = physical
        joined = "".join(
            line[:-1] if line.endswith("\\") else line for line in physical
        )
        self.text = COMMENT.sub("", joined).strip()
        self.swallowed = _swallowed(physical)

    @property
    def last_number(self) -> int:
        return self.number + len(self.physical) - 1

    def suppressed(self) -> frozenset[str] | None:
        """Codes silenced by `# ntro-ship: ignore[...]`; empty set means all."""
        codes: set[str] = set()
        found = False
        for line in self.physical:
            match = SUPPRESSION.search(line)
            if match:
                found = True
                listed = match.group("codes")
                if listed is None:
                    return frozenset()
                codes.update(code.strip() for code in listed.split(",") if code.strip())
        return frozenset(codes) if found else None


def logical_lines(text: str) -> Iterator[LogicalLine]:
    pending: list[str] = []
    start = 0
    for number, line in enumerate(text.splitlines(), start=1):
        if line.endswith("\\") and not COMMENT.match(line):
            if not pending:
                start = number
            pending.append(line)
            continue

        if pending:
            pending.append(line)
            yield LogicalLine(start, pending)
            pending = []
        else:
            yield LogicalLine(number, [line])

    if pending:
        yield LogicalLine(start, pending)


def _swallowed(physical: list[str]) -> list[tuple[int, str]]:
    """Lines after an inline comment that ends in a backslash: pip drops them."""
    for index, line in enumerate(physical[:-1]):
        if line.endswith("\\") and COMMENT.search(line[:-1]):
            rest = physical[index + 1 :]
            return [(index + 1 + offset, text) for offset, text in enumerate(rest)]
    return []
