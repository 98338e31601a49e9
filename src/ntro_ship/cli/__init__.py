"""The `ntro-ship` command: one exception boundary, lazily loaded commands.

Subcommands live in their own modules and are imported only when invoked, so
`ntro-ship lint` (which runs on every commit) does not pay for the sandbox
server or the HTTP client.
"""

from __future__ import annotations

import importlib
import signal
import sys
import threading
from collections.abc import Sequence
from typing import Any

import click

from ntro_ship import __version__
from ntro_ship.errors import NtroShipError
from ntro_ship.exit_codes import ExitCode

# command name -> "module:attribute" of its click command
COMMANDS = {
    "lint": "ntro_ship.cli.lint:lint",
    "sandbox": "ntro_ship.cli.sandbox:sandbox",
    "test": "ntro_ship.cli.test:test",
    "package": "ntro_ship.cli.pipeline:package",
    "push": "ntro_ship.cli.pipeline:push",
    "deploy": "ntro_ship.cli.pipeline:deploy",
    "smoke": "ntro_ship.cli.pipeline:smoke",
    "promote": "ntro_ship.cli.pipeline:promote",
    "rollback": "ntro_ship.cli.pipeline:rollback",
    "release": "ntro_ship.cli.pipeline:release",
    "status": "ntro_ship.cli.pipeline:status",
}


class LazyGroup(click.Group):
    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        target = COMMANDS.get(cmd_name)
        if target is None:
            return None

        module_name, attribute = target.split(":")
        command = getattr(importlib.import_module(module_name), attribute)
        assert isinstance(command, click.Command), target
        return command


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="ntro-ship")
def cli() -> None:
    """Test, package, push, deploy, smoke-run and promote Ntropii runbooks."""


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI and turn every way it can end into an exit code."""
    args = list(sys.argv[1:] if argv is None else argv)
    # SIGTERM (a CI job cancelled, `kill`) ends a command the way Ctrl-C
    # does: its clean-up runs and it exits 130. The sandbox server handles
    # SIGTERM itself, as its way to stop.
    if (
        args[:1] != ["sandbox"]
        and threading.current_thread() is threading.main_thread()
    ):
        signal.signal(signal.SIGTERM, _interrupt)
    try:
        result: Any = cli.main(args=argv, prog_name="ntro-ship", standalone_mode=False)
    except click.exceptions.Exit as exc:
        return exc.exit_code
    except click.ClickException as exc:
        exc.show()
        return ExitCode.USAGE
    except (click.Abort, KeyboardInterrupt):
        click.echo("ntro-ship: interrupted", err=True)
        return ExitCode.INTERRUPTED
    except NtroShipError as exc:
        click.echo(f"ntro-ship: error: {exc}", err=True)
        return exc.exit_code
    except OSError as exc:
        # A file the user named (an output path, a record) cannot be read or
        # written: their environment, not our bug, so no traceback.
        click.echo(f"ntro-ship: error: {_describe(exc)}", err=True)
        return ExitCode.USAGE
    except Exception:
        import traceback  # only on the way out: it costs start-up time

        traceback.print_exc(file=sys.stderr)
        click.echo(
            "ntro-ship: internal error (a bug in ntro-ship, not in your input); "
            "please report it with the traceback above.",
            err=True,
        )
        return ExitCode.INTERNAL

    return int(result) if isinstance(result, int) else ExitCode.OK


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def _describe(exc: OSError) -> str:
    reason = exc.strerror or str(exc)
    if exc.filename is None:
        return f"{reason}; check the paths and permissions you passed"
    return f"{exc.filename}: {reason}; check the path and its permissions"
