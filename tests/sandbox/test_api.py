"""The Workspace API surface over real HTTP: shapes, lookups, errors."""

from __future__ import annotations

import concurrent.futures
import uuid
from typing import Any

import httpx
import pytest

from ntro_ship.sandbox import Sandbox


def is_uuid(value: Any) -> bool:
    try:
        uuid.UUID(str(value))
    except ValueError:
        return False
    return True


def test_me_answers_the_profile_shape(client: httpx.Client) -> None:
    assert client.get("/me").json() == {
        "id": "user_sandbox",
        "email": "developer@sandbox.local",
        "name": "Sandbox Developer",
        "orgId": "org_sandbox",
        "roles": ["admin"],
    }


def test_seeded_tenants_have_uuid_ids_and_a_data_platform(client: httpx.Client) -> None:
    tenants = client.get("/workspace/tenants").json()

    assert [(t["slug"], t["dataPlatform"], t["entityCount"]) for t in tenants] == [
        ("staging", "managed-postgres", 1),
        ("production", "managed-postgres", 1),
    ]
    assert all(is_uuid(t["id"]) and t["status"] == "ACTIVE" for t in tenants)


@pytest.mark.parametrize("key", ["staging", "id"], ids=["by-slug", "by-id"])
def test_tenant_and_entity_are_found_by_id_or_slug(
    client: httpx.Client, key: str
) -> None:
    staging = client.get("/workspace/tenants/staging").json()
    tenant_key = staging["id"] if key == "id" else "staging"

    entities = client.get(f"/workspace/tenants/{tenant_key}/entities").json()
    entity_key = entities[0]["id"] if key == "id" else "fund-a"
    entity = client.get(f"/workspace/tenants/{tenant_key}/entities/{entity_key}").json()

    assert client.get(f"/workspace/tenants/{tenant_key}").json() == staging
    assert [e["slug"] for e in entities] == ["fund-a"]
    assert entity["tenantId"] == staging["id"]
    assert is_uuid(entity["id"])


def test_entity_fund_a_is_one_per_tenant(client: httpx.Client) -> None:
    entities = client.get("/workspace/entities").json()
    staging = client.get("/workspace/tenants/staging").json()["id"]
    production = client.get("/workspace/tenants/production").json()["id"]

    assert sorted((e["slug"], e["tenantId"]) for e in entities) == sorted(
        [("fund-a", staging), ("fund-a", production)]
    )


def test_tenant_and_entity_can_be_created(client: httpx.Client) -> None:
    tenant = client.post(
        "/workspace/tenants",
        json={"name": "UAT", "slug": "uat", "dataPlatform": "snowflake"},
    )
    entity = client.post(
        "/workspace/tenants/uat/entities", json={"name": "Fund B", "slug": "fund-b"}
    )

    assert tenant.status_code == 201
    assert tenant.json()["dataPlatform"] == "snowflake"
    assert entity.status_code == 201
    assert entity.json()["tenantId"] == tenant.json()["id"]


def test_workflow_create_list_and_get_by_id_or_name(client: httpx.Client) -> None:
    created = client.post(
        "/workspace/registry/workflows",
        json={"name": "nav-monthly", "description": "NAV", "tenantId": "staging"},
    )
    body = created.json()

    assert created.status_code == 201
    assert (body["name"], body["description"], body["latestVersion"]) == (
        "nav-monthly",
        "NAV",
        None,
    )
    assert body["tenantId"] == client.get("/workspace/tenants/staging").json()["id"]
    assert client.get(f"/workspace/registry/workflows/{body['id']}").json() == body
    assert client.get("/workspace/registry/workflows/nav-monthly").json() == body
    assert client.get("/workspace/registry/workflows").json() == [body]


def test_push_numbers_versions_per_workflow_as_strings(
    platform: Any, good_zip: bytes, zip_of: Any
) -> None:
    first = platform.workflow("a")
    second = platform.workflow("b")
    other = zip_of({"runbook.md": "---\nslug: b\n---\n", "x.txt": "x"})

    versions = [
        platform.push("a", good_zip)["version"],
        platform.push("a", other)["version"],
        platform.push("b", good_zip)["version"],
    ]
    latest = platform.client.get(f"/workspace/registry/workflows/{first['id']}").json()

    assert versions == ["1", "2", "1"]
    assert latest["latestVersion"] == "2"
    assert second["latestVersion"] is None


