"""Each rule, with the lines it must catch and the lines it must let pass."""

from __future__ import annotations

from pathlib import Path

import pytest

SHA = "0123456789abcdef0123456789abcdef01234567"
HASH = "c" * 64

PINNING = [
    pytest.param("requests\n", [(1, "NTR001")], id="bare-name"),
    pytest.param("requests>=2.31\n", [(1, "NTR002")], id="greater-equal"),
    pytest.param("requests~=2.31\n", [(1, "NTR002")], id="compatible"),
    pytest.param("requests!=2.30\n", [(1, "NTR002")], id="not-equal"),
    pytest.param("requests<3\n", [(1, "NTR002")], id="less-than"),
    pytest.param("requests>=2,<3\n", [(1, "NTR002")], id="range"),
    pytest.param("requests==2.*\n", [(1, "NTR002")], id="wildcard"),
    pytest.param("requests==1.4.*\n", [(1, "NTR002")], id="wildcard-minor"),
    pytest.param("requests==2.31.0,>=2\n", [(1, "NTR002")], id="pin-plus-range"),
    pytest.param("requests===2.31.0\n", [(1, "NTR003")], id="arbitrary-equality"),
    pytest.param("tensorflow==2.16.0rc0\n", [], id="pre-release-passes"),
    pytest.param("torch==2.1.0+cpu\n", [], id="local-version-passes"),
    pytest.param("pytz==2024.1.post1\n", [], id="post-release-passes"),
    pytest.param("ntro[workflow]\n", [(1, "NTR022")], id="sdk-extras-unpinned"),
    pytest.param("ntro[workflow]>=0.1\n", [(1, "NTR022")], id="sdk-extras-loose"),
    pytest.param("ntro>=0.1\n", [(1, "NTR002")], id="sdk-loose"),
]
DIRECT = [
    pytest.param(f"git+https://github.com/o/r@{SHA}#egg=r\n", [], id="vcs-full-sha"),
    pytest.param(f"r @ git+https://github.com/o/r@{SHA}\n", [], id="pep508-vcs-sha"),
    pytest.param(
        "git+https://github.com/o/r@v1.0#egg=r\n", [(1, "NTR010")], id="vcs-tag"
    ),
    pytest.param(
        "git+https://github.com/o/r#egg=r\n", [(1, "NTR010")], id="vcs-no-ref"
    ),
    pytest.param(
        "r @ git+ssh://git@github.com/o/r@main\n",
        [(1, "NTR010")],
        id="pep508-vcs-branch",
    ),
    pytest.param(
        "git+https://github.com/o/r@0123abc#egg=r\n",
        [(1, "NTR010")],
        id="vcs-short-sha",
    ),
    pytest.param(
        f"https://x.org/r-1.0.tar.gz#sha256={HASH}\n", [], id="url-with-fragment-hash"
    ),
    pytest.param(
        f"r @ https://x.org/r-1.0.whl --hash=sha256:{HASH}\n",
        [],
        id="url-with-hash-option",
    ),
    pytest.param("https://x.org/r-1.0.tar.gz\n", [(1, "NTR011")], id="url-no-hash"),
    pytest.param(
        "r @ https://x.org/r-1.0.whl\n", [(1, "NTR011")], id="pep508-url-no-hash"
    ),
    pytest.param("./vendor/r\n", [(1, "NTR012")], id="relative-path"),
    pytest.param("dist/r-1.0-py3-none-any.whl\n", [(1, "NTR012")], id="wheel-path"),
    pytest.param("r @ file:///opt/r\n", [(1, "NTR012")], id="file-url"),
    pytest.param("-e .\n", [(1, "NTR013")], id="editable-path"),
    pytest.param(
        f"-e git+https://github.com/o/r@{SHA}#egg=r\n",
        [(1, "NTR013")],
        id="editable-vcs",
    ),
]
DEV = [
    pytest.param("pytest==8.0.0\n", [(1, "NTR030")], id="pytest"),
    pytest.param("PyTest==8.0.0\n", [(1, "NTR030")], id="pytest-mixed-case"),
    pytest.param("pytest_cov==4.1.0\n", [(1, "NTR030")], id="pytest-cov-underscore"),
    pytest.param("types-requests==2.31.0.1\n", [(1, "NTR030")], id="types-stubs"),
    pytest.param("flake8-bugbear==24.2.6\n", [(1, "NTR030")], id="flake8-plugin"),
    pytest.param(
        "ruff==0.3.0\nblack==24.2.0\nmypy==1.8.0\n",
        [(1, "NTR030"), (2, "NTR030"), (3, "NTR030")],
        id="tools",
    ),
    pytest.param("ntro[testing]==0.1.2\n", [(1, "NTR030")], id="sdk-testing-extra"),
    pytest.param("ntro-cli==0.1.1\n", [(1, "NTR030")], id="ntro-cli"),
    pytest.param("pytest\n", [(1, "NTR001"), (1, "NTR030")], id="both-rules"),
    pytest.param("pytest-asyncio-free==1.0\n", [(1, "NTR030")], id="pytest-prefix"),
    pytest.param("mypy-extensions==1.0.0\n", [], id="mypy-extensions-is-runtime"),
    pytest.param("typing-extensions==4.9.0\n", [], id="typing-extensions-passes"),
]
DUPLICATES = [
    pytest.param("idna==3.6\nidna==3.6\n", [(2, "NTR040")], id="same"),
    pytest.param("idna==3.6\nIDNA==3.6\n", [(2, "NTR040")], id="normalised"),
    pytest.param("idna==3.6\nidna==3.7\n", [(2, "NTR041")], id="conflicting"),
    pytest.param(
        "zope.interface==6.2\nzope-interface==6.1\n",
        [(2, "NTR041")],
        id="conflicting-normalised",
    ),
    pytest.param(
        'numpy==1.24.4; python_version < "3.9"\n'
        'numpy==1.26.4; python_version >= "3.9"\n',
        [],
        id="exclusive-markers",
    ),
    pytest.param(
        'a==1; sys_platform == "win32"\na==2; sys_platform != "win32"\n',
        [],
        id="exclusive-platforms",
    ),
    pytest.param(
        'a==1; python_version >= "3.9"\na==2; python_version >= "3.10"\n',
        [(2, "NTR041")],
        id="overlapping-markers",
    ),
    pytest.param(
        "ntro[workflow]==0.1.2\nntro[gl]==0.1.2\n",
        [],
        id="extras-split-over-lines",
    ),
]
HASH_MODE = [
    pytest.param(
        f"a==1 --hash=sha256:{HASH}\nb==2\n", [(2, "NTR052")], id="one-hash-needs-all"
    ),
    pytest.param(
        f"--require-hashes\na==1 --hash=sha256:{HASH}\nb==2\n",
        [(3, "NTR052")],
        id="require-hashes",
    ),
    pytest.param(
        f"https://x.org/r-1.0.tar.gz#sha256={HASH}\nb==2\n",
        [],
        id="url-fragment-does-not-switch-mode",
    ),
    pytest.param(
        f"a==1 --hash=sha256:{HASH}\nb==2 --hash=sha256:{HASH}\n", [], id="all-hashed"
    ),
]
SUPPRESSION = [
    pytest.param("requests>=2  # ntro-ship: ignore[NTR002]\n", [], id="named-code"),
    pytest.param("requests>=2  # ntro-ship: ignore\n", [], id="all-codes"),
    pytest.param(
        "requests>=2  # ntro-ship: ignore[NTR030]\n",
        [(1, "NTR002")],
        id="other-code-still-reported",
    ),
    pytest.param(
        "pytest  # ntro-ship: ignore[NTR001, NTR030]\n", [], id="several-codes"
    ),
]


