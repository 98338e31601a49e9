"""`ntro-ship sandbox serve` as a separate process, and its config file."""

from __future__ import annotations

import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from tests.sandbox.conftest import start

from ntro_ship.errors import ConfigError
from ntro_ship.sandbox import Sandbox
from ntro_ship.sandbox.config import load_config

KEY = {"Authorization": "Bearer ntro_dev_key"}


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[subprocess.Popen[str], str]]:
    process, url = start(tmp_path)
    yield process, url
    if process.poll() is None:
        process.kill()
        process.communicate()


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT], ids=["term", "int"])
def test_serve_announces_its_url_and_stops_cleanly(
    served: tuple[subprocess.Popen[str], str], sig: signal.Signals
) -> None:
    process, url = served

    me = httpx.get(f"{url}/me", headers=KEY)
    process.send_signal(sig)
    out, err = process.communicate(timeout=15)

    assert url.startswith("http://127.0.0.1:")
    assert url.endswith("/v1")
    assert me.status_code == 200
    assert process.returncode == 0
    assert out == f"{url}\n"
    assert err.splitlines()[-1] == "ntro-ship sandbox: stopped"
    assert "ntro_dev_key" not in out + err


def test_serve_applies_faults_and_config_from_the_start(tmp_path: Path) -> None:
    config = tmp_path / "sandbox.toml"
    config.write_text(
        'run_delay = 0\n[[tenants]]\nslug = "uat"\ndata_platform = "snowflake"\n'
        '[[entities]]\nslug = "fund-b"\ntenant = "uat"\n'
    )
    fault = '{"kind": "error", "match": "GET /me", "status": 502}'
    process, url = start(tmp_path, "--config", str(config), "--fault", fault)
    try:
        statuses = [httpx.get(f"{url}/me", headers=KEY).status_code for _ in range(2)]
        tenants = httpx.get(f"{url}/workspace/tenants", headers=KEY).json()
        entities = httpx.get(
            f"{url}/workspace/tenants/uat/entities", headers=KEY
        ).json()
    finally:
        process.terminate()
        _, err = process.communicate(timeout=15)

    assert statuses == [502, 200]
    assert "ntro-ship sandbox: fault 1 (error) hit GET /v1/me\n" in err
    assert [(t["slug"], t["dataPlatform"]) for t in tenants] == [
        ("staging", "managed-postgres"),
        ("production", "managed-postgres"),
        ("uat", "snowflake"),
    ]
    assert [e["slug"] for e in entities] == ["fund-b"]


def test_port_in_use_is_a_usage_error(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = subprocess.run(
            [sys.executable, "-m", "ntro_ship", "sandbox", "serve",
             "--port", str(port), "--data", str(tmp_path)],
            capture_output=True, text=True, timeout=60,
        )  # fmt: skip

    assert result.returncode == 2
    assert result.stderr == (
        f"ntro-ship: error: port {port} on 127.0.0.1 is already in use; stop what "
        "holds it or pass --port 0 to take a free port\n"
    )


@pytest.mark.parametrize(
    ("args", "message"),
    [
        pytest.param(
            ["--fault", "{oops"],
            "ntro-ship: error: --fault '{oops' is not valid JSON (Expecting property "
            "name enclosed in double quotes); e.g. --fault "
            '\'{"kind": "run_fail", "tenant": "production"}\'\n',
            id="fault-not-json",
        ),
        pytest.param(
            ["--fault", "@no-such-fault.json"],
            "ntro-ship: error: --fault @no-such-fault.json: cannot read the file: "
            "No such file or directory\n",
            id="fault-file-missing",
        ),
        pytest.param(
            ["--fault", '{"kind": "error"}'],
            "ntro-ship: error: fault #1: fault kind 'error' needs 'match', e.g. "
            '"POST /v1/workspace/registry/deployments"; see docs/sandbox.md for the '
            "fault format\n",
            id="fault-incomplete",
        ),
    ],
)
def test_bad_fault_flags_are_usage_errors(
    tmp_path: Path, args: list[str], message: str
) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "ntro_ship", "sandbox", "serve", "--port", "0",
         "--data", str(tmp_path), *args],
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip

    assert (result.returncode, result.stderr) == (2, message)