def test_pushed_version_records_the_digest_and_serves_the_bytes(
    platform: Any, good_zip: bytes
) -> None:
    import hashlib

    platform.workflow()
    version = platform.push("nav-monthly", good_zip)
    digest = hashlib.sha256(good_zip).hexdigest()

    assert version["sha256"] == digest
    assert version["size"] == len(good_zip)
    assert version["artifactUrl"].endswith(f"/_sandbox/artifacts/{digest}")
    assert platform.client.get(version["artifactUrl"]).content == good_zip


def test_deployment_and_task_shapes(platform: Any, good_zip: bytes) -> None:
    released = platform.released(good_zip)
    workflow, version = released["workflow"], released["version"]
    deployment = platform.client.get(
        f"/workspace/registry/deployments/{released['deployment']['id']}"
    ).json()

    created = platform.run("nav-monthly", "staging", entityId="fund-a")
    task = platform.client.get(f"/workspace/tasks/{created.json()['id']}").json()

    assert set(deployment) == {
        "id", "workflowId", "workflowVersionId", "tenantId", "entityId",
        "status", "error", "createdAt", "updatedAt",
    }  # fmt: skip
    assert (deployment["workflowId"], deployment["workflowVersionId"]) == (
        workflow["id"],
        version["id"],
    )
    assert deployment["status"] == "DEPLOYED"
    assert created.status_code == 201
    assert task["workflowId"] == workflow["id"]
    assert task["status"] == "COMPLETED"
    assert task["workflowVersion"] == "1"
    assert task["steps"] == [
        {"name": "Collect trial balance", "status": "COMPLETED"},
        {"name": "Compute NAV", "status": "COMPLETED"},
        {"name": "publish", "status": "COMPLETED"},
    ]
    assert task["links"]["workflow_ui"].endswith(f"/ui/tasks/{task['id']}")
    assert task["failure"] is None


def test_task_ui_page_is_served_without_a_key(platform: Any, good_zip: bytes) -> None:
    platform.released(good_zip)
    task = platform.run("nav-monthly", "staging").json()

    page = httpx.get(task["links"]["workflow_ui"])

    assert page.status_code == 200
    assert "Status: <b>COMPLETED</b>" in page.text


def test_task_logs_tell_the_story(platform: Any, good_zip: bytes) -> None:
    platform.released(good_zip)
    task = platform.run("nav-monthly", "staging").json()

    logs = platform.client.get(f"/workspace/tasks/{task['id']}/logs").json()

    assert [(entry["type"], entry["payload"]) for entry in logs][1:] == [
        ("TASK_STARTED", {"version": "1"}),
        ("STEP_UPDATED", {"name": "Collect trial balance", "status": "COMPLETED"}),
        ("STEP_UPDATED", {"name": "Compute NAV", "status": "COMPLETED"}),
        ("STEP_UPDATED", {"name": "publish", "status": "COMPLETED"}),
        ("TASK_COMPLETED", {}),
    ]
    assert [entry["id"] for entry in logs] == [f"{task['id']}-{n}" for n in range(1, 7)]


def test_task_lists_history_and_status_filter(platform: Any, good_zip: bytes) -> None:
    platform.released(good_zip)
    task = platform.run("nav-monthly", "staging", entityId="fund-a").json()
    client = platform.client

    assert [t["id"] for t in client.get("/workspace/tasks").json()] == [task["id"]]
    assert client.get("/workspace/tasks", params={"status": "BLOCKED"}).json() == []
    history = client.get("/workspace/tenants/staging/entities/fund-a/tasks").json()
    assert [t["id"] for t in history] == [task["id"]]
    assert client.get("/workspace/incoming").json() == []


def test_deployments_list_extension(platform: Any, good_zip: bytes) -> None:
    released = platform.released(good_zip)
    second = platform.push("nav-monthly", good_zip)
    platform.deploy("nav-monthly", second["id"], "staging")
    platform.deploy("nav-monthly", second["id"], "production")

    response = platform.client.get(
        "/workspace/registry/deployments",
        params={"workflowId": "nav-monthly", "tenantId": "staging"},
    )

    assert response.headers["x-ntro-sandbox-extension"] == "deployments-list"
    assert [(d["version"], d["active"], d["status"]) for d in response.json()] == [
        ("2", True, "DEPLOYED"),
        ("1", False, "DEPLOYED"),
    ]
    assert response.json()[1]["id"] == released["deployment"]["id"]


