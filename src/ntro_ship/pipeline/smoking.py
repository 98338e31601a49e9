"""Stage `smoke`: one run of the deployed version, waited on until its verdict."""

from __future__ import annotations

from typing import Any

from ntro_ship.errors import PlatformError
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

    for entry in reversed(release["smokes"]):
        if (entry["tenant"], entry["version_id"]) != (tenant, version["version_id"]):
            continue
        if entry.get("verdict"):
            ctx.progress.step(stage, f"already ran: {entry['verdict']}")
            return StepResult(Verdict(entry["verdict"]), entry["detail"], entry)
        if entry.get("task_id"):
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
