"""Results: a summary on stdout (text or JSON), GitHub outputs and step summary."""

from __future__ import annotations

import json
import os
from typing import Any

import click

from ntro_ship import github
from ntro_ship.pipeline.record import Record


def outputs(record: Record, verdict: str, rolled_back: bool) -> dict[str, str]:
    """The step outputs named in docs/architecture.md."""
    release = record.release if record.has_release() else {}
    version = release.get("version") or {}
    deployments = release.get("deployments") or []
    staging = [d for d in deployments if d["purpose"] == "staging"]
    production = [d for d in deployments if d["purpose"] == "production" and d["id"]]
    smokes = release.get("smokes") or []
    previous = next((d.get("previous_version_id") for d in production), None) or next(
        (d.get("previous_version_id") for d in staging), None
    )
    return {
        "version-id": str(version.get("version_id") or ""),
        "artifact-digest": str((release.get("artifact") or {}).get("digest") or ""),
        "staging-deployment-id": str(staging[-1]["id"] or "") if staging else "",
        "smoke-task-id": str(smokes[0]["task_id"]) if smokes else "",
        "verdict": verdict,
        "production-deployment-ids": ",".join(d["id"] for d in production),
        "previous-version-id": str(previous or ""),
        "rolled-back": "true" if rolled_back else "false",
    }


def summary_markdown(record: Record, title: str, message: str) -> str:
    release = record.release
    runbook = release.get("runbook") or {}
    artifact = release.get("artifact") or {}
    version = release.get("version") or {}
    commit = release.get("commit") or os.environ.get("GITHUB_SHA") or "-"
    version_text = f"`{version.get('version_id', '-')}` ({version.get('version', '-')})"
    lines = [
        f"### ntro-ship {title}: {message}",
        "",
        "| | |",
        "| --- | --- |",
        f"| runbook | `{runbook.get('slug', '-')}` {runbook.get('version', '')} |",
        f"| version | {version_text} |",
        f"| digest | `{artifact.get('digest', '-')}` |",
        f"| commit | `{commit}` |",
    ]
    for smoke in release.get("smokes") or []:
        link = f" [run]({smoke['link']})" if smoke.get("link") else ""
        lines.append(
            f"| smoke on {smoke['tenant']} | **{smoke.get('verdict') or 'running'}** "
            f"({smoke.get('detail', '')}){link} |"
        )
    for deployment in release.get("deployments") or []:
        lines.append(
            f"| {deployment['purpose']} {deployment['tenant']} | "
            f"{deployment_verdict(release, deployment)}: now "
            f"`{deployment['version_id']}`, before "
            f"`{deployment.get('previous_version_id') or 'nothing'}` |"
        )
    candidate = version.get("version_id")
    unreadable = release.get("production_unreadable") or []
    for tenant, active in (release.get("production_before") or {}).items():
        now = (
            "unknown (this job's API key cannot read it)"
            if tenant in unreadable
            else f"`{label(record, active)}`"
        )
        lines.append(
            f"| production {tenant} before this release | {now} "
            f"(candidate `{label(record, candidate)}`) |"
        )
    tests = release.get("tests")
    if tests:
        lines += ["", tests.get("summary_markdown", "")]
    return "\n".join(lines) + "\n"


def label(record: Record, version_id: str | None) -> str:
    """`2 (1f0c2a9e)`: the platform's version string, then a short id."""
    if not version_id:
        return "nothing"
    for entry in record.data["versions"]:
        if entry["version_id"] == version_id:
            return f"{entry['version']} ({version_id[:8]})"
    # Pushed before this record began (or by another tool): the record has
    # no version string for it, so the short id says which one.
    return f"unrecorded ({version_id[:8]})"


def deployment_verdict(release: dict[str, Any], deployment: dict[str, Any]) -> str:
    """What became of a deployment: its own verdict, unless the smoke run of
    that version on that tenant did not pass, or a later rollback undid it."""
    verdict = str(deployment.get("verdict") or "pending")
    if deployment["purpose"] == "rollback" or verdict != "passed":
        return verdict

    smokes = [
        s
        for s in release.get("smokes") or []
        if (s["tenant"], s["version_id"])
        == (deployment["tenant"], deployment["version_id"])
    ]
    if smokes and smokes[-1].get("verdict") not in (None, "passed"):
        verdict = f"smoke {smokes[-1]['verdict']}"
    deployments = release.get("deployments") or []
    later = deployments[deployments.index(deployment) + 1 :]
    if any(
        d["purpose"] == "rollback"
        and d["tenant"] == deployment["tenant"]
        and d.get("verdict") == "passed"
        for d in later
    ):
        verdict += ", rolled back"
    return verdict


