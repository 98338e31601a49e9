from __future__ import annotations

from babel.numbers import format_currency
from ntro.workflow import activity


@activity.defn(name="missing_dependency.format_amount")
async def format_amount(amount: str) -> str:
    return str(format_currency(amount, "GBP", locale="en_GB"))
