"""The test report as a terminal table, GitHub Markdown and JUnit XML."""

from __future__ import annotations

import xml.etree.ElementTree as ElementTree
from typing import Any

from ntro_ship.harness.report import Event, ScenarioResult, TestReport

TABLE_COLUMNS = ("SCENARIO", "RESULT", "TIME", "EVENT", "WORKFLOW", "STEP", "DETAIL")


def workflow_label(workflow_id: str, runbook: str) -> str:
    """A child's id is `<parent id>:<step>:<slug>`; show the slug."""
    return workflow_id.rsplit(":", 1)[1] if ":" in workflow_id else runbook


def event_detail(event: Event) -> str:
    shown = {k: v for k, v in event.detail.items() if k != "step_id"}
    return ", ".join(f"{key}={_short(value)}" for key, value in shown.items())


def _short(value: Any) -> str:
    if isinstance(value, list):
        return "[" + ", ".join(_short(item) for item in value) + "]"
    text = str(value)
    return text.rsplit(":", 1)[1] if text.startswith("test-") and ":" in text else text


def _headline(report: TestReport) -> str:
    children = f" with {', '.join(report.children)}" if report.children else ""
    versions = ", ".join(f"{name} {v}" for name, v in sorted(report.versions.items()))
    return f"{report.runbook}{children} ({versions}; input: {report.input_source})"


def _rows(report: TestReport) -> list[tuple[str, ...]]:
    rows: list[tuple[str, ...]] = []
    for scenario in report.scenarios:
        result = scenario.status.replace("_", " ")
        rows.append(
            (scenario.name, result, f"{scenario.duration_s:.2f}s", "", "", "", "")
        )
        for event in scenario.events:
            rows.append(
                (
                    "",
                    "",
                    f"{event.at_s:.2f}s",
                    event.kind,
                    workflow_label(event.workflow_id, report.runbook),
                    event.step or "-",
                    event_detail(event),
                )
            )
    return rows


def _closing(report: TestReport) -> list[str]:
    lines = [s.explanation() for s in report.scenarios if not s.passed]
    lines += [
        f"{name} did not run: both {' and '.join(report.required)} must pass "
        "before a runbook ships"
        for name in report.missing
    ]
    passed, failed = report.counts()
    # Timed-out scenarios are counted apart, so the line agrees with exit 4.
    timed_out = sum(1 for s in report.scenarios if s.status == "timed_out")
    counted = f"{passed} passed, {failed - timed_out} failed"
    if timed_out:
        counted += f", {timed_out} timed out"
    lines.append(f"summary: {counted} (of {passed + failed})")
    return lines


def table(report: TestReport) -> str:
    rows = [TABLE_COLUMNS, *_rows(report)]
    widths = [max(len(row[i]) for row in rows) for i in range(len(TABLE_COLUMNS) - 1)]
    lines = [_headline(report), ""]
    for row in rows:
        cells = [cell.ljust(width) for cell, width in zip(row, widths, strict=False)]
        lines.append("  ".join([*cells, row[-1]]).rstrip())
    return "\n".join([*lines, "", *_closing(report)])


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def markdown(report: TestReport) -> str:
    verdict = "passed" if report.passed else "FAILED"
    lines = [
        f"### Local tests: {report.runbook} {verdict}",
        "",
        _cell(_headline(report)),
        "",
        "| scenario | result | time | failed step | error |",
        "| --- | --- | --- | --- | --- |",
    ]
    for scenario in report.scenarios:
        lines.append(
            f"| {scenario.name} | {scenario.status.replace('_', ' ')} "
            f"| {scenario.duration_s:.2f}s | {_cell(scenario.failed_step or '')} "
            f"| {_cell(scenario.error or '')} |"
        )
    for name in report.missing:
        lines.append(f"| {name} | not run | | | required before shipping |")

    for scenario in report.scenarios:
        lines += ["", f"<details><summary>{scenario.name}: events</summary>", ""]
        lines += [
            "| time | event | workflow | step | detail |",
            "| --- | --- | --- | --- | --- |",
        ]
        for event in scenario.events:
            lines.append(
                f"| {event.at_s:.2f}s | {event.kind} "
                f"| {workflow_label(event.workflow_id, report.runbook)} "
                f"| {event.step or ''} | {_cell(event_detail(event))} |"
            )
        lines += ["", "</details>"]
    return "\n".join(lines) + "\n"


def _failure_text(scenario: ScenarioResult, report: TestReport) -> str:
    lines = [scenario.explanation()]
    lines += [
        f"{event.at_s:.2f}s {event.kind} "
        f"{workflow_label(event.workflow_id, report.runbook)} "
        f"{event.step or '-'} {event_detail(event)}"
        for event in scenario.events
    ]
    if scenario.cause:
        lines += ["", scenario.cause]
    return "\n".join(lines)


def junit_xml(report: TestReport) -> str:
    passed, failed = report.counts()
    suite = ElementTree.Element(
        "testsuite",
        name=f"ntro-ship test {report.runbook}",
        tests=str(passed + failed + len(report.missing)),
        failures=str(failed + len(report.missing)),
        errors="0",
        time=f"{sum(s.duration_s for s in report.scenarios):.3f}",
    )
    for scenario in report.scenarios:
        case = ElementTree.SubElement(
            suite,
            "testcase",
            classname=report.runbook,
            name=scenario.name,
            time=f"{scenario.duration_s:.3f}",
        )
        if not scenario.passed:
            failure = ElementTree.SubElement(
                case, "failure", message=scenario.explanation(), type=scenario.status
            )
            failure.text = _failure_text(scenario, report)
    for name in report.missing:
        case = ElementTree.SubElement(
            suite, "testcase", classname=report.runbook, name=name
        )
        ElementTree.SubElement(
            case, "failure", message=f"{name} did not run", type="not_run"
        )

    ElementTree.indent(suite)
    body = ElementTree.tostring(suite, encoding="unicode")
    return '<?xml version="1.0" encoding="utf-8"?>\n' + body + "\n"
