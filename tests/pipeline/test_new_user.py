"""What a new user ran into: wrong host, missing key, broken record files, bad
timeouts, ids the platform does not know. Each ends in a message that says
what to do and its own exit code, never a traceback or a made-up success."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path

import filelock
import httpx
import pytest
from tests.pipeline.conftest import EXAMPLE, RELEASE_ARGS, Ship, change
from tests.pipeline.test_stages import push

from ntro_ship.exit_codes import ExitCode
from ntro_ship.sandbox import Sandbox, SandboxConfig


@pytest.fixture
def other_sandbox(tmp_path: Path) -> Iterator[Sandbox]:
    with Sandbox(data_dir=tmp_path / "other", config=SandboxConfig()) as sandbox:
        yield sandbox


def test_a_record_refuses_another_host(
    ship: Ship, runbook: Path, other_sandbox: Sandbox
) -> None:
    assert ship("release", str(runbook), *RELEASE_ARGS).code == ExitCode.OK
    before = ship.record.read_text()

    for command in (("release", str(runbook), *RELEASE_ARGS), ("status",)):
        result = ship(*command, "--host", other_sandbox.url)

        assert result.code == ExitCode.USAGE, result.err
        assert result.err == (
            f"ntro-ship: error: {ship.record} belongs to {ship.sandbox.url}, not "
            f"{other_sandbox.url}: its workflow, version and deployment ids mean "
            "nothing there. Pass another --record path for this host, or delete "
            "the file to start over (its history of that host is then lost)\n"
        )
    assert ship.record.read_text() == before
    assert json.loads(before)["host"] == ship.sandbox.url


def test_a_workflow_the_platform_does_not_know_is_reported(
    ship: Ship, runbook: Path, other_sandbox: Sandbox
) -> None:
    assert ship("release", str(runbook), *RELEASE_ARGS).code == ExitCode.OK
    # A record written before records named their host: it adopts any host.
    data = ship.record_data()
    del data["host"]
    ship.record.write_text(json.dumps(data))
    workflow_id = data["release"]["version"]["workflow_id"]

    result = ship("status", "--host", other_sandbox.url)

    assert result.code == ExitCode.PLATFORM
    assert result.err == (
        f"ntro-ship: error: the platform at {other_sandbox.url} does not know "
        f"workflow {workflow_id}, which {ship.record} names; was it deleted, or "
        "is this record from another platform? Pass --workflow, or another "
        "--record\n"
    )
    assert "active" not in result.out


def start_deployment(ship: Ship, version: str) -> str:
    """A deployment someone else started (the test's own request)."""
    workflow_id = ship.workflow_id()
    versions = {v["version"]: v["id"] for v in ship.versions()}
    response = httpx.post(
        ship.sandbox.url + "/workspace/registry/deployments",
        json={
            "workflowId": workflow_id,
            "workflowVersionId": versions[version],
            "tenantId": "staging",
        },
        headers={"Authorization": f"Bearer {ship.sandbox.api_key}"},
    )
    response.raise_for_status()
    return str(response.json()["id"])


def test_an_in_flight_deployment_of_this_version_is_adopted(
    ship: Ship, runbook: Path
) -> None:
    push(ship, runbook)
    ship.sandbox.set_delays(deploy_delay=1.0)
    in_flight = start_deployment(ship, "1")

    result = ship("deploy", "--tenant", "staging")

    assert result.code == ExitCode.OK, result.err
    assert f"deploy staging: {in_flight} of this version is already " in result.err
    assert [d["id"] for d in ship.deployments("staging")] == [in_flight]
    assert ship.record_data()["release"]["deployments"][0]["id"] == in_flight


def test_an_in_flight_deployment_of_another_version_is_waited_for(
    ship: Ship, runbook: Path
) -> None:
    push(ship, runbook)
    change(runbook, "v2")
    push(ship, runbook)
    ship.sandbox.set_delays(deploy_delay=30.0)
    in_flight = start_deployment(ship, "1")
    version_1 = {v["version"]: v["id"] for v in ship.versions()}["1"]

    result = ship("deploy", "--tenant", "staging", "--deploy-timeout", "0.5")

    assert result.code == ExitCode.TIMED_OUT
    assert f"waiting for {in_flight} (version {version_1}, PENDING)" in result.err
    assert result.err.endswith(
        f"deployment {in_flight} of version {version_1} is still in progress on "
        "staging, and will replace whatever is active when it lands; run the "
        "same command again once it has settled\n"
    )
    assert [d["id"] for d in ship.deployments("staging")] == [in_flight]
    assert ship.record_data()["release"]["pending"] is None


def test_once_the_other_deployment_lands_the_deploy_goes_ahead(
    ship: Ship, runbook: Path
) -> None:
    push(ship, runbook)
    change(runbook, "v2")
    push(ship, runbook)
    ship.sandbox.set_delays(deploy_delay=0.5)
    start_deployment(ship, "1")

    result = ship("deploy", "--tenant", "staging")

    assert result.code == ExitCode.OK, result.err
    assert ship.active("staging") == "2"
    assert len(ship.deployments("staging")) == 2


@pytest.mark.parametrize(
    ("environment", "flags"),
    [
        pytest.param({}, (), id="default-host"),
        pytest.param({"NTRO_HOST": "http://127.0.0.1:9/v1"}, (), id="host-override"),
    ],
)
def test_no_api_key_is_a_usage_error_before_any_request(
    ship: Ship,
    runbook: Path,
    monkeypatch: pytest.MonkeyPatch,
    environment: dict[str, str],
    flags: tuple[str, ...],
) -> None:
    monkeypatch.delenv("NTRO_API_KEY")
    monkeypatch.delenv("NTRO_HOST")
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    host = environment.get("NTRO_HOST", "https://api.ntropii.com/v1")

    result = ship("release", str(runbook), *RELEASE_ARGS, *flags)

    assert result.code == ExitCode.USAGE
    assert result.err == (
        f"ntro-ship: error: no API key for {host}: set NTRO_API_KEY, or add "
        f"api_key to connection 'production' in "
        f"{Path(str(ship.record).split('/record/')[0]) / 'ntro-home/config.toml'} "
        "(`ntro auth login` writes it); nothing was sent\n"
    )
    assert not ship.record.exists()


def test_a_refused_key_says_where_it_was_read_from(
    ship: Ship, runbook: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NTRO_API_KEY", "ntro_wrong_key")

    result = ship("release", str(runbook), *RELEASE_ARGS)

    assert result.code == ExitCode.PLATFORM
    assert "answered HTTP 401: " in result.err
    assert result.err.endswith(
        "(the API key was refused; it was read from NTRO_API_KEY: check "
        "NTRO_API_KEY or the connection's api_key in config.toml)\n"
    )
    assert "ntro_wrong_key" not in result.err + result.out
    assert not ship.record.exists()


@pytest.mark.parametrize(
    ("content", "says"),
    [
        pytest.param(
            b"\x89PNG\r\n\x1a\n\x00\xff",
            "the release record cannot be read (not UTF-8 text; a binary file?)",
            id="binary",
        ),
        pytest.param(
            b'{"schema":"ntro-ship/release-record/1","release":5}',
            "a damaged release record ('release' is a int)",
            id="release-not-an-object",
        ),
        pytest.param(
            b'{"schema":"ntro-ship/release-record/1","tenants":[]}',
            "a damaged release record ('tenants' is a list)",
            id="tenants-not-an-object",
        ),
        pytest.param(
            b'{"schema":"other"}',
            "not an ntro-ship release record (schema ntro-ship/release-record/1)",
            id="other-schema",
        ),
    ],
)
def test_a_broken_record_file_is_named_with_what_is_wrong(
    ship: Ship, tmp_path: Path, content: bytes, says: str
) -> None:
    path = tmp_path / "bin.json"
    path.write_bytes(content)

    result = ship("status", "--record", str(path))

    assert result.code == ExitCode.USAGE
    assert result.err.startswith(f"ntro-ship: error: {path}: {says}")
    assert "Traceback" not in result.err
    assert path.read_bytes() == content


def test_a_record_that_cannot_be_written_is_a_usage_error(
    ship: Ship, runbook: Path
) -> None:
    result = ship(
        "push",
        str(runbook),
        "--workflow",
        "nav-monthly",
        "--create-workflow",
        "--record",
        "/proc/rec.json",
    )

    assert result.code == ExitCode.USAGE
    assert result.err.splitlines()[-1] == (
        "ntro-ship: error: /proc/rec.json: the release record cannot be written "
        "(No such file or directory); pass a --record path in a folder you can "
        "write to"
    )


@pytest.mark.parametrize(
    ("flags", "says"),
    [
        pytest.param(
            ("--deploy-timeout", "-5"),
            "-5.0 is not in the range 0.0<x<=604800.0.",
            id="negative-deploy",
        ),
        pytest.param(
            ("--deploy-timeout", "0"),
            "0.0 is not in the range 0.0<x<=604800.0.",
            id="zero-deploy",
        ),
        pytest.param(
            ("--run-timeout", "nan"), "'nan' is not a number of seconds", id="nan-run"
        ),
        pytest.param(
            ("--run-timeout", "inf"),
            "inf is not in the range 0.0<x<=604800.0.",
            id="endless-run",
        ),
        pytest.param(
            ("--request-timeout", "1e308"),
            "1e+308 is not in the range 0.0<x<=604800.0.",
            id="huge-request",
        ),
    ],
)
def test_timeouts_are_positive_and_finite(
    ship: Ship, runbook: Path, flags: tuple[str, ...], says: str
) -> None:
    result = ship("release", str(runbook), *RELEASE_ARGS, *flags)

    assert result.code == ExitCode.USAGE
    assert f"Invalid value for '{flags[0]}': {says}" in result.err
    assert "Traceback" not in result.err
    assert not ship.record.exists()
    assert ship.workflow_id() is None


def test_a_failed_deploy_to_the_only_production_tenant_is_failed_not_rolled_back(
    ship: Ship, runbook: Path
) -> None:
    ship.sandbox.add_fault({"kind": "deploy_fail", "tenant": "production"})

    result = ship("release", str(runbook), *RELEASE_ARGS)

    assert result.code == ExitCode.FAILED, result.err
    assert result.out.startswith(
        "failed: production was left as it was (no tenant had changed): "
        "production: failed: tenant 'production' could not install version 1"
    )
    assert ship.record_data()["release"]["outcome"] == "failed"


@pytest.mark.parametrize(
    ("fault", "flags", "code", "first_line"),
    [
        pytest.param(
            {"kind": "run_fail", "failure": {"type": "Boom", "message": "boom"}},
            (),
            ExitCode.FAILED,
            "staging failed: Boom: boom; production untouched",
            id="failed",
        ),
        pytest.param(
            {"kind": "run_block"},
            (),
            ExitCode.INCONCLUSIVE,
            "staging inconclusive: blocked on a human step;",
            id="inconclusive",
        ),
        pytest.param(
            {"kind": "run_hang"},
            ("--run-timeout", "0.5"),
            ExitCode.TIMED_OUT,
            "staging timed out: no verdict within --run-timeout (0.5s); "
            "production untouched; run the same command again (with a larger "
            "timeout, or --accept-blocked once a human step is enough) to go on "
            "waiting on the same deployment or run",
            id="timed-out",
        ),
    ],
)
def test_verdicts_say_their_prefix_once(
    ship: Ship,
    runbook: Path,
    fault: dict[str, object],
    flags: tuple[str, ...],
    code: ExitCode,
    first_line: str,
) -> None:
    ship.sandbox.add_fault({**fault, "tenant": "staging"})

    result = ship("release", str(runbook), *RELEASE_ARGS, *flags)

    assert result.code == code
    assert result.out.startswith(first_line)
    assert result.out.splitlines()[0].count("staging") == 1


def test_a_host_without_the_api_path_says_the_host_looks_wrong(
    ship: Ship, runbook: Path, tmp_path: Path
) -> None:
    root = ship.sandbox.url.removesuffix("/v1")

    result = ship(
        "push",
        str(runbook),
        "--workflow",
        "nav-monthly",
        "--host",
        root,
        "--record",
        str(tmp_path / "fresh.json"),
    )

    assert result.code == ExitCode.PLATFORM
    assert result.err.endswith(
        f"(the host looks wrong: {root} did not answer as the Workspace API; "
        "pass its base URL, e.g. --host https://api.ntropii.com/v1 "
        "(or http://127.0.0.1:PORT/v1))\n"
    )
    assert "check the workflow, tenant or id" not in result.err


@pytest.mark.parametrize(
    ("command", "flag", "says"),
    [
        pytest.param(
            ("deploy", "--tenant", "nowhere"),
            "--tenant",
            "tenant 'nowhere' not found",
            id="deploy-tenant",
        ),
        pytest.param(
            ("deploy", "--tenant", "staging", "--entity", "no-fund"),
            "--entity",
            "entity 'no-fund' not found",
            id="deploy-entity",
        ),
        pytest.param(
            ("smoke", "--tenant", "staging", "--entity", "no-fund", "--period", "p"),
            "--entity",
            "entity 'no-fund' not found",
            id="smoke-entity",
        ),
        pytest.param(
            ("rollback", "--tenant", "staging", "--to", "99"),
            "--to",
            "version '99' of workflow 'nav-monthly' not found",
            id="rollback-version",
        ),
    ],
)
def test_an_id_the_user_typed_is_a_usage_error_naming_the_flag(
    ship: Ship, runbook: Path, command: tuple[str, ...], flag: str, says: str
) -> None:
    push(ship, runbook)

    result = ship(*command)

    assert result.code == ExitCode.USAGE, result.err
    last = result.err.splitlines()[-1]
    assert last.startswith(f"ntro-ship: error: {flag}: {says} on ")
    assert last.endswith(f"you passed with {flag}")


def test_status_help_has_no_wait_timeouts_and_promote_says_tenant_repeats(
    ship: Ship,
) -> None:
    status_help = ship("status", "--help").out
    promote_help = ship("promote", "--help").out

    assert "--deploy-timeout" not in status_help
    assert "--run-timeout" not in status_help
    assert "--request-timeout" in status_help
    assert "repeat for several" in " ".join(promote_help.split())


def test_summary_columns_line_up_and_show_the_real_production_verdict(
    ship: Ship, runbook: Path
) -> None:
    assert ship("release", str(runbook), *RELEASE_ARGS).code == ExitCode.OK
    (runbook / "templates" / "workflow.py").write_text(
        (runbook / "templates" / "workflow.py").read_text() + "\n# v2\n"
    )
    ship.sandbox.add_fault({"kind": "run_fail", "tenant": "production"})

    result = ship("release", str(runbook), *RELEASE_ARGS)

    assert result.code == ExitCode.ROLLED_BACK
    rows = result.out.splitlines()[1:]
    assert {row.index(row.split()[1], 2) for row in rows} == {13}
    production = [r for r in rows if r.startswith("  production ")]
    assert production[0].startswith(
        "  production production: smoke failed, rolled back, deployed 2 ("
    )
    assert next(r for r in rows if r.startswith("  rollback ")).startswith(
        "  rollback   production: passed, deployed 1 ("
    )


@pytest.mark.parametrize("with_sibling", [True, False], ids=["sibling", "alone"])
def test_plan_names_the_children_the_test_stage_will_use(
    ship: Ship, runbook: Path, with_sibling: bool
) -> None:
    if with_sibling:
        shutil.copytree(
            EXAMPLE.parent / "nav-monthly-journals",
            runbook.parent / "nav-monthly-journals",
        )
    with_tests = [a for a in RELEASE_ARGS if a != "--skip-tests"]

    result = ship("release", str(runbook), *with_tests, "--plan")

    assert result.code == (ExitCode.OK if with_sibling else ExitCode.USAGE)
    test_line = [line for line in result.out.splitlines() if "test " in line]
    sibling = runbook.parent / "nav-monthly-journals"
    assert test_line == (
        [f"- test {runbook} with child runbooks nav-monthly-journals ({sibling})"]
        if with_sibling
        else [
            f"- FAIL: test {runbook}: nav-monthly starts child runbook "
            f"'nav-monthly-journals' ({runbook}/templates/workflow.py:77), but no "
            f"--child gives it and no folder next to {runbook} holds a runbook "
            "with that slug; pass --child DIR with the child runbook's folder"
        ]
    )


def test_a_second_run_on_a_record_in_use_stops_before_sending(
    ship: Ship, runbook: Path
) -> None:
    assert ship("release", str(runbook), *RELEASE_ARGS).code == ExitCode.OK
    change(runbook, "v2")
    in_use = filelock.FileLock(f"{ship.record}.lock")

    with in_use:
        blocked = ship("release", str(runbook), *RELEASE_ARGS)
        status = ship("status")
        pushed_meanwhile = len(ship.versions()) - 1
    after = ship("release", str(runbook), *RELEASE_ARGS)

    assert blocked.code == ExitCode.USAGE
    assert blocked.err == (
        f"ntro-ship: error: another ntro-ship run is using {ship.record} right "
        "now; wait for it to finish, or give this run its own --record\n"
    )
    assert pushed_meanwhile == 0
    assert status.code == ExitCode.OK, "status only reads: it needs no lock"
    assert after.code == ExitCode.OK, after.err
    assert len(ship.versions()) == 2
