"""`ntro-ship test`: the runbook's scenarios on the real harness, offline."""

from __future__ import annotations

import json
from pathlib import Path

import click

from ntro_ship import github
from ntro_ship.cli.types import Seconds
from ntro_ship.harness import TestOptions, run_test_stage


@click.command("test")
@click.argument(
    "runbook", type=click.Path(exists=True, file_okay=False, path_type=Path)
)
@click.option(
    "--child",
    "children",
    multiple=True,
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    help="A child runbook the parent dispatches (repeatable). Default: for each "
    "child slug the code starts, the runbook with that slug next to RUNBOOK.",
)
@click.option(
    "--scenario",
    "-s",
    "scenarios",
    multiple=True,
    metavar="NAME",
    help="Run only this scenario (repeatable): happy, reject_all, or one "
    "defined in the runbook's tests/scenarios.py. Default: happy and reject_all.",
)
@click.option(
    "--input",
    "input_json",
    metavar="JSON|@FILE",
    help="The run() input. Default: the runbook's tests/input.json, else an "
    "auto-mock of run()'s type.",
)
@click.option(
    "--timeout",
    type=Seconds(minimum=0.1),
    default=30.0,
    show_default=True,
    help="Seconds each scenario may take.",
)
@click.option(
    "--workflow-class",
    metavar="NAME",
    help="The workflow class. Default: CamelCase(slug) + Workflow.",
)
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
@click.option(
    "--junit-xml",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Also write the report as JUnit XML here, for CI test reporting.",
)
def test(
    runbook: Path,
    children: tuple[Path, ...],
    scenarios: tuple[str, ...],
    input_json: str | None,
    timeout: float,
    workflow_class: str | None,
    as_json: bool,
    junit_xml: Path | None,
) -> int:
    """Run RUNBOOK's scenarios on the real ntro harness, in its own environment.

    The environment is a virtualenv built from the runbook's requirements.txt
    and requirements-dev.txt (cached until they change), with the Temporal
    dev server from PyPI, so nothing is downloaded at run time. Exits 0 only
    when every selected scenario passed.
    """
    options = TestOptions(
        runbook=runbook,
        children=list(children),
        scenarios=list(scenarios) or None,
        input=input_json,
        timeout=timeout,
        workflow_class=workflow_class,
    )
    report = run_test_stage(options)

    if junit_xml is not None:
        junit_xml.write_text(report.junit_xml(), encoding="utf-8")
    github.append_summary(report.summary_markdown())
    if not as_json:  # annotations go to stdout, which must stay pure JSON
        for scenario in report.scenarios:
            if not scenario.passed:
                github.annotation(
                    "error", scenario.explanation(), title="ntro-ship test"
                )

    if as_json:
        click.echo(json.dumps(report.to_json(), indent=2))
    else:
        click.echo(report.table())
    return int(report.exit_code)
