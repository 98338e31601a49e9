"""Each stage on its own, against the sandbox over real HTTP."""

from __future__ import annotations

from pathlib import Path

import filelock
import pytest
from tests.pipeline.conftest import RELEASE_ARGS, Ship, change

from ntro_ship.exit_codes import ExitCode

STAGING = ("--tenant", "staging", "--entity", "fund-a", "--period", "2026-11")


def push(ship: Ship, runbook: Path) -> None:
    result = ship(
        "push", str(runbook), "--workflow", "nav-monthly", "--create-workflow"
    )
    assert result.code == ExitCode.OK, result.err


def released_twice(ship: Ship, runbook: Path) -> None:
    """Versions 1 and 2 both released; production runs 2."""
    assert ship("release", str(runbook), *RELEASE_ARGS).code == ExitCode.OK
    change(runbook, "v2")
    assert ship("release", str(runbook), *RELEASE_ARGS).code == ExitCode.OK


def test_push_needs_an_existing_workflow_or_the_flag(ship: Ship, runbook: Path) -> None:
    result = ship("push", str(runbook), "--workflow", "nav-monthly")

    assert result.code == ExitCode.USAGE
    assert "workflow 'nav-monthly' does not exist" in result.err
    assert "--create-workflow" in result.err


def test_same_digest_pushed_twice_reuses_the_version(ship: Ship, runbook: Path) -> None:
    push(ship, runbook)
    again = ship("push", str(runbook), "--workflow", "nav-monthly")

    assert again.code == ExitCode.OK
    assert "already pushed as version" in again.err
    assert len(ship.versions()) == 1


def test_deploy_before_push_says_what_to_do(ship: Ship) -> None:
    result = ship("deploy", "--tenant", "staging")

    assert result.code == ExitCode.USAGE
    assert "no release recorded yet" in result.err


def test_deploy_waits_and_confirms_the_active_version(
    ship: Ship, runbook: Path
) -> None:
    push(ship, runbook)

    result = ship("deploy", "--tenant", "staging", "--json")

    assert result.code == ExitCode.OK, result.err
    deployment = result.json()["release"]["deployments"][0]
    assert deployment["verdict"] == "passed"
    assert deployment["confirmed_by"] == "active deployment"
    assert ship.active("staging") == "1"


def test_failed_deployment_is_a_failed_verdict(ship: Ship, runbook: Path) -> None:
    push(ship, runbook)
    ship.sandbox.add_fault(
        {"kind": "deploy_fail", "tenant": "staging", "message": "pip: no ntro==9"}
    )

    result = ship("deploy", "--tenant", "staging")

    assert result.code == ExitCode.FAILED
    assert "failed: pip: no ntro==9" in result.err


def test_slow_deployment_times_out(ship: Ship, runbook: Path) -> None:
    push(ship, runbook)
    ship.sandbox.set_delays(deploy_delay=5)

    result = ship("deploy", "--tenant", "staging", "--deploy-timeout", "0.5")

    assert result.code == ExitCode.TIMED_OUT
    assert result.out.startswith(
        "deploy to staging: timed out (not DEPLOYED within --deploy-timeout "
        "(0.5s)); run the same command again"
    )


def test_a_deploy_that_timed_out_is_waited_on_again_not_sent_again(
    ship: Ship, runbook: Path
) -> None:
    push(ship, runbook)
    ship.sandbox.set_delays(deploy_delay=1)
    first = ship("deploy", "--tenant", "staging", "--deploy-timeout", "0.2")
    assert first.code == ExitCode.TIMED_OUT

    again = ship("deploy", "--tenant", "staging")

    assert again.code == ExitCode.OK, again.err
    assert len(ship.deployments("staging")) == 1
    assert "resuming the wait on" in again.err


