"""Reading a stuck run's history: which step, in which child."""

from __future__ import annotations

import pytest

from ntro_ship.harness.history import step_in_trace, step_path

ROOT = "test-nav-monthly-1a2b3c4d"


@pytest.mark.parametrize(
    ("workflow_id", "step", "path"),
    [
        pytest.param(ROOT, "compute_nav", "compute_nav", id="the-root"),
        pytest.param(ROOT, None, None, id="the-root-before-any-step"),
        pytest.param(
            f"{ROOT}:post_journals:nav-monthly-journals",
            "draft_journals",
            "post_journals > nav-monthly-journals:draft_journals",
            id="a-child",
        ),
        pytest.param(
            f"{ROOT}:post_journals:nav-monthly-journals",
            None,
            "post_journals > nav-monthly-journals",
            id="a-child-before-any-step",
        ),
        pytest.param(
            f"{ROOT}:post_journals:nav-monthly-journals:fetch:bank-feed",
            "parse",
            "post_journals > nav-monthly-journals:fetch > bank-feed:parse",
            id="a-grandchild",
        ),
    ],
)
def test_step_path_names_the_steps_down_to_the_failing_workflow(
    workflow_id: str, step: str | None, path: str | None
) -> None:
    assert step_path(ROOT, workflow_id, step) == path


TRACE = """Traceback (most recent call last):
  File "/env/lib/ntro/workflow/decorators.py", line 95, in wrapper
    result = await fn(self, *args, **kwargs)
  File "/rb/templates/workflow.py", line 30, in run
    return await self._check(period)
  File "/rb/templates/workflow.py", line 11, in _check
    raise ValueError("deliberate bug")
ValueError: deliberate bug
"""


@pytest.mark.parametrize(
    ("steps", "step"),
    [
        pytest.param(
            {("/rb/templates/workflow.py", "_check"): "check_balances"},
            "check_balances",
            id="innermost-step-method",
        ),
        pytest.param(
            {("/other/workflow.py", "_check"): "check_balances"},
            None,
            id="same-name-in-another-file",
        ),
        pytest.param({}, None, id="no-step-method-in-the-trace"),
    ],
)
def test_step_in_trace_is_the_innermost_step_method(
    steps: dict[tuple[str, str], str], step: str | None
) -> None:
    assert step_in_trace(TRACE, steps) == step
