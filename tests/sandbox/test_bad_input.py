"""Bad input is answered in the envelope; the server stays up, state intact."""

from __future__ import annotations

import io
import os
import stat
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from ntro_ship.sandbox import Sandbox, SandboxConfig

OCTETS = {"Content-Type": "application/octet-stream"}


def zip_with(name: str, content: bytes, *, link: bool = False) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        info = zipfile.ZipInfo(name)
        info.compress_type = zipfile.ZIP_DEFLATED
        if link:
            info.external_attr = (stat.S_IFLNK | 0o777) << 16
        archive.writestr(info, content)
    return buffer.getvalue()


@pytest.fixture
def nav(platform: Any) -> Iterator[Any]:
    platform.workflow("nav")
    yield platform
    # Whatever was refused left nothing behind.
    client = platform.client
    assert client.get("/me").status_code == 200
    assert client.get("/workspace/registry/workflows/nav/versions").json() == []
    assert [w["name"] for w in client.get("/workspace/registry/workflows").json()] == [
        "nav"
    ]


JSON_CASES = [
    pytest.param(b"{not json", "application/json", 400,
                 "request body is not valid JSON: Expecting property name enclosed "
                 "in double quotes: line 1 column 2 (char 1)", id="malformed"),
    pytest.param(b"", "application/json", 400,
                 "request body is empty; send a JSON object", id="empty"),
    pytest.param(b"[1, 2]", "application/json", 400,
                 "request body must be a JSON object", id="array"),
    pytest.param(b'{"name": "x"}', "text/plain", 415,
                 "expected Content-Type: application/json, got 'text/plain'",
                 id="wrong-content-type"),
    pytest.param(b'{"name": "x"}', "", 415,
                 "expected Content-Type: application/json, got 'none'",
                 id="no-content-type"),
    pytest.param(b'{"name": ["x"]}', "application/json", 422,
                 "name: Input should be a valid string", id="wrong-type"),
]  # fmt: skip


@pytest.mark.parametrize(("body", "content_type", "status", "message"), JSON_CASES)
def test_json_bodies(
    nav: Any, body: bytes, content_type: str, status: int, message: str
) -> None:
    headers = {"Content-Type": content_type} if content_type else {}

    response = nav.client.post(
        "/workspace/registry/workflows", content=body, headers=headers
    )

    assert response.status_code == status
    assert response.json() == {
        "statusCode": status,
        "message": message,
        "error": httpx.codes.get_reason_phrase(status),
    }


FIELD_CASES = [
    pytest.param("/workspace/tasks", {"tenantId": "staging"},
                 "workflowId: Field required", id="task-missing-field"),
    pytest.param("/workspace/tasks",
                 {"tenantId": "staging", "workflowId": "nav", "context": "x"},
                 "context: Input should be a valid dictionary", id="task-bad-context"),
    pytest.param("/workspace/registry/deployments",
                 {"workflowId": "nav", "workflowVersionId": "1"},
                 "tenantId: required; the sandbox deploys to one tenant at a time",
                 id="deploy-without-tenant"),
    pytest.param("/workspace/tenants",
                 {"name": "X", "slug": "x", "dataPlatform": "oracle"},
                 "dataPlatform: Input should be 'managed-postgres', 'snowflake' or "
                 "'microsoft-fabric'", id="unknown-data-platform"),
    pytest.param("/workspace/registry/workflows", {"description": "no name"},
                 "name: required (or runbookSlug and entityId for a runbook-bound "
                 "workflow)", id="workflow-without-name"),
]  # fmt: skip


@pytest.mark.parametrize(("path", "body", "message"), FIELD_CASES)
def test_invalid_fields_are_422(
    nav: Any, path: str, body: dict[str, Any], message: str
) -> None:
    response = nav.client.post(path, json=body)

    assert response.status_code == 422
    assert response.json()["message"] == message


