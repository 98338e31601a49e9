"""A finding: one rule broken at one place, with a stable code and kind."""

from __future__ import annotations

import dataclasses

# A finding repeats the requirement as written; past this length (a
# generated or corrupted line) it shows the start and the size instead.
QUOTE_LIMIT = 120


@dataclasses.dataclass(frozen=True)
class Finding:
    path: str
    line: int
    column: int
    code: str
    kind: str
    severity: str
    package: str | None
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}:{self.column}: {self.code} {self.message}"

    def as_dict(self) -> dict[str, object]:
        return dataclasses.asdict(self)


def sort_key(finding: Finding) -> tuple[str, int, int, str]:
    return (finding.path, finding.line, finding.column, finding.code)


def quoted(text: str) -> str:
    """`text` as a finding repeats it: whole, or its start and its size."""
    if len(text) <= QUOTE_LIMIT:
        return text
    return f"{text[:QUOTE_LIMIT]}... ({len(text):,} characters)"