@pytest.mark.parametrize(
    ("fault", "flags", "code", "says"),
    [
        pytest.param(None, (), ExitCode.OK, "passed (completed)", id="completed"),
        pytest.param(
            {"kind": "run_fail", "failure": {"type": "KeyError", "message": "nav"}},
            (),
            ExitCode.FAILED,
            "failed: KeyError: nav",
            id="failed",
        ),
        pytest.param(
            {"kind": "run_block"},
            (),
            ExitCode.INCONCLUSIVE,
            "inconclusive: blocked on a human step",
            id="blocked",
        ),
        pytest.param(
            {"kind": "run_block"},
            ("--accept-blocked",),
            ExitCode.OK,
            "passed (blocked on a human step (accepted))",
            id="blocked-accepted",
        ),
        pytest.param(
            {"kind": "run_hang"},
            ("--run-timeout", "0.5"),
            ExitCode.TIMED_OUT,
            "timed out: no verdict within --run-timeout (0.5s)",
            id="never-finishes",
        ),
    ],
)
def test_smoke_verdicts(
    ship: Ship,
    runbook: Path,
    fault: dict[str, object] | None,
    flags: tuple[str, ...],
    code: ExitCode,
    says: str,
) -> None:
    push(ship, runbook)
    assert ship("deploy", "--tenant", "staging").code == ExitCode.OK
    if fault:
        ship.sandbox.add_fault({**fault, "tenant": "staging"})

    result = ship("smoke", *STAGING, *flags)

    assert result.code == code, result.err
    assert says in result.err
    assert "/ui/tasks/" in result.out


@pytest.mark.parametrize(
    "fault",
    [
        pytest.param({"kind": "run_fail"}, id="failed"),
        pytest.param({"kind": "run_block"}, id="blocked"),
        pytest.param({"kind": "run_hang"}, id="timed-out"),
    ],
)
def test_never_promoted_unverified(
    ship: Ship, runbook: Path, fault: dict[str, object]
) -> None:
    ship.sandbox.add_fault({**fault, "tenant": "staging"})

    released = ship("release", str(runbook), *RELEASE_ARGS, "--run-timeout", "0.5")
    promoted = ship("promote", "--tenant", "production")

    assert released.code in (ExitCode.FAILED, ExitCode.INCONCLUSIVE, ExitCode.TIMED_OUT)
    assert "production untouched" in released.out
    assert promoted.code == ExitCode.FAILED
    assert "has no passed staging smoke run" in promoted.err
    assert ship.deployments("production") == []


def test_production_smoke_failure_rolls_back(ship: Ship, runbook: Path) -> None:
    assert ship("release", str(runbook), *RELEASE_ARGS).code == ExitCode.OK
    change(runbook, "v2")
    ship.sandbox.add_fault({"kind": "run_fail", "tenant": "production"})

    result = ship("release", str(runbook), *RELEASE_ARGS)

    assert result.code == ExitCode.ROLLED_BACK, result.err
    assert result.out.startswith(
        "rolled back: promotion failed (production: failed: ActivityError"
    )
    assert ship.active("production") == "1"
    assert ship.active("staging") == "2"


def test_every_changed_tenant_is_rolled_back(ship: Ship, runbook: Path) -> None:
    both = (*RELEASE_ARGS, "--production", "production-eu")
    assert ship("release", str(runbook), *both).code == ExitCode.OK
    change(runbook, "v2")
    ship.sandbox.add_fault({"kind": "run_fail", "tenant": "production-eu"})

    result = ship("release", str(runbook), *both)

    assert result.code == ExitCode.ROLLED_BACK, result.err
    assert (ship.active("production"), ship.active("production-eu")) == ("1", "1")


