"""Findings to text, JSON, SARIF 2.1.0 and GitHub Actions annotations.

JSON is a list of objects with exactly the fields of `Finding` (path, line,
column, code, kind, severity, package, message), sorted by path, line,
column and code; docs/lint.md documents it as a stable interface.
"""

from __future__ import annotations

import json
from pathlib import PurePath

from ntro_ship import __version__
from ntro_ship.requirements.codes import RULES
from ntro_ship.requirements.findings import Finding

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
HELP_URI = "https://github.com/ntropii-com/ntro-ship/blob/main/docs/lint.md"


def as_text(findings: list[Finding]) -> str:
    """`path:line:col: CODE severity: message`, one finding a line."""
    return "".join(
        f"{f.path}:{f.line}:{f.column}: {f.code} {f.severity}: {f.message}\n"
        for f in findings
    )


def as_json(findings: list[Finding]) -> str:
    return json.dumps([finding.as_dict() for finding in findings], indent=2) + "\n"


def as_sarif(findings: list[Finding]) -> str:
    codes = sorted(RULES)
    rules = [
        {
            "id": code,
            "name": _camel(RULES[code][0]),
            "shortDescription": {"text": RULES[code][2]},
            "helpUri": f"{HELP_URI}#{code.lower()}",
            "defaultConfiguration": {"level": RULES[code][1]},
            "properties": {"kind": RULES[code][0]},
        }
        for code in codes
    ]
    results = [
        {
            "ruleId": finding.code,
            "ruleIndex": codes.index(finding.code),
            "level": finding.severity,
            "message": {"text": finding.message},
            "locations": [
                {
                    "physicalLocation": {
                        "artifactLocation": {"uri": _uri(finding.path)},
                        "region": {
                            "startLine": max(finding.line, 1),
                            "startColumn": max(finding.column, 1),
                        },
                    }
                }
            ],
            "partialFingerprints": {
                "ntroShipFinding/v1": f"{finding.code}:{finding.package or ''}"
            },
        }
        for finding in findings
    ]
    log = {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "ntro-ship",
                        "version": __version__,
                        "informationUri": HELP_URI,
                        "rules": rules,
                    }
                },
                "results": results,
            }
        ],
    }
    return json.dumps(log, indent=2) + "\n"


def _uri(path: str) -> str:
    """A relative URI with forward slashes, as code scanning expects."""
    pure = PurePath(path)
    return pure.as_uri() if pure.is_absolute() else pure.as_posix()


def _camel(kind: str) -> str:
    head, *rest = kind.split("-")
    return head + "".join(word.capitalize() for word in rest)


def annotate(findings: list[Finding]) -> None:
    """GitHub annotations, at most ANNOTATION_CAP per level; the rest summarised."""
    from ntro_ship import github

    if not github.in_actions():
        return

    shown: dict[str, int] = {}
    overflow: list[Finding] = []
    for finding in findings:
        count = shown.get(finding.severity, 0)
        if count >= github.ANNOTATION_CAP:
            overflow.append(finding)
            continue
        shown[finding.severity] = count + 1
        github.annotation(
            finding.severity,
            finding.message,
            file=finding.path,
            line=finding.line,
            column=finding.column,
            title=f"{finding.code} {finding.kind}",
        )

    lines = [f"### ntro-ship lint: {len(findings)} finding(s)", ""]
    if overflow:
        lines += [
            f"GitHub shows {github.ANNOTATION_CAP} annotations of each level per "
            f"step; these {len(overflow)} did not fit:",
            "",
            "| location | code | message |",
            "| --- | --- | --- |",
        ]
        for finding in overflow:
            message = finding.message.replace("|", "\\|")
            lines.append(
                f"| `{finding.path}:{finding.line}:{finding.column}` "
                f"| {finding.code} | {message} |"
            )
    if findings:
        github.append_summary("\n".join(lines))