def test_unknown_status_filter_is_422(client: httpx.Client) -> None:
    response = client.get("/workspace/tasks", params={"status": "CANCELLED"})

    assert response.status_code == 422
    assert response.json()["message"] == (
        "status must be one of PENDING, READY, IN_PROGRESS, BLOCKED, COMPLETED, "
        "FAILED; got 'CANCELLED'"
    )


ARTIFACT_CASES = [
    pytest.param(b"", OCTETS, 422,
                 "the artifact is empty (0 bytes); push the zip of the runbook",
                 id="zero-bytes"),
    pytest.param(b"PK", {"Content-Type": "application/json"}, 415,
                 "push the artifact as raw bytes with Content-Type: "
                 "application/octet-stream (got 'application/json')",
                 id="json-content-type"),
    pytest.param(zip_with("../evil.py", b"x"), OCTETS, 422,
                 "artifact entry '../evil.py' escapes the archive root; entries "
                 "must be relative paths inside the runbook folder", id="dot-dot"),
    pytest.param(zip_with("/etc/cron.d/x", b"x"), OCTETS, 422,
                 "artifact entry '/etc/cron.d/x' escapes the archive root; entries "
                 "must be relative paths inside the runbook folder", id="absolute"),
    pytest.param(zip_with("templates/link", b"/etc/passwd", link=True), OCTETS, 422,
                 "artifact entry 'templates/link' is a symbolic link; tenants "
                 "refuse links", id="symlink"),
    pytest.param(zip_with("bomb.txt", b"\0" * (4 * 1024 * 1024)), OCTETS, 422,
                 "artifact entry 'bomb.txt' expands to 4194304 bytes at more than "
                 "200:1: refused as a zip bomb", id="zip-bomb"),
]  # fmt: skip


@pytest.mark.parametrize(("data", "headers", "status", "message"), ARTIFACT_CASES)
def test_bad_artifacts_are_refused_at_push(
    nav: Any, data: bytes, headers: dict[str, str], status: int, message: str
) -> None:
    response = nav.client.post(
        "/workspace/registry/workflows/nav/versions", content=data, headers=headers
    )

    assert response.status_code == status
    assert response.json()["message"] == message


@pytest.fixture
def tight(tmp_path: Path) -> Iterator[httpx.Client]:
    config = SandboxConfig(
        deploy_delay=0, run_delay=0, max_upload_bytes=4096, max_unpacked_bytes=8192
    )
    with Sandbox(tmp_path, config) as running:
        headers = {"Authorization": f"Bearer {running.api_key}"}
        with httpx.Client(base_url=running.url, headers=headers) as client:
            client.post("/workspace/registry/workflows", json={"name": "nav"})
            yield client


def test_oversized_upload_is_413(tight: httpx.Client) -> None:
    response = tight.post(
        "/workspace/registry/workflows/nav/versions",
        content=os.urandom(5000),
        headers=OCTETS,
    )

    assert response.status_code == 413
    assert response.json()["message"] == (
        "artifact of 5000 bytes is over the 4096-byte upload limit"
    )


def test_oversized_streamed_upload_is_413(tight: httpx.Client) -> None:
    def chunks() -> Iterator[bytes]:
        for _ in range(5):
            yield os.urandom(1000)

    response = tight.post(
        "/workspace/registry/workflows/nav/versions", content=chunks(), headers=OCTETS
    )

    assert response.status_code == 413
    assert response.json()["message"] == "artifact is over the 4096-byte upload limit"


def test_too_much_unpacked_content_is_422(tight: httpx.Client) -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for index in range(3):
            archive.writestr(f"f{index}.txt", "ab" * 1500)

    response = tight.post(
        "/workspace/registry/workflows/nav/versions",
        content=buffer.getvalue(),
        headers=OCTETS,
    )

    assert response.status_code == 422
    assert response.json()["message"] == (
        "artifact unpacks to 9000 bytes, more than the limit of 8192"
    )
    assert tight.get("/workspace/registry/workflows/nav/versions").json() == []
