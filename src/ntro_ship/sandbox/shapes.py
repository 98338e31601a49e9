"""Rows rendered in the platform's JSON shapes (reference, section 3.4)."""

from __future__ import annotations

import json
from typing import Any

from ntro_ship.sandbox import clock
from ntro_ship.sandbox.store import Row

ORG_ID = "org_sandbox"


def tenant(row: Row, entity_count: int) -> dict[str, Any]:
    created = clock.iso(row["created_at"])
    return {
        "id": row["id"],
        "name": row["name"],
        "slug": row["slug"],
        "dataPlatform": row["data_platform"],
        "dataPlatformConfigId": None,
        "status": "ACTIVE",
        "config": {},
        "entityCount": entity_count,
        "createdAt": created,
        "updatedAt": created,
    }


def entity(row: Row) -> dict[str, Any]:
    created = clock.iso(row["created_at"])
    return {
        "id": row["id"],
        "name": row["name"],
        "slug": row["slug"],
        "tenantId": row["tenant_id"],
        "type": "FUND",
        "jurisdiction": None,
        "currency": row["currency"],
        "config": {},
        "createdAt": created,
        "updatedAt": created,
    }


def workflow(row: Row, latest_version: str | None) -> dict[str, Any]:
    """Both generations' fields; each SDK ignores the other's."""
    config = row["default_config"]
    return {
        "id": row["id"],
        "name": row["name"],
        "description": row["description"],
        "tenantId": row["tenant_id"],
        "schedule": row["schedule"],
        "timezone": row["timezone"],
        "latestVersion": latest_version,
        "runbookSlug": row["runbook_slug"],
        "entityId": row["entity_id"],
        "runbookVersion": row["runbook_version"],
        "defaultConfig": json.loads(config) if config else None,
        "orgId": ORG_ID,
        "createdAt": clock.iso(row["created_at"]),
        "updatedAt": clock.iso(row["updated_at"]),
    }


def version(row: Row, base_url: str) -> dict[str, Any]:
    return {
        "id": row["id"],
        "workflowId": row["workflow_id"],
        "version": str(row["number"]),
        "artifactUrl": f"{base_url}_sandbox/artifacts/{row['sha256']}",
        "sha256": row["sha256"],
        "size": row["size"],
        "createdAt": clock.iso(row["created_at"]),
    }


def deployment(row: Row, at: float) -> dict[str, Any]:
    phase = clock.deployment_phase(row["created_at"], row["delay"], row["outcome"], at)
    return {
        "id": row["id"],
        "workflowId": row["workflow_id"],
        "workflowVersionId": row["version_id"],
        "tenantId": row["tenant_id"],
        "entityId": row["entity_id"],
        "status": phase.status,
        "error": row["error"] if phase.status == "FAILED" else None,
        "createdAt": clock.iso(row["created_at"]),
        "updatedAt": clock.iso(phase.since),
    }


def resolution(row: Row) -> clock.Resolution | None:
    if row["resolution"] is None:
        return None
    return clock.Resolution(row["resolution"], row["resolved_at"])


def task(row: Row, at: float, base_url: str) -> dict[str, Any]:
    created, delay, outcome = row["created_at"], row["delay"], row["outcome"]
    answer = resolution(row)
    phase = clock.task_phase(created, delay, outcome, at, answer)
    names: list[str] = json.loads(row["steps"])
    closed = phase.status in ("COMPLETED", "FAILED")
    started = created + delay * clock.PENDING_SHARE
    failure = None
    if phase.status == "FAILED":
        failure = {
            "type": row["failure_type"],
            "message": row["failure_message"],
            "activityName": None,
            "stackTrace": None,
        }

    return {
        "id": row["id"],
        "title": row["title"],
        "status": phase.status,
        "tenantId": row["tenant_id"],
        "entityId": row["entity_id"],
        "workflowId": row["workflow_id"],
        "workflowVersion": row["version_label"],
        "dueDate": None,
        "priority": row["priority"],
        "steps": clock.task_steps(names, created, delay, outcome, at, answer),
        "assignee": None,
        "context": json.loads(row["context"]),
        "createdAt": clock.iso(created),
        "updatedAt": clock.iso(phase.since),
        "links": {"workflow_ui": f"{base_url}ui/tasks/{row['id']}"},
        "execution": {
            "temporalRunId": row["id"],
            "taskQueue": row["tenant_id"],
            "workflowType": row["version_ref"],
            "startedAt": clock.iso(started) if phase.status != "PENDING" else None,
            "closedAt": clock.iso(phase.since) if closed else None,
            "historyLength": None,
        },
        "failure": failure,
        "executionEvents": [],
    }
