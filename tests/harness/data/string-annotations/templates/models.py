from __future__ import annotations

from datetime import date
from decimal import Decimal

from pydantic import BaseModel


class ReconciliationContext(BaseModel):
    tenant_slug: str
    period_end: date
    opening_cash: Decimal
    accounts: list[str]


class Reconciliation(BaseModel):
    difference: Decimal
    matched: bool