def _row(name: str, text: str) -> str:
    return f"  {name:<11}{text}"


def text_summary(record: Record, message: str) -> str:
    if not record.has_release():
        return message
    release = record.release
    version = release.get("version") or {}
    lines = [message]
    runbook = release.get("runbook")
    if runbook:
        lines.append(_row("runbook", f"{runbook['slug']} {runbook['version']}"))
    if release.get("artifact"):
        lines.append(_row("artifact", release["artifact"]["digest"]))
    if version.get("version_id"):
        lines.append(_row("version", label(record, version["version_id"])))
    if release.get("tests"):
        passed = release["tests"]["passed"]
        outcome = "passed" if passed else "FAILED"
        lines.append(_row("tests", f"{outcome} (local scenarios)"))
    for d in release.get("deployments") or []:
        verdict = deployment_verdict(release, d)
        # A deployment that failed or timed out may never have landed.
        landed = "deployed" if verdict.startswith(("passed", "smoke")) else "version"
        lines.append(
            _row(
                d["purpose"],
                f"{d['tenant']}: {verdict}, "
                f"{landed} {label(record, d['version_id'])}, "
                f"before {label(record, d.get('previous_version_id'))}",
            )
        )
    for s in release.get("smokes") or []:
        link = f" {s['link']}" if s.get("link") else ""
        lines.append(
            _row(
                "smoke",
                f"{s['tenant']}: {s.get('verdict') or 'running'}"
                f" ({s.get('detail', '')}){link}",
            )
        )
    return "\n".join(lines)


def emit(
    record: Record,
    *,
    command: str,
    exit_code: int,
    verdict: str,
    message: str,
    as_json: bool,
    rolled_back: bool = False,
    extra: dict[str, Any] | None = None,
) -> int:
    """Print the result, feed GitHub Actions, and return the exit code."""
    if as_json:
        payload = {
            "command": command,
            "exit_code": exit_code,
            "verdict": verdict,
            "message": message,
            "record": str(record.path),
            **(extra or {}),
            "release": record.release if record.has_release() else None,
        }
        click.echo(json.dumps(payload, indent=2))
    else:
        click.echo(text_summary(record, message))

    if record.has_release():
        github.set_outputs(outputs(record, verdict, rolled_back))
        github.append_summary(summary_markdown(record, command, message))
    return exit_code


def emit_check(
    record: Record,
    entry: dict[str, Any],
    *,
    exit_code: int,
    message: str,
    as_json: bool,
) -> int:
    """Like `emit`, for a smoke run of what is active (no release involved)."""
    version = label(record, entry["version_id"]) if entry["version_id"] else None
    if as_json:
        payload = {
            "command": "smoke",
            "exit_code": exit_code,
            "verdict": entry["verdict"],
            "message": message,
            "record": str(record.path),
            "check": entry,
        }
        click.echo(json.dumps(payload, indent=2))
    else:
        link = f" {entry['link']}" if entry.get("link") else ""
        click.echo(
            f"{message}\n  version    {version or 'the active one (not listed)'}"
            f"\n  run        {entry['task_id']}{link}"
        )

    github.set_outputs(
        {
            "version-id": str(entry["version_id"] or ""),
            "smoke-task-id": str(entry["task_id"]),
            "verdict": str(entry["verdict"]),
            "rolled-back": "false",
        }
    )
    link = f" [run]({entry['link']})" if entry.get("link") else ""
    github.append_summary(
        f"### ntro-ship smoke: {message}\n\n"
        "| | |\n| --- | --- |\n"
        f"| workflow | `{entry['workflow_id']}` |\n"
        f"| version | `{version or 'active (this platform cannot list it)'}` |\n"
        f"| smoke on {entry['tenant']} | **{entry['verdict']}** "
        f"({entry['detail']}){link} |\n"
    )
    return exit_code
