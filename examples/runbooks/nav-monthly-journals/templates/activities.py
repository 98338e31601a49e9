"""Side effects of nav-monthly-journals. The test harness mocks each one."""

from __future__ import annotations

from decimal import Decimal

from ntro.workflow import activity

from .models import (
    JournalLine,
    JournalProposal,
    NavMonthlyJournalsContext,
    PostingReceipt,
    PostingRequest,
)

# Annual rates, accrued monthly: a 1.5% management fee and a flat audit fee.
MANAGEMENT_FEE_RATE = Decimal("0.015")
MONTHLY_AUDIT_FEE = Decimal("2500.00")


@activity.defn(name="nav_monthly_journals.draft_journals")
async def draft_journals(context: NavMonthlyJournalsContext) -> JournalProposal:
    management_fee = (context.nav * MANAGEMENT_FEE_RATE / 12).quantize(Decimal("0.01"))
    memo = f"{context.period} accrual"
    return JournalProposal(
        period=context.period,
        lines=[
            JournalLine(
                account="6100-management-fees", debit=management_fee, memo=memo
            ),
            JournalLine(account="6200-audit-fees", debit=MONTHLY_AUDIT_FEE, memo=memo),
            JournalLine(
                account="2100-accrued-expenses",
                credit=management_fee + MONTHLY_AUDIT_FEE,
                memo=memo,
            ),
        ],
    )


@activity.defn(name="nav_monthly_journals.post_journals")
async def post_journals(request: PostingRequest) -> PostingReceipt:
    context = request.context
    line_count = len(request.proposal.lines)
    return PostingReceipt(
        posting_ref=f"gl:{context.entity_slug}:{context.period}:{line_count}"
    )
