"""Which parts of the SDK a runbook's code imports, read with `ast`.

Nothing is imported or executed: the sources are parsed, and only files that
mention the SDK's name are parsed at all, so a hook on a large repository
stays quick. Tests and conftest files are skipped: what they import is
development-only and belongs in the dev requirements.
"""

from __future__ import annotations

import os

SKIPPED_DIRS = frozenset(
    {".git", ".hg", ".svn", ".venv", "venv", "node_modules", "__pycache__",
     ".tox", ".nox", "tests", "test", "build", "dist"}
)  # fmt: skip


def runbook_root(requirements_file: str) -> str | None:
    """The runbook folder a requirements file belongs to, if any."""
    folder = os.path.dirname(os.path.abspath(requirements_file))
    for candidate in (folder, os.path.dirname(folder)):
        if os.path.isfile(os.path.join(candidate, "runbook.md")):
            return candidate
    return None


def source_files(requirements_file: str) -> list[str]:
    """The Python files whose imports this requirements file must satisfy.

    Inside a runbook: all of its code. Elsewhere: the .py files beside the
    file and in a `templates/` folder beside it, not a whole repository.
    """
    root = runbook_root(requirements_file)
    if root is not None:
        return sorted(_walk(root))

    folder = os.path.dirname(os.path.abspath(requirements_file))
    found = _python_in(folder) + _python_in(os.path.join(folder, "templates"))
    return sorted(found)


def _python_in(folder: str) -> list[str]:
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return []
    return [entry.path for entry in entries if _is_source(entry)]


def _walk(folder: str) -> list[str]:
    found = _python_in(folder)
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return found
    for entry in entries:
        if (
            entry.is_dir(follow_symlinks=False)
            and entry.name not in SKIPPED_DIRS
            and not entry.name.startswith(".")
        ):
            found.extend(_walk(entry.path))
    return found


def _is_source(entry: os.DirEntry[str]) -> bool:
    name = entry.name
    return (
        name.endswith(".py")
        and not name.startswith("test_")
        and not name.endswith("_test.py")
        and name != "conftest.py"
        and entry.is_file()
    )


def imported_modules(files: list[str], package: str) -> dict[str, tuple[str, int]]:
    """Modules of `package` imported by `files`: name -> (file, line) first seen."""
    found: dict[str, tuple[str, int]] = {}
    needle = package.encode()
    for path in files:
        try:
            with open(path, "rb") as handle:
                data = handle.read()
        except OSError:
            continue
        if needle not in data:
            continue
        for module, line in _imports(data, package):
            found.setdefault(module, (path, line))
    return found


def _imports(data: bytes, package: str) -> list[tuple[str, int]]:
    import ast

    try:
        tree = ast.parse(data)
    except (SyntaxError, ValueError):
        # The test stage reports broken code; here it simply imports nothing.
        return []

    found: list[tuple[str, int]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module]
            if node.module == package:
                names += [f"{package}.{alias.name}" for alias in node.names]
        else:
            continue
        for name in names:
            if name == package or name.startswith(package + "."):
                found.append((name, node.lineno))
    return found


def required_extras(
    modules: dict[str, tuple[str, int]], extra_map: dict[str, str]
) -> dict[str, tuple[str, str, int]]:
    """extra -> (module, file, line) for each extra the imports need."""
    needed: dict[str, tuple[str, str, int]] = {}
    for module, (path, line) in sorted(modules.items()):
        for prefix, extra in extra_map.items():
            if module == prefix or module.startswith(prefix + "."):
                needed.setdefault(extra, (module, path, line))
    return needed
