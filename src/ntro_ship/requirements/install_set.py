"""Rules about an install set as a whole: duplicates and hash-checking mode."""

from __future__ import annotations

from ntro_ship.requirements.findings import quoted
from ntro_ship.requirements.markers import may_overlap
from ntro_ship.requirements.parsing import Entry
from ntro_ship.requirements.tree import Report, RequirementsFile


def hash_mode(
    top: RequirementsFile,
    entries: list[tuple[RequirementsFile, Entry]],
    report: Report,
) -> None:
    """One --hash turns on pip's hash-checking mode for the whole install:
    then every requirement needs a hash, or the tenant's install fails."""
    # A `#sha256=` URL fragment checks that download only; --hash options
    # are what switch pip into hash-checking mode.
    hashed = [e for _, e in entries if e.hashes]
    required = any(e.kind == "require-hashes" for e in top.entries)
    if not hashed and not required:
        return

    reason = (
        "--require-hashes is set"
        if required
        else (f"other requirements carry --hash (line {hashed[0].line})")
    )
    for owner, entry in entries:
        if entry.kind == "requirement" and not (entry.hashes or entry.url_hash):
            report(
                "NTR052",
                owner.path,
                entry.line,
                entry.column,
                entry.name,
                f"{quoted(entry.raw.split(';', 1)[0].strip())} has no --hash, but "
                f"{reason}, so pip refuses the whole install; regenerate the "
                "file with pip-compile --generate-hashes",
                entry.source,
            )


def duplicates(entries: list[tuple[RequirementsFile, Entry]], report: Report) -> None:
    seen: dict[str, list[tuple[RequirementsFile, Entry]]] = {}
    for owner, entry in entries:
        if entry.name is None:
            continue
        for first_owner, first in seen.get(entry.name, []):
            if not may_overlap(first.marker, entry.marker):
                continue
            at = (owner.path, entry.line, entry.column, entry.name)
            where = f"{first_owner.path}:{first.line}"
            if _same(first, entry) and set(first.extras) != set(entry.extras):
                # `-r requirements.txt` then `ntro[testing]==X`: pip merges the
                # extras of one pin, the usual way to add a dev-only extra.
                break
            if _same(first, entry):
                report(
                    "NTR040",
                    *at,
                    f"{entry.name} is already listed at {where}; "
                    "remove one of the two lines",
                    entry.source,
                )
            else:
                report(
                    "NTR041",
                    *at,
                    f"{entry.name} is listed at {where} with a "
                    "different version or source; keep one line",
                    entry.source,
                )
            break
        seen.setdefault(entry.name, []).append((owner, entry))


def _same(first: Entry, second: Entry) -> bool:
    return (first.specifier, first.reference) == (second.specifier, second.reference)
