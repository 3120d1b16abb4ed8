"""Reputation and contract blocks that pages owned by other views include by subject alone:

{% load reputation %}
{% provider_reputation profile %}        a provider's track record and credit grade
{% provider_reviews profile %}           the public reviews posters wrote about them
{% organization_reputation organization %} a poster organization's record and grade
{% organization_reviews organization %}  the public reviews providers wrote about it
{% my_credit %}                           the dashboard's "Your credit", with the factors
{% my_contracts %}                        the dashboard's contracts that need attention
{% credit_badge credit %}                 a grade badge (A-D) with the score
{% stars 4 %}                             a read-only 1-5 rating
"""

from __future__ import annotations

from typing import Any

from django import template

from contracts.models import Contract
from contracts.selectors import contracts_for_user, contracts_with_progress
from frontend.views import reputation as blocks
from frontend.views.contracts import contract_rows
from reputation.selectors import CreditScore

register = template.Library()

DASHBOARD_CONTRACTS = 5


def _user(context: template.Context) -> Any:
    request = context.get("request")
    return getattr(request, "user", None)


@register.inclusion_tag("frontend/components/reputation_provider.html", takes_context=True)
def provider_reputation(context: template.Context, profile: Any) -> dict[str, Any]:
    return {"profile": profile, **blocks.provider_reputation(user=_user(context), profile=profile)}


@register.inclusion_tag("frontend/components/reputation_poster.html", takes_context=True)
def organization_reputation(context: template.Context, organization: Any) -> dict[str, Any]:
    return {
        "organization": organization,
        **blocks.organization_reputation(user=_user(context), organization=organization),
    }


@register.inclusion_tag("frontend/components/reviews_provider.html")
def provider_reviews(profile: Any) -> dict[str, Any]:
    return {"profile": profile, **blocks.provider_reviews(profile=profile)}


@register.inclusion_tag("frontend/components/reviews_poster.html")
def organization_reviews(organization: Any) -> dict[str, Any]:
    return {"organization": organization, **blocks.organization_reviews(organization=organization)}


@register.inclusion_tag("frontend/components/credit_mine.html", takes_context=True)
def my_credit(context: template.Context) -> dict[str, Any]:
    return {"entries": blocks.my_credit(user=_user(context))}


@register.inclusion_tag("frontend/contracts/_dashboard.html", takes_context=True)
def my_contracts(context: template.Context) -> dict[str, Any]:
    """Current contracts, and completed ones still waiting for the user's review; the ones
    waiting for the user first."""
    user = _user(context)
    contracts = contracts_for_user(user=user)
    recent = contracts_with_progress(contracts.exclude(status=Contract.Status.CANCELLED))[:50]
    rows = [
        row
        for row in contract_rows(user=user, contracts=recent)
        if row.contract.status != "completed" or row.step.mine
    ]
    rows.sort(key=lambda row: not row.step.mine)
    return {
        "rows": rows[:DASHBOARD_CONTRACTS],
        "waiting": sum(1 for row in rows if row.step.mine),
        "total": contracts.count(),
    }


@register.inclusion_tag("frontend/components/credit_badge.html")
def credit_badge(credit: CreditScore, size: str = "") -> dict[str, Any]:
    return {"credit": credit, "size": size}


@register.inclusion_tag("frontend/components/stars.html")
def stars(value: Any, label: Any = "") -> dict[str, Any]:
    score = max(0, min(5, int(value or 0)))
    return {"score": score, "filled": range(score), "empty": range(5 - score), "label": label}
