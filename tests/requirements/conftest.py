from __future__ import annotations

from pathlib import Path

import pytest

from ntro_ship.requirements import check_files


def _lint(
    folder: Path, content: str | bytes, name: str = "requirements.txt"
) -> list[tuple[int, str]]:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, str):
        path.write_text(content, encoding="utf-8", newline="")
    else:
        path.write_bytes(content)
    return [(f.line, f.code) for f in check_files([path])]


@pytest.fixture
def lint(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """Lint text written to a file under a clean tmp folder; (line, code) pairs."""
    monkeypatch.chdir(tmp_path)
    return lambda content, name="requirements.txt": _lint(tmp_path, content, name)
