"""`lint --fix`: pins from a lock file, everything else left as it was."""

from __future__ import annotations

import codecs
from pathlib import Path

import pytest

from ntro_ship.cli import main

LOCK = "requests==2.31.0\nidna==3.6\nntro==0.1.2\nnumpy==1.26.4\n"
HASH = "d" * 64

CASES = [
    pytest.param("requests\n", "requests==2.31.0\n", id="bare-name"),
    pytest.param("requests>=2.0\n", "requests==2.31.0\n", id="range"),
    pytest.param(
        "requests[socks]>=2  # http\n",
        "requests[socks]==2.31.0  # http\n",
        id="extras-and-comment-kept",
    ),
    pytest.param(
        'numpy>=1.20; python_version >= "3.9"\n',
        'numpy==1.26.4; python_version >= "3.9"\n',
        id="marker-kept",
    ),
    pytest.param(
        f"idna>=3 \\\n    --hash=sha256:{HASH}\n",
        f"idna==3.6 \\\n    --hash=sha256:{HASH}\n",
        id="hashes-kept",
    ),
    pytest.param(
        "--index-url https://pypi.org/simple\n# top\nidna\r\nrequests==2.31.0\r\n",
        "--index-url https://pypi.org/simple\n# top\nidna==3.6\r\nrequests==2.31.0\r\n",
        id="options-comments-crlf-kept",
    ),
    pytest.param(
        "ntro[workflow,gl]>=0.1\n", "ntro[workflow,gl]==0.1.2\n", id="extras-order-kept"
    ),
    pytest.param(
        f"requests \\\n--hash=sha256:{HASH}\n",
        f"requests==2.31.0 \\\n--hash=sha256:{HASH}\n",
        id="bare-name-continued-keeps-the-blank-before-the-backslash",
    ),
    pytest.param(
        f"requests\t\\\r\n    --hash=sha256:{HASH}\r\n",
        f"requests==2.31.0\t\\\r\n    --hash=sha256:{HASH}\r\n",
        id="bare-name-continued-crlf-tab",
    ),
    pytest.param(
        f'requests ; python_version >= "3.8" \\\n    --hash=sha256:{HASH}\n',
        f'requests==2.31.0 ; python_version >= "3.8" \\\n    --hash=sha256:{HASH}\n',
        id="bare-name-marker-continued",
    ),
    pytest.param(
        f"idna --hash=sha256:{HASH}\n",
        f"idna==3.6 --hash=sha256:{HASH}\n",
        id="bare-name-hash-on-the-line-kept",
    ),
    pytest.param(
        "requests  # http\n", "requests==2.31.0  # http\n", id="bare-name-comment-kept"
    ),
    pytest.param(
        "requests>=2,\\\n<3\n",
        "requests>=2,\\\n<3\n",
        id="version-going-on-after-a-backslash-left-alone",
    ),
    pytest.param("requests>=3\n", "requests>=3\n", id="lock-outside-range-not-applied"),
    pytest.param("unknown-package\n", "unknown-package\n", id="not-in-lock"),
]


@pytest.mark.parametrize(("before", "after"), CASES)
def test_fix(tmp_path: Path, monkeypatch, before: str, after: str) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "requirements.lock").write_text(LOCK)
    target = tmp_path / "requirements.txt"
    target.write_bytes(before.encode())

    status = main(
        ["lint", "--fix", "--pin-from", "requirements.lock", "requirements.txt"]
    )

    assert target.read_bytes().decode() == after
    assert status == 1  # changed, or findings left


@pytest.mark.parametrize("newline", ["\n", "\r\n"], ids=["lf", "crlf"])
@pytest.mark.parametrize(
    ("first", "second"),
    [
        pytest.param("requests \\", f"--hash=sha256:{HASH}", id="blank-backslash"),
        pytest.param("requests\\", f"  --hash=sha256:{HASH}", id="indented-next"),
        pytest.param("requests>=2 \\", f"--hash=sha256:{HASH}", id="range"),
        pytest.param("requests  # why", f"--hash=sha256:{HASH}", id="comment"),
    ],
)
def test_fixed_continued_line_reads_the_same_to_pip(
    tmp_path: Path, monkeypatch, first: str, second: str, newline: str
) -> None:
    """pip's own parser sees the pin and its hash, not one glued token."""
    from pip._internal.network.session import PipSession
    from pip._internal.req.req_file import parse_requirements

    monkeypatch.chdir(tmp_path)
    (tmp_path / "requirements.lock").write_text(LOCK)
    target = tmp_path / "requirements.txt"
    if "#" in first:  # a comment cannot be continued: the hash goes on the line
        first, second = f"requests {second}  # why", ""
    target.write_bytes(f"{first}{newline}{second}{newline}".encode())

    main(["lint", "--fix", "--pin-from", "requirements.lock", "requirements.txt"])

    assert main(["lint", "--select", "NTR06", "requirements.txt"]) == 0
    [parsed] = parse_requirements(str(target), session=PipSession())
    assert parsed.requirement.strip() == "requests==2.31.0"
    assert parsed.options == {"hashes": {"sha256": [HASH]}}


def test_fix_adds_the_missing_extra_and_pins(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "runbook.md").write_text("---\nslug: x\n---\n")
    (tmp_path / "templates").mkdir()
    (tmp_path / "templates" / "workflow.py").write_text("import ntro.workflow\n")
    (tmp_path / "lock.txt").write_text(LOCK)
    target = tmp_path / "templates" / "requirements.txt"
    target.write_text("ntro[gl]  # sdk\n")

    assert (
        main(["lint", "--fix", "--pin-from", "lock.txt", "templates/requirements.txt"])
        == 1
    )
    assert target.read_text() == "ntro[gl,workflow]==0.1.2  # sdk\n"
    assert main(["lint", "templates/requirements.txt"]) == 0


def test_fix_keeps_utf16_and_bom(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "freeze.txt").write_bytes(
        codecs.BOM_UTF16_LE + LOCK.encode("utf-16-le")
    )
    target = tmp_path / "requirements.txt"
    target.write_bytes(codecs.BOM_UTF16_LE + "idna\r\n".encode("utf-16-le"))

    assert main(["lint", "--fix", "--pin-from", "freeze.txt", "requirements.txt"]) == 1
    assert target.read_bytes() == codecs.BOM_UTF16_LE + "idna==3.6\r\n".encode(
        "utf-16-le"
    )
    assert main(["lint", "--fix", "--pin-from", "freeze.txt", "requirements.txt"]) == 0


def test_hook_fix_exit_codes(tmp_path: Path, monkeypatch, capsys) -> None:
    from ntro_ship.requirements.hook import main as hook

    monkeypatch.chdir(tmp_path)
    (tmp_path / "lock.txt").write_text(LOCK)
    (tmp_path / "requirements.txt").write_text("idna\n")
    assert hook(["--fix", "--pin-from", "lock.txt", "requirements.txt"]) == 1
    assert capsys.readouterr().err == "Fixing requirements.txt\n"
    assert hook(["--fix", "--pin-from", "lock.txt", "requirements.txt"]) == 0


@pytest.mark.slow
def test_fix_resolves_with_pip_tools(tmp_path: Path, monkeypatch) -> None:
    """pip-compile picks the version (this needs the package index)."""
    monkeypatch.chdir(tmp_path)
    target = tmp_path / "requirements.txt"
    target.write_text("idna>=3.0,<3.8  # IDNA\n")

    assert main(["lint", "--fix", "--resolve", "requirements.txt"]) == 1
    assert target.read_text() == "idna==3.7  # IDNA\n"