CONFIG_CASES = [
    pytest.param("deploy_delay = 'soon'", "deploy_delay must be a number", id="type"),
    pytest.param("run_delay = -1", "run_delay must not be negative", id="negative"),
    pytest.param("colour = 'red'", "unknown setting(s) colour", id="unknown-key"),
    pytest.param("api_keys = []",
                 "api_keys must be a non-empty list of non-empty strings",
                 id="no-keys"),
    pytest.param("[[tenants]]\nslug = 'staging'",
                 "tenant slug(s) declared twice: staging", id="duplicate-tenant"),
    pytest.param("[[tenants]]\nslug = 'x'\ndata_platform = 'oracle'",
                 "tenant data_platform 'oracle' is not one of managed-postgres, "
                 "snowflake, microsoft-fabric", id="unknown-platform"),
    pytest.param("[[entities]]\nslug = 'f'\ntenant = 'nowhere'",
                 "entity 'f' names tenant 'nowhere', which is not declared (known: "
                 "staging, production)", id="entity-without-tenant"),
    pytest.param("faults = 3", "faults must be an array of tables ([[faults]])",
                 id="faults-not-tables"),
]  # fmt: skip


@pytest.mark.parametrize(("text", "problem"), CONFIG_CASES)
def test_bad_config_files_name_the_problem(
    tmp_path: Path, text: str, problem: str
) -> None:
    path = tmp_path / "sandbox.toml"
    path.write_text(text + "\n")

    with pytest.raises(ConfigError) as raised:
        load_config(path)

    assert str(raised.value) == f"{path}: {problem}; see docs/sandbox.md for the format"


def test_config_file_that_is_not_toml(tmp_path: Path) -> None:
    path = tmp_path / "sandbox.toml"
    path.write_text("run_delay = = 1\n")

    with pytest.raises(ConfigError) as raised:
        load_config(path)

    assert str(raised.value) == (
        f"{path}: not valid TOML: Invalid value (at line 1, column 13)"
    )


def test_config_file_sets_everything(tmp_path: Path) -> None:
    path = tmp_path / "sandbox.toml"
    path.write_text(
        "deploy_delay = 0.5\nrun_delay = 2\napi_keys = ['k1', 'k2']\n"
        "max_upload_bytes = 1000\naccess_log = true\n"
        "[[faults]]\nkind = 'run_fail'\ntenant = 'production'\n"
    )

    config = load_config(path)

    assert (config.deploy_delay, config.run_delay, config.api_keys) == (
        0.5,
        2.0,
        ("k1", "k2"),
    )
    assert (config.max_upload_bytes, config.access_log) == (1000, True)
    assert config.faults == ({"kind": "run_fail", "tenant": "production"},)


def test_unusable_data_folder_or_ready_file_is_a_usage_error(tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("")

    def serve(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "ntro_ship", "sandbox", "serve",
             "--port", "0", *args],
            capture_output=True, text=True, timeout=60,
        )  # fmt: skip

    data = serve("--data", str(blocker / "data"))
    ready = serve("--data", str(tmp_path / "d"), "--ready-file", str(blocker / "r"))

    assert data.returncode == 2
    assert data.stderr.startswith(
        f"ntro-ship: error: cannot keep sandbox state in {blocker / 'data'}: "
    )
    assert data.stderr.endswith("; pass --data with a writable folder\n")
    assert (ready.returncode, ready.stderr) == (
        2,
        f"ntro-ship: error: --ready-file {blocker / 'r'}: cannot create folder "
        f"{blocker} (File exists); choose a path in a folder you can write to\n",
    )


def test_the_ready_file_folder_is_made_as_the_readme_needs(tmp_path: Path) -> None:
    ready = tmp_path / "fresh-clone" / ".ntro-ship" / "sandbox.url"
    server = subprocess.Popen(
        [sys.executable, "-m", "ntro_ship", "sandbox", "serve", "--port", "0",
         "--data", str(tmp_path / "data"), "--ready-file", str(ready)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        assert server.stdout is not None
        url = server.stdout.readline().strip()
        deadline = time.monotonic() + 10  # the file follows the printed URL
        while not ready.exists() and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        server.terminate()
        server.communicate(timeout=30)

    assert url.startswith("http://127.0.0.1:")
    assert ready.read_text().strip() == url


def test_sandbox_start_and_stop_without_a_with_block(tmp_path: Path) -> None:
    sandbox = Sandbox(data_dir=tmp_path).start()
    url = sandbox.url
    up = httpx.get(f"{url}/me", headers=KEY).status_code
    sandbox.stop()

    assert up == 200
    with pytest.raises(httpx.ConnectError):
        httpx.get(f"{url}/me", headers=KEY)
