"""Template helpers of the web app: money, status badges, initials, safe links, nav state."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.http import url_has_allowed_host_and_scheme

from accounts.models import Organization, ProviderProfile
from accounts.pictures import organization_picture_url, provider_picture_url, user_picture_url
from marketplace.money import DEFAULT_CURRENCY, Money

register = template.Library()

# Status values of every app, mapped to a badge tone. Unknown values render neutral.
STATUS_TONES: dict[str, str] = {
    "pending": "warning",
    "pending_review": "warning",
    "awaiting_funding": "warning",
    "changes_requested": "warning",
    "limited": "warning",
    "approved": "success",
    "verified": "success",
    "open": "success",
    "accepted": "success",
    "auto_accepted": "success",
    "released": "success",
    "completed": "success",
    "available": "success",
    "funded": "info",
    "active": "info",
    "submitted": "info",
    "awarded": "info",
    "in_progress": "info",
    "shortlisted": "info",
    "owner": "info",
    "admin": "info",
    "rejected": "danger",
    "disputed": "danger",
    "opened": "danger",
    "evidence": "info",
    "mediation": "info",
    "decided": "info",
    "appealed": "danger",
    "executed": "success",
    "cancelled": "neutral",
    "expired": "neutral",
    "withdrawn": "neutral",
    "closed": "neutral",
    "draft": "neutral",
    "unavailable": "neutral",
    "member": "neutral",
    "unverified": "neutral",
}


def _as_money(value: Any, currency: str | None) -> Money | None:
    if value is None or value == "":
        return None
    if isinstance(value, Money):
        return value
    if isinstance(value, (tuple, list)) and len(value) == 2:
        return Money(int(value[0]), str(value[1]))
    if isinstance(value, int) and not isinstance(value, bool):
        return Money(value, currency or DEFAULT_CURRENCY)
    raise TypeError(f"money filter needs Money, (fen, currency) or fen, not {value!r}")


@register.filter
def money(value: Any, currency: str | None = None) -> str:
    """Format an amount for display: Money, a (fen, currency) pair, or fen with the currency as
    the filter argument: {{ task.budget_min|money:task.currency }}. Blank for None."""
    amount = _as_money(value, currency)
    return "" if amount is None else amount.format()


@register.inclusion_tag("frontend/components/status_badge.html")
def status_badge(value: Any, label: Any = None, tone: str | None = None) -> dict[str, Any]:
    """A coloured pill for a state: {% status_badge request.status request.get_status_display %}."""
    key = str(value or "")
    return {
        "tone": tone or STATUS_TONES.get(key, "neutral"),
        "label": label if label not in (None, "") else key,
        "value": key,
    }


@register.filter
def initial(name: Any) -> str:
    """The first letter of a name for an avatar."""
    text = str(name or "").strip()
    return text[:1].upper() if text else "?"


@register.filter
def safe_link(url: Any) -> str:
    """A link target only if it stays on this site (relative path); blank otherwise."""
    text = str(url or "")
    if text.startswith("/") and url_has_allowed_host_and_scheme(text, allowed_hosts=None):
        return text
    return ""


@register.simple_tag(takes_context=True)
def nav_current(context: template.Context, prefix: str, exact: bool = False) -> str:
    """aria-current for the nav link whose URL prefix matches the current path."""
    request = context.get("request")
    path = getattr(request, "path", "")
    matched = path == prefix if exact else path.startswith(prefix)
    return 'aria-current="page"' if matched else ""


@register.inclusion_tag("frontend/components/avatar.html")
def avatar(subject: Any, size: str = "") -> dict[str, Any]:
    """A person's avatar, an organization's logo or a provider's picture; the initial of the
    name when there is none. `size` is "" or "lg"."""
    if isinstance(subject, ProviderProfile):
        url, name = provider_picture_url(subject), subject.display_name
    elif isinstance(subject, Organization):
        url, name = organization_picture_url(subject), subject.name
    else:
        url = user_picture_url(subject)
        name = getattr(subject, "display_name", "") or str(subject or "")
    return {"url": url, "initial": initial(name), "size": size}


@register.filter
def is_in(value: Any, container: Any) -> bool:
    """`value|is_in:some_set`: membership, False when the container is missing."""
    try:
        return value in (container or ())
    except TypeError:
        return False
