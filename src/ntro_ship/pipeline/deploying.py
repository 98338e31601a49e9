"""Stages `deploy` and `smoke`: one version onto one tenant, then one run of it."""

from __future__ import annotations

import dataclasses
import time
from typing import Any

from ntro_ship.errors import PlatformError, UsageError
from ntro_ship.pipeline.context import Context
from ntro_ship.pipeline.policy import Verdict
from ntro_ship.pipeline.record import now
from ntro_ship.pipeline.waits import wait_deployment
from ntro_ship.platform import Deployment, OutcomeUnknown, PlatformHTTPError
from ntro_ship.platform.base import DEPLOYMENT_PENDING

IN_FLIGHT_GRACE = 1.0


@dataclasses.dataclass(frozen=True)
class StepResult:
    verdict: Verdict
    detail: str
    entry: dict[str, Any]


def current_version(ctx: Context) -> dict[str, Any]:
    version = ctx.record.release.get("version")
    if not version:
        raise UsageError(
            f"{ctx.record.path}: no pushed version recorded; run `ntro-ship push` "
            "first, or pass the --record of the job that pushed"
        )
    return dict(version)


def active_version(ctx: Context, workflow_id: str, tenant: str) -> str | None:
    """The version active on `tenant`: the platform's word when it can list
    deployments, else what the record last saw."""
    listed = ctx.platform.list_deployments(workflow_id, tenant)
    return _active_of(ctx, listed, workflow_id, tenant)


def _active_of(
    ctx: Context, listed: list[Deployment] | None, workflow_id: str, tenant: str
) -> str | None:
    if listed is not None:
        active = [d for d in listed if d.active]
        return active[0].version_id if active else None
    value = ctx.record.tenant(workflow_id, tenant)["active_version_id"]
    return None if value is None else str(value)


def deploy(
    ctx: Context,
    tenant: str,
    entity: str | None,
    purpose: str,
    version: dict[str, Any] | None = None,
) -> StepResult:
    record = ctx.record
    release = record.release
    version = version or current_version(ctx)
    workflow_id, version_id = version["workflow_id"], version["version_id"]
    stage = f"deploy {tenant}"

    on_tenant = [d for d in release["deployments"] if d["tenant"] == tenant]
    latest = on_tenant[-1] if on_tenant else None
    if latest and (latest["version_id"], latest["purpose"]) == (version_id, purpose):
        done = latest.get("verdict") == Verdict.PASSED
        if done and _still_active(ctx, latest, workflow_id):
            ctx.progress.step(stage, f"version {version_id} already deployed")
            return StepResult(Verdict.PASSED, "already deployed", latest)
        # A wait that timed out is resumed too: the deployment may have
        # settled since, and a second one would only queue behind it.
        if latest.get("verdict") in (None, Verdict.TIMED_OUT) and latest.get("id"):
            ctx.progress.step(stage, f"resuming the wait on {latest['id']}")
            return _settle(ctx, latest, stage)

    pending = release.get("pending") or {}
    created = None
    if pending.get("kind") == "deploy" and pending.get("tenant") == tenant:
        created = _reconcile(ctx, pending)
        if created is None:
            # A request cut off by a kill can still be in the server's
            # queue; give it a moment to land before sending another.
            time.sleep(IN_FLIGHT_GRACE)
            created = _reconcile(ctx, pending)

    if created is None:
        listed = ctx.platform.list_deployments(workflow_id, tenant)
        busy = _other_in_flight(listed, version_id)
        if busy is not None:
            listed = _let_settle(ctx, busy, tenant, stage)
            if listed is None:
                return _still_busy(ctx, busy, tenant, version_id, purpose, stage)
        previous = _active_of(ctx, listed, workflow_id, tenant)
        # Only the platform's own listing is trusted to skip a deploy; the
        # record may be stale if someone deployed by hand since.
        if listed is not None and previous == version_id:
            ledger = record.tenant(workflow_id, tenant)
            entry = _entry(None, tenant, entity, version_id, purpose, ledger)
            # Nothing changed: what ran before is what runs now.
            entry.update(
                verdict=Verdict.PASSED,
                status="DEPLOYED",
                reused=True,
                previous_version_id=version_id,
            )
            release["deployments"].append(entry)
            record.save()
            ctx.progress.step(stage, f"version {version_id} is already active")
            return StepResult(Verdict.PASSED, "already active", entry)

        pending = {"previous_version_id": previous}
        created = _in_flight(ctx, listed, version_id, tenant) or _create(
            ctx, version, tenant, entity, purpose, listed
        )

    entry = {
        "id": created.id,
        "tenant": tenant,
        "entity": entity,
        "version_id": version_id,
        "purpose": purpose,
        "previous_version_id": pending.get("previous_version_id"),
        "status": created.status,
        "verdict": None,
        "started_at": now(),
    }
    release["deployments"].append(entry)
    release["pending"] = None
    record.save()
    return _settle(ctx, entry, stage)


