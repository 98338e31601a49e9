"""The CLI's one exception boundary: every way out is an exit code."""

from __future__ import annotations

from pathlib import Path

import click
import pytest

from ntro_ship.cli import COMMANDS, main
from ntro_ship.exit_codes import ExitCode

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "runbooks" / "nav-monthly"


def test_an_unwritable_output_file_is_a_usage_error_without_traceback(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # A path under /proc cannot be created, even by root.
    target = Path("/proc/ntro-ship-cannot-write-here.zip")

    code = main(["package", str(EXAMPLE), "-o", str(target)])

    err = capsys.readouterr().err
    assert code == ExitCode.USAGE
    assert "Traceback" not in err
    assert f"{target}: cannot be written" in err


@click.command()
def explode() -> None:
    raise PermissionError(13, "Permission denied", "/some/record.json")


def test_an_os_error_nobody_handled_is_reported_at_the_boundary(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setitem(COMMANDS, "explode", f"{__name__}:explode")

    assert main(["explode"]) == ExitCode.USAGE
    assert capsys.readouterr().err == (
        "ntro-ship: error: /some/record.json: Permission denied; "
        "check the path and its permissions\n"
    )


def test_an_unknown_command_is_a_usage_error(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["no-such-command"]) == ExitCode.USAGE
    assert "No such command 'no-such-command'" in capsys.readouterr().err


def test_version_exits_zero(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--version"]) == ExitCode.OK
    assert capsys.readouterr().out.startswith("ntro-ship, version ")


def test_every_listed_command_loads() -> None:
    from ntro_ship.cli import cli

    for name in COMMANDS:
        assert cli.get_command(None, name) is not None, name  # type: ignore[arg-type]
