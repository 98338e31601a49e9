"""A small held-back-style corpus of real-world requirements files, with the
verdicts a reviewer agreed on (`data/verdicts.json`: file -> [line, code]).

The corpus covers pip-compile output with hashes, `uv export`, `pip freeze`
(also as UTF-16 from Windows PowerShell), CRLF with a BOM, a PEP 263 coding
line, the official templates' loose pins, and a file full of traps.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ntro_ship.cli import main

DATA = Path(__file__).parent / "data"
VERDICTS: dict[str, list[list[object]]] = json.loads(
    (DATA / "verdicts.json").read_text(encoding="utf-8")
)


@pytest.mark.parametrize("name", sorted(VERDICTS))
def test_corpus_verdict(name: str, monkeypatch, capsys) -> None:
    monkeypatch.chdir(DATA)
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)
    status = main(["lint", "--format", "json", name])
    findings = json.loads(capsys.readouterr().out)
    assert [[f["line"], f["code"]] for f in findings] == VERDICTS[name]
    errors = [f for f in findings if f["severity"] == "error"]
    assert status == (1 if errors else 0)


def test_every_corpus_file_has_a_verdict() -> None:
    on_disk = sorted(p.relative_to(DATA).as_posix() for p in DATA.rglob("*.txt"))
    assert on_disk == sorted(VERDICTS)
