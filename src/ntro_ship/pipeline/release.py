"""`release`: test, package, push, staging deploy and smoke, then promote.

Every stage reads the record first, so running the same command again after
a crash, a kill or a `--stop-after staging` continues where it stopped and
creates no second version or deployment.
"""

from __future__ import annotations

import dataclasses
import importlib
import time
from pathlib import Path
from typing import Any

from ntro_ship import runbook as runbooks
from ntro_ship.errors import NtroShipError, PlatformError, UsageError
from ntro_ship.exit_codes import ExitCode
from ntro_ship.pipeline import packaging, pushing
from ntro_ship.pipeline.context import Context
from ntro_ship.pipeline.deploying import active_version, deploy
from ntro_ship.pipeline.policy import Verdict
from ntro_ship.pipeline.promotion import promote
from ntro_ship.pipeline.record import Record
from ntro_ship.pipeline.smoking import smoke
from ntro_ship.pipeline.waits import WAIT_AGAIN
from ntro_ship.platform import PlatformHTTPError


@dataclasses.dataclass(frozen=True)
class ReleaseOptions:
    runbook: Path
    workflow: str
    staging: str
    production: list[str]
    entity: str
    period: str
    context: dict[str, Any]
    children: list[Path] = dataclasses.field(default_factory=list)
    create_workflow: bool = False
    skip_tests: bool = False
    stop_after: str | None = None
    resume: bool = False
    excludes: tuple[str, ...] = ()
    test_timeout: float = 600.0


@dataclasses.dataclass(frozen=True)
class ReleaseResult:
    exit_code: ExitCode
    outcome: str
    message: str


def run_tests(options: ReleaseOptions, ctx: Context) -> ReleaseResult | None:
    if options.skip_tests:
        ctx.progress.step("test", "skipped (--skip-tests)")
        return None
    if ctx.record.stage_status("test") == "passed":
        ctx.progress.step("test", "already passed for this artifact")
        return None
    try:
        harness = importlib.import_module("ntro_ship.harness")
    except ImportError as exc:
        raise UsageError(
            "the test stage is unavailable in this install (ntro_ship.harness "
            "cannot be imported); pass --skip-tests to release without it"
        ) from exc

    started = time.monotonic()
    ctx.progress.step("test", f"running the runbook's scenarios ({options.runbook})")
    report = harness.run_test_stage(
        harness.TestOptions(
            runbook=options.runbook,
            children=list(options.children),
            scenarios=None,
            input=None,
            timeout=options.test_timeout,
            workflow_class=None,
        )
    )
    ctx.record.release["tests"] = {
        "passed": bool(report.passed),
        "summary_markdown": report.summary_markdown(),
    }
    status = "passed" if report.passed else "failed"
    ctx.record.stage_done("test", status, time.monotonic() - started)
    if report.passed:
        ctx.progress.step("test", "passed")
        return None
    ctx.progress.problem("test", "the local scenarios failed; nothing was pushed")
    return ReleaseResult(
        ExitCode.FAILED, "tests failed", "the local scenarios failed; nothing pushed"
    )


