"""Side effects of nav-monthly. The test harness replaces each with a mock."""

from __future__ import annotations

import hashlib
from decimal import Decimal

from ntro.workflow import activity

from .models import NavComputation, NavInputs, PublishedNav, PublishRequest


@activity.defn(name="nav_monthly.compute_nav")
async def compute_nav(inputs: NavInputs) -> NavComputation:
    # The tenant resolves the document against its own store; this example
    # derives stable figures from the reference so reruns agree.
    digest = hashlib.sha256(inputs.trial_balance.document_ref.encode()).hexdigest()
    seed = int(digest, 16)
    gross_assets = Decimal(seed % 10_000_000) + Decimal("1000000")
    liabilities = (gross_assets * Decimal("0.12")).quantize(Decimal("0.01"))
    return NavComputation(
        period=inputs.context.period,
        currency=inputs.context.currency,
        gross_assets=gross_assets,
        liabilities=liabilities,
        nav=gross_assets - liabilities,
        accrual_lines=3,
    )


@activity.defn(name="nav_monthly.publish_nav")
async def publish_nav(request: PublishRequest) -> PublishedNav:
    context = request.context
    return PublishedNav(
        nav_ref=f"nav:{context.tenant_slug}:{context.entity_slug}:{context.period}"
    )