def _still_active(ctx: Context, entry: dict[str, Any], workflow_id: str) -> bool:
    """Whether a production or rollback deploy the record calls done is what
    the tenant runs now: a deployment that settled late, or one by hand, may
    have replaced it. Staging's is evidence already used, so it is trusted."""
    if entry["purpose"] == "staging":
        return True
    listed = ctx.platform.list_deployments(workflow_id, entry["tenant"])
    if listed is None:
        return True
    active = _active_of(ctx, listed, workflow_id, entry["tenant"])
    return bool(active == entry["version_id"])


def _other_in_flight(
    listed: list[Deployment] | None, version_id: str
) -> Deployment | None:
    busy = [
        d
        for d in listed or []
        if d.status in DEPLOYMENT_PENDING and d.version_id != version_id
    ]
    return busy[0] if busy else None


def _let_settle(
    ctx: Context, busy: Deployment, tenant: str, stage: str
) -> list[Deployment] | None:
    """Wait for another version's deployment to finish; the tenant's listing
    afterwards, or None when it is still in progress.

    Deploying over it is refused (one at a time), and reading "active" before
    it settles would be wrong: it replaces the active version when it lands.
    """
    ctx.progress.step(
        stage,
        f"waiting for {busy.id} (version {busy.version_id}, {busy.status}) "
        "to settle first",
    )
    outcome, _ = wait_deployment(
        ctx.platform, busy.id, ctx.policy.deploy_timeout, lambda _: None
    )
    if outcome.verdict is Verdict.TIMED_OUT:
        return None
    return ctx.platform.list_deployments(busy.workflow_id, tenant)


def _still_busy(
    ctx: Context,
    busy: Deployment,
    tenant: str,
    version_id: str,
    purpose: str,
    stage: str,
) -> StepResult:
    detail = (
        f"deployment {busy.id} of version {busy.version_id} is still in "
        f"progress on {tenant}, and will replace whatever is active when it "
        "lands; run the same command again once it has settled"
    )
    ctx.progress.problem(stage, f"timed out: {detail}")
    entry = {
        "id": None,
        "tenant": tenant,
        "version_id": version_id,
        "purpose": purpose,
        "verdict": Verdict.TIMED_OUT.value,
        "detail": detail,
    }
    return StepResult(Verdict.TIMED_OUT, detail, entry)


def _in_flight(
    ctx: Context, listed: list[Deployment] | None, version_id: str, tenant: str
) -> Deployment | None:
    """A deployment still in progress on the tenant: this version's is adopted
    (a killed run started it), another version's stops the deploy."""
    busy = [d for d in listed or [] if d.status in DEPLOYMENT_PENDING]
    if not busy:
        return None

    if busy[0].version_id == version_id:
        ctx.progress.step(
            f"deploy {tenant}",
            f"{busy[0].id} of this version is already {busy[0].status}; adopting it",
        )
        return busy[0]
    raise PlatformError(
        f"deployment {busy[0].id} of version {busy[0].version_id} to {tenant} is "
        f"still {busy[0].status}; the platform deploys one at a time. Wait for "
        "it to finish (or fail), then run this again"
    )


