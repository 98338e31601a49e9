from __future__ import annotations

from ntro.testing import Scenario

REVIEWER_REJECTS = Scenario(
    name="reviewer_rejects", review_overrides={"reviewer_approval": "rejected"}
)
