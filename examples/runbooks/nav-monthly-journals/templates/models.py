"""Data the nav-monthly-journals runbook passes between its steps."""

from __future__ import annotations

from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, Field


class NavMonthlyJournalsContext(BaseModel):
    tenant_slug: str
    entity_slug: str
    period: str = Field(pattern=r"^\d{4}-(0[1-9]|1[0-2])$")
    currency: str = "GBP"
    nav: Decimal


class JournalLine(BaseModel):
    account: str
    debit: Decimal = Decimal("0")
    credit: Decimal = Decimal("0")
    memo: str = ""


class JournalProposal(BaseModel):
    period: str
    lines: list[JournalLine]


class PostingRequest(BaseModel):
    context: NavMonthlyJournalsContext
    proposal: JournalProposal


class PostingReceipt(BaseModel):
    posting_ref: str


class JournalsOutcome(BaseModel):
    status: Literal["posted", "rejected"]
    journal_count: int = 0
    posting_ref: str | None = None