def test_generation3_deploy_then_bound_workflow_then_run(
    client: httpx.Client,
) -> None:
    files = {
        "templates/workflow.py": "from ntro.workflow import runbook\n",
        "templates/requirements.txt": "ntro[workflow]==0.1.2\n",
    }
    deploy = client.post(
        "/runbooks/expense-processor/deploy",
        json={
            "tenantSlug": "staging",
            "version": "0.2.0",
            "workflowClass": "ExpenseProcessorWorkflow",
            "files": files,
            "activityModules": ["activities"],
        },
    )
    entity = client.get("/workspace/tenants/staging/entities/fund-a").json()
    workflow = client.post(
        "/workspace/registry/workflows",
        json={"runbookSlug": "expense-processor", "entityId": entity["id"]},
    )
    task = client.post(
        "/workspace/tasks",
        json={"tenantId": "staging", "workflowId": "expense-processor", "context": {}},
    )

    assert deploy.status_code == 201
    assert set(deploy.json()) == {
        "workflowId",
        "taskQueue",
        "runbook",
        "version",
        "result",
    }
    assert (deploy.json()["runbook"], deploy.json()["version"]) == (
        "expense-processor",
        "0.2.0",
    )
    assert workflow.status_code == 201
    assert workflow.json()["entityId"] == entity["id"]
    assert task.status_code == 201
    assert (task.json()["workflowVersion"], task.json()["entityId"]) == (
        "0.2.0",
        entity["id"],
    )


def test_workflow_patch_changes_only_what_is_sent(client: httpx.Client) -> None:
    client.post("/workspace/registry/workflows", json={"name": "w", "description": "d"})

    patched = client.patch(
        "/workspace/registry/workflows/w", json={"schedule": "0 6 * * *"}
    )

    assert patched.status_code == 200
    assert (patched.json()["description"], patched.json()["schedule"]) == (
        "d",
        "0 6 * * *",
    )


ERROR_CASES = [
    pytest.param(
        "GET", "/workspace/tasks/nope", None, 404, "task 'nope' not found", id="task",
    ),
    pytest.param(
        "GET", "/workspace/registry/workflows/nope", None, 404,
        "workflow 'nope' not found", id="workflow",
    ),
    pytest.param(
        "GET", "/workspace/registry/deployments/nope", None, 404,
        "deployment 'nope' not found", id="deployment",
    ),
    pytest.param(
        "GET", "/workspace/tenants/nope", None, 404, "tenant 'nope' not found",
        id="tenant",
    ),
    pytest.param(
        "GET", "/workspace/tenants/staging/entities/nope", None, 404,
        "entity 'nope' not found", id="entity",
    ),
    pytest.param(
        "GET", "/nowhere", None, 404, "no route for GET /v1/nowhere", id="route",
    ),
    pytest.param(
        "DELETE", "/me", None, 405, "DELETE is not allowed on /v1/me", id="method",
    ),
    pytest.param(
        "POST", "/workspace/tasks", {"tenantId": "staging", "workflowId": "nope"}, 404,
        "workflow 'nope' not found", id="task-for-unknown-workflow",
    ),
]  # fmt: skip


@pytest.mark.parametrize(("method", "path", "body", "status", "message"), ERROR_CASES)
def test_errors_use_the_platform_envelope(
    client: httpx.Client, method: str, path: str, body: Any, status: int, message: str
) -> None:
    response = client.request(method, path, json=body)

    assert response.status_code == status
    assert response.json() == {
        "statusCode": status,
        "message": message,
        "error": httpx.codes.get_reason_phrase(status),
    }


@pytest.mark.parametrize(
    ("headers", "message"),
    [
        pytest.param(
            {}, "missing API key: send 'Authorization: Bearer <key>'", id="none"
        ),
        pytest.param(
            {"Authorization": "Bearer wrong"},
            "API key not accepted by this sandbox; use one of its configured keys "
            "(ntro_dev_key unless api_keys is set in its config)",
            id="wrong",
        ),
        pytest.param(
            {"Authorization": "Basic bnRybw=="},
            "missing API key: send 'Authorization: Bearer <key>'",
            id="not-bearer",
        ),
    ],
)
def test_missing_or_wrong_key_is_401(
    sandbox: Sandbox, headers: dict[str, str], message: str
) -> None:
    for path in ("/me", "/workspace/tenants"):
        response = httpx.get(sandbox.url + path, headers=headers)
        assert response.status_code == 401
        assert response.json() == {
            "statusCode": 401,
            "message": message,
            "error": "Unauthorized",
        }


def test_conflicts_are_409(platform: Any, good_zip: bytes) -> None:
    platform.workflow()
    duplicate = platform.client.post(
        "/workspace/registry/workflows", json={"name": "nav-monthly"}
    )
    no_deploy = platform.run("nav-monthly", "staging")

    assert duplicate.status_code == 409
    assert (
        duplicate.json()["message"] == "a workflow named 'nav-monthly' already exists"
    )
    assert no_deploy.status_code == 409
    assert no_deploy.json()["message"] == (
        "workflow 'nav-monthly' has no deployed version on tenant 'staging'; "
        "deploy one (and wait for DEPLOYED) before starting a run"
    )