@pytest.mark.parametrize(
    ("content", "expected"),
    PINNING + DIRECT + DEV + DUPLICATES + HASH_MODE + SUPPRESSION,
)
def test_runtime_rules(lint, content: str, expected: list[tuple[int, str]]) -> None:
    assert lint(content) == expected


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        pytest.param("requirements-dev.txt", [], id="dev-file"),
        pytest.param("dev-requirements.txt", [], id="dev-file-prefix"),
        pytest.param("requirements/test.txt", [], id="requirements-folder-test"),
        pytest.param("requirements/dev-lint.txt", [], id="requirements-folder-dev"),
        pytest.param(
            "templates/requirements.txt",
            [(1, "NTR001"), (2, "NTR030")],
            id="templates-runtime",
        ),
        pytest.param(
            "reqs/anything.txt",
            [(1, "NTR001"), (2, "NTR030")],
            id="unknown-name-is-runtime",
        ),
    ],
)
def test_roles(lint, name: str, expected: list[tuple[int, str]]) -> None:
    assert lint("requests\npytest==8.0.0\n", name) == expected


def write(folder: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_text(text, encoding="utf-8")


def findings(folder: Path, *names: str) -> list[tuple[str, int, str]]:
    from ntro_ship.requirements import check_files

    return [
        (Path(f.path).as_posix(), f.line, f.code)
        for f in check_files([folder / n for n in names])
    ]


INCLUDES = [
    pytest.param(
        {"requirements.txt": "-r base.txt\n", "base.txt": "a==1\nrequests\n"},
        [("base.txt", 2, "NTR001")],
        id="include-is-runtime",
    ),
    pytest.param(
        {
            "requirements.txt": "-r requirements-dev.txt\n",
            "requirements-dev.txt": "pytest==8.0.0\n",
        },
        [("requirements-dev.txt", 1, "NTR030"), ("requirements.txt", 1, "NTR031")],
        id="runtime-includes-dev",
    ),
    pytest.param(
        {
            "requirements-dev.txt": "-r requirements.txt\npytest==8.0.0\n",
            "requirements.txt": "a==1\n",
        },
        [],
        id="dev-includes-runtime",
    ),
    pytest.param(
        {
            "requirements.txt": "-r nested/more.txt\n",
            "nested/more.txt": "-r ../shared.txt\n",
            "shared.txt": "b>=1\n",
        },
        [("shared.txt", 1, "NTR002")],
        id="relative-to-including-file",
    ),
    pytest.param(
        {"requirements.txt": "-r missing.txt\n"},
        [("requirements.txt", 1, "NTR062")],
        id="missing-include",
    ),
    pytest.param(
        {"requirements.txt": "a==1\n-r b.txt\n", "b.txt": "-r requirements.txt\n"},
        [("b.txt", 1, "NTR063")],
        id="cycle",
    ),
    pytest.param(
        {"requirements.txt": "-r requirements.txt\n"},
        [("requirements.txt", 1, "NTR063")],
        id="self-include",
    ),
    pytest.param(
        {"requirements.txt": "a==1\n-r https://example.com/base.txt\n"},
        [("requirements.txt", 2, "NTR064")],
        id="remote-include-is-named-not-fetched",
    ),
    pytest.param(
        {
            "requirements.txt": "-c constraints.txt\nrequests\nidna>=3\n",
            "constraints.txt": "requests==2.31.0\nidna==3.6\n",
        },
        [],
        id="pinned-by-constraints",
    ),
    pytest.param(
        {
            "requirements.txt": "-c constraints.txt\nrequests\n",
            "constraints.txt": "requests>=2\n",
        },
        [("requirements.txt", 2, "NTR001")],
        id="loose-constraint-does-not-pin",
    ),
    pytest.param(
        {
            "requirements.txt": "--constraint=constraints.txt\nidna>=4\n",
            "constraints.txt": "idna==3.6\n",
        },
        [("requirements.txt", 2, "NTR002")],
        id="constraint-outside-range",
    ),
    pytest.param(
        {"requirements.txt": "-r a.txt\n", "a.txt": "idna==3.6\n", "b.txt": "x==1\n"},
        [],
        id="diamond-free",
    ),
    pytest.param(
        {"requirements.txt": "-r a.txt\nidna==3.7\n", "a.txt": "idna==3.6\n"},
        [("requirements.txt", 2, "NTR041")],
        id="conflict-across-files",
    ),
    pytest.param(
        {
            "requirements.txt": "-c constraints.txt\na==1\n",
            "constraints.txt": "pytest==8.0\n",
        },
        [],
        id="dev-package-in-constraints-is-fine",
    ),
]


@pytest.mark.parametrize(("files", "expected"), INCLUDES)
def test_includes(tmp_path: Path, monkeypatch, files: dict[str, str], expected) -> None:
    monkeypatch.chdir(tmp_path)
    write(tmp_path, files)
    assert [
        (Path(p).relative_to(tmp_path).as_posix(), line, code)
        for p, line, code in findings(tmp_path, "requirements.txt")
    ] == expected


def test_constraints_outside_the_folder_do_not_pin(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "shared/constraints.txt": "requests==2.31.0\n",
            "app/requirements.txt": "-c ../shared/constraints.txt\nrequests\n",
        },
    )
    assert [
        (line, code) for _, line, code in findings(tmp_path / "app", "requirements.txt")
    ] == [(2, "NTR001")]


def test_unreadable_file_is_one_finding(tmp_path: Path) -> None:
    from ntro_ship.requirements import check_files

    folder = tmp_path / "requirements.txt"
    folder.mkdir()
    [finding] = check_files([folder])
    assert (finding.line, finding.code, finding.kind) == (1, "NTR061", "unreadable")
