"""Stage `smoke`: one run of the deployed version, waited on until its verdict.

Two targets: the version of the release in the record (`smoke`, evidence
that lets `promote` go ahead), or whatever is active for a workflow on a
tenant (`smoke_active`, a health check such as a scheduled production smoke
run). A health check never enters the release's `smokes`, so it can never
pass for a verified staging candidate.
"""

from __future__ import annotations

from typing import Any

from ntro_ship.errors import NtroShipError, PlatformError, UsageError
from ntro_ship.exit_codes import ExitCode
from ntro_ship.pipeline.context import Context
from ntro_ship.pipeline.deploying import StepResult, current_version
from ntro_ship.pipeline.policy import Verdict
from ntro_ship.pipeline.record import now
from ntro_ship.pipeline.waits import wait_task
from ntro_ship.platform import OutcomeUnknown


def smoke(
    ctx: Context,
    tenant: str,
    entity: str,
    period: str,
    extra_context: dict[str, Any] | None = None,
    version: dict[str, Any] | None = None,
) -> StepResult:
    record = ctx.record
    release = record.release
    version = version or current_version(ctx)
    stage = f"smoke {tenant}"

    asked = (tenant, version["version_id"], entity, period)
    for entry in reversed(release["smokes"]):
        ran = (entry["tenant"], entry["version_id"], entry["entity"], entry["period"])
        if ran != asked:
            continue
        verdict = entry.get("verdict")
        if verdict in (Verdict.PASSED, Verdict.FAILED):
            ctx.progress.step(stage, f"already ran: {verdict}")
            return StepResult(Verdict(verdict), entry["detail"], entry)
        if entry.get("task_id"):
            # No verdict yet, or only "timed out" / "inconclusive": the run
            # may have finished (or been approved) since, so ask again under
            # this invocation's timeouts and flags.
            if verdict:
                ctx.progress.step(stage, f"was {verdict}; asking again")
            return _await_run(ctx, entry, stage)

    context = {"period": period, **(extra_context or {})}
    try:
        task = ctx.platform.create_task(version["workflow_id"], tenant, entity, context)
    except OutcomeUnknown as exc:
        raise PlatformError(
            f"{exc}. A smoke run may have started on {tenant}; re-running starts "
            "another one, which is harmless on a staging tenant"
        ) from exc

    entry = {
        "task_id": task.id,
        "workflow_id": version["workflow_id"],
        "tenant": tenant,
        "entity": entity,
        "period": period,
        "version_id": version["version_id"],
        "link": task.link,
        "verdict": None,
        "started_at": now(),
    }
    release["smokes"].append(entry)
    record.save()
    ctx.progress.step(stage, f"run {task.id} started" + _link(task.link))
    return _await_run(ctx, entry, stage)


class NothingActive(NtroShipError):
    exit_code = ExitCode.FAILED


def smoke_active(
    ctx: Context,
    workflow: str,
    tenant: str,
    entity: str,
    period: str,
    extra_context: dict[str, Any] | None = None,
) -> StepResult:
    """One run of whatever is active for `workflow` on `tenant`."""
    found = ctx.platform.find_workflow(workflow)
    if found is None:
        raise UsageError(
            f"workflow {workflow!r} does not exist on {ctx.host}; check --workflow"
        )
    stage = f"smoke {tenant}"

    listed = ctx.platform.list_deployments(found.id, tenant)
    version_id = None
    if listed is not None:
        active = [d for d in listed if d.active]
        if not active:
            raise NothingActive(
                f"no version of workflow {found.name or found.id} is active on "
                f"{tenant}, so there is nothing to smoke-run; deploy one first"
            )
        version_id = active[0].version_id
    what = f"version {version_id}" if version_id else "the active version"

    context = {"period": period, **(extra_context or {})}
    try:
        task = ctx.platform.create_task(found.id, tenant, entity, context)
    except OutcomeUnknown as exc:
        raise PlatformError(
            f"{exc}. A smoke run may have started on {tenant}; check the tenant "
            "before running the smoke command again"
        ) from exc
    ctx.progress.step(stage, f"run {task.id} of {what} started" + _link(task.link))

    def seen(status: str) -> None:
        ctx.progress.step(stage, f"run {task.id} is {status}")

    outcome, final = wait_task(
        ctx.platform, task.id, ctx.policy.run_timeout, ctx.policy.accept_blocked, seen
    )
    link = final.link or task.link
    entry: dict[str, Any] = {
        "task_id": task.id,
        "workflow_id": found.id,
        "tenant": tenant,
        "entity": entity,
        "period": period,
        # None on a platform that cannot list deployments: it ran the active
        # version, but which one that is cannot be asked.
        "version_id": version_id,
        "status": outcome.status,
        "verdict": outcome.verdict.value,
        "detail": outcome.detail,
        "link": link,
        "seconds": round(outcome.seconds, 3),
        "finished_at": now(),
    }
    _note_health(ctx, entry, outcome.verdict)
    if outcome.verdict is Verdict.PASSED:
        ctx.progress.step(stage, f"passed ({outcome.detail})" + _link(link))
    else:
        ctx.progress.problem(
            stage, f"{outcome.verdict.value}: {outcome.detail}" + _link(link)
        )
    return StepResult(outcome.verdict, outcome.detail, entry)


def _note_health(ctx: Context, entry: dict[str, Any], verdict: Verdict) -> None:
    """Keep the check in the tenant's ledger (rollback and status read it;
    promote never does)."""
    ledger = ctx.record.tenant(entry["workflow_id"], entry["tenant"])
    ledger["last_check"] = entry
    version_id = entry["version_id"]
    if version_id and verdict is Verdict.PASSED:
        ledger["last_good_version_id"] = version_id
    elif version_id:
        failed = ledger.setdefault("failed_version_ids", [])
        if version_id not in failed:
            failed.append(version_id)
    ctx.record.save()


def _await_run(ctx: Context, entry: dict[str, Any], stage: str) -> StepResult:
    def seen(status: str) -> None:
        ctx.progress.step(stage, f"run {entry['task_id']} is {status}")

    outcome, task = wait_task(
        ctx.platform,
        entry["task_id"],
        ctx.policy.run_timeout,
        ctx.policy.accept_blocked,
        seen,
    )
    entry.update(
        status=outcome.status,
        verdict=outcome.verdict.value,
        detail=outcome.detail,
        failure={"type": task.failure_type, "message": task.failure_message}
        if task.status == "FAILED"
        else None,
        link=task.link or entry.get("link"),
        seconds=round(outcome.seconds, 3),
        finished_at=now(),
    )
    if outcome.verdict is Verdict.PASSED:
        ledger = ctx.record.tenant(
            ctx.record.release["version"]["workflow_id"], entry["tenant"]
        )
        ledger["last_good_version_id"] = entry["version_id"]
        ctx.progress.step(stage, f"passed ({outcome.detail})" + _link(entry["link"]))
    else:
        # Only a failed run marks the version bad: one that timed out or
        # waits on a human may still pass when asked again.
        if outcome.verdict is Verdict.FAILED:
            ledger = ctx.record.tenant(entry["workflow_id"], entry["tenant"])
            failed = ledger.setdefault("failed_version_ids", [])
            if entry["version_id"] not in failed:
                failed.append(entry["version_id"])
        ctx.progress.problem(
            stage, f"{outcome.verdict.value}: {outcome.detail}" + _link(entry["link"])
        )
    ctx.record.save()
    return StepResult(outcome.verdict, outcome.detail, entry)


def _link(url: str | None) -> str:
    return f" ({url})" if url else ""
