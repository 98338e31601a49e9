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
            f"idna>=3 --hash=sha256:{'a' * 64}\n",
            "requirements.txt:1:1: NTR002 error: idna>=3 is a range, not one "
            "version; regenerate the file with pip-compile --generate-hashes "
            "(its --hash values must change with the pin)",
            id="hashed-range",
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


def _bounded_run(args: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    """Run a console script with a memory cap and a deadline, so a regression
    that reads a device forever fails the test instead of the machine."""
    resource = pytest.importorskip("resource")
    script = shutil.which(args[0], path=os.path.dirname(sys.executable))
    assert script is not None, f"{args[0]} is not installed next to {sys.executable}"

    def cap_memory() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (2 << 30, 2 << 30))

    return subprocess.run(
        [script, *args[1:]], cwd=cwd, capture_output=True, text=True, check=False,
        timeout=60, preexec_fn=cap_memory, env={**os.environ, "NO_COLOR": "1"},
    )  # fmt: skip


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs devices and fifos")
@pytest.mark.parametrize("script", ["ntro-ship", "ntro-requirements"])
@pytest.mark.parametrize("path", ["/dev/zero", "fifo"])
def test_a_device_or_fifo_is_refused_not_read(
    tmp_path: Path, script: str, path: str
) -> None:
    os.mkfifo(tmp_path / "fifo")
    args = [script, "lint", path] if script == "ntro-ship" else [script, path]

    result = _bounded_run(args, tmp_path)

    assert (result.returncode, result.stdout) == (2, "")
    assert result.stderr == (
        f"ntro-ship: error: {path}: not a regular file (a device, fifo or "
        "socket); pass a requirements file\n"
    )


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs devices and fifos")
@pytest.mark.parametrize("entry", [main, hook], ids=["cli", "hook"])
def test_an_include_of_a_device_or_fifo_is_a_finding(
    folder: Path, capsys, entry
) -> None:
    os.mkfifo(folder / "fifo")
    (folder / "requirements.txt").write_text("-r /dev/zero\n-c fifo\nidna==3.7\n")
    args = ["requirements.txt"] if entry is hook else ["lint", "requirements.txt"]

    assert entry(args) == 1
    assert capsys.readouterr().out == (
        "requirements.txt:1:1: NTR062 error: -r /dev/zero: not a regular file (a "
        "device, fifo or socket); name a requirements file (looked for /dev/zero)\n"
        "requirements.txt:2:1: NTR062 error: -c fifo: not a regular file (a "
        "device, fifo or socket); name a requirements file (looked for fifo)\n"
    )


@pytest.mark.parametrize("entry", [main, hook], ids=["cli", "hook"])
@pytest.mark.parametrize("included", [False, True], ids=["named", "included"])
def test_a_file_over_10_mb_is_refused_by_its_size(
    folder: Path, capsys, entry, included: bool
) -> None:
    (folder / "at-limit.txt").write_bytes(b"#" * 10_000_000)
    (folder / "big.txt").write_bytes(b"#" * 10_000_001)
    if included:
        (folder / "requirements.txt").write_text("-r at-limit.txt\n-r big.txt\n")
        files = ["requirements.txt"]
    else:
        files = ["at-limit.txt", "big.txt"]
    args = files if entry is hook else ["lint", *files]

    assert entry(args) == 1
    assert capsys.readouterr().out == (
        "big.txt:1:1: NTR061 error: is 10,000,001 bytes, over the 10,000,000-byte "
        "(10 MB) limit for a requirements file; is this the right file?\n"
    )


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs devices and fifos")
@pytest.mark.parametrize(
    ("source", "problem"),
    [
        pytest.param(
            "/dev/zero",
            "not a regular file (a device, fifo or socket); pass a lock file",
            id="device",
        ),
        pytest.param(
            "lockdir", "is a directory; pass the lock file inside it", id="folder"
        ),
    ],
)
def test_pin_from_a_device_or_folder_says_what_it_is(
    folder: Path, capsys, source: str, problem: str
) -> None:
    (folder / "lockdir").mkdir()
    (folder / "requirements.txt").write_text("idna\n")

    assert hook(["--fix", "--pin-from", source, "requirements.txt"]) == 2
    assert _error(capsys) == f"ntro-ship: error: --pin-from {source}: {problem}\n"