def _create(
    ctx: Context,
    version: dict[str, Any],
    tenant: str,
    entity: str | None,
    purpose: str,
    listed: list[Deployment] | None,
) -> Deployment:
    """Send the deployment once, behind a write-ahead note."""
    record = ctx.record
    release = record.release
    workflow_id, version_id = version["workflow_id"], version["version_id"]
    previous = _active_of(ctx, listed, workflow_id, tenant)
    earlier_note = release.get("pending")
    record.set_pending(
        {
            "kind": "deploy",
            "tenant": tenant,
            "entity": entity,
            "purpose": purpose,
            "workflow_id": workflow_id,
            "version_id": version_id,
            "previous_version_id": previous,
            "known_deployment_ids": None if listed is None else [d.id for d in listed],
        }
    )
    ctx.progress.step(
        f"deploy {tenant}",
        f"deploying version {version_id} (was {previous or 'nothing'})",
    )
    try:
        return ctx.platform.create_deployment(workflow_id, version_id, tenant, entity)
    except PlatformHTTPError as exc:
        if exc.status != 409:
            raise
        # The platform refused before doing anything: the note written just
        # now describes nothing, so the earlier one (if any) stays.
        release["pending"] = earlier_note
        record.save()
        relisted = ctx.platform.list_deployments(workflow_id, tenant)
        adopted = _in_flight(ctx, relisted, version_id, tenant)
        if adopted is None:
            raise
        return adopted
    except OutcomeUnknown:
        created = _reconcile(ctx, release["pending"])
        if created is None:
            # The listing proves nothing was created: ask once more.
            created = ctx.platform.create_deployment(
                workflow_id, version_id, tenant, entity
            )
        return created


def _entry(
    deployment_id: str | None,
    tenant: str,
    entity: str | None,
    version_id: str,
    purpose: str,
    ledger: dict[str, Any],
) -> dict[str, Any]:
    return {
        "id": deployment_id,
        "tenant": tenant,
        "entity": entity,
        "version_id": version_id,
        "purpose": purpose,
        "previous_version_id": ledger["previous_version_id"],
        "started_at": now(),
    }


def _reconcile(ctx: Context, pending: dict[str, Any]) -> Deployment | None:
    """After a deploy request whose answer was lost, find what it created."""
    listed = ctx.platform.list_deployments(pending["workflow_id"], pending["tenant"])
    known = pending.get("known_deployment_ids")
    if listed is None or known is None:
        raise OutcomeUnknown(
            f"an earlier deploy to {pending['tenant']} got no answer and this "
            "platform cannot list deployments, so ntro-ship cannot tell whether "
            "it happened; check the tenant, then clear `pending` in the record"
        )
    new = [
        d for d in listed if d.id not in known and d.version_id == pending["version_id"]
    ]
    if not new:
        return None
    ctx.progress.step(
        f"deploy {pending['tenant']}", f"the earlier request did create {new[0].id}"
    )
    return new[0]


def _settle(ctx: Context, entry: dict[str, Any], stage: str) -> StepResult:
    """Wait for the deployment, then check it is the tenant's active one."""
    record = ctx.record

    def seen(status: str) -> None:
        ctx.progress.step(stage, f"{entry['id']} is {status}")

    outcome, final = wait_deployment(
        ctx.platform, entry["id"], ctx.policy.deploy_timeout, seen
    )
    detail = outcome.detail
    verdict = outcome.verdict
    if verdict is Verdict.PASSED:
        listed = ctx.platform.list_deployments(final.workflow_id, entry["tenant"])
        active = [d for d in listed or [] if d.active]
        if listed is None:
            entry["confirmed_by"] = "deployment status"
        elif active and active[0].id == entry["id"]:
            entry["confirmed_by"] = "active deployment"
        else:
            other = active[0].id if active else "none"
            verdict = Verdict.FAILED
            detail = f"DEPLOYED, but the tenant's active deployment is {other}"

    entry.update(
        status=outcome.status,
        verdict=verdict.value,
        detail=detail,
        seconds=round(outcome.seconds, 3),
        finished_at=now(),
    )
    if verdict is Verdict.PASSED:
        ledger = record.tenant(final.workflow_id, entry["tenant"])
        if entry["previous_version_id"] != entry["version_id"]:
            ledger["previous_version_id"] = entry["previous_version_id"]
        ledger["active_version_id"] = entry["version_id"]
    record.save()
    if verdict is Verdict.PASSED:
        ctx.progress.step(stage, f"active: version {entry['version_id']}")
    else:
        ctx.progress.problem(stage, f"{verdict.value}: {detail}")
    return StepResult(verdict, detail, entry)
