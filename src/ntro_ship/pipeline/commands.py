"""One function per CLI command: open a session, run the stage, report."""

from __future__ import annotations

import contextlib
import json
from pathlib import Path
from typing import Any

import click

from ntro_ship.errors import NtroShipError, PlatformError, UsageError
from ntro_ship.exit_codes import ExitCode
from ntro_ship.pipeline import packaging, pushing, report
from ntro_ship.pipeline.context import Context
from ntro_ship.pipeline.deploying import (
    StepResult,
    active_version,
    current_version,
    deploy,
)
from ntro_ship.pipeline.inputs import typed_by_user
from ntro_ship.pipeline.policy import Verdict
from ntro_ship.pipeline.promotion import promote, rollback
from ntro_ship.pipeline.record import Record
from ntro_ship.pipeline.release import ReleaseOptions, plan, release
from ntro_ship.pipeline.session import in_use, session
from ntro_ship.pipeline.settings import Settings
from ntro_ship.pipeline.smoking import smoke, smoke_active
from ntro_ship.pipeline.waits import WAIT_AGAIN


def run_push(
    settings: Settings,
    runbook: Path,
    workflow: str,
    create: bool,
    excludes: tuple[str, ...],
    description: str | None,
    schedule: str | None,
    timezone: str | None,
) -> int:
    with session(settings) as ctx:
        book, built = packaging.package(runbook, excludes, ctx.progress)
        packaging.begin(ctx.record, book, built)
        found = pushing.resolve_workflow(
            ctx, workflow, create, book, description, schedule, timezone
        )
        entry = pushing.push(ctx, built, found)
        return report.emit(
            ctx.record,
            command="push",
            exit_code=ExitCode.OK,
            verdict="passed",
            message=f"version {entry['version_id']} holds {built.digest}",
            as_json=settings.as_json,
        )


def run_deploy(settings: Settings, tenant: str, entity: str | None) -> int:
    with session(settings) as ctx, _flags(ctx):
        result = deploy(ctx, tenant, entity, "deploy")
        return _emit_step(ctx, settings, "deploy", f"deploy to {tenant}", result)


def run_smoke(
    settings: Settings,
    tenant: str,
    entity: str,
    period: str,
    context: dict[str, Any],
    workflow: str | None = None,
) -> int:
    with session(settings) as ctx, _flags(ctx):
        if workflow is None:
            result = smoke(ctx, tenant, entity, period, context)
            return _emit_step(ctx, settings, "smoke", f"smoke on {tenant}", result)

        result = smoke_active(ctx, workflow, tenant, entity, period, context)
        return report.emit_check(
            ctx.record,
            result.entry,
            exit_code=result.verdict.exit_code,
            message=f"smoke on {tenant}: {result.verdict.value} ({result.detail})",
            as_json=settings.as_json,
        )


def _emit_step(
    ctx: Context, settings: Settings, command: str, what: str, result: StepResult
) -> int:
    message = f"{what}: {result.verdict.value} ({result.detail})"
    if result.verdict in (Verdict.TIMED_OUT, Verdict.INCONCLUSIVE):
        message += f"; {WAIT_AGAIN}"
    return report.emit(
        ctx.record,
        command=command,
        exit_code=result.verdict.exit_code,
        verdict=result.verdict.value,
        message=message,
        as_json=settings.as_json,
    )


def run_promote(
    settings: Settings,
    tenants: list[str],
    entity: str | None,
    with_smoke: bool,
    period: str | None,
    context: dict[str, Any],
) -> int:
    with session(settings) as ctx, _flags(ctx):
        result = promote(ctx, tenants, entity, with_smoke, period, context)
        return report.emit(
            ctx.record,
            command="promote",
            exit_code=result.exit_code,
            verdict="passed" if result.exit_code == ExitCode.OK else "failed",
            message=result.message,
            as_json=settings.as_json,
            rolled_back=result.exit_code == ExitCode.ROLLED_BACK,
        )


