"""`ntro-ship package`: digest on stdout, lint first, clear refusals."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from tests.pipeline.conftest import EXAMPLE

from ntro_ship.cli import main
from ntro_ship.exit_codes import ExitCode


@pytest.fixture
def runbook(tmp_path: Path) -> Path:
    return Path(shutil.copytree(EXAMPLE, tmp_path / "nav-monthly"))


def test_prints_the_same_digest_for_the_same_tree(
    runbook: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["package", str(runbook), "-o", str(tmp_path / "a.zip")]) == 0
    first = capsys.readouterr().out.strip()
    (runbook / "templates" / "__pycache__").mkdir()
    (runbook / "templates" / "__pycache__" / "x.pyc").write_bytes(b"junk")
    assert main(["package", str(runbook)]) == 0
    second = capsys.readouterr().out.strip()

    assert re.fullmatch(r"sha256:[0-9a-f]{64}", first)
    assert first == second
    assert (tmp_path / "a.zip.manifest.json").is_file()


def test_refuses_requirements_that_break_the_contract(
    runbook: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (runbook / "requirements.txt").write_text("ntro[workflow]>=0.1\n")

    code = main(["package", str(runbook)])

    err = capsys.readouterr().err
    assert code == ExitCode.FAILED
    assert "requirements.txt:1:" in err
    assert "requirements error(s) above" in err


def test_not_a_runbook_is_a_usage_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["package", str(tmp_path)])

    assert code == ExitCode.USAGE
    assert "no runbook.md here" in capsys.readouterr().err
