"""Injected faults: HTTP-level and tenant-level, at start and at run time."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import httpx
import pytest

from ntro_ship.sandbox import Sandbox, SandboxConfig
from ntro_ship.sandbox.faults import FaultError

WORKFLOWS = "/workspace/registry/workflows"


def workflow_names(client: httpx.Client) -> list[str]:
    return [w["name"] for w in client.get(WORKFLOWS).json()]


def test_error_fault_answers_the_status_for_the_next_n_calls(
    sandbox: Sandbox, client: httpx.Client
) -> None:
    sandbox.add_fault(
        {"kind": "error", "match": "GET /workspace/tenants", "status": 503, "times": 2}
    )

    statuses = [client.get("/workspace/tenants").status_code for _ in range(3)]
    untouched = client.get("/me").status_code

    assert statuses == [503, 503, 200]
    assert untouched == 200


def test_error_fault_body_is_the_envelope(
    sandbox: Sandbox, client: httpx.Client
) -> None:
    sandbox.add_fault({"kind": "error", "match": "GET /v1/me", "status": 500})

    response = client.get("/me")

    assert response.json() == {
        "statusCode": 500,
        "message": "sandbox fault: injected HTTP 500",
        "error": "Internal Server Error",
    }


def test_rate_limit_fault_sends_retry_after(
    sandbox: Sandbox, client: httpx.Client
) -> None:
    sandbox.add_fault({"kind": "rate_limit", "match": "GET /me", "retry_after": 7})

    response = client.get("/me")

    assert (response.status_code, response.headers["retry-after"]) == (429, "7")
    assert client.get("/me").status_code == 200


def test_latency_fault_delays_but_answers(
    sandbox: Sandbox, client: httpx.Client
) -> None:
    sandbox.add_fault({"kind": "latency", "match": "GET /me", "seconds": 0.3})

    started = time.monotonic()
    response = client.get("/me")

    assert response.status_code == 200
    assert time.monotonic() - started >= 0.3


@pytest.mark.parametrize(
    ("kind", "error", "committed"),
    [
        pytest.param("hang", httpx.ReadTimeout, False, id="hang"),
        pytest.param("drop", httpx.RemoteProtocolError, False, id="drop"),
        pytest.param("hang_after_commit", httpx.ReadTimeout, True, id="hang-after"),
        pytest.param(
            "drop_after_commit", httpx.RemoteProtocolError, True, id="drop-after"
        ),
    ],
)
def test_lost_answers_with_and_without_the_write(
    sandbox: Sandbox,
    client: httpx.Client,
    kind: str,
    error: type[Exception],
    committed: bool,
) -> None:
    sandbox.add_fault({"kind": kind, "match": f"POST {WORKFLOWS}", "seconds": 5})

    with pytest.raises(error):
        client.post(WORKFLOWS, json={"name": "nav"}, timeout=0.5)

    assert workflow_names(client) == (["nav"] if committed else [])
    assert client.get("/me").status_code == 200


def test_glob_patterns_and_unlimited_times(
    sandbox: Sandbox, client: httpx.Client
) -> None:
    sandbox.add_fault(
        {"kind": "error", "match": "GET /workspace/tenants/*", "times": None}
    )

    statuses = [client.get("/workspace/tenants/staging").status_code for _ in range(3)]
    listing = client.get("/workspace/tenants").status_code
    sandbox.clear_faults()

    assert statuses == [503, 503, 503]
    assert listing == 200
    assert client.get("/workspace/tenants/staging").status_code == 200


def test_deploy_fault_fails_the_chosen_tenant_only(
    sandbox: Sandbox, platform: Any, good_zip: bytes
) -> None:
    sandbox.add_fault(
        {
            "kind": "deploy_fail",
            "tenant": "production",
            "message": "disk full on worker",
        }
    )
    platform.workflow("nav")
    version = platform.push("nav", good_zip)

    staging = platform.deploy("nav", version["id"], "staging")
    production = platform.deploy("nav", version["id"], "production")
    retried = platform.deploy("nav", version["id"], "production")

    assert (staging["status"], staging["error"]) == ("DEPLOYED", None)
    assert (production["status"], production["error"]) == (
        "FAILED",
        "disk full on worker",
    )
    assert retried["status"] == "DEPLOYED"


def test_deploy_fault_for_a_chosen_version(
    sandbox: Sandbox, platform: Any, good_zip: bytes
) -> None:
    sandbox.add_fault({"kind": "deploy_fail", "workflow": "nav", "version": "2"})
    platform.workflow("nav")
    platform.push("nav", good_zip)
    platform.push("nav", good_zip)

    one = platform.deploy("nav", "1", "staging")
    two = platform.deploy("nav", "2", "staging")

    assert one["status"] == "DEPLOYED"
    assert (two["status"], two["error"]) == (
        "FAILED",
        "tenant 'staging' could not install version 2 "
        "(failure injected by the sandbox)",
    )


@pytest.mark.parametrize(
    ("fault", "status", "failure", "last_step"),
    [
        pytest.param(
            {
                "kind": "run_fail",
                "failure": {"type": "ActivityError", "message": "TB empty"},
            },
            "FAILED",
            {"type": "ActivityError", "message": "TB empty"},
            "FAILED",
            id="fail",
        ),
        pytest.param({"kind": "run_block"}, "BLOCKED", None, "BLOCKED", id="block"),
        pytest.param(
            {"kind": "run_hang"}, "IN_PROGRESS", None, "IN_PROGRESS", id="hang"
        ),
    ],
)
def test_run_faults_on_a_chosen_tenant(
    sandbox: Sandbox,
    platform: Any,
    good_zip: bytes,
    fault: dict[str, Any],
    status: str,
    failure: dict[str, str] | None,
    last_step: str,
) -> None:
    released = platform.released(good_zip, tenant="production")
    platform.deploy("nav-monthly", released["version"]["id"], "staging")
    sandbox.add_fault({**fault, "tenant": "production"})

    staging = platform.run("nav-monthly", "staging").json()
    task = platform.run("nav-monthly", "production").json()
    fetched = platform.client.get(f"/workspace/tasks/{task['id']}").json()

    assert staging["status"] == "COMPLETED"
    assert fetched["status"] == status
    if failure is None:
        assert fetched["failure"] is None
    else:
        assert {k: fetched["failure"][k] for k in failure} == failure
    assert [s["status"] for s in fetched["steps"]] == [
        "COMPLETED",
        "COMPLETED",
        last_step,
    ]


def test_admin_endpoint_adds_lists_and_removes_faults(
    sandbox: Sandbox, client: httpx.Client
) -> None:
    admin = sandbox.url.removesuffix("/v1") + "/_sandbox/faults"
    headers = {"Authorization": f"Bearer {sandbox.api_key}"}

    added = httpx.post(
        admin, json={"kind": "error", "match": "GET /me", "times": 3}, headers=headers
    )
    client.get("/me")
    listed = httpx.get(admin, headers=headers).json()
    removed = httpx.delete(f"{admin}/{added.json()['id']}", headers=headers)
    missing = httpx.delete(f"{admin}/999", headers=headers)

    assert added.status_code == 201
    assert listed == [
        {"kind": "error", "match": "GET /me", "times": 3, "status": 503,
         "retry_after": 1, "id": added.json()["id"], "remaining": 2, "hits": 1}
    ]  # fmt: skip
    assert removed.status_code == 204
    assert missing.status_code == 404
    assert client.get("/me").status_code == 200
    assert httpx.get(admin).status_code == 401


@pytest.mark.parametrize(
    ("body", "message"),
    [
        pytest.param(
            {"kind": "explode"},
            "kind: Input should be 'error', 'rate_limit', 'latency', 'hang', 'drop', "
            "'hang_after_commit', 'drop_after_commit', 'deploy_fail', 'run_fail', "
            "'run_block' or 'run_hang'",
            id="unknown-kind",
        ),
        pytest.param(
            {"kind": "error"},
            "fault kind 'error' needs 'match', e.g. "
            '"POST /v1/workspace/registry/deployments"',
            id="no-match",
        ),
        pytest.param(
            {"kind": "error", "match": "FETCH /me"},
            "match 'FETCH /me' must be \"METHOD /path\" (METHOD one of GET, POST, "
            "PUT, PATCH, DELETE, HEAD, OPTIONS, *; the path may use * globs)",
            id="bad-method",
        ),
        pytest.param(
            {"kind": "error", "match": "GET /me", "status": 200},
            "status: Input should be greater than or equal to 400",
            id="not-an-error-status",
        ),
        pytest.param(
            {"kind": "run_fail", "tenant": "x", "colour": "red"},
            "colour: Extra inputs are not permitted",
            id="unknown-field",
        ),
    ],
)
def test_bad_fault_descriptions_are_422(
    sandbox: Sandbox, body: dict[str, Any], message: str
) -> None:
    admin = sandbox.url.removesuffix("/v1") + "/_sandbox/faults"
    headers = {"Authorization": f"Bearer {sandbox.api_key}"}

    response = httpx.post(admin, json=body, headers=headers)

    assert response.status_code == 422
    assert response.json()["message"] == message
    with pytest.raises(FaultError) as raised:
        sandbox.add_fault(body)
    assert str(raised.value) == message


def test_faults_from_the_config_apply_from_the_start(
    tmp_path: Path, good_zip: bytes, platform_class: Any
) -> None:
    config = SandboxConfig(
        deploy_delay=0,
        run_delay=0,
        faults=({"kind": "run_block", "tenant": "staging", "times": None},),
    )
    with Sandbox(tmp_path, config) as running:
        headers = {"Authorization": f"Bearer {running.api_key}"}
        with httpx.Client(base_url=running.url, headers=headers) as client:
            platform = platform_class(client)
            platform.released(good_zip)
            statuses = [platform.run("nav-monthly", "staging").json()["status"]] * 2

    assert statuses == ["BLOCKED", "BLOCKED"]


def test_delays_can_change_at_run_time(
    sandbox: Sandbox, platform: Any, good_zip: bytes
) -> None:
    admin = sandbox.url.removesuffix("/v1") + "/_sandbox/delays"
    headers = {"Authorization": f"Bearer {sandbox.api_key}"}
    platform.released(good_zip)

    changed = httpx.put(admin, json={"run_delay": 60}, headers=headers)
    task = platform.run("nav-monthly", "staging").json()

    assert changed.json() == {"deploy_delay": 0.0, "run_delay": 60.0}
    assert task["status"] == "PENDING"


@pytest.mark.parametrize(
    ("verb", "body", "status", "failure"),
    [
        pytest.param("approve", {}, "COMPLETED", None, id="approve"),
        pytest.param(
            "reject",
            {"reason": "NAV off by 2%"},
            "FAILED",
            {"type": "Rejected", "message": "NAV off by 2%"},
            id="reject",
        ),
    ],
)
def test_a_blocked_run_is_approved_or_rejected(
    sandbox: Sandbox,
    platform: Any,
    good_zip: bytes,
    verb: str,
    body: dict[str, str],
    status: str,
    failure: dict[str, str] | None,
) -> None:
    platform.released(good_zip)
    sandbox.add_fault({"kind": "run_block", "tenant": "staging"})
    task = platform.run("nav-monthly", "staging").json()
    path = f"/workspace/tasks/{task['id']}"

    answered = platform.client.post(f"{path}/{verb}", json=body)
    again = platform.client.post(f"{path}/{verb}", json=body)
    fetched = platform.client.get(path).json()

    assert task["status"] == "BLOCKED"
    assert answered.status_code == 200
    assert fetched["status"] == status
    if failure is not None:
        assert {k: fetched["failure"][k] for k in failure} == failure
    assert (again.status_code, again.json()["message"]) == (
        409,
        f"task {task['id']} is {status}, not BLOCKED; only a task waiting on a "
        "human step can be approved or rejected",
    )


def test_a_tenant_fault_is_listed_without_the_error_answer_fields(
    sandbox: Sandbox,
) -> None:
    listed = sandbox.add_fault({"kind": "run_block", "tenant": "staging"})

    assert "status" not in listed and "retry_after" not in listed
    assert listed["kind"] == "run_block" and listed["tenant"] == "staging"
