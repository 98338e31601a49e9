"""The rule table: one stable code per kind of finding.

Codes never change meaning once published; a retired rule keeps its number.
The hook selects rules by code prefix (`NTR03` is every dev-dependency rule),
so related rules share a decade. This module imports nothing, because the
fast hook path reads it before deciding whether to load the full linter.
"""

from __future__ import annotations

ERROR = "error"
WARNING = "warning"

# code: (kind, default severity, one-line summary used by --format sarif)
RULES: dict[str, tuple[str, str, str]] = {
    "NTR001": ("unpinned", ERROR, "Runtime requirement has no version pin"),
    "NTR002": ("loose-specifier", ERROR, "Runtime requirement is a range, not a pin"),
    "NTR003": ("arbitrary-equality", WARNING, "Runtime requirement pinned with ==="),
    "NTR010": ("unpinned-vcs", ERROR, "VCS requirement not pinned to a full commit"),
    "NTR011": ("unpinned-url", ERROR, "URL requirement without a hash"),
    "NTR012": ("local-path", ERROR, "Runtime requirement points at a local path"),
    "NTR013": ("editable", ERROR, "Editable (-e) install in a runtime file"),
    "NTR020": ("missing-sdk", ERROR, "Code imports ntro but no ntro requirement"),
    "NTR021": ("missing-extra", ERROR, "ntro requirement lacks an extra the code uses"),
    "NTR022": ("extras-unpinned", ERROR, "ntro requirement with extras is not pinned"),
    "NTR023": ("missing-requirements", ERROR, "Runbook has no runtime requirements"),
    "NTR030": ("dev-dependency", ERROR, "Development-only package in a runtime file"),
    "NTR031": ("dev-include", ERROR, "Runtime file includes a development file"),
    "NTR040": ("duplicate", WARNING, "Package listed twice with the same pin"),
    "NTR041": ("conflicting-duplicate", ERROR, "Package listed twice, differently"),
    "NTR050": ("swallowed-line", WARNING, "Comment ending in a backslash hides a line"),
    "NTR051": ("orphan-hash", WARNING, "--hash line that belongs to no requirement"),
    "NTR052": ("missing-hash", ERROR, "Requirement without a hash in hash mode"),
    "NTR060": ("parse-error", ERROR, "Line pip cannot parse"),
    "NTR061": ("unreadable", ERROR, "File cannot be read or decoded"),
    "NTR062": ("missing-include", ERROR, "-r/-c target does not exist"),
    "NTR063": ("include-cycle", ERROR, "-r/-c include cycle"),
    "NTR064": ("remote-include", WARNING, "-r/-c target is a URL, not checked"),
}

# The two focused hooks; `ntro-ship-lint` runs every rule.
PIN_RULES = tuple(code for code in RULES if not code.startswith("NTR03"))
DEV_RULES = ("NTR03", "NTR06")


def matches(code: str, selectors: tuple[str, ...] | list[str]) -> bool:
    """True when `code` starts with one of the selectors (`NTR0`, `NTR030`)."""
    return any(code.startswith(selector) for selector in selectors)
