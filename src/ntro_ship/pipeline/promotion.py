"""Stages `promote` and `rollback`: production gets only what passed staging."""

from __future__ import annotations

import dataclasses
from typing import Any

from ntro_ship.errors import NtroShipError, UsageError
from ntro_ship.exit_codes import ExitCode
from ntro_ship.pipeline.context import Context
from ntro_ship.pipeline.deploying import (
    StepResult,
    active_version,
    current_version,
    deploy,
)
from ntro_ship.pipeline.policy import Verdict
from ntro_ship.pipeline.smoking import smoke
from ntro_ship.pipeline.waits import run_verdict
from ntro_ship.platform import Deployment

NOTHING_BEFORE = "no earlier version to go back to"


class Unverified(NtroShipError):
    exit_code = ExitCode.FAILED


@dataclasses.dataclass(frozen=True)
class PromoteResult:
    exit_code: ExitCode
    message: str


def staging_evidence(ctx: Context, production: list[str]) -> dict[str, Any]:
    """The passed smoke run that allows this version into production."""
    version = current_version(ctx)
    for entry in reversed(ctx.record.release["smokes"]):
        if (
            entry["version_id"] == version["version_id"]
            and entry["tenant"] not in production
            and entry.get("verdict") == Verdict.PASSED
        ):
            if entry.get("status") == "BLOCKED":
                _still_unrejected(ctx, entry)
            return dict(entry)
    raise Unverified(
        f"version {version['version_id']} has no passed staging smoke run in "
        f"{ctx.record.path}; it will not be promoted. Run `ntro-ship smoke` on "
        "staging first, or pass the --record of the job that did"
    )


def _still_unrejected(ctx: Context, entry: dict[str, Any]) -> None:
    """A run passed only because --accept-blocked counted its wait for a
    human as enough: ask again, since that human may have rejected it."""
    task = ctx.platform.get_task(entry["task_id"])
    if task.status in ("BLOCKED", "COMPLETED"):
        return

    verdict, detail = run_verdict(task, accept_blocked=False)
    entry.update(status=task.status, verdict=verdict.value, detail=detail)
    ctx.record.save()
    raise Unverified(
        f"staging run {entry['task_id']} passed while it waited on a human "
        f"(--accept-blocked), but it has since ended {task.status}: {detail}; "
        "the version will not be promoted"
    )


def promote(
    ctx: Context,
    tenants: list[str],
    entity: str | None,
    run_smoke: bool,
    period: str | None,
    extra_context: dict[str, Any] | None,
) -> PromoteResult:
    if run_smoke and not (entity and period):
        raise UsageError("--smoke needs --entity and --period for the production run")
    evidence = staging_evidence(ctx, tenants)
    version = current_version(ctx)
    ctx.progress.step(
        "promote",
        f"version {version['version_id']} passed staging on {evidence['tenant']} "
        f"(run {evidence['task_id']})",
    )

    changed: list[dict[str, Any]] = []
    failure = None
    failed_with = ExitCode.FAILED
    for tenant in tenants:
        try:
            result = deploy(ctx, tenant, entity, "production")
            if result.entry.get("id") and result.verdict is not Verdict.FAILED:
                changed.append(result.entry)
            if result.verdict is Verdict.PASSED and run_smoke:
                assert entity is not None and period is not None
                result = smoke(ctx, tenant, entity, period, extra_context)
        except NtroShipError as exc:
            failure = f"{tenant}: {exc}"
            failed_with = exc.exit_code
            ctx.progress.problem("promote", failure)
            break
        if result.verdict is not Verdict.PASSED:
            failure = f"{tenant}: {result.verdict.value}: {result.detail}"
            failed_with = result.verdict.exit_code
            break

    if failure is None:
        ctx.record.release["outcome"] = "promoted"
        ctx.record.save()
        return PromoteResult(ExitCode.OK, f"promoted to {', '.join(tenants)}")

    if not changed:
        # Nothing was rolled back because nothing had changed: the exit code
        # is the failure's own (failed, timed out, platform error...).
        ctx.record.release["outcome"] = "failed"
        ctx.record.save()
        message = f"production was left as it was (no tenant had changed): {failure}"
        ctx.progress.problem("promote", message)
        return PromoteResult(failed_with, message)

    return _roll_back_changed(ctx, changed, entity, failure)


