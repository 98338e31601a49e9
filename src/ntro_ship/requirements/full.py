"""The hooks' full run: the same work as `ntro-ship lint`, without click.

Reached only when the fast screen in `hook.py` could not clear every file.
It keeps the CLI's contract: findings on stdout, errors on stderr with exit
code 2, never a traceback for bad input.
"""

from __future__ import annotations

import sys
import traceback

from ntro_ship.errors import NtroShipError, UsageError
from ntro_ship.exit_codes import ExitCode

FLAGS = ("--fix", "--resolve")
VALUED = ("--select", "--ignore", "--pin-from", "--role", "--format")


def parse_options(options: list[str]) -> dict[str, list[str]]:
    parsed: dict[str, list[str]] = {}
    index = 0
    while index < len(options):
        option, equals, value = options[index].partition("=")
        index += 1
        if option in FLAGS and not equals:
            parsed[option] = []
            continue
        if option not in VALUED:
            raise UsageError(
                f"unknown option {options[index - 1]!r}; the hooks accept "
                f"{', '.join((*FLAGS, *VALUED))}"
            )
        if not equals:
            if index >= len(options):
                raise UsageError(f"option {option} needs a value")
            value = options[index]
            index += 1
        parsed.setdefault(option, []).append(value)
    return parsed


def lint(files: list[str], options: list[str]) -> int:
    try:
        return _lint(files, parse_options(options))
    except NtroShipError as exc:
        print(f"ntro-ship: error: {exc}", file=sys.stderr)
        return int(exc.exit_code)
    except KeyboardInterrupt:
        return ExitCode.INTERRUPTED
    except Exception:
        traceback.print_exc()
        print(
            "ntro-ship: internal error (a bug in ntro-ship); please report it "
            "with the traceback above.",
            file=sys.stderr,
        )
        return ExitCode.INTERNAL


def _codes(values: list[str]) -> tuple[str, ...]:
    from ntro_ship.requirements.settings import check_selector

    codes = tuple(
        code.strip().upper()
        for value in values
        for code in value.split(",")
        if code.strip()
    )
    for code in codes or (("",) if values else ()):
        check_selector(code, "--select/--ignore")
    return codes


def _lint(files: list[str], options: dict[str, list[str]]) -> int:
    from ntro_ship.requirements import run
    from ntro_ship.requirements.config import load

    config = load()
    select = _codes(options.get("--select", []))
    ignore = _codes(options.get("--ignore", []))
    config = config.with_flags(
        select=select, ignore=(*config.ignore, *ignore) if ignore else ()
    )
    roles = options.get("--role", [])
    role = roles[-1] if roles else None
    if role not in (None, "runtime", "dev", "constraints"):
        raise UsageError(f"--role {role}: choose runtime, dev or constraints")
    output_format = (options.get("--format") or ["text"])[-1]
    findings = run.collect(files, config, role, empty_ok=not files)

    fix = "--fix" in options
    pin_from = options.get("--pin-from", [])
    if fix and not pin_from and "--resolve" not in options:
        from ntro_ship.requirements.fix import NO_PIN_SOURCE

        raise UsageError(NO_PIN_SOURCE)
    changed: list[str] = []
    if fix:
        from ntro_ship.requirements.fix import apply

        changed = apply(
            findings,
            config,
            pin_from=pin_from,
            use_resolver="--resolve" in options,
        )
        for path in changed:
            print(f"Fixing {path}", file=sys.stderr)
        if changed:
            findings = run.collect(files, config, role, empty_ok=not files)

    run.emit(findings, output_format, None)
    return ExitCode.FAILED if changed else run.exit_code(findings)
