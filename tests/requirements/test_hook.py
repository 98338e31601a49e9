"""The hook entry points: exit codes, presets, and the fast screen's helpers."""

from __future__ import annotations

from fnmatch import fnmatchcase
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ntro_ship.requirements.hook import looks_clean, main, no_dev, pinned
from ntro_ship.requirements.roles import glob

CONTENT = "requests>=2\npytest==8.0.0\n"


@pytest.mark.parametrize(
    ("entry", "expected"),
    [
        pytest.param(main, ["1:1: NTR002", "2:1: NTR030"], id="all-rules"),
        pytest.param(pinned, ["1:1: NTR002"], id="pinned-only"),
        pytest.param(no_dev, ["2:1: NTR030"], id="dev-only"),
    ],
)
def test_presets(tmp_path: Path, monkeypatch, capsys, entry, expected) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "requirements.txt").write_text(CONTENT)
    assert entry(["requirements.txt"]) == 1
    lines = capsys.readouterr().out.splitlines()
    assert [line.split(":", 1)[1].split(" ", 2)[0:2] for line in lines] == [
        [item.split(" ")[0], item.split(" ")[1]] for item in expected
    ]


def test_clean_file_exits_zero_without_loading_the_linter(tmp_path: Path) -> None:
    import subprocess
    import sys

    (tmp_path / "requirements.txt").write_text("httpx==0.27.0\nidna==3.6\n")
    code = (
        "import sys; from ntro_ship.requirements.hook import main; "
        "status = main(['requirements.txt']); "
        "print(status, sorted(m for m in ('packaging', 'click', 'tomllib', "
        "'dataclasses', 'ntro_ship.requirements.engine') if m in sys.modules))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=True,
    )
    assert result.stdout == "0 []\n"


@pytest.mark.parametrize(
    ("args", "status", "stderr"),
    [
        pytest.param(
            ["--bogus", "r.txt"],
            2,
            "ntro-ship: error: unknown option "
            "'--bogus'; the hooks accept --fix, --resolve, --select, "
            "--ignore, --pin-from, --role, --format\n",
            id="unknown-option",
        ),
        pytest.param(
            ["--select", "XYZ", "r.txt"],
            2,
            "ntro-ship: error: "
            "--select/--ignore: 'XYZ' matches no rule code; `ntro-ship "
            "lint --list-rules` shows them\n",
            id="bad-selector",
        ),
        pytest.param(
            ["--ignore", "", "r.txt"],
            2,
            "ntro-ship: error: --select/--ignore: an empty rule code; name a "
            "code or a prefix such as NTR0 (`ntro-ship lint --list-rules` "
            "shows them)\n",
            id="empty-selector",
        ),
        pytest.param(
            ["missing.txt"],
            2,
            "ntro-ship: error: missing.txt: no such file or folder\n",
            id="missing-file",
        ),
    ],
)
def test_usage_errors(
    tmp_path: Path, monkeypatch, capsys, args, status, stderr
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "r.txt").write_text("requests\n")
    assert main(args) == status
    assert capsys.readouterr().err == stderr


@pytest.mark.parametrize(
    ("content", "clean"),
    [
        pytest.param("a==1\n", True, id="pin"),
        pytest.param("a==1  # note\n", True, id="inline-comment"),
        pytest.param("a>=1\n", False, id="range"),
        pytest.param("a==1\na==1\n", False, id="duplicate"),
        pytest.param("pytest==8.0\n", False, id="dev"),
        pytest.param("a==1 \\\n", False, id="dangling-continuation"),
        pytest.param("a==1  # note \\\nb==2\n", False, id="comment-backslash"),
        pytest.param("-r other.txt\n", False, id="include"),
    ],
)
def test_fast_screen(tmp_path: Path, content: str, clean: bool) -> None:
    path = tmp_path / "requirements.txt"
    path.write_text(content)
    assert looks_clean(str(path)) is clean


@given(st.text(alphabet="ab-.", max_size=10), st.text(alphabet="ab*-.", max_size=8))
def test_glob_agrees_with_fnmatchcase(text: str, pattern: str) -> None:
    assert glob(text, pattern) == fnmatchcase(text, pattern)


def test_settings_in_pyproject_are_honoured_by_the_hook(
    tmp_path: Path, monkeypatch
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "pyproject.toml").write_text(
        '[tool.ntro-ship.lint]\nextend-dev-packages = ["idna"]\n'
    )
    (tmp_path / "requirements.txt").write_text("idna==3.6\n")
    assert looks_clean("requirements.txt")
    assert main(["requirements.txt"]) == 1
