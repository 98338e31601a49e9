"""Data the nav-monthly runbook passes between its steps."""

from __future__ import annotations

from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, Field


class NavMonthlyContext(BaseModel):
    """The run's input, as the platform's CommandRouter sends it."""

    tenant_slug: str
    entity_slug: str
    period: str = Field(pattern=r"^\d{4}-(0[1-9]|1[0-2])$")
    currency: str = "GBP"


class TrialBalanceRef(BaseModel):
    """The uploaded trial balance, as the document_submitted signal names it."""

    document_ref: str
    source: str
    filename: str | None = None


class NavInputs(BaseModel):
    context: NavMonthlyContext
    trial_balance: TrialBalanceRef


class NavComputation(BaseModel):
    period: str
    currency: str
    gross_assets: Decimal
    liabilities: Decimal
    nav: Decimal
    accrual_lines: int = 0


class JournalsOutcome(BaseModel):
    """What the nav-monthly-journals child returns (its own model, by shape)."""

    status: Literal["posted", "rejected"]
    journal_count: int = 0
    posting_ref: str | None = None


class PublishRequest(BaseModel):
    context: NavMonthlyContext
    computation: NavComputation


class PublishedNav(BaseModel):
    nav_ref: str


class NavMonthlyResult(BaseModel):
    status: Literal["published", "rejected"]
    period: str
    rejected_at: str | None = None
    nav: Decimal | None = None
    nav_ref: str | None = None
