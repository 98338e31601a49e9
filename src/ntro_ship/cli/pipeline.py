"""Pipeline commands: package, push, deploy, smoke, promote, rollback, release, status.

Thin: each parses its flags and calls one function of ntro_ship.pipeline.
The API key is never a flag: it comes from NTRO_API_KEY or config.toml.
The pipeline is imported inside each command, so `package` (often run in a
pre-commit or CI loop) never loads the HTTP client, the record or the policy.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from ntro_ship.cli.types import Seconds

if TYPE_CHECKING:
    from ntro_ship.pipeline.settings import Settings

# Where the release record lives unless --record says otherwise.
DEFAULT_RECORD = ".ntro-ship/release.json"

F = TypeVar("F", bound=Callable[..., Any])
RUNBOOK = click.Path(exists=True, file_okay=False, path_type=Path)


SECONDS = Seconds()


def _platform_options(func: F) -> F:
    """Connection, record and output options, and the timeouts of waits."""
    func = _wait_options(func)
    return _base_options(func)


def _wait_options(func: F) -> F:
    options = [
        click.option(
            "--deploy-timeout",
            type=SECONDS,
            default=600.0,
            show_default=True,
            help="Seconds a deployment may take to become DEPLOYED.",
        ),
        click.option(
            "--run-timeout",
            type=SECONDS,
            default=900.0,
            show_default=True,
            help="Seconds a smoke run may take to reach a verdict.",
        ),
    ]
    for option in reversed(options):
        func = option(func)
    return func


def _base_options(func: F) -> F:
    options = [
        click.option(
            "-c",
            "--connection",
            envvar="NTRO_DEFAULT_CONNECTION_NAME",
            help="Connection name in ~/.ntro/config.toml (or $NTRO_HOME).",
        ),
        click.option(
            "--host", envvar="NTRO_HOST", help="Workspace API base URL, e.g. .../v1."
        ),
        click.option(
            "--record",
            envvar="NTRO_SHIP_RECORD",
            default=DEFAULT_RECORD,
            show_default=True,
            type=click.Path(dir_okay=False, path_type=Path),
            help="Release record file (read to resume, written after every step).",
        ),
        click.option("--json", "as_json", is_flag=True, help="Print JSON on stdout."),
        click.option(
            "--request-timeout",
            type=SECONDS,
            default=30.0,
            show_default=True,
            help="Seconds per HTTP request.",
        ),
        click.option(
            "--debug", is_flag=True, help="Log every HTTP request (never the key)."
        ),
    ]
    for option in reversed(options):
        func = option(func)
    return func


def _settings(kwargs: dict[str, Any], accept_blocked: bool = False) -> Settings:
    from ntro_ship.pipeline.policy import Policy
    from ntro_ship.pipeline.settings import Settings

    return Settings(
        connection=kwargs.pop("connection"),
        host=kwargs.pop("host"),
        record=kwargs.pop("record"),
        as_json=kwargs.pop("as_json"),
        debug=kwargs.pop("debug"),
        policy=Policy(
            deploy_timeout=kwargs.pop("deploy_timeout", 600.0),
            run_timeout=kwargs.pop("run_timeout", 900.0),
            request_timeout=kwargs.pop("request_timeout"),
            accept_blocked=accept_blocked,
        ),
    )


def _context(value: str | None) -> dict[str, Any]:
    if not value:
        return {}
    try:
        parsed = json.loads(value)
    except json.JSONDecodeError as exc:
        raise click.BadParameter(f"not JSON: {exc}", param_hint="--context") from exc
    if not isinstance(parsed, dict):
        raise click.BadParameter("must be a JSON object", param_hint="--context")
    return parsed


@click.command()
@click.argument("runbook", type=RUNBOOK)
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, writable=True, path_type=Path),
    help="Also write the zip here (and FILE.manifest.json); the folder must exist.",
)
@click.option("--exclude", multiple=True, help="Glob to leave out (repeatable).")
@click.option("--json", "as_json", is_flag=True, help="Print JSON on stdout.")
def package(
    runbook: Path, output: Path | None, exclude: tuple[str, ...], as_json: bool
) -> int:
    """Lint, then zip RUNBOOK deterministically; print the sha256."""
    from ntro_ship.pipeline.packaging import run_package

    return run_package(runbook, output, exclude, as_json)


@click.command()
@click.argument("runbook", type=RUNBOOK)
@click.option("--workflow", required=True, help="Workflow id or name.")
@click.option("--create-workflow", is_flag=True, help="Register it if missing.")
@click.option("--description")
@click.option("--schedule", help="Cron expression, with --create-workflow.")
@click.option("--timezone", help="IANA time zone, with --create-workflow.")
@click.option("--exclude", multiple=True, help="Glob to leave out (repeatable).")
@_platform_options
def push(runbook: Path, **kwargs: Any) -> int:
    """Package RUNBOOK and upload it as a version (once per digest)."""
    settings = _settings(kwargs)
    from ntro_ship.pipeline import commands

    return commands.run_push(
        settings,
        runbook,
        kwargs["workflow"],
        kwargs["create_workflow"],
        kwargs["exclude"],
        kwargs["description"],
        kwargs["schedule"],
        kwargs["timezone"],
    )


@click.command()
@click.option("--tenant", required=True)
@click.option("--entity")
@_platform_options
def deploy(tenant: str, entity: str | None, **kwargs: Any) -> int:
    """Deploy the pushed version to TENANT and wait until it is active."""
    from ntro_ship.pipeline import commands

    return commands.run_deploy(_settings(kwargs), tenant, entity)


@click.command()
@click.option("--tenant", required=True)
@click.option("--entity", required=True)
@click.option("--period", required=True, help="e.g. 2026-11")
@click.option("--context", "context_json", help="Extra run context, a JSON object.")
@click.option("--accept-blocked", is_flag=True, help="BLOCKED on a human = passed.")
@click.option(
    "--workflow",
    help="Workflow id or name: run what is active on TENANT, not the recorded "
    "release (a health check; it never counts as staging evidence).",
)
@_platform_options
def smoke(
    tenant: str,
    entity: str,
    period: str,
    context_json: str | None,
    accept_blocked: bool,
    workflow: str | None,
    **kwargs: Any,
) -> int:
    """Run the deployed version once on TENANT and wait for its verdict."""
    settings = _settings(kwargs, accept_blocked)
    from ntro_ship.pipeline import commands

    return commands.run_smoke(
        settings, tenant, entity, period, _context(context_json), workflow
    )


@click.command()
@click.option(
    "--tenant",
    "tenants",
    required=True,
    multiple=True,
    help="Production tenant; repeat for several, deployed in the order given.",
)
@click.option("--entity")
@click.option("--smoke/--no-smoke", default=False, show_default=True)
@click.option("--period")
@click.option("--context", "context_json")
@click.option("--accept-blocked", is_flag=True, help="BLOCKED on a human = passed.")
@_platform_options
def promote(
    tenants: tuple[str, ...],
    entity: str | None,
    smoke: bool,
    period: str | None,
    context_json: str | None,
    accept_blocked: bool,
    **kwargs: Any,
) -> int:
    """Deploy the version that passed staging to each production TENANT."""
    settings = _settings(kwargs, accept_blocked)
    from ntro_ship.pipeline import commands

    return commands.run_promote(
        settings, list(tenants), entity, smoke, period, _context(context_json)
    )


@click.command()
@click.option("--tenant", required=True)
@click.option("--to", "to", help="Version id or version string (default: previous).")
@click.option("--workflow", help="Workflow id or name (default: from the record).")
@click.option("--entity")
@_platform_options
def rollback(
    tenant: str, to: str | None, workflow: str | None, entity: str | None, **kwargs: Any
) -> int:
    """Deploy the last known good version (or --to) to TENANT again."""
    from ntro_ship.pipeline import commands

    return commands.run_rollback(_settings(kwargs), tenant, to, workflow, entity)


@click.command()
@click.argument("runbook", type=RUNBOOK)
@click.option("--workflow", required=True, help="Workflow id or name.")
@click.option("--create-workflow", is_flag=True)
@click.option("--staging", required=True, help="Staging tenant.")
@click.option("--production", multiple=True, required=True, help="Repeatable.")
@click.option("--entity", required=True)
@click.option("--period", required=True)
@click.option("--context", "context_json")
@click.option("--child", multiple=True, type=RUNBOOK, help="Child runbook folder.")
@click.option("--skip-tests", is_flag=True)
@click.option("--stop-after", type=click.Choice(["staging"]))
@click.option("--resume", is_flag=True, help="Continue the recorded release.")
@click.option("--plan", "dry_run", is_flag=True, help="Print the plan, change nothing.")
@click.option("--accept-blocked", is_flag=True, help="BLOCKED on a human = passed.")
@click.option("--exclude", multiple=True, help="Glob to leave out (repeatable).")
@_platform_options
def release(runbook: Path, **kwargs: Any) -> int:
    """Test, package, push, deploy to staging, smoke-run, promote or roll back."""
    if kwargs["stop_after"] and kwargs["resume"]:
        raise click.UsageError(
            "--stop-after staging and --resume pull opposite ways: the staging "
            "job passes --stop-after staging, the production job --resume"
        )
    settings = _settings(kwargs, kwargs.pop("accept_blocked"))
    from ntro_ship.pipeline.release import ReleaseOptions

    options = ReleaseOptions(
        runbook=runbook,
        workflow=kwargs["workflow"],
        staging=kwargs["staging"],
        production=list(kwargs["production"]),
        entity=kwargs["entity"],
        period=kwargs["period"],
        context=_context(kwargs["context_json"]),
        children=list(kwargs["child"]),
        create_workflow=kwargs["create_workflow"],
        skip_tests=kwargs["skip_tests"],
        stop_after=kwargs["stop_after"],
        resume=kwargs["resume"],
        excludes=kwargs["exclude"],
    )
    from ntro_ship.pipeline import commands

    return commands.run_release(settings, options, kwargs["dry_run"])


@click.command()
@click.option("--workflow", help="Workflow id or name (default: from the record).")
@_base_options
def status(workflow: str | None, **kwargs: Any) -> int:
    """Which version is active on which tenant, and the last release."""
    from ntro_ship.pipeline import commands

    return commands.run_status(_settings(kwargs), workflow)
