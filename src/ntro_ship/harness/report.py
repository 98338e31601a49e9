"""What the test stage found: per scenario, per event, and one verdict."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

from ntro_ship.exit_codes import ExitCode

# HAPPY and REJECT_ALL must both run and pass before a runbook ships.
REQUIRED_SCENARIOS = ("happy", "reject_all")


@dataclasses.dataclass(frozen=True)
class TestOptions:
    """What to test; field names are the contract the pipeline relies on."""

    __test__ = False  # not a pytest class, despite the name

    runbook: Path
    children: list[Path] = dataclasses.field(default_factory=list)
    scenarios: list[str] | None = None
    input: str | None = None
    timeout: float = 30.0
    workflow_class: str | None = None


@dataclasses.dataclass(frozen=True)
class Event:
    kind: str
    workflow_id: str
    at_s: float
    detail: dict[str, Any]

    @property
    def step(self) -> str | None:
        step = self.detail.get("step_id")
        return str(step) if step else None


@dataclasses.dataclass(frozen=True)
class ScenarioResult:
    name: str
    status: str  # passed | failed | timed_out
    duration_s: float
    events: list[Event]
    error: str | None = None
    cause: str | None = None
    failed_step: str | None = None
    workflow_id: str | None = None
    result: Any = None

    @property
    def passed(self) -> bool:
        return self.status == "passed"

    @classmethod
    def from_runner(cls, data: dict[str, Any]) -> ScenarioResult:
        return cls(
            name=data["name"],
            status=data["status"],
            duration_s=float(data["duration_s"]),
            events=[Event(**event) for event in data["events"]],
            error=data.get("error"),
            cause=data.get("cause"),
            failed_step=data.get("failed_step"),
            workflow_id=data.get("workflow_id"),
            result=data.get("result"),
        )

    def explanation(self) -> str:
        """One line saying why it did not pass; empty when it passed."""
        if self.passed:
            return ""
        where = f" at step {self.failed_step}" if self.failed_step else ""
        text = f"{self.name} {self.status.replace('_', ' ')}{where}: {self.error}"
        if self.cause and self.cause not in (self.error or ""):
            text += f" (cause: {self.cause.strip().splitlines()[-1]})"
        return text


@dataclasses.dataclass(frozen=True)
class TestReport:
    __test__ = False  # not a pytest class, despite the name

    runbook: str
    children: list[str]
    scenarios: list[ScenarioResult]
    required: tuple[str, ...]
    input_source: str
    versions: dict[str, str]
    environment: str

    @property
    def missing(self) -> list[str]:
        ran = {scenario.name for scenario in self.scenarios}
        return [name for name in self.required if name not in ran]

    @property
    def passed(self) -> bool:
        every = all(scenario.passed for scenario in self.scenarios)
        return bool(self.scenarios) and every and not self.missing

    @property
    def exit_code(self) -> ExitCode:
        if self.passed:
            return ExitCode.OK
        failed = [s for s in self.scenarios if s.status == "failed"]
        if failed or self.missing or not self.scenarios:
            return ExitCode.FAILED
        return ExitCode.TIMED_OUT

    def counts(self) -> tuple[int, int]:
        passed = sum(1 for scenario in self.scenarios if scenario.passed)
        return passed, len(self.scenarios) - passed

    def to_json(self) -> dict[str, Any]:
        return {
            "runbook": self.runbook,
            "children": self.children,
            "passed": self.passed,
            "exit_code": int(self.exit_code),
            "required_scenarios": list(self.required),
            "missing_scenarios": self.missing,
            "input_source": self.input_source,
            "versions": self.versions,
            "environment": self.environment,
            "scenarios": [
                {
                    **dataclasses.asdict(scenario),
                    "passed": scenario.passed,
                    "explanation": scenario.explanation() or None,
                }
                for scenario in self.scenarios
            ],
        }

    def summary_markdown(self) -> str:
        from ntro_ship.harness.render import markdown

        return markdown(self)

    def table(self) -> str:
        from ntro_ship.harness.render import table

        return table(self)

    def junit_xml(self) -> str:
        from ntro_ship.harness.render import junit_xml

        return junit_xml(self)