def release(options: ReleaseOptions, ctx: Context) -> ReleaseResult:
    record = ctx.record
    book, built = packaging.package(options.runbook, options.excludes, ctx.progress)
    if options.resume:
        _check_resumable(record, built.digest)
    resumed = packaging.begin(record, book, built)
    if resumed:
        ctx.progress.step("release", f"resuming the release of {built.digest}")
    if record.stage_status("package") != "passed":
        record.stage_done("package", "passed", 0.0)

    done = _finished(record)
    if done is not None:
        return done

    problem = target_problem(options, ctx)
    if problem:
        raise UsageError(problem)

    if not options.skip_tests and record.stage_status("test") != "passed":
        # One read before minutes of tests: a wrong host or key stops here,
        # and the record is written only once the platform has answered.
        ctx.platform.find_workflow(options.workflow)

    with ctx.progress.stage("test"):
        failed = run_tests(options, ctx)
    if failed is not None:
        return _finish(record, failed)

    with ctx.progress.stage("push"):
        workflow = pushing.resolve_workflow(
            ctx, options.workflow, options.create_workflow, book
        )
        pushing.push(ctx, built, workflow)

    with ctx.progress.stage(f"staging: {options.staging}"):
        step = deploy(ctx, options.staging, options.entity, "staging")
        record.stage_done("staging-deploy", step.verdict.value, _secs(step.entry))
        if step.verdict is Verdict.PASSED:
            step = smoke(
                ctx, options.staging, options.entity, options.period, options.context
            )
            record.stage_done("staging-smoke", step.verdict.value, _secs(step.entry))
    if step.verdict is not Verdict.PASSED:
        return _finish(
            record,
            ReleaseResult(
                step.verdict.exit_code,
                f"staging {step.verdict.value}",
                f"{step.detail}; production untouched"
                + ("" if step.verdict is Verdict.FAILED else f"; {WAIT_AGAIN}"),
            ),
            # A wait that ran out, or a run blocked on a human, is not the
            # platform's last word: a re-run asks again instead of replaying.
            final=step.verdict is Verdict.FAILED,
        )

    # What the release manager compares before approving: production now
    # (kept from the first pass, so a resume does not overwrite it).
    if "production_before" not in record.release:
        before, unreadable = {}, []
        for tenant in options.production:
            try:
                before[tenant] = active_version(ctx, _wf(record), tenant)
            except PlatformHTTPError as exc:
                # A tenant-scoped staging key may not read production: the
                # summary says so rather than the job failing on it.
                if exc.status not in (401, 403, 404):
                    raise
                before[tenant] = None
                unreadable.append(tenant)
        record.release["production_before"] = before
        record.release["production_unreadable"] = unreadable
        record.save()
    if options.stop_after == "staging":
        return _finish(
            record,
            ReleaseResult(
                ExitCode.OK,
                "staged",
                "staging passed; promote it with `release --resume` or "
                "`promote` (in the example workflows, the approved production "
                "job does)",
            ),
            final=False,
        )

    with ctx.progress.stage("production"):
        result = promote(
            ctx,
            options.production,
            options.entity,
            run_smoke=True,
            period=options.period,
            extra_context=options.context,
        )
    outcome = {
        ExitCode.OK: "released",
        ExitCode.ROLLED_BACK: "rolled back",
        ExitCode.DEGRADED: "degraded",
    }.get(result.exit_code, "failed")
    record.stage_done("promote", outcome, 0.0)
    return _finish(record, ReleaseResult(result.exit_code, outcome, result.message))


def target_problem(options: ReleaseOptions, ctx: Context) -> str | None:
    """Why the tenants or entity cannot be released to, asked before anything
    is pushed: a typo found after the push would leave a stray version."""
    if options.staging in options.production:
        return (
            f"--staging and --production both name {options.staging!r}; a "
            "staging run proves nothing about production on the same tenant, "
            "so name two tenants"
        )

    targets = [("--staging", options.staging)]
    # API keys are tenant-scoped: a staging-only job (the example workflows'
    # first job) may hold a key production refuses, so production's names
    # are checked by the job that promotes, before it deploys anything.
    if options.stop_after != "staging":
        targets += [("--production", tenant) for tenant in options.production]
    for flag, tenant in targets:
        missing = ctx.platform.has_target(tenant, options.entity)
        if missing == "tenant":
            return (
                f"{flag}: tenant {tenant!r} not found on {ctx.host}; check the "
                f"tenant you passed with {flag}"
            )
        if missing == "entity":
            return (
                f"--entity: entity {options.entity!r} not found on tenant "
                f"{tenant!r} ({flag}); check --entity"
            )
    return None


def _wf(record: Record) -> str:
    return str(record.release["version"]["workflow_id"])


def _secs(entry: dict[str, Any]) -> float:
    return float(entry.get("seconds") or 0.0)


def _check_resumable(record: Record, digest: str) -> None:
    if not record.has_release():
        raise UsageError(
            f"--resume: {record.path} holds no release; run without --resume "
            "first, or pass the --record of the staging job"
        )
    recorded = record.release["artifact"]["digest"]
    if recorded != digest:
        raise UsageError(
            f"--resume: this checkout packages to {digest}, but the recorded "
            f"release is {recorded}; production gets only what passed staging, "
            "so check out the same commit"
        )


def _finished(record: Record) -> ReleaseResult | None:
    final = record.release.get("final")
    if not final:
        return None
    return ReleaseResult(
        ExitCode(final["exit_code"]), final["outcome"], final["message"]
    )


def _finish(record: Record, result: ReleaseResult, final: bool = True) -> ReleaseResult:
    record.release["outcome"] = result.outcome
    # Only verdicts are final; a platform error leaves the release resumable.
    if final:
        record.release["final"] = {
            "exit_code": int(result.exit_code),
            "outcome": result.outcome,
            "message": result.message,
        }
    record.save()
    return result


