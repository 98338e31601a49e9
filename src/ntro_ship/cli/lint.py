"""`ntro-ship lint`: check runbooks' requirements files against the contract."""

from __future__ import annotations

import click

from ntro_ship.exit_codes import ExitCode

EPILOG = """\b
Examples:
  ntro-ship lint                          every runbook under this folder
  ntro-ship lint runbooks/nav-monthly     one runbook folder
  ntro-ship lint --format sarif -o lint.sarif
  ntro-ship lint --fix --pin-from requirements.lock templates/requirements.txt
"""


def _codes(
    ctx: click.Context, param: click.Parameter, value: str | None
) -> tuple[str, ...]:
    from ntro_ship.requirements.settings import selector_problem

    if value is None:
        return ()
    # A stray comma is harmless; a value with no code at all is not.
    codes = tuple(code.strip().upper() for code in value.split(",") if code.strip())
    for code in codes or ("",):
        problem = selector_problem(code)
        if problem:
            raise click.BadParameter(problem)
    return codes


@click.command(epilog=EPILOG)
@click.argument("paths", nargs=-1, type=click.Path())
@click.option(
    "--format", "output_format", type=click.Choice(["text", "json", "sarif"]),
    default="text", show_default=True, help="How to print the findings.",
)  # fmt: skip
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False),
    help="Write the report to this file instead of stdout.",
)
@click.option(
    "--select",
    callback=_codes,
    metavar="CODES",
    help="Only these codes or prefixes (NTR0,NTR030).",
)
@click.option(
    "--ignore", callback=_codes, metavar="CODES", help="Skip these codes or prefixes."
)
@click.option(
    "--role",
    type=click.Choice(["runtime", "dev", "constraints"]),
    help="Judge the given files as this role, whatever their names.",
)
@click.option(
    "--runtime-file",
    multiple=True,
    metavar="GLOB",
    help="Extra file pattern that names runtime requirements.",
)
@click.option(
    "--dev-file",
    multiple=True,
    metavar="GLOB",
    help="Extra file pattern that names dev requirements.",
)
@click.option(
    "--config",
    "config_file",
    type=click.Path(exists=True, dir_okay=False),
    help="pyproject.toml to read (default: the nearest one upward).",
)
@click.option(
    "--fix",
    is_flag=True,
    help="Pin loose requirements in place (exit 1 if a file changed).",
)
@click.option(
    "--pin-from",
    multiple=True,
    type=click.Path(exists=True, dir_okay=False),
    help="Lock, constraints or `pip freeze` file to take versions from.",
)
@click.option(
    "--resolve", is_flag=True, help="With --fix: pick versions with pip-tools."
)
@click.option("--list-rules", is_flag=True, help="Print the rule table and exit.")
def lint(
    paths: tuple[str, ...],
    output_format: str,
    output: str | None,
    select: tuple[str, ...],
    ignore: tuple[str, ...],
    role: str | None,
    runtime_file: tuple[str, ...],
    dev_file: tuple[str, ...],
    config_file: str | None,
    fix: bool,
    pin_from: tuple[str, ...],
    resolve: bool,
    list_rules: bool,
) -> int:
    """Check that requirements pin every runtime dependency with ==, carry the
    SDK extras the code imports, and hold no development-only packages.

    PATHS are requirements files or folders (runbooks are found inside them);
    with none, every runbook under the current folder is checked.
    """
    from pathlib import Path

    from ntro_ship.requirements import config as settings
    from ntro_ship.requirements import run

    if list_rules:
        from ntro_ship.requirements.codes import RULES

        for code, (kind, severity, summary) in RULES.items():
            click.echo(f"{code}  {kind:<22} {severity:<8} {summary}")
        return ExitCode.OK
    if (pin_from or resolve) and not fix:
        raise click.UsageError("--pin-from and --resolve only make sense with --fix")
    if fix and not (pin_from or resolve):
        from ntro_ship.requirements.fix import NO_PIN_SOURCE

        raise click.UsageError(NO_PIN_SOURCE)

    config = settings.load(path=Path(config_file) if config_file else None)
    config = config.with_flags(
        select=select,
        ignore=(*config.ignore, *ignore) if ignore else (),
        runtime_files=(*runtime_file, *config.runtime_files) if runtime_file else (),
        dev_files=(*dev_file, *config.dev_files) if dev_file else (),
    )
    findings = run.collect(list(paths), config, role)

    changed: list[str] = []
    if fix:
        from ntro_ship.requirements.fix import apply

        changed = apply(findings, config, pin_from=list(pin_from), use_resolver=resolve)
        for path in changed:
            click.echo(f"Fixing {path}", err=True)
        if changed:
            findings = run.collect(list(paths), config, role)

    run.emit(findings, output_format, output)
    return ExitCode.FAILED if changed else run.exit_code(findings)
