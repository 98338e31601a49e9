from __future__ import annotations

from ntro.workflow import activity


@activity.defn(name="reject_bug.post")
async def post(period: str) -> str:
    return f"posted {period}"
