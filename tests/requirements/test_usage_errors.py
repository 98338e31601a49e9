"""Mistakes a new user makes: each gets one clear message and exit 2, no traceback.

The command line (`ntro-ship lint`) and the hook entry points
(`ntro-requirements`) are driven as a user would: in-process through their
`main`, and as installed console scripts where start-up matters.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from ntro_ship.cli import main
from ntro_ship.requirements.hook import main as hook

NO_PIN_SOURCE = (
    "--fix needs a source of versions: pass --pin-from FILE (a lock, "
    "constraints or `pip freeze` file) or --resolve (pick them with pip-tools)"
)


@pytest.fixture
def folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)
    return tmp_path


def _error(capsys: pytest.CaptureFixture[str]) -> str:
    captured = capsys.readouterr()
    assert captured.out == ""
    assert "Traceback" not in captured.err
    return captured.err


@pytest.mark.parametrize(
    ("args", "message"),
    [
        pytest.param(
            ["lint", "emptydir"],
            "ntro-ship: error: emptydir: no runbook (runbook.md) and no "
            "requirements file found in this folder; pass a runbook folder or a "
            "requirements file\n",
            id="empty-folder",
        ),
        pytest.param(
            ["lint"],
            "ntro-ship: error: .: no runbook (runbook.md) and no requirements "
            "file found in this folder; pass a runbook folder or a requirements "
            "file\n",
            id="no-paths-in-an-empty-folder",
        ),
        pytest.param(
            ["lint", "-o", "no-such-folder/x.json", "requirements.txt"],
            "ntro-ship: error: -o no-such-folder/x.json: cannot write the report: "
            "No such file or directory; choose a file in a folder you can write "
            "to\n",
            id="unwritable-output",
        ),
    ],
)
def test_lint_usage_errors(folder: Path, capsys, args, message) -> None:
    (folder / "emptydir").mkdir()
    (folder / "emptydir" / "notes.txt").write_text("not requirements\n")
    if args == ["lint"]:
        os.chdir(folder / "emptydir")
    else:
        (folder / "requirements.txt").write_text("idna==3.7\n")

    assert main(args) == 2
    assert _error(capsys) == message


@pytest.mark.parametrize(
    ("entry", "args"),
    [
        pytest.param(main, ["lint", "--fix", "requirements.txt"], id="cli"),
        pytest.param(hook, ["--fix", "requirements.txt"], id="hook"),
    ],
)
def test_fix_without_a_source_of_versions(folder: Path, capsys, entry, args) -> None:
    (folder / "requirements.txt").write_text("idna\n")

    assert entry(args) == 2
    err = _error(capsys)
    assert NO_PIN_SOURCE in err.replace("\n", " ")
    assert (folder / "requirements.txt").read_text() == "idna\n"


def test_hook_ignores_an_empty_folder_it_was_never_given(folder: Path) -> None:
    """pre-commit passes files; with none staged the hook is simply clean."""
    assert hook([]) == 0


def test_include_of_a_folder_says_it_is_a_folder(folder: Path, capsys) -> None:
    (folder / "dirreq").mkdir()
    (folder / "requirements.txt").write_text("-r dirreq\n")

    assert main(["lint", "requirements.txt"]) == 1
    assert capsys.readouterr().out == (
        "requirements.txt:1:1: NTR062 error: -r dirreq: is a directory, not a "
        "requirements file; name the file inside it (looked for dirreq)\n"
    )


@pytest.mark.parametrize(
    ("content", "message"),
    [
        pytest.param(
            b"\xff\xfe[tool]\n",
            "not a UTF-8 text file (invalid start byte at byte 0); TOML must be "
            "UTF-8: fix or replace the file, or pass --config with another one",
            id="binary",
        ),
        pytest.param(
            b"[tool.ntro-ship.lint\n",
            "not valid TOML: Expected ']' at the end of a table declaration "
            "(at line 1, column 21)",
            id="malformed-text",
        ),
    ],
)
@pytest.mark.parametrize("entry", [main, hook], ids=["cli", "hook"])
def test_bad_pyproject_is_a_config_error(
    folder: Path, capsys, content: bytes, message: str, entry
) -> None:
    (folder / "pyproject.toml").write_bytes(content)
    (folder / "requirements.txt").write_text("idna==3.7\n")
    args = ["requirements.txt"] if entry is hook else ["lint", "requirements.txt"]

    assert entry(args) == 2
    pyproject = folder.resolve() / "pyproject.toml"
    assert _error(capsys) == f"ntro-ship: error: {pyproject}: {message}\n"


@pytest.mark.parametrize(
    ("content", "line"),
    [
        pytest.param(
            "idna>=3\n",
            "requirements.txt:1:1: NTR002 error: idna>=3 is a range, not one "
            "version; pin it with ==",
            id="error",
        ),
        pytest.param(
            "idna==3.7\nIDNA==3.7\n",
            "requirements.txt:2:1: NTR040 warning: idna is already listed at "
            "requirements.txt:1; remove one of the two lines",
            id="warning",
        ),
    ],
)
def test_text_output_shows_the_severity(folder: Path, capsys, content, line) -> None:
    (folder / "requirements.txt").write_text(content)

    main(["lint", "requirements.txt"])
    assert capsys.readouterr().out == line + "\n"


@pytest.mark.parametrize("value", ["", " ", ","])
def test_an_empty_rule_selection_is_refused_not_read_as_all(
    folder: Path, capsys, value: str
) -> None:
    (folder / "requirements.txt").write_text("idna>=3\n")

    assert main(["lint", "--select", value, "requirements.txt"]) == 2
    assert "an empty rule code; name a code or a prefix such as NTR0" in _error(capsys)


def test_a_stray_comma_in_a_rule_selection_is_harmless(folder: Path, capsys) -> None:
    (folder / "requirements.txt").write_text("idna>=3\n")

    assert main(["lint", "--select", "NTR0,", "requirements.txt"]) == 1
    assert "NTR002" in capsys.readouterr().out


def test_a_huge_requirement_is_quoted_by_its_start_and_size(
    folder: Path, capsys
) -> None:
    spec = "requests>=" + "1." * 50_000 + "0"
    (folder / "requirements.txt").write_text(spec + "\n")

    main(["lint", "requirements.txt"])

    out = capsys.readouterr().out
    assert f"{spec[:120]}... (100,011 characters) is a range" in out
    assert len(out) < 300


@pytest.mark.parametrize("flag", ["--help", "-h"])
@pytest.mark.parametrize(
    "script",
    ["ntro-requirements", "ntro-requirements-pinned", "ntro-requirements-no-dev"],
)
def test_hook_scripts_answer_help(tmp_path: Path, script: str, flag: str) -> None:
    executable = shutil.which(script, path=os.path.dirname(sys.executable))
    assert executable is not None, f"{script} is not installed next to {sys.executable}"

    result = subprocess.run(
        [executable, flag], cwd=tmp_path, capture_output=True, text=True, check=False
    )
    assert (result.returncode, result.stderr) == (0, "")
    assert result.stdout.startswith("usage: ntro-requirements [OPTIONS] FILE...\n")
    assert "--pin-from FILE" in result.stdout


def test_help_after_double_dash_is_a_file_name(folder: Path, capsys) -> None:
    assert hook(["--", "--help"]) == 2
    assert _error(capsys) == "ntro-ship: error: --help: no such file or folder\n"


@pytest.mark.slow
def test_resolve_failure_names_the_package_and_the_index(folder: Path, capsys) -> None:
    """pip-compile's traceback is reduced to what failed and where (needs the index)."""
    (folder / "requirements.txt").write_text("ntro-ship-no-such-package-x7q\n")

    assert main(["lint", "--fix", "--resolve", "requirements.txt"]) == 2
    err = _error(capsys)
    assert err.startswith(
        "ntro-ship: error: --resolve: no version of ntro-ship-no-such-package-x7q "
        "found on "
    )
    assert err.endswith(
        " (the index has no package of that name); check the name and the index "
        "(PIP_INDEX_URL or pip.conf), or pass --pin-from LOCKFILE\n"
    )
    assert "install pip-tools" not in err
    assert err.count("\n") == 1
