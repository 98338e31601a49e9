"""Every API call of a release, under every fault: the expected outcome, and
never a second version or deployment.

Transport faults are injected by the sandbox itself; a malformed body and an
unknown status value by a spoiling proxy in front of it (see proxy.py).
"""

from __future__ import annotations

import socket
from pathlib import Path
from typing import Any

import pytest
from tests.pipeline.conftest import RELEASE_ARGS, Ship
from tests.pipeline.proxy import spoiling_proxy

from ntro_ship.exit_codes import ExitCode

OK, PLATFORM = ExitCode.OK, ExitCode.PLATFORM
REGISTRY = "/v1/workspace/registry"
CALLS = {
    "find workflow": f"GET {REGISTRY}/workflows*",
    "create workflow": f"POST {REGISTRY}/workflows",
    "list versions": f"GET {REGISTRY}/workflows/*/versions",
    "push version": f"POST {REGISTRY}/workflows/*/versions",
    "list deployments": f"GET {REGISTRY}/deployments",
    "create deployment": f"POST {REGISTRY}/deployments",
    "get deployment": f"GET {REGISTRY}/deployments/*",
    "create task": "POST /v1/workspace/tasks",
    "get task": "GET /v1/workspace/tasks/*",
}
SANDBOX_FAULTS: dict[str, dict[str, Any]] = {
    "timeout": {"kind": "hang", "seconds": 2},
    "429": {"kind": "rate_limit", "retry_after": 0},
    "500": {"kind": "error", "status": 500},
    "503": {"kind": "error", "status": 503},
    "commit then drop": {"kind": "drop_after_commit"},
}
# (call, fault) -> exit code of the release; reads and safe writes are
# retried, unknown write outcomes are reconciled, the rest stop with 8.
EXPECTED = {
    # The first find answers 404; spoiling its body changes nothing.
    "find workflow": {"timeout": OK, "429": OK, "500": PLATFORM, "503": OK,
                      "malformed": OK},
    "create workflow": {"timeout": OK, "429": OK, "500": OK, "503": OK,
                        "commit then drop": OK, "malformed": PLATFORM},
    "list versions": {"timeout": OK, "429": OK, "500": PLATFORM, "503": OK,
                      "malformed": PLATFORM},
    "push version": {"timeout": OK, "429": OK, "500": OK, "503": OK,
                     "commit then drop": OK, "malformed": PLATFORM},
    "list deployments": {"timeout": OK, "429": OK, "500": PLATFORM, "503": OK,
                         "malformed": PLATFORM},
    "create deployment": {"timeout": OK, "429": OK, "500": OK, "503": OK,
                          "commit then drop": OK, "malformed": PLATFORM},
    "get deployment": {"timeout": OK, "429": OK, "500": PLATFORM, "503": OK,
                       "malformed": PLATFORM, "unknown status": PLATFORM},
    "create task": {"timeout": PLATFORM, "429": OK, "500": PLATFORM, "503": OK,
                    "commit then drop": PLATFORM, "malformed": PLATFORM},
    "get task": {"timeout": OK, "429": OK, "500": PLATFORM, "503": OK,
                 "malformed": PLATFORM, "unknown status": PLATFORM},
}  # fmt: skip
CASES = [
    pytest.param(call, fault, code, id=f"{call}-{fault}")
    for call, faults in EXPECTED.items()
    for fault, code in faults.items()
]


def assert_nothing_twice(ship: Ship) -> None:
    assert len(ship.versions()) <= 1
    assert len(ship.deployments("staging")) <= 1
    assert len(ship.deployments("production")) <= 1


@pytest.mark.parametrize(("call", "fault", "expected"), CASES)
def test_release_under_fault(
    ship: Ship,
    runbook: Path,
    monkeypatch: pytest.MonkeyPatch,
    call: str,
    fault: str,
    expected: ExitCode,
) -> None:
    args = ("release", str(runbook), *RELEASE_ARGS, "--request-timeout", "0.5")
    with spoiling_proxy(ship.sandbox.url) as (proxy_url, spoiler):
        if fault in SANDBOX_FAULTS:
            ship.sandbox.add_fault({**SANDBOX_FAULTS[fault], "match": CALLS[call]})
        else:
            monkeypatch.setenv("NTRO_HOST", proxy_url)
            spoiler.spoil(CALLS[call], fault)

        result = ship(*args)

        assert result.code == expected, result.err
        if expected == PLATFORM:
            assert "ntro-ship: error: " in result.err
            assert "Traceback" not in result.err
        assert_nothing_twice(ship)

        # Whatever stopped it, running again (through the same host: the
        # record belongs to it) finishes the job without duplicates.
        ship.sandbox.clear_faults()
        again = ship(*args)
    assert again.code == OK, again.err
    assert_nothing_twice(ship)
    assert len(ship.versions()) == 1
    assert len(ship.deployments("production")) == 1


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.mark.parametrize(
    "command",
    [
        pytest.param(("push", "{runbook}", "--workflow", "nav-monthly"), id="push"),
        pytest.param(("deploy", "--tenant", "staging"), id="deploy"),
        pytest.param(("status", "--workflow", "nav-monthly"), id="status"),
        pytest.param(("release", "{runbook}", *RELEASE_ARGS), id="release"),
    ],
)
def test_connection_refused_is_a_platform_error(
    ship: Ship,
    runbook: Path,
    monkeypatch: pytest.MonkeyPatch,
    command: tuple[str, ...],
) -> None:
    ship("release", str(runbook), *RELEASE_ARGS, "--stop-after", "staging")
    # The recorded platform goes away: its host now refuses connections.
    down = f"http://127.0.0.1:{closed_port()}/v1"
    ship.record.write_text(ship.record.read_text().replace(ship.sandbox.url, down))
    monkeypatch.setenv("NTRO_HOST", down)

    result = ship(*(arg.format(runbook=runbook) for arg in command))

    assert result.code == ExitCode.PLATFORM
    assert "cannot connect to http://127.0.0.1:" in result.err
    assert "Traceback" not in result.err
