"""`ntro-ship sandbox serve`: the local platform in the foreground."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

from ntro_ship.errors import UsageError
from ntro_ship.exit_codes import ExitCode


@click.group()
def sandbox() -> None:
    """A local Ntropii Workspace to release to, with faults on request."""


def _parse_fault(text: str) -> Any:
    source = text
    if text.startswith("@"):
        try:
            source = Path(text[1:]).read_text(encoding="utf-8")
        except OSError as exc:
            raise UsageError(
                f"--fault {text}: cannot read the file: {exc.strerror}"
            ) from exc
    try:
        return json.loads(source)
    except json.JSONDecodeError as exc:
        raise UsageError(
            f"--fault {text!r} is not valid JSON ({exc.msg}); e.g. "
            '--fault \'{"kind": "run_fail", "tenant": "production"}\''
        ) from exc


@sandbox.command()
@click.option(
    "--host", default="127.0.0.1", show_default=True, help="Address to listen on."
)
@click.option(
    "--port",
    default=3000,
    show_default=True,
    type=click.IntRange(0, 65535),
    help="Port to listen on; 0 takes a free one (printed on stdout).",
)
@click.option(
    "--data",
    "data_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path(".ntro-ship/sandbox"),
    show_default=True,
    help="Folder for the database and pushed artifacts; state survives restarts.",
)
@click.option(
    "--config",
    "config_file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="TOML file: delays, API keys, extra tenants and entities, faults.",
)
@click.option(
    "--fault",
    "faults",
    multiple=True,
    metavar="JSON",
    help="A fault to inject from the start (JSON, or @file); repeatable.",
)
@click.option(
    "--ready-file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write the base URL here once the server accepts connections.",
)
def serve(
    host: str,
    port: int,
    data_dir: Path,
    config_file: Path | None,
    faults: tuple[str, ...],
    ready_file: Path | None,
) -> int:
    """Run the sandbox until SIGTERM or Ctrl-C; print its base URL."""
    # Imported here so that `ntro-ship --help` does not load uvicorn.
    from ntro_ship.sandbox.config import SandboxConfig, load_config
    from ntro_ship.sandbox.server import serve as run_server
    from ntro_ship.sandbox.server import write_ready_file

    if ready_file is not None:
        # Made like the data folder is (the README's .ntro-ship/ is new in a
        # fresh clone); checked now, so a bad path fails before serving.
        try:
            ready_file.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise UsageError(
                f"--ready-file {ready_file}: cannot create folder "
                f"{ready_file.parent} ({exc.strerror or exc}); choose a path in "
                "a folder you can write to"
            ) from None

    config = load_config(config_file) if config_file else SandboxConfig()
    parsed = [_parse_fault(text) for text in faults]

    def announce(url: str) -> None:
        click.echo(url)
        if ready_file is not None:
            write_ready_file(ready_file, url)
        click.echo(
            f"ntro-ship sandbox: serving {url} (data in {data_dir}); Ctrl-C stops",
            err=True,
        )

    run_server(data_dir, config, host, port, parsed, announce)
    click.echo("ntro-ship sandbox: stopped", err=True)
    return ExitCode.OK