def test_simultaneous_deploys_to_one_tenant_start_exactly_one(
    sandbox: Sandbox, platform: Any, good_zip: bytes
) -> None:
    sandbox.set_delays(deploy_delay=30)
    workflow = platform.workflow()
    version = platform.push(workflow["id"], good_zip)
    body = {
        "workflowId": workflow["id"],
        "workflowVersionId": version["id"],
        "tenantId": "production",
    }

    def deploy(_: int) -> int:
        with httpx.Client(
            base_url=sandbox.url,
            headers={"Authorization": f"Bearer {sandbox.api_key}"},
        ) as http:
            return http.post("/workspace/registry/deployments", json=body).status_code

    with concurrent.futures.ThreadPoolExecutor(max_workers=8) as pool:
        codes = sorted(pool.map(deploy, range(8)))

    assert codes == [201] + [409] * 7


def test_generation3_deploy_refuses_what_a_tenant_would(
    sandbox: Sandbox, client: httpx.Client
) -> None:
    body = {
        "tenantSlug": "staging",
        "version": "0.2.0",
        "workflowClass": "ExpenseProcessorWorkflow",
        "files": {"templates/requirements.txt": "ntro[workflow]==0.1.2\n"},
    }
    missing_module = client.post("/runbooks/expense-processor/deploy", json=body)
    body["files"]["templates/workflow.py"] = "x = 1\n"
    sandbox.add_fault({"kind": "deploy_fail", "tenant": "staging", "message": "OOM"})
    injected = client.post("/runbooks/expense-processor/deploy", json=body)
    unknown_tenant = client.post(
        "/runbooks/expense-processor/deploy", json={**body, "tenantSlug": "nope"}
    )

    assert (missing_module.status_code, missing_module.json()["message"]) == (
        422,
        "deploy of expense-processor@0.2.0 to tenant 'staging' failed: artifact has "
        "no templates/workflow.py: the tenant has no workflow module to register",
    )
    assert (injected.status_code, injected.json()["message"]) == (
        422,
        "deploy of expense-processor@0.2.0 to tenant 'staging' failed: OOM",
    )
    assert unknown_tenant.status_code == 404


def test_deploy_lookups(platform: Any, good_zip: bytes) -> None:
    platform.workflow("a")
    platform.workflow("b")
    version_of_b = platform.push("b", good_zip)
    client = platform.client

    def deploy(version: str, tenant: str = "staging") -> httpx.Response:
        return client.post(
            "/workspace/registry/deployments",
            json={"workflowId": "a", "workflowVersionId": version, "tenantId": tenant},
        )

    assert [
        deploy(version_of_b["id"]).json()["message"],
        deploy("7").json()["message"],
    ] == [
        f"version '{version_of_b['id']}' belongs to another workflow, not 'a'",
        "version '7' of workflow 'a' not found",
    ]
    assert [deploy(version_of_b["id"]).status_code, deploy("7").status_code] == [
        422,
        404,
    ]


def test_a_task_names_an_entity_of_its_own_tenant(
    client: httpx.Client, platform: Any, good_zip: bytes
) -> None:
    platform.released(good_zip)
    client.post(
        "/workspace/tenants",
        json={"name": "UAT", "slug": "uat", "dataPlatform": "snowflake"},
    )
    client.post("/workspace/tenants/uat/entities", json={"name": "B", "slug": "fund-b"})

    response = platform.run("nav-monthly", "staging", entityId="fund-b")

    assert (response.status_code, response.json()["message"]) == (
        404,
        "entity 'fund-b' not found",
    )


def test_an_entity_slug_used_by_two_tenants_needs_the_id(client: httpx.Client) -> None:
    response = client.post(
        "/workspace/registry/workflows",
        json={"runbookSlug": "nav-monthly", "entityId": "fund-a"},
    )

    assert (response.status_code, response.json()["message"]) == (
        422,
        "entity slug 'fund-a' exists in several tenants (production, staging); "
        "pass the entity id instead",
    )


def test_task_page_for_an_unknown_task_is_404(sandbox: Sandbox) -> None:
    page = httpx.get(sandbox.url.removesuffix("/v1") + "/ui/tasks/nope")

    assert (page.status_code, page.text) == (404, "<h1>Task not found</h1>")


def test_health_needs_no_key(sandbox: Sandbox) -> None:
    health = httpx.get(sandbox.url.removesuffix("/v1") + "/_sandbox/health")

    assert (health.status_code, health.json()) == (200, {"status": "ok"})
