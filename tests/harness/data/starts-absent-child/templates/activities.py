from __future__ import annotations

# No activities: this runbook only starts a child.