def test_failed_rollback_is_degraded(ship: Ship, runbook: Path) -> None:
    assert ship("release", str(runbook), *RELEASE_ARGS).code == ExitCode.OK
    change(runbook, "v2")
    ship.sandbox.add_fault({"kind": "run_fail", "tenant": "production"})
    ship.sandbox.add_fault(
        {"kind": "deploy_fail", "tenant": "production", "version": "1"}
    )

    result = ship("release", str(runbook), *RELEASE_ARGS)

    assert result.code == ExitCode.DEGRADED, result.err
    assert "DEGRADED" in result.err
    assert "Production needs a human now" in result.out
    assert "run `ntro-ship rollback --tenant production` with this" in result.out

    ship.sandbox.clear_faults()
    assert ship("rollback", "--tenant", "production").code == ExitCode.OK
    assert ship.active("production") == "1"


def test_first_release_failing_in_production_is_degraded(
    ship: Ship, runbook: Path
) -> None:
    ship.sandbox.add_fault({"kind": "run_fail", "tenant": "production"})

    result = ship("release", str(runbook), *RELEASE_ARGS)

    assert result.code == ExitCode.DEGRADED
    assert "production: no earlier version to go back to" in result.out
    assert "run `ntro-ship rollback --tenant production --to VERSION`" in result.out


def test_rollback_goes_to_the_previous_version_or_the_named_one(
    ship: Ship, runbook: Path
) -> None:
    released_twice(ship, runbook)

    back = ship("rollback", "--tenant", "production")
    assert back.code == ExitCode.OK, back.err
    assert ship.active("production") == "1"

    forward = ship("rollback", "--tenant", "production", "--to", "2")
    assert forward.code == ExitCode.OK, forward.err
    assert ship.active("production") == "2"


def test_rollback_without_record_asks_the_platform(ship: Ship, runbook: Path) -> None:
    released_twice(ship, runbook)
    ship.record.unlink()

    result = ship("rollback", "--tenant", "production", "--workflow", "nav-monthly")

    assert result.code == ExitCode.OK, result.err
    assert ship.active("production") == "1"


def test_status_shows_active_versions_and_the_last_release(
    ship: Ship, runbook: Path
) -> None:
    released_twice(ship, runbook)
    version_2 = ship.versions()[0]["id"]

    result = ship("status")

    assert result.code == ExitCode.OK
    assert f"  production: active 2 ({version_2[:8]})" in result.out
    assert "last release: released" in result.out


def test_status_of_a_release_stopped_midway_says_how_to_finish_it(
    ship: Ship, runbook: Path
) -> None:
    ship.sandbox.add_fault(
        {"kind": "error", "status": 500, "match": "POST /v1/workspace/tasks"}
    )
    assert ship("release", str(runbook), *RELEASE_ARGS).code == ExitCode.PLATFORM

    result = ship("status")

    assert result.code == ExitCode.OK
    assert (
        "last release: unfinished (run the same release command again to resume)"
        in result.out
    )
    with filelock.FileLock(f"{ship.record}.lock"):
        running = ship("status")
    assert "last release: in progress (another run holds the record)" in running.out


def test_a_version_pushed_outside_the_record_is_shown_by_its_short_id(
    ship: Ship, runbook: Path, tmp_path: Path
) -> None:
    other_record = str(tmp_path / "other.json")
    first = ship("release", str(runbook), *RELEASE_ARGS, "--record", other_record)
    assert first.code == ExitCode.OK
    version_1 = ship.versions()[0]["id"]
    change(runbook, "v2")

    result = ship("release", str(runbook), *RELEASE_ARGS)

    assert result.code == ExitCode.OK
    assert f"before unrecorded ({version_1[:8]})" in result.out
    assert version_1 not in result.out


