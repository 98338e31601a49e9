"""Settings a user can get wrong: non-finite delays, a corrupt database, and
clients that hang up; each refused or logged plainly, never a traceback."""

from __future__ import annotations

import math
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from tests.sandbox.conftest import start

from ntro_ship.errors import ConfigError, UsageError
from ntro_ship.sandbox import Sandbox, SandboxConfig
from ntro_ship.sandbox.config import load_config

KEY = {"Authorization": "Bearer ntro_dev_key", "Content-Type": "application/json"}
FINITE = "Input should be a finite number"


def admin(sandbox: Sandbox, path: str) -> str:
    return sandbox.url.removesuffix("/v1") + f"/_sandbox/{path}"


@pytest.mark.parametrize(
    ("body", "message"),
    [
        pytest.param('{"deploy_delay": NaN}', f"deploy_delay: {FINITE}", id="nan"),
        pytest.param('{"run_delay": Infinity}', f"run_delay: {FINITE}", id="inf"),
        pytest.param(
            '{"run_delay": -Infinity}', f"run_delay: {FINITE}", id="minus-inf"
        ),
        pytest.param(
            '{"deploy_delay": -1}',
            "deploy_delay: Input should be greater than or equal to 0",
            id="negative",
        ),
        pytest.param(
            '{"run_delay": 1e9}',
            "run_delay: Input should be less than or equal to 31622400",
            id="past-a-year",
        ),
    ],
)
def test_admin_refuses_delays_that_are_not_finite_seconds(
    sandbox: Sandbox, body: str, message: str
) -> None:
    refused = httpx.put(admin(sandbox, "delays"), content=body, headers=KEY)
    after = httpx.get(admin(sandbox, "delays"), headers=KEY)

    assert (refused.status_code, refused.json()["message"]) == (422, message)
    assert (after.status_code, after.json()) == (
        200,
        {"deploy_delay": 0.0, "run_delay": 0.0},
    )


@pytest.mark.parametrize("value", ["NaN", "Infinity", "-1", "1e308"])
@pytest.mark.parametrize("kind", ["latency", "hang", "hang_after_commit"])
def test_admin_refuses_fault_seconds_that_are_not_finite(
    sandbox: Sandbox, kind: str, value: str
) -> None:
    body = f'{{"kind": "{kind}", "match": "GET /me", "seconds": {value}}}'

    refused = httpx.post(admin(sandbox, "faults"), content=body, headers=KEY)
    listed = httpx.get(admin(sandbox, "faults"), headers=KEY)

    assert refused.status_code == 422
    assert refused.json()["message"].startswith("seconds: Input should be ")
    assert listed.json() == []


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        pytest.param(
            "deploy_delay = nan", "deploy_delay must be a finite number, got nan"
        ),
        pytest.param("run_delay = inf", "run_delay must be a finite number, got inf"),
        pytest.param("run_delay = -inf", "run_delay must be a finite number, got -inf"),
        pytest.param(
            "deploy_delay = 1e9",
            "deploy_delay must be at most 31622400 seconds (a year); for a run "
            "that never ends, use a run_hang fault",
        ),
    ],
)
def test_config_file_refuses_delays_that_are_not_finite_seconds(
    tmp_path: Path, text: str, problem: str
) -> None:
    path = tmp_path / "sandbox.toml"
    path.write_text(text + "\n")

    with pytest.raises(ConfigError) as raised:
        load_config(path)

    assert str(raised.value) == f"{path}: {problem}; see docs/sandbox.md for the format"


def test_config_file_fault_with_nan_seconds_stops_serve(tmp_path: Path) -> None:
    config = tmp_path / "sandbox.toml"
    config.write_text(
        "[[faults]]\nkind = 'latency'\nmatch = 'GET /me'\nseconds = nan\n"
    )

    result = subprocess.run(
        [sys.executable, "-m", "ntro_ship", "sandbox", "serve", "--port", "0",
         "--data", str(tmp_path / "data"), "--config", str(config)],
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip

    assert (result.returncode, result.stderr) == (
        2,
        f"ntro-ship: error: fault #1: seconds: {FINITE}; see docs/sandbox.md for "
        "the fault format\n",
    )


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        pytest.param(math.nan, "must be a finite number, got nan", id="nan"),
        pytest.param(math.inf, "must be a finite number, got inf", id="inf"),
        pytest.param(-0.5, "must not be negative", id="negative"),
    ],
)
def test_python_api_refuses_bad_delays(
    sandbox: Sandbox, value: float, problem: str
) -> None:
    with pytest.raises(ValueError) as at_run_time:
        sandbox.set_delays(run_delay=value)
    with pytest.raises(ValueError) as at_start:
        SandboxConfig(deploy_delay=value)

    assert str(at_run_time.value) == f"run_delay {problem}"
    assert str(at_start.value) == f"deploy_delay {problem}"


def test_corrupt_database_is_named_with_what_to_do(tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    database = data / "sandbox.sqlite3"
    database.write_bytes(b"not a database at all\n" * 200)

    result = subprocess.run(
        [sys.executable, "-m", "ntro_ship", "sandbox", "serve", "--port", "0",
         "--data", str(data)],
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    with pytest.raises(UsageError) as raised:
        Sandbox(data_dir=data).start()

    message = (
        f"{database} is not a valid SQLite database (file is not a database); "
        "move it away to start with fresh sandbox state, or pass --data with "
        "another folder"
    )
    assert (result.returncode, result.stderr) == (2, f"ntro-ship: error: {message}\n")
    assert str(raised.value) == message
    assert database.read_bytes() == b"not a database at all\n" * 200


def test_client_hanging_up_during_latency_is_one_quiet_line(tmp_path: Path) -> None:
    fault = (
        '{"kind": "latency", "match": "POST /workspace/registry/workflows", '
        '"seconds": 1}'
    )
    process, url = start(tmp_path, "--fault", fault)

    with pytest.raises(httpx.ReadTimeout):
        httpx.post(
            f"{url}/workspace/registry/workflows",
            json={"name": "nav"},
            headers=KEY,
            timeout=0.2,
        )
    listed = httpx.get(f"{url}/workspace/registry/workflows", headers=KEY, timeout=5)
    # The server notices the hang-up once the latency is over.
    time.sleep(1.2)
    process.send_signal(signal.SIGTERM)
    process.wait(timeout=30)
    _, err = process.communicate()

    assert listed.json() == []
    assert err.splitlines()[1:] == [
        "ntro-ship sandbox: fault 1 (latency) hit POST /v1/workspace/registry/"
        "workflows",
        "ntro-ship sandbox: client hung up before POST /v1/workspace/registry/"
        "workflows was answered",
        "ntro-ship sandbox: stopped",
    ]
