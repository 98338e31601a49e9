"""The artifact: same tree, same bytes; junk left out; escapes refused."""

from __future__ import annotations

import os
import zipfile
from pathlib import Path

import pytest

from ntro_ship import artifact
from ntro_ship.errors import UsageError


def make_tree(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return root


BASIC = {
    "runbook.md": "---\nslug: demo\n---\n",
    "requirements.txt": "ntro[workflow]==0.1.2\n",
    "templates/__init__.py": "",
    "templates/workflow.py": "X = 1\n",
}


def test_same_tree_gives_same_bytes_whatever_the_mtimes_and_order(
    tmp_path: Path,
) -> None:
    first = make_tree(tmp_path / "a", BASIC)
    second = make_tree(tmp_path / "b", dict(reversed(list(BASIC.items()))))
    os.utime(second / "runbook.md", (1_000_000, 1_000_000))

    assert artifact.build(first).data == artifact.build(second).data
    assert artifact.build(first).digest == artifact.build(first).digest


def test_entries_are_sorted_with_fixed_date_and_mode(tmp_path: Path) -> None:
    built = artifact.build(make_tree(tmp_path, BASIC))

    with zipfile.ZipFile(__import__("io").BytesIO(built.data)) as zf:
        infos = zf.infolist()
    assert [i.filename for i in infos] == sorted(BASIC)
    assert {i.date_time for i in infos} == {(1980, 1, 1, 0, 0, 0)}
    assert {(i.external_attr >> 16) & 0o777 for i in infos} == {0o644}


@pytest.mark.parametrize(
    "junk",
    [
        pytest.param(".git/config", id="vcs"),
        pytest.param("templates/__pycache__/workflow.cpython-311.pyc", id="cache"),
        pytest.param(".venv/bin/python", id="virtualenv"),
        pytest.param("requirements-dev.txt", id="dev-requirements"),
        pytest.param(".DS_Store", id="os-junk"),
        pytest.param(".pytest_cache/README.md", id="tool-cache"),
    ],
)
def test_junk_is_left_out(tmp_path: Path, junk: str) -> None:
    clean = artifact.build(make_tree(tmp_path / "clean", BASIC))
    dirty = artifact.build(make_tree(tmp_path / "dirty", {**BASIC, junk: "x"}))

    assert dirty.digest == clean.digest


def test_exclude_globs_are_configurable(tmp_path: Path) -> None:
    root = make_tree(tmp_path, {**BASIC, "notes/draft.txt": "x", "big.csv": "1"})

    built = artifact.build(root, excludes=["notes", "*.csv"])

    assert [e.path for e in built.entries] == sorted(BASIC)


def test_symlink_inside_the_tree_is_packed_as_a_file(tmp_path: Path) -> None:
    root = make_tree(tmp_path / "rb", BASIC)
    (root / "templates" / "alias.py").symlink_to(root / "templates" / "workflow.py")

    built = artifact.build(root)

    assert "templates/alias.py" in [e.path for e in built.entries]


def test_symlink_leaving_the_tree_is_refused(tmp_path: Path) -> None:
    root = make_tree(tmp_path / "rb", BASIC)
    (tmp_path / "secret.txt").write_text("outside")
    (root / "templates" / "leak.txt").symlink_to(tmp_path / "secret.txt")

    with pytest.raises(UsageError, match=r"leak\.txt: a symlink to .*outside"):
        artifact.build(root)


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads every file")
def test_unreadable_file_is_refused(tmp_path: Path) -> None:
    root = make_tree(tmp_path / "rb", {**BASIC, "templates/locked.py": "x"})
    (root / "templates" / "locked.py").chmod(0)

    with pytest.raises(UsageError, match=r"locked\.py: cannot be read"):
        artifact.build(root)


def test_manifest_lists_every_file_with_its_digest(tmp_path: Path) -> None:
    built = artifact.build(make_tree(tmp_path / "rb", BASIC))
    (tmp_path / "out").mkdir()

    manifest_path = built.write(tmp_path / "out" / "demo.zip")

    assert manifest_path.name == "demo.zip.manifest.json"
    assert (tmp_path / "out" / "demo.zip").read_bytes() == built.data
    manifest = built.manifest()
    assert manifest["digest"] == built.digest
    assert [f["path"] for f in manifest["files"]] == sorted(BASIC)


def test_output_in_a_missing_folder_is_refused_not_created(tmp_path: Path) -> None:
    built = artifact.build(make_tree(tmp_path / "rb", BASIC))

    with pytest.raises(UsageError) as raised:
        built.write(tmp_path / "nonexist" / "x.zip")

    assert str(raised.value) == (
        f"-o {tmp_path}/nonexist/x.zip: the folder {tmp_path}/nonexist does not "
        "exist; create it first or pick another path"
    )
    assert not (tmp_path / "nonexist").exists()


def test_dangling_symlink_is_refused_as_unreadable(tmp_path: Path) -> None:
    root = make_tree(tmp_path / "rb", BASIC)
    (root / "templates" / "gone.py").symlink_to(root / "templates" / "missing.py")

    with pytest.raises(UsageError, match=r"gone\.py: cannot be read"):
        artifact.build(root)


def test_nested_entries_sort_by_their_full_path(tmp_path: Path) -> None:
    nested = {**BASIC, "templates.md": "x", "data/b/2.csv": "2", "data/a.csv": "1"}

    built = artifact.build(make_tree(tmp_path / "rb", nested))

    assert [e.path for e in built.entries] == [
        "data/a.csv",
        "data/b/2.csv",
        "requirements.txt",
        "runbook.md",
        "templates.md",
        "templates/__init__.py",
        "templates/workflow.py",
    ]


def test_path_globs_match_below_the_top_folder(tmp_path: Path) -> None:
    extra = {"data/raw/1.csv": "1", "data/keep.csv": "2", "raw/2.csv": "3"}
    root = make_tree(tmp_path / "rb", {**BASIC, **extra})

    built = artifact.build(root, excludes=["data/raw"])

    assert [e.path for e in built.entries if e.path.endswith(".csv")] == [
        "data/keep.csv",
        "raw/2.csv",
    ]


def test_executable_files_keep_their_bit(tmp_path: Path) -> None:
    root = make_tree(tmp_path / "rb", {**BASIC, "bin/run.sh": "#!/bin/sh\n"})
    (root / "bin" / "run.sh").chmod(0o700)

    built = artifact.build(root)

    with zipfile.ZipFile(__import__("io").BytesIO(built.data)) as zf:
        modes = {i.filename: (i.external_attr >> 16) & 0o777 for i in zf.infolist()}
    assert modes["bin/run.sh"] == 0o755
    assert modes["runbook.md"] == 0o644


def test_symlinked_folder_is_refused(tmp_path: Path) -> None:
    root = make_tree(tmp_path / "rb", BASIC)
    (root / "shared").symlink_to(root / "templates", target_is_directory=True)

    with pytest.raises(UsageError, match=r"shared: a symlinked folder; "):
        artifact.build(root)


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads every folder")
def test_unreadable_folder_is_refused(tmp_path: Path) -> None:
    root = make_tree(tmp_path / "rb", {**BASIC, "locked/a.py": "x"})
    (root / "locked").chmod(0)

    try:
        with pytest.raises(UsageError, match=r"locked: the folder cannot be read"):
            artifact.build(root)
    finally:
        (root / "locked").chmod(0o755)