def test_github_outputs_and_summary_without_the_key(
    ship: Ship, runbook: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    outputs, summary = tmp_path / "out", tmp_path / "summary.md"
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    monkeypatch.setenv("GITHUB_OUTPUT", str(outputs))
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    monkeypatch.setenv("GITHUB_SHA", "0123abc")

    result = ship("release", str(runbook), *RELEASE_ARGS)

    assert result.code == ExitCode.OK
    written = outputs.read_text()
    for name in ("version-id", "artifact-digest", "staging-deployment-id",
                 "smoke-task-id", "verdict", "production-deployment-ids",
                 "previous-version-id", "rolled-back"):  # fmt: skip
        assert f"{name}<<" in written
    assert "released" in written
    text = summary.read_text()
    assert "`0123abc`" in text and "sha256:" in text
    everything = result.out + result.err + ship.record.read_text() + written + text
    assert ship.sandbox.api_key not in everything
    assert "::add-mask::" not in everything


def test_an_unwritable_github_output_is_a_warning_not_a_new_verdict(
    ship: Ship, runbook: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    monkeypatch.setenv("GITHUB_OUTPUT", str(tmp_path / "no-such-dir" / "out"))
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(tmp_path / "summary.md"))

    result = ship("release", str(runbook), *RELEASE_ARGS)

    assert result.code == ExitCode.OK, result.err
    assert "::warning::cannot write GITHUB_OUTPUT (" in result.err
    assert "the verdict is not" in result.err
    assert (tmp_path / "summary.md").read_text()


def test_waits_see_a_status_change_within_half_a_second(
    ship: Ship, runbook: Path
) -> None:
    push(ship, runbook)
    ship.sandbox.set_delays(deploy_delay=1.0, run_delay=1.0)

    deployed = ship("deploy", "--tenant", "staging", "--json")
    smoked = ship("smoke", *STAGING, "--json")

    deployment = deployed.json()["release"]["deployments"][0]
    run = smoked.json()["release"]["smokes"][0]
    assert 1.0 <= deployment["seconds"] <= 1.5
    assert 1.0 <= run["seconds"] <= 1.5


def test_debug_log_shows_requests_never_the_key(ship: Ship, runbook: Path) -> None:
    result = ship(
        "push",
        str(runbook),
        "--workflow",
        "nav-monthly",
        "--create-workflow",
        "--debug",
    )

    assert result.code == ExitCode.OK
    assert "debug: POST http://127.0.0.1:" in result.err
    assert "/versions -> 201 in " in result.err
    assert ship.sandbox.api_key not in result.err + result.out


def test_staging_summary_shows_production_next_to_the_candidate(
    ship: Ship, runbook: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert ship("release", str(runbook), *RELEASE_ARGS).code == ExitCode.OK
    change(runbook, "v2")
    summary = tmp_path / "summary.md"
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))

    staged = ship("release", str(runbook), *RELEASE_ARGS, "--stop-after", "staging")

    assert staged.code == ExitCode.OK
    old, new = (v["id"][:8] for v in reversed(ship.versions()))
    assert (
        f"| production production before this release | `1 ({old})` "
        f"(candidate `2 ({new})`) |"
    ) in summary.read_text()


def test_rollback_never_picks_a_version_that_failed_its_smoke_run(
    ship: Ship, runbook: Path
) -> None:
    assert ship("release", str(runbook), *RELEASE_ARGS).code == ExitCode.OK
    change(runbook, "v2")
    ship.sandbox.add_fault({"kind": "run_fail", "tenant": "production"})
    assert ship("release", str(runbook), *RELEASE_ARGS).code == ExitCode.ROLLED_BACK

    result = ship("rollback", "--tenant", "production")

    assert result.code == ExitCode.USAGE
    assert "no earlier good version" in result.err
    assert ship.active("production") == "1"


def test_smoke_for_another_period_is_a_new_run_not_the_recorded_one(
    ship: Ship, runbook: Path
) -> None:
    push(ship, runbook)
    assert ship("deploy", "--tenant", "staging").code == ExitCode.OK
    assert ship("smoke", *STAGING).code == ExitCode.OK

    other = ship(
        "smoke", "--tenant", "staging", "--entity", "fund-a", "--period", "2026-12"
    )

    assert other.code == ExitCode.OK, other.err
    assert "already ran" not in other.err
    smokes = ship.record_data()["release"]["smokes"]
    assert [s["period"] for s in smokes] == ["2026-11", "2026-12"]