def run_rollback(
    settings: Settings,
    tenant: str,
    to: str | None,
    workflow: str | None,
    entity: str | None,
) -> int:
    with session(settings) as ctx, _flags(ctx, version="--to"):
        workflow_id = _workflow_id(ctx, workflow)
        if not ctx.record.has_release():
            ctx.record.start_release({}, {})
        result = rollback(ctx, workflow_id, tenant, entity, to)
        passed = result.verdict.value == "passed"
        return report.emit(
            ctx.record,
            command="rollback",
            exit_code=ExitCode.OK if passed else ExitCode.DEGRADED,
            verdict=result.verdict.value if passed else "degraded",
            message=f"rollback of {tenant} to {result.entry['version_id']}: "
            + ("done" if passed else f"DEGRADED ({result.detail})"),
            as_json=settings.as_json,
            rolled_back=passed,
        )


def run_release(settings: Settings, options: ReleaseOptions, dry_run: bool) -> int:
    tenants = {"tenant": "--staging or --production", "entity": "--entity"}
    with (
        session(settings, exclusive=not dry_run) as ctx,
        typed_by_user(ctx.host, **tenants),
    ):
        if dry_run:
            lines = plan(options, ctx)
            if settings.as_json:
                click.echo(json.dumps({"plan": lines}, indent=2))
            else:
                click.echo("\n".join(f"- {line}" for line in lines))
            # A plan that shows the release would stop is not a green step.
            if any(line.startswith("FAIL:") for line in lines):
                return ExitCode.USAGE
            return ExitCode.OK

        result = release(options, ctx)
        message = result.message
        # Verdict messages may already start with the outcome ("rolled back").
        if not message.lower().startswith(result.outcome):
            message = f"{result.outcome}: {message}"
        return report.emit(
            ctx.record,
            command="release",
            exit_code=result.exit_code,
            verdict=result.outcome,
            message=message,
            as_json=settings.as_json,
            rolled_back=result.outcome == "rolled back",
        )


def run_status(settings: Settings, workflow: str | None) -> int:
    with session(settings, exclusive=False) as ctx:
        workflow_id = _workflow_id(ctx, workflow)
        known = {
            entry["tenant"]
            for entry in ctx.record.data["tenants"].values()
            if entry["workflow_id"] == workflow_id
        }
        # A deploy that never settled is in no ledger yet, but the tenant may
        # run its version by now: exactly what a reader of status must see.
        if ctx.record.has_release() and _wf_of(ctx.record) == workflow_id:
            release = ctx.record.release
            known |= {d["tenant"] for d in release.get("deployments") or []}
            known |= set(release.get("production_before") or {})
        tenants = sorted(known)
        active = {t: active_version(ctx, workflow_id, t) for t in tenants}
        lines = [f"workflow {workflow_id}"]
        lines += [
            f"  {t}: active {report.label(ctx.record, v)}" for t, v in active.items()
        ]
        outcome = "none"
        if ctx.record.has_release():
            # A release with no outcome was stopped midway; its record is
            # what a re-run of the same command resumes from.
            outcome = ctx.record.release.get("outcome") or (
                "in progress (another run holds the record)"
                if in_use(settings.record)
                else "unfinished (run the same release command again to resume)"
            )
        return report.emit(
            ctx.record,
            command="status",
            exit_code=ExitCode.OK,
            verdict=outcome,
            message="\n".join([*lines, f"last release: {outcome}"]),
            as_json=settings.as_json,
            extra={"workflow_id": workflow_id, "active": active},
        )


def _wf_of(record: Record) -> str | None:
    version = record.release.get("version") or {}
    return version.get("workflow_id")


def _flags(ctx: Context, **more: str) -> contextlib.AbstractContextManager[None]:
    return typed_by_user(ctx.host, tenant="--tenant", entity="--entity", **more)


def _workflow_id(ctx: Context, workflow: str | None) -> str:
    if workflow:
        found = ctx.platform.find_workflow(workflow)
        if found is None:
            raise UsageError(f"workflow {workflow!r} does not exist on {ctx.host}")
        return str(found.id)
    try:
        recorded = str(current_version(ctx)["workflow_id"])
    except NtroShipError as exc:
        raise UsageError(
            f"no workflow recorded in {ctx.record.path}; pass --workflow"
        ) from exc

    # The record's word is not enough: the platform must still know it.
    if ctx.platform.find_workflow(recorded) is None:
        raise PlatformError(
            f"the platform at {ctx.host} does not know workflow {recorded}, which "
            f"{ctx.record.path} names; was it deleted, or is this record from "
            "another platform? Pass --workflow, or another --record"
        )
    return recorded
