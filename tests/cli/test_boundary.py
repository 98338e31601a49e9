"""The CLI's one exception boundary: every way out is an exit code."""

from __future__ import annotations

from pathlib import Path

import pytest

from ntro_ship.cli import main
from ntro_ship.exit_codes import ExitCode

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "runbooks" / "nav-monthly"


def test_an_unwritable_output_file_is_a_usage_error_without_traceback(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where a folder should be")

    code = main(["package", str(EXAMPLE), "-o", str(blocker / "out.zip")])

    err = capsys.readouterr().err
    assert code == ExitCode.USAGE
    assert "Traceback" not in err
    assert f"ntro-ship: error: {blocker}" in err


def test_an_unknown_command_is_a_usage_error(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["no-such-command"]) == ExitCode.USAGE
    assert "No such command 'no-such-command'" in capsys.readouterr().err


def test_version_exits_zero(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--version"]) == ExitCode.OK
    assert capsys.readouterr().out.startswith("ntro-ship, version ")


def test_every_listed_command_loads() -> None:
    from ntro_ship.cli import COMMANDS, cli

    for name in COMMANDS:
        assert cli.get_command(None, name) is not None, name  # type: ignore[arg-type]
