"""Which child runbooks a runbook starts, read from its code without importing it.

The SDK (ntro 0.1.2) starts children by slug, keyword-only:
`self.run_child_workflow(slug=...)`, `self.run_child_workflows(slug=...)` and
`self.collect_documents(runbook_slug=...)` (which defaults to
"document-ingest"). The harness can only run a child whose class it was
given, and a parent that starts an unknown slug retries its workflow task
until the scenario's deadline; reading the slugs up front turns that wait into
an immediate answer: the sibling runbook that has the slug, or a usage error.
"""

from __future__ import annotations

import ast
import dataclasses
from collections.abc import Callable, Iterator
from pathlib import Path

from ntro_ship import runbook as runbooks
from ntro_ship.errors import UsageError

# Method name -> (keyword naming the child's slug, the SDK's default slug).
CHILD_STARTERS: dict[str, tuple[str, str | None]] = {
    "run_child_workflow": ("slug", None),
    "run_child_workflows": ("slug", None),
    "collect_documents": ("runbook_slug", "document-ingest"),
}


@dataclasses.dataclass(frozen=True)
class ChildStart:
    """One call that starts a child; `slug` is None when computed at run time."""

    slug: str | None
    file: Path
    line: int

    @property
    def where(self) -> str:
        return f"{self.file}:{self.line}"


def child_starts(book: runbooks.Runbook) -> list[ChildStart]:
    """Every child-starting call in the runbook's templates/, in file order."""
    modules = parse_templates(book.path / "templates")
    constants = _module_constants(modules)
    found = []
    for path, tree in modules.items():
        names = _names_in_scope(path, tree, constants)
        for call, keyword, default in _starter_calls(tree):
            value = next((k.value for k in call.keywords if k.arg == keyword), None)
            if value is None and any(k.arg is None for k in call.keywords):
                slug = None  # **kwargs: the slug is not in the source
            elif value is None:
                slug = default
            else:
                slug = _string_value(value, names)
            found.append(ChildStart(slug=slug, file=path, line=call.lineno))
    return found


def resolve_children(
    parent: runbooks.Runbook,
    given: list[runbooks.Runbook],
    log: Callable[[str], None],
) -> list[runbooks.Runbook]:
    """`given`, plus the sibling runbook of every child slug no --child gives.

    Children's own children are followed too: the harness registers every
    class in one worker, as the tenant does. A slug with no runbook anywhere
    is a usage error naming the slug and the `--child DIR` flag.
    """
    children = list(given)
    known = {parent.slug, *(child.slug for child in given)}
    pending = [parent, *given]
    while pending:
        book = pending.pop(0)
        for start in child_starts(book):
            if start.slug is None or start.slug in known:
                continue
            sibling = _sibling_with_slug(book.path, start.slug)
            if sibling is None:
                raise UsageError(
                    f"{book.slug} starts child runbook {start.slug!r} "
                    f"({start.where}), but no --child gives it and no folder "
                    f"next to {book.path} holds a runbook with that slug; pass "
                    "--child DIR with the child runbook's folder"
                )
            log(
                f"{book.slug} starts child runbook {start.slug!r}: testing it "
                f"with {sibling.path} (pass --child DIR to choose another)"
            )
            known.add(sibling.slug)
            children.append(sibling)
            pending.append(sibling)
    return children


def _sibling_with_slug(book_path: Path, slug: str) -> runbooks.Runbook | None:
    folder = book_path.resolve()
    candidates = sorted(p for p in folder.parent.iterdir() if p.is_dir())
    # The folder named like the slug first: that is the usual layout.
    candidates.sort(key=lambda path: path.name != slug)
    for candidate in candidates:
        if candidate == folder or not (candidate / runbooks.RUNBOOK_FILE).is_file():
            continue
        try:
            sibling = runbooks.load(candidate)
        except UsageError:
            continue  # a broken neighbour is not ours to report
        if sibling.slug == slug:
            # Keep the user's spelling of the path (relative stays relative).
            return runbooks.Runbook(
                path=book_path.parent / candidate.name,
                front_matter=sibling.front_matter,
            )
    return None


def parse_templates(templates: Path) -> dict[Path, ast.Module]:
    modules = {}
    for path in sorted(templates.rglob("*.py")) if templates.is_dir() else []:
        try:
            modules[path] = ast.parse(path.read_text(encoding="utf-8"), str(path))
        except (OSError, SyntaxError, UnicodeDecodeError, ValueError):
            continue  # the harness reports code it cannot load, with context
    return modules


def _module_constants(modules: dict[Path, ast.Module]) -> dict[Path, dict[str, str]]:
    """Module-level `NAME = "literal"` (or `NAME: str = ...`) per module."""
    constants: dict[Path, dict[str, str]] = {}
    for path, tree in modules.items():
        found = constants.setdefault(path, {})
        for node in tree.body:
            if isinstance(node, ast.Assign):
                targets, value = node.targets, node.value
            elif isinstance(node, ast.AnnAssign) and node.value is not None:
                targets, value = [node.target], node.value
            else:
                continue
            literal = _string_value(value, {})
            for target in targets:
                if isinstance(target, ast.Name) and literal is not None:
                    found[target.id] = literal
    return constants


def _names_in_scope(
    path: Path, tree: ast.Module, constants: dict[Path, dict[str, str]]
) -> dict[str, str]:
    """This module's constants plus those it imports from its own package."""
    names = dict(constants.get(path, {}))
    for node in tree.body:
        if not isinstance(node, ast.ImportFrom) or node.level == 0:
            continue
        source = path.parent
        for _ in range(node.level - 1):
            source = source.parent
        module = source.joinpath(*(node.module or "").split(".")).with_suffix(".py")
        for alias in node.names:
            value = constants.get(module, {}).get(alias.name)
            if value is not None:
                names[alias.asname or alias.name] = value
    return names


def _starter_calls(
    tree: ast.Module,
) -> Iterator[tuple[ast.Call, str, str | None]]:
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        function = node.func
        name = function.attr if isinstance(function, ast.Attribute) else None
        if name in CHILD_STARTERS:
            keyword, default = CHILD_STARTERS[name]
            yield node, keyword, default


def _string_value(node: ast.expr, names: dict[str, str]) -> str | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.Name):
        return names.get(node.id)
    return None
