"""What the pipeline needs from a platform, independent of the API generation."""

from __future__ import annotations

import dataclasses
from typing import Any, Protocol

from ntro_ship.platform.errors import MalformedResponse

DEPLOYMENT_PENDING = frozenset({"PENDING", "DEPLOYING"})
DEPLOYMENT_DONE = frozenset({"DEPLOYED", "FAILED"})
# READY exists only in SDK >= 0.1.1 and CANCELLED only in 0.1.0 (reference §4).
TASK_PENDING = frozenset({"PENDING", "READY", "IN_PROGRESS"})
TASK_DONE = frozenset({"COMPLETED", "FAILED", "CANCELLED", "BLOCKED"})


def _field(body: Any, name: str, what: str) -> str:
    if not isinstance(body, dict):
        raise MalformedResponse(f"expected a {what} object, got {type(body).__name__}")
    value = body.get(name)
    if value is None or value == "":
        raise MalformedResponse(f"the platform's {what} has no {name!r} field")
    return str(value)


@dataclasses.dataclass(frozen=True)
class Workflow:
    id: str
    name: str
    latest_version: str | None = None

    @classmethod
    def from_json(cls, body: Any) -> Workflow:
        name = body.get("name") if isinstance(body, dict) else None
        return cls(
            id=_field(body, "id", "workflow"),
            name=str(name or ""),
            latest_version=body.get("latestVersion"),
        )


@dataclasses.dataclass(frozen=True)
class Version:
    id: str
    workflow_id: str
    version: str
    # Hex SHA-256 of the uploaded bytes, where the platform says it (the
    # sandbox does; generation 1 gives only an artifactUrl).
    sha256: str | None = None

    @classmethod
    def from_json(cls, body: Any) -> Version:
        return cls(
            id=_field(body, "id", "workflow version"),
            workflow_id=_field(body, "workflowId", "workflow version"),
            version=_field(body, "version", "workflow version"),
            sha256=_text(body.get("sha256")),
        )


@dataclasses.dataclass(frozen=True)
class Deployment:
    id: str
    workflow_id: str
    version_id: str
    status: str
    tenant: str | None = None
    error: str | None = None
    active: bool | None = None
    created_at: str | None = None

    @classmethod
    def from_json(cls, body: Any) -> Deployment:
        return cls(
            id=_field(body, "id", "deployment"),
            workflow_id=_field(body, "workflowId", "deployment"),
            version_id=_field(body, "workflowVersionId", "deployment"),
            status=_field(body, "status", "deployment"),
            tenant=body.get("tenantId"),
            error=_text(body.get("error")),
            active=body.get("active"),
            created_at=body.get("createdAt"),
        )


@dataclasses.dataclass(frozen=True)
class Task:
    id: str
    status: str
    failure_type: str | None = None
    failure_message: str | None = None
    link: str | None = None

    @classmethod
    def from_json(cls, body: Any) -> Task:
        failure = body.get("failure") if isinstance(body, dict) else None
        links = body.get("links") if isinstance(body, dict) else None
        return cls(
            id=_field(body, "id", "task"),
            status=_field(body, "status", "task"),
            failure_type=_text((failure or {}).get("type")),
            failure_message=_text((failure or {}).get("message")),
            link=_text((links or {}).get("workflow_ui")),
        )


def _text(value: Any) -> str | None:
    return None if value in (None, "") else str(value)


class Platform(Protocol):
    """The operations the release pipeline performs, one method per API call."""

    generation: int

    @property
    def request_count(self) -> int:
        """HTTP requests sent so far, retries included (for benchmarks)."""
        ...

    def find_workflow(self, id_or_name: str) -> Workflow | None: ...

    def create_workflow(
        self,
        name: str,
        description: str | None,
        schedule: str | None,
        timezone: str | None,
    ) -> Workflow: ...

    def push_version(self, workflow_id: str, artifact: bytes) -> Version: ...

    def list_versions(self, workflow_id: str) -> list[Version] | None:
        """All versions, or None when the platform cannot list them."""
        ...

    def has_target(self, tenant: str, entity: str | None) -> str | None:
        """What is missing ("tenant" or "entity"), None when both exist or
        the platform cannot be asked."""
        ...

    def create_deployment(
        self, workflow_id: str, version_id: str, tenant: str, entity: str | None
    ) -> Deployment: ...

    def get_deployment(self, deployment_id: str) -> Deployment: ...

    def list_deployments(
        self, workflow_id: str, tenant: str
    ) -> list[Deployment] | None:
        """Newest first, or None when the platform cannot list them."""
        ...

    def create_task(
        self,
        workflow_id: str,
        tenant: str,
        entity: str | None,
        context: dict[str, Any],
    ) -> Task: ...

    def get_task(self, task_id: str) -> Task: ...

    def close(self) -> None: ...
