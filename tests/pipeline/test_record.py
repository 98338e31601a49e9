"""The release record file: atomic, versioned, readable errors, no secrets."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ntro_ship.errors import UsageError
from ntro_ship.pipeline.record import SCHEMA, Record


def test_save_replaces_the_file_and_leaves_no_temporary(tmp_path: Path) -> None:
    record = Record(tmp_path / "nested" / "release.json")
    record.start_release({"slug": "demo"}, {"digest": "sha256:00"})

    record.save()
    record.stage_done("package", "passed", 0.01234)

    assert [p.name for p in (tmp_path / "nested").iterdir()] == ["release.json"]
    data = json.loads((tmp_path / "nested" / "release.json").read_text())
    assert data["schema"] == SCHEMA
    assert data["release"]["stages"]["package"]["seconds"] == 0.012


def test_reload_keeps_the_ledgers(tmp_path: Path) -> None:
    path = tmp_path / "release.json"
    record = Record(path)
    record.start_release({}, {"digest": "sha256:aa"})
    record.remember_version(
        {"workflow_id": "w", "version_id": "v1", "version": "1", "digest": "sha256:aa"}
    )
    record.tenant("w", "production")["active_version_id"] = "v1"
    record.save()

    again = Record.load(path)

    by_digest = again.version_for_digest("w", "sha256:aa")
    by_name = again.version_by_name("w", "1")
    assert by_digest is not None and by_digest["version_id"] == "v1"
    assert by_name is not None and by_name["version_id"] == "v1"
    assert again.tenant("w", "production")["active_version_id"] == "v1"


@pytest.mark.parametrize(
    ("content", "says"),
    [
        pytest.param("{not json", "cannot be read", id="not-json"),
        pytest.param(
            '{"schema": "x/1"}', "not an ntro-ship release record", id="schema"
        ),
    ],
)
def test_unreadable_record_is_a_usage_error(
    tmp_path: Path, content: str, says: str
) -> None:
    path = tmp_path / "release.json"
    path.write_text(content)

    with pytest.raises(UsageError, match=says):
        Record.load(path)


def test_a_missing_record_starts_empty(tmp_path: Path) -> None:
    record = Record.load(tmp_path / "absent.json")

    assert not record.has_release()
    with pytest.raises(UsageError, match="no release recorded yet"):
        _ = record.release
