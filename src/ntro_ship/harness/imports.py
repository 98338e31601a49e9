"""What a runbook's code imports, and what its requirements.txt asks for.

Both are read here, without importing anything; `dependencies.py`, inside the
runbook's environment, then tells which imported module only the dev
requirements provide. The environment necessarily holds the dev packages (the
harness needs them), so merely importing the code there proves nothing.
"""

from __future__ import annotations

import ast
import warnings
from pathlib import Path

from packaging.requirements import InvalidRequirement, Requirement

import requirements
from ntro_ship import runbook as runbooks
from ntro_ship.harness.children import parse_templates


def imported_modules(book: runbooks.Runbook) -> dict[str, str]:
    """Top-level module -> where it is first imported (`templates/x.py:3`).

    Relative imports and the bundle's own modules (`from models import X`
    with `templates/models.py`) are left out: they come with the code.
    """
    templates = book.path / "templates"
    own = {"templates"}
    if templates.is_dir():
        own |= {entry.stem for entry in templates.iterdir()}

    found: dict[str, str] = {}
    for path, tree in parse_templates(templates).items():
        where = path.relative_to(book.path)
        for line, module in sorted(_absolute_imports(tree)):
            if module not in own:
                found.setdefault(module, f"{where}:{line}")
    return found


def _absolute_imports(tree: ast.Module) -> set[tuple[int, str]]:
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module]
        else:
            continue
        found |= {(node.lineno, name.partition(".")[0]) for name in names}
    return found


def runtime_requirements(path: Path) -> list[str]:
    """The requirements of `path` and the files it includes with `-r`.

    Constraints (`-c`) and options add nothing the tenant installs. A file
    pip could not read has already failed the environment build, so it is
    not reported again here.
    """
    try:
        with path.open(encoding="utf-8") as handle, warnings.catch_warnings():
            # The parser warns about every option line it skips, by design.
            warnings.simplefilter("ignore")
            parsed = list(requirements.parse(handle))
    except (OSError, ValueError):
        return []

    lines: list[str] = []
    for requirement in parsed:
        if not requirement.name:
            continue
        try:
            lines.append(str(Requirement(requirement.line)))
        except InvalidRequirement:
            # `-e git+...#egg=name` and the like: the name is what counts.
            extras = ",".join(requirement.extras)
            lines.append(
                f"{requirement.name}[{extras}]" if extras else requirement.name
            )
    return lines
