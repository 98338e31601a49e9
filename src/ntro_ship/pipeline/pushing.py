"""Stage `push`: the artifact becomes a platform version, exactly once per digest."""

from __future__ import annotations

import time
from typing import Any

from ntro_ship import artifact as artifacts
from ntro_ship import runbook as runbooks
from ntro_ship.errors import UsageError
from ntro_ship.pipeline.context import Context
from ntro_ship.pipeline.deploying import IN_FLIGHT_GRACE
from ntro_ship.platform import OutcomeUnknown, Version, Workflow


def resolve_workflow(
    ctx: Context,
    workflow: str,
    create: bool,
    book: runbooks.Runbook,
    description: str | None = None,
    schedule: str | None = None,
    timezone: str | None = None,
) -> Workflow:
    found = ctx.platform.find_workflow(workflow)
    if found is not None:
        return found
    if not create:
        raise UsageError(
            f"workflow {workflow!r} does not exist on {ctx.host}; check the id or "
            "name, or pass --create-workflow to register it"
        )

    description = description or book.description or None
    try:
        created = ctx.platform.create_workflow(
            workflow, description, schedule, timezone
        )
    except OutcomeUnknown:
        # Names are unique, so looking again tells whether the lost create
        # took effect; only when it did not is it sent a second time.
        created = ctx.platform.find_workflow(workflow) or ctx.platform.create_workflow(
            workflow, description, schedule, timezone
        )
    ctx.progress.step("push", f"registered workflow {created.name} ({created.id})")
    return created


def push(ctx: Context, built: artifacts.Artifact, workflow: Workflow) -> dict[str, Any]:
    """Upload the artifact once; the same digest reuses the recorded version."""
    record = ctx.record
    release = record.release
    started = time.monotonic()
    release["workflow"] = {"id": workflow.id, "name": workflow.name}

    known = record.version_for_digest(workflow.id, built.digest)
    if known is None and (release.get("pending") or {}).get("kind") == "push":
        known = _reconcile_push(ctx, workflow.id, release["pending"])
        if known is None:
            # An upload cut off by a kill may still be landing; look again.
            time.sleep(IN_FLIGHT_GRACE)
            known = _reconcile_push(ctx, workflow.id, release["pending"])
    if known is not None:
        ctx.progress.step(
            "push", f"{built.digest} already pushed as version {known['version_id']}"
        )
        release["version"] = known
        # Only a push note is settled here: a deploy note left by a killed
        # run is the deploy stage's to reconcile.
        if (release.get("pending") or {}).get("kind") == "push":
            record.set_pending(None)
        record.stage_done("push", "passed", time.monotonic() - started, reused=True)
        return known

    before = ctx.platform.list_versions(workflow.id)
    same = same_bytes(before or [], built.digest)
    if same is not None:
        # Pushed already, by a run whose record is not this one (a fresh CI
        # runner, say): the platform's own digest proves it is these bytes.
        entry = _remember(ctx, same, built.digest)
        ctx.progress.step(
            "push",
            f"the platform already holds {built.digest} as version "
            f"{same.version} ({same.id}); reusing it",
        )
        record.stage_done("push", "passed", time.monotonic() - started, reused=True)
        return entry

    record.set_pending(
        {
            "kind": "push",
            "workflow_id": workflow.id,
            "digest": built.digest,
            "known_version_ids": None if before is None else [v.id for v in before],
        }
    )
    try:
        version = ctx.platform.push_version(workflow.id, built.data)
    except OutcomeUnknown:
        found = _reconcile_push(ctx, workflow.id, release["pending"])
        if found is None:
            # The listing proves the lost push created nothing: send it again.
            version = ctx.platform.push_version(workflow.id, built.data)
        else:
            version = Version(found["version_id"], workflow.id, found["version"])

    entry = _remember(ctx, version, built.digest)
    release["pending"] = None
    ctx.progress.step("push", f"pushed version {version.version} ({version.id})")
    record.stage_done("push", "passed", time.monotonic() - started, reused=False)
    return entry


def same_bytes(versions: list[Version], digest: str) -> Version | None:
    """A listed version whose platform-side digest is `digest`, if any."""
    algorithm, _, hexdigest = digest.partition(":")
    if algorithm != "sha256":
        return None
    return next(
        (v for v in versions if v.sha256 and v.sha256.lower() == hexdigest), None
    )


def _remember(ctx: Context, version: Version, digest: str) -> dict[str, Any]:
    """Record `version` as this artifact's, in the ledger and the release."""
    entry = {
        "workflow_id": version.workflow_id,
        "version_id": version.id,
        "version": version.version,
        "digest": digest,
    }
    ctx.record.remember_version(entry)
    ctx.record.release["version"] = entry
    return entry


def _reconcile_push(
    ctx: Context, workflow_id: str, pending: dict[str, Any]
) -> dict[str, Any] | None:
    """After a push whose answer was lost, find the version it created."""
    if pending.get("kind") != "push":
        return None
    known = pending.get("known_version_ids")
    now_listed = ctx.platform.list_versions(workflow_id)
    if known is None or now_listed is None:
        raise OutcomeUnknown(
            "an earlier push of this artifact got no answer and this platform "
            "cannot list versions, so ntro-ship cannot tell whether it created "
            f"one; check workflow {workflow_id} and remove `pending` from the "
            "record to push again"
        )

    new = [v for v in now_listed if v.id not in set(known)]
    if not new:
        ctx.progress.step("push", "the earlier push created nothing; pushing again")
        return None
    if len(new) > 1:
        ids = ", ".join(v.id for v in new)
        raise OutcomeUnknown(
            f"an earlier push got no answer and {len(new)} new versions appeared "
            f"({ids}); ntro-ship cannot tell which is this artifact"
        )
    version = new[0]
    entry = {
        "workflow_id": workflow_id,
        "version_id": version.id,
        "version": version.version,
        "digest": pending["digest"],
    }
    ctx.record.remember_version(entry)
    ctx.progress.step("push", f"the earlier push did create version {version.id}")
    return entry
