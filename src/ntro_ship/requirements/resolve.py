"""`--fix --resolve`: versions picked by pip-tools' resolver.

pip-compile runs in a subprocess on a throw-away `requirements.in`. Its
failures arrive as a pip traceback; the user needs one line out of it (which
requirement could not be resolved, on which index), so that is what is kept.
"""

from __future__ import annotations

import importlib.util
import os
import re
import subprocess
import sys
import tempfile

from ntro_ship.errors import UsageError
from ntro_ship.requirements.config import LintConfig
from ntro_ship.requirements.parsing import Entry

NOT_FOUND = re.compile(
    r"Could not find a version that satisfies the requirement (?P<req>\S+)"
    r"(?: \(from versions: (?P<versions>[^)]*)\))?"
)
NO_DISTRIBUTION = re.compile(r"No matching distribution found for (?P<req>\S+)")
INDEXES = re.compile(r"Looking in indexes: (?P<indexes>.+)")


def resolve(entries: list[Entry]) -> dict[str, str]:
    """Versions pip-tools picks for the loose requirements (needs the index)."""
    if importlib.util.find_spec("piptools") is None:
        raise UsageError(
            "--resolve needs pip-tools, which is not installed in this "
            f"Python ({sys.executable}): `pip install pip-tools`, or pass "
            "--pin-from LOCKFILE instead"
        )

    from ntro_ship.requirements.fix import pins_from

    wanted = sorted({f"{e.name}{e.specifier}" for e in entries if e.name})
    with tempfile.TemporaryDirectory() as folder:
        source = os.path.join(folder, "requirements.in")
        target = os.path.join(folder, "requirements.txt")
        with open(source, "w", encoding="utf-8") as handle:
            handle.write("\n".join(wanted) + "\n")
        command = [
            *(sys.executable, "-m", "piptools", "compile", "--verbose"),
            *("--no-header", "--no-annotate", "--strip-extras"),
            *("--output-file", target, source),
        ]
        result = subprocess.run(command, capture_output=True, text=True, check=False)
        if result.returncode != 0:
            raise UsageError(failure_message(result.stdout + result.stderr))
        return pins_from([target], LintConfig())


def failure_message(output: str) -> str:
    """One sentence out of pip-compile's output: what failed, where, what next."""
    indexes = INDEXES.search(output)
    where = f"on {indexes.group('indexes').strip()}" if indexes else "on the index"
    advice = (
        "check the name and the index (PIP_INDEX_URL or pip.conf), or pass "
        "--pin-from LOCKFILE"
    )

    missing = NOT_FOUND.search(output) or NO_DISTRIBUTION.search(output)
    if missing:
        seen = _versions(missing.groupdict().get("versions"))
        return (
            f"--resolve: no version of {missing.group('req')} found {where}"
            f"{seen}; {advice}"
        )

    errors = [
        line.strip()
        for line in output.splitlines()
        if line.strip().startswith("ERROR:") or "Error:" in line
    ]
    last = errors[-1] if errors else "pip-compile exited with an error"
    return f"--resolve: pip-tools could not resolve the requirements {where}: {last}"


def _versions(listed: str | None) -> str:
    if not listed:
        return ""
    if listed.strip() == "none":
        return " (the index has no package of that name)"
    versions = [v.strip() for v in listed.split(",")]
    return f" ({len(versions)} versions there, the last {versions[-1]}; none fits)"
