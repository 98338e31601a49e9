"""Everything specific to GitHub Actions: annotations, outputs, summary, groups.

Outside Actions (GITHUB_ACTIONS unset) every function here is a no-op, so the
rest of the code can call them unconditionally.

Workflow commands (annotations, groups) go to stderr: the runner reads them
from both streams, and stdout stays what the command promises (`--json` stays
one JSON document). ntro-ship never prints the API key, not even in an
`::add-mask::` command: the key reaches a job as a secret, which GitHub masks,
and the action masks it again before ntro-ship starts.
"""

from __future__ import annotations

import contextlib
import os
import sys
import uuid
from collections.abc import Iterator, Mapping

# GitHub shows at most this many annotations of each level per step; the
# rest are dropped silently, so callers summarise what does not fit.
ANNOTATION_CAP = 10


def in_actions() -> bool:
    return os.environ.get("GITHUB_ACTIONS") == "true"


def _command(line: str) -> None:
    sys.stdout.flush()  # keep the command in order with what came before it
    sys.stderr.write(line + "\n")
    sys.stderr.flush()


def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def annotation(
    level: str,
    message: str,
    *,
    file: str | None = None,
    line: int | None = None,
    column: int | None = None,
    title: str | None = None,
) -> None:
    """Emit `::error` / `::warning` / `::notice` on stderr."""
    if not in_actions():
        return

    properties = {"file": file, "line": line, "col": column, "title": title}
    rendered = ",".join(
        f"{key}={_escape_property(str(value))}"
        for key, value in properties.items()
        if value is not None
    )
    head = f"{level} {rendered}" if rendered else level
    _command(f"::{head}::{_escape_data(message)}")


@contextlib.contextmanager
def group(title: str) -> Iterator[None]:
    """A collapsible log group; a plain block outside Actions."""
    if not in_actions():
        yield
        return

    _command(f"::group::{_escape_data(title)}")
    try:
        yield
    finally:
        _command("::endgroup::")


def _append(variable: str, text: str) -> bool:
    target = os.environ.get(variable)
    if not in_actions() or not target:
        return False

    try:
        with open(target, "a", encoding="utf-8") as handle:
            handle.write(text)
    except OSError as exc:
        # The runner's file, not the user's: the verdict stands, and the
        # step says what it could not hand on.
        annotation(
            "warning",
            f"cannot write {variable} ({target}: {exc.strerror or exc}); this "
            "step's outputs or summary are missing, the verdict is not",
        )
        return False
    return True


def append_summary(markdown: str) -> bool:
    """Add Markdown to the step summary; False when there is none to add to."""
    return _append("GITHUB_STEP_SUMMARY", markdown.rstrip("\n") + "\n\n")


def set_outputs(values: Mapping[str, str]) -> bool:
    """Write step outputs, multi-line safe (heredoc form with a random marker)."""
    lines = []
    for name, value in values.items():
        marker = f"ntro_ship_{uuid.uuid4().hex}"
        lines.append(f"{name}<<{marker}\n{value}\n{marker}\n")
    return _append("GITHUB_OUTPUT", "".join(lines))