def plan(options: ReleaseOptions, ctx: Context) -> list[str]:
    """What `release` would do, read-only: the platform is only asked questions.

    Where the release would stop, the plan ends with a `FAIL:` line.
    """
    book, built = packaging.package(options.runbook, options.excludes, ctx.progress)
    lines = [f"package {book.slug} {book.version} -> {built.digest}"]
    if options.resume:
        try:
            _check_resumable(ctx.record, built.digest)
        except UsageError as exc:
            return [*lines, f"FAIL: {exc}"]
    record = ctx.record
    finished = record.has_release() and record.release.get("final")
    if finished and record.release["artifact"]["digest"] == built.digest:
        lines.append(
            f"nothing more: this artifact's release ended "
            f"({finished['outcome']}); running again prints that verdict"
        )
        return lines

    lines.append(
        "skip the local tests (--skip-tests)"
        if options.skip_tests
        else _test_line(options, ctx)
    )
    if lines[-1].startswith("FAIL:"):
        return lines
    try:
        workflow = ctx.platform.find_workflow(options.workflow)
        problem = target_problem(options, ctx)
    except PlatformError as exc:
        lines.append(f"(platform not reachable, plan is partial: {exc})")
        workflow, problem = None, None
    if problem:
        # The real run stops here, before the push: so does the plan.
        return [*lines, f"FAIL: {problem}"]
    if workflow is None and not options.create_workflow:
        return [
            *lines,
            f"FAIL: no workflow {options.workflow!r}; pass --create-workflow "
            "to register it",
        ]

    lines += _push_lines(options, ctx, workflow, built.digest)
    staged = _staged_from_record(ctx, built.digest, options.staging)
    if staged:
        lines.append(staged)
    else:
        current = _safe_active(ctx, workflow.id if workflow else None, options.staging)
        lines.append(
            f"deploy to staging {options.staging} (active now: {current}), smoke-run it"
        )
    if options.stop_after == "staging":
        return [*lines, "stop after staging (--stop-after staging)"]

    for tenant in options.production:
        current = _safe_active(ctx, workflow.id if workflow else None, tenant)
        lines.append(
            f"deploy to production {tenant} (active now: {current}), smoke-run it"
        )
    lines.append("on a production failure: roll back the tenants already changed")
    return lines


def _push_lines(
    options: ReleaseOptions, ctx: Context, workflow: Any, digest: str
) -> list[str]:
    if workflow is None:
        return [
            f"create workflow {options.workflow!r}",
            f"push the artifact as a new version of {options.workflow}",
        ]
    known = ctx.record.version_for_digest(workflow.id, digest)
    if known:
        return [f"reuse version {known['version_id']} (same digest)"]
    held = pushing.same_bytes(ctx.platform.list_versions(workflow.id) or [], digest)
    if held:
        return [f"reuse version {held.id}: the platform holds the same digest"]
    return [f"push the artifact as a new version of {options.workflow}"]


def _staged_from_record(ctx: Context, digest: str, staging: str) -> str | None:
    """The staging run a resumed release relies on, if the record has one."""
    record = ctx.record
    if not record.has_release() or record.release["artifact"]["digest"] != digest:
        return None
    version = record.release.get("version") or {}
    for smoke_run in reversed(record.release.get("smokes") or []):
        if (smoke_run["tenant"], smoke_run["version_id"]) == (
            staging,
            version.get("version_id"),
        ) and smoke_run.get("verdict") == Verdict.PASSED:
            return (
                f"staging {staging} done (from the record): smoke run "
                f"{smoke_run['task_id']} passed"
            )
    return None


def _test_line(options: ReleaseOptions, ctx: Context) -> str:
    """The runbooks the test stage will run: --child ones and the children
    it finds next to the parent, as the harness itself resolves them."""
    try:
        children_module = importlib.import_module("ntro_ship.harness.children")
    except ImportError:
        return "FAIL: the test stage is not installed; pass --skip-tests"

    parent = runbooks.load(options.runbook)
    given = [runbooks.load(path) for path in options.children]
    try:
        children = children_module.resolve_children(parent, given, lambda _: None)
    except UsageError as exc:
        return f"FAIL: test {options.runbook}: {exc}"
    if not children:
        return f"test {options.runbook} (no child runbooks)"
    named = ", ".join(f"{child.slug} ({child.path})" for child in children)
    return f"test {options.runbook} with child runbooks {named}"


def _safe_active(ctx: Context, workflow_id: str | None, tenant: str) -> str:
    if workflow_id is None:
        return "nothing"
    try:
        return active_version(ctx, workflow_id, tenant) or "nothing"
    except NtroShipError:
        return "unknown"
