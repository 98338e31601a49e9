"""Generation 1: the documented push/deploy flow of SDK and CLI 0.1.0 (§2.2)."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import quote

from ntro_ship.platform.base import Deployment, Task, Version, Workflow
from ntro_ship.platform.errors import MalformedResponse, NotFound, PlatformHTTPError
from ntro_ship.platform.transport import Transport

REGISTRY = "/workspace/registry"
_UNKNOWN_TARGET = re.compile(r"\b(workflow|tenant)\b.*\bnot found\b", re.IGNORECASE)


def _items(body: Any, what: str) -> list[Any]:
    """Lists come bare or as {"items": [...]}, as the SDK accepts both."""
    if isinstance(body, dict) and isinstance(body.get("items"), list):
        return list(body["items"])
    if isinstance(body, list):
        return body
    raise MalformedResponse(f"expected a list of {what}, got {type(body).__name__}")


class Gen1Platform:
    generation = 1

    def __init__(self, transport: Transport) -> None:
        self.transport = transport

    @property
    def request_count(self) -> int:
        return self.transport.request_count

    def close(self) -> None:
        self.transport.close()

    def __enter__(self) -> Gen1Platform:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def find_workflow(self, id_or_name: str) -> Workflow | None:
        try:
            body = self.transport.request(
                "GET", f"{REGISTRY}/workflows/{_q(id_or_name)}"
            )
            return Workflow.from_json(body)
        except NotFound:
            pass

        body = self.transport.request("GET", f"{REGISTRY}/workflows")
        for item in _items(body, "workflows"):
            workflow = Workflow.from_json(item)
            if id_or_name in (workflow.id, workflow.name):
                return workflow
        return None

    def create_workflow(
        self,
        name: str,
        description: str | None,
        schedule: str | None,
        timezone: str | None,
    ) -> Workflow:
        payload = {
            "name": name,
            "description": description,
            "schedule": schedule,
            "timezone": timezone,
        }
        body = self.transport.request(
            "POST",
            f"{REGISTRY}/workflows",
            json_body={k: v for k, v in payload.items() if v},
        )
        return Workflow.from_json(body)

    def push_version(self, workflow_id: str, artifact: bytes) -> Version:
        body = self.transport.request(
            "POST", f"{REGISTRY}/workflows/{_q(workflow_id)}/versions", content=artifact
        )
        return Version.from_json(body)

    def list_versions(self, workflow_id: str) -> list[Version] | None:
        try:
            body = self.transport.request(
                "GET", f"{REGISTRY}/workflows/{_q(workflow_id)}/versions"
            )
        except PlatformHTTPError as exc:
            if _no_such_route(exc):
                return None
            raise
        return [Version.from_json(item) for item in _items(body, "versions")]

    def has_target(self, tenant: str, entity: str | None) -> str | None:
        path = f"/workspace/tenants/{_q(tenant)}"
        if entity:
            path += f"/entities/{_q(entity)}"
        try:
            self.transport.request("GET", path)
        except PlatformHTTPError as exc:
            if exc.status != 404:
                raise
            # One request answers for both; the message says which is unknown.
            for kind in ("tenant", "entity"):
                if re.search(rf"\b{kind}\b.*\bnot found\b", exc.server_message, re.I):
                    return kind
            # No such route on this platform: it cannot be asked beforehand.
            return None
        return None

    def create_deployment(
        self, workflow_id: str, version_id: str, tenant: str, entity: str | None
    ) -> Deployment:
        payload = {
            "workflowId": workflow_id,
            "workflowVersionId": version_id,
            "tenantId": tenant,
        }
        if entity:
            payload["entityId"] = entity
        body = self.transport.request(
            "POST", f"{REGISTRY}/deployments", json_body=payload
        )
        return Deployment.from_json(body)

    def get_deployment(self, deployment_id: str) -> Deployment:
        body = self.transport.request(
            "GET", f"{REGISTRY}/deployments/{_q(deployment_id)}"
        )
        return Deployment.from_json(body)

    def list_deployments(
        self, workflow_id: str, tenant: str
    ) -> list[Deployment] | None:
        # A sandbox extension (docs/architecture.md); the real platform has
        # no listing, so 404/405 means "ask the release record instead".
        try:
            body = self.transport.request(
                "GET",
                f"{REGISTRY}/deployments",
                params={"workflowId": workflow_id, "tenantId": tenant},
            )
        except PlatformHTTPError as exc:
            if _no_such_route(exc):
                return None
            raise
        return [Deployment.from_json(item) for item in _items(body, "deployments")]

    def create_task(
        self,
        workflow_id: str,
        tenant: str,
        entity: str | None,
        context: dict[str, Any],
    ) -> Task:
        payload: dict[str, Any] = {
            "tenantId": tenant,
            "workflowId": workflow_id,
            "context": context,
        }
        if entity:
            payload["entityId"] = entity
        body = self.transport.request("POST", "/workspace/tasks", json_body=payload)
        return Task.from_json(body)

    def get_task(self, task_id: str) -> Task:
        body = self.transport.request("GET", f"/workspace/tasks/{_q(task_id)}")
        return Task.from_json(body)


def _no_such_route(exc: PlatformHTTPError) -> bool:
    """The platform has no listing at all (the real generation 1, whose NestJS
    answers "Cannot GET ..."), as opposed to a listing of a workflow or tenant
    it does not know, which must be reported, not read as "no listing"."""
    if exc.status == 405:
        return True
    return exc.status == 404 and not _UNKNOWN_TARGET.search(exc.server_message)


def _q(segment: str) -> str:
    return quote(segment, safe="")
