"""check_runbook: a runbook folder's runtime requirements against its code."""

from __future__ import annotations

from pathlib import Path

import pytest

from ntro_ship.requirements import Finding, check_runbook

WORKFLOW = "from ntro.workflow import runbook, activity\n"
CLIENT_ONLY = "import ntro\nfrom ntro import workspace\n"


def make_runbook(folder: Path, files: dict[str, str]) -> Path:
    (folder / "runbook.md").write_text("---\nslug: nav-monthly\n---\n")
    for name, text in files.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return folder


def codes(findings: list[Finding], root: Path) -> list[tuple[str, int, str]]:
    return [
        (Path(f.path).relative_to(root).as_posix(), f.line, f.code) for f in findings
    ]


CASES = [
    pytest.param(
        {
            "templates/workflow.py": WORKFLOW,
            "templates/requirements.txt": "ntro[workflow]==0.1.2\n",
        },
        [],
        id="workflow-extra-pinned",
    ),
    pytest.param(
        {
            "templates/workflow.py": WORKFLOW,
            "templates/requirements.txt": "ntro==0.1.2\n",
        },
        [("templates/requirements.txt", 1, "NTR021")],
        id="missing-extra",
    ),
    pytest.param(
        {
            "templates/workflow.py": "import ntro.workflow.runtime as rt\n",
            "templates/requirements.txt": "ntro[gl]==0.1.2\n",
        },
        [("templates/requirements.txt", 1, "NTR021")],
        id="submodule-needs-extra",
    ),
    pytest.param(
        {
            "templates/workflow.py": "from ntro import workflow\n",
            "requirements.txt": "ntro[workflow]>=0.1.2\n",
        },
        [("requirements.txt", 1, "NTR022")],
        id="extras-unpinned",
    ),
    pytest.param(
        {
            "templates/workflow.py": WORKFLOW,
            "templates/requirements.txt": "httpx==0.27.0\n",
        },
        [("templates/requirements.txt", 1, "NTR020")],
        id="missing-sdk",
    ),
    pytest.param(
        {
            "templates/activities.py": CLIENT_ONLY,
            "templates/requirements.txt": "ntro==0.1.2\n",
        },
        [],
        id="client-only-needs-no-extra",
    ),
    pytest.param(
        {
            "templates/workflow.py": "# ntro.workflow is mentioned, not imported\n",
            "templates/requirements.txt": "httpx==0.27.0\n",
        },
        [],
        id="comment-is-not-an-import",
    ),
    pytest.param(
        {"templates/workflow.py": WORKFLOW},
        [(".", 1, "NTR020")],
        id="no-requirements-file-sdk-missing",
    ),
    pytest.param(
        {"templates/workflow.py": "import json\n"},
        [(".", 1, "NTR023")],
        id="no-requirements-file",
    ),
    pytest.param(
        {
            "templates/workflow.py": WORKFLOW,
            "tests/test_it.py": "import ntro.testing\n",
            "templates/requirements.txt": "ntro[workflow]==0.1.2\n",
        },
        [],
        id="tests-are-not-runtime-code",
    ),
    pytest.param(
        {
            "templates/workflow.py": "def broken(:\n",
            "templates/requirements.txt": "ntro==0.1.2\n",
        },
        [],
        id="syntax-error-in-code-is-not-a-crash",
    ),
    pytest.param(
        {
            "templates/workflow.py": WORKFLOW,
            "templates/requirements.txt": "-r base.txt\n",
            "templates/base.txt": "ntro[workflow]==0.1.2\n",
        },
        [],
        id="sdk-through-include",
    ),
]


@pytest.mark.parametrize(("files", "expected"), CASES)
def test_check_runbook(tmp_path: Path, files: dict[str, str], expected) -> None:
    root = make_runbook(tmp_path, files)
    assert codes(check_runbook(root), root) == expected


def test_configured_extra_map(tmp_path: Path) -> None:
    from ntro_ship.requirements.config import LintConfig

    root = make_runbook(
        tmp_path,
        {
            "templates/gl.py": "from ntro.capabilities.gl import post\n",
            "templates/requirements.txt": "ntro==0.1.2\n",
        },
    )
    config = LintConfig(sdk_extras={"ntro.capabilities.gl": "gl"})
    [finding] = check_runbook(root, config)
    assert (finding.code, finding.package) == ("NTR021", "ntro")
    assert "lacks the [gl] extra that ntro.capabilities.gl needs" in finding.message


def test_finding_renders_as_path_line_column(tmp_path: Path) -> None:
    finding = Finding(
        "a/requirements.txt",
        3,
        1,
        "NTR001",
        "unpinned",
        "error",
        "idna",
        "idna has no version pin",
    )
    assert str(finding) == "a/requirements.txt:3:1: NTR001 idna has no version pin"


def test_importing_the_package_is_cheap() -> None:
    import subprocess
    import sys

    code = (
        "import sys, ntro_ship.requirements as r; r.check_runbook; "
        "print(sorted(m for m in ('click', 'httpx') if m in sys.modules))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout == "[]\n"
