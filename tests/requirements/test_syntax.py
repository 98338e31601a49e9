"""Every syntax pip accepts in a requirements file, parsed the way pip does."""

from __future__ import annotations

import codecs

import pytest

HASH_A = "a" * 64
HASH_B = "b" * 64

CASES = [
    pytest.param("ntro==0.1.2\n", [], id="exact-pin"),
    pytest.param("# only a comment\n\n   \n", [], id="comments-and-blanks"),
    pytest.param("requests==2.31.0  # why we pin\n", [], id="inline-comment"),
    pytest.param("requests==2.31.0\t# tab comment\n", [], id="tab-comment"),
    pytest.param("requests==2.31.0   \t\n", [], id="trailing-whitespace"),
    pytest.param("\trequests==2.31.0\n", [], id="leading-tab"),
    pytest.param("requests == 2.31.0\n", [], id="spaces-around-operator"),
    pytest.param("requests==2.31.0\r\nidna==3.6\r\n", [], id="crlf"),
    pytest.param("requests==2.31.0\rloose\r", [(2, "NTR001")], id="old-mac-cr"),
    pytest.param("requests\\\n==2.31.0\n", [], id="continuation-inside-requirement"),
    pytest.param(
        f"certifi==2024.2.2 \\\n    --hash=sha256:{HASH_A} \\\n"
        f"    --hash=sha256:{HASH_B}\n    # via requests\n",
        [],
        id="pip-compile-hashes",
    ),
    pytest.param(f"idna==3.6 --hash=sha256:{HASH_A}\n", [], id="hash-on-the-same-line"),
    pytest.param(
        "a==1\n--index-url https://pypi.org/simple\n--extra-index-url=https://x/s\n"
        "-i https://pypi.org/simple\n--find-links ./wheels\n-f https://x/links\n"
        "--no-index\n--pre\n--prefer-binary\n"
        "--only-binary :all:\n--no-binary=:none:\n--trusted-host x.org\n"
        "--use-feature=truststore\n",
        [],
        id="every-index-option",
    ),
    pytest.param("--bogus-option\n", [(1, "NTR060")], id="unknown-option"),
    pytest.param("--index-url\n", [(1, "NTR060")], id="option-without-value"),
    pytest.param(
        'pywin32==306; sys_platform == "win32"\n', [], id="environment-marker"
    ),
    pytest.param(
        'tomli==2.0.1 ; python_version < "3.11"\n', [], id="marker-false-here"
    ),
    pytest.param(
        "numpy>=1.26; python_version >= '3.12'\n",
        [(1, "NTR002")],
        id="loose-under-marker",
    ),
    pytest.param("ntro[workflow]==0.1.2\n", [], id="extras"),
    pytest.param("ntro[ workflow , gl ]==0.1.2\n", [], id="extras-with-spaces"),
    pytest.param("requests==${REQUESTS_VERSION}\n", [(1, "NTR002")], id="env-var"),
    pytest.param(
        "private==1.0 --hash=sha256:${PRIVATE_HASH}\n", [], id="env-var-in-option"
    ),
    pytest.param(
        "requests==2.31.0 # \\\nidna\n",
        [(1, "NTR050")],
        id="comment-backslash-swallows-next",
    ),
    pytest.param(
        "# full-line comment \\\nidna==3.6\n",
        [],
        id="full-line-comment-backslash-is-harmless",
    ),
    pytest.param(
        f"idna==3.6\n--hash=sha256:{HASH_A}\n", [(2, "NTR051")], id="orphan-hash"
    ),
    pytest.param("requests=2.31.0\n", [(1, "NTR060")], id="single-equals"),
    pytest.param("requests==2.31.0 extra junk\n", [(1, "NTR060")], id="junk"),
    pytest.param(
        "a==1\n\nb \\\n  >=2\n", [(3, "NTR002")], id="finding-on-first-physical-line"
    ),
    pytest.param("Django==4.2.11\n", [], id="mixed-case-name"),
    pytest.param("zope.interface==6.2\n", [], id="dotted-name"),
    pytest.param("torch==2.1.0+cpu\n", [], id="local-version"),
    pytest.param("tensorflow==2.16.0rc0\n", [], id="pre-release"),
    pytest.param("pytz==2024.1.post1\n", [], id="post-release"),
    pytest.param("pkg==1.0.dev3\n", [], id="dev-release"),
    pytest.param("pkg==1!2.0\n", [], id="epoch"),
]


@pytest.mark.parametrize(("content", "expected"), CASES)
def test_syntax(lint, content: str, expected: list[tuple[int, str]]) -> None:
    assert lint(content) == expected


FREEZE = "certifi==2024.2.2\r\nidna==3.6\r\nrequests==2.31.0\r\n"
ENCODINGS = [
    pytest.param(codecs.BOM_UTF8 + FREEZE.encode(), [], id="utf-8-bom"),
    pytest.param(
        codecs.BOM_UTF16_LE + FREEZE.encode("utf-16-le"), [], id="powershell-utf-16-le"
    ),
    pytest.param(codecs.BOM_UTF16_BE + FREEZE.encode("utf-16-be"), [], id="utf-16-be"),
    pytest.param(codecs.BOM_UTF32_LE + FREEZE.encode("utf-32-le"), [], id="utf-32"),
    pytest.param(FREEZE.encode("utf-16-le"), [(1, "NTR061")], id="utf-16-without-bom"),
    pytest.param(
        b"# -*- coding: latin-1 -*-\n# caf\xe9\nidna==3.6\n", [], id="pep-263-latin-1"
    ),
    pytest.param(
        b"# coding: klingon\nidna==3.6\n", [(1, "NTR061")], id="unknown-coding"
    ),
    pytest.param(b"idna==3.6\ncaf\xe9==1.0\n", [(1, "NTR061")], id="not-utf-8"),
    pytest.param(b"idna==3.6\x00\n", [(1, "NTR061")], id="nul-byte"),
]


@pytest.mark.parametrize(("content", "expected"), ENCODINGS)
def test_encodings(lint, content: bytes, expected: list[tuple[int, str]]) -> None:
    assert lint(content) == expected


def test_requirement_column_points_at_the_name(tmp_path, monkeypatch) -> None:
    from ntro_ship.requirements import check_files

    monkeypatch.chdir(tmp_path)
    (tmp_path / "requirements.txt").write_text("a==1\n    requests>=2\n")
    [finding] = check_files(["requirements.txt"])
    assert str(finding) == (
        "requirements.txt:2:5: NTR002 requests>=2 is a range, not one version; "
        "pin it with =="
    )
