"""Custom scenarios for `ntro-ship test --scenario NAME`.

Every `Scenario` defined at module level is selectable by its `name`.
"""

from __future__ import annotations

from ntro.testing import Scenario

# The accruals are fine but the controller rejects the NAV itself: the run
# must stop at sign-off and publish nothing.
REJECT_NAV_SIGNOFF = Scenario(
    name="reject_nav_signoff",
    approve_reviews=True,
    review_overrides={"approve_nav": "rejected"},
)