def _roll_back_changed(
    ctx: Context, changed: list[dict[str, Any]], entity: str | None, failure: str
) -> PromoteResult:
    ctx.progress.problem("promote", f"failed on {failure}; rolling back")
    problems: list[tuple[str, str]] = []
    for entry in reversed(changed):
        target = entry.get("previous_version_id")
        if not target:
            problems.append((entry["tenant"], NOTHING_BEFORE))
            continue
        try:
            result = deploy(
                ctx,
                entry["tenant"],
                entity,
                "rollback",
                {
                    "workflow_id": current_version(ctx)["workflow_id"],
                    "version_id": target,
                },
            )
        except NtroShipError as exc:
            problems.append((entry["tenant"], str(exc)))
            continue
        if result.verdict is not Verdict.PASSED:
            problems.append(
                (entry["tenant"], f"{result.verdict.value}: {result.detail}")
            )

    release = ctx.record.release
    if problems:
        release["outcome"] = "degraded"
        ctx.record.save()
        # A tenant that ran nothing before has no version to return to: the
        # human picks one (or takes the tenant out of service).
        commands = ", ".join(
            f"`ntro-ship rollback --tenant {tenant}"
            + (" --to VERSION`" if why == NOTHING_BEFORE else "`")
            for tenant, why in problems
        )
        message = (
            f"DEGRADED: promotion failed ({failure}) and the rollback failed too: "
            + "; ".join(f"{tenant}: {why}" for tenant, why in problems)
            + f". Production needs a human now: run {commands} with this "
            "--record once any deployment still in progress has settled "
            "(--to VERSION picks the version)"
        )
        ctx.progress.problem("rollback", message)
        return PromoteResult(ExitCode.DEGRADED, message)

    release["outcome"] = "rolled back"
    ctx.record.save()
    tenants = ", ".join(e["tenant"] for e in changed)
    return PromoteResult(
        ExitCode.ROLLED_BACK,
        f"rolled back: promotion failed ({failure}); {tenants} put back on the "
        "version active before",
    )


def rollback_target(ctx: Context, workflow_id: str, tenant: str, to: str | None) -> str:
    """The version id to go back to: the one named, or the last known good."""
    if to:
        known = ctx.record.version_by_name(workflow_id, to)
        if known:
            return str(known["version_id"])
        listed = ctx.platform.list_versions(workflow_id) or []
        for version in listed:
            if to in (version.id, version.version):
                return version.id
        # The platform may know ids the record and listing do not.
        return to

    # The last version that passed a smoke run here, else the one active
    # before the latest deploy; never the version that is active now.
    ledger = ctx.record.tenant(workflow_id, tenant)
    active = active_version(ctx, workflow_id, tenant)
    failed = set(ledger.get("failed_version_ids") or ())
    for candidate in (ledger["last_good_version_id"], ledger["previous_version_id"]):
        if candidate and candidate != active and candidate not in failed:
            return str(candidate)
    deployments = ctx.platform.list_deployments(workflow_id, tenant) or []
    earlier = _earlier_deployed(deployments, failed)
    if earlier:
        return earlier
    raise UsageError(
        f"no earlier good version of workflow {workflow_id} is known for "
        f"{tenant} (the record and the platform know none that is not active "
        "now or failed its smoke run); pass --to VERSION"
    )


def _earlier_deployed(deployments: list[Deployment], failed: set[str]) -> str | None:
    active = next((d.version_id for d in deployments if d.active), None)
    for deployment in deployments:
        version = deployment.version_id
        if (
            deployment.status == "DEPLOYED"
            and version != active
            and version not in failed
        ):
            return version
    return None


def rollback(
    ctx: Context, workflow_id: str, tenant: str, entity: str | None, to: str | None
) -> StepResult:
    target = rollback_target(ctx, workflow_id, tenant, to)
    ctx.progress.step(f"rollback {tenant}", f"going back to version {target}")
    result = deploy(
        ctx,
        tenant,
        entity,
        "rollback",
        {"workflow_id": workflow_id, "version_id": target},
    )
    if result.verdict is not Verdict.PASSED:
        ctx.progress.problem(
            f"rollback {tenant}",
            f"DEGRADED: the rollback to {target} did not take: {result.detail}",
        )
    return result
