"""Template helpers of the task and bid pages: relative deadlines, skill weights, shares."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import template
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from frontend.forms_tasks import format_share

register = template.Library()


@register.filter
def closes_in(when: Any) -> str:
    """ "closes in 3 days" / "closes in 5 hours" / "closed", relative to now."""
    if not isinstance(when, dt.datetime):
        return ""
    seconds = (when - timezone.now()).total_seconds()
    if seconds <= 0:
        return _("bidding closed")
    minutes = int(seconds // 60)
    if minutes < 60:
        n = max(minutes, 1)
        return ngettext("closes in %(n)d minute", "closes in %(n)d minutes", n) % {"n": n}
    hours = minutes // 60
    if hours < 48:
        return ngettext("closes in %(n)d hour", "closes in %(n)d hours", hours) % {"n": hours}
    days = hours // 24
    return ngettext("closes in %(n)d day", "closes in %(n)d days", days) % {"n": days}


@register.filter
def deadline_tone(when: Any) -> str:
    """ "closed", "urgent" (under two days) or "" for the styling of a deadline."""
    if not isinstance(when, dt.datetime):
        return ""
    left = when - timezone.now()
    if left.total_seconds() <= 0:
        return "closed"
    return "urgent" if left < dt.timedelta(days=2) else ""


@register.filter
def percent(bps: Any) -> str:
    """Basis points as a percent: 4000 → "40%", 3333 → "33.33%". A bound form's field gives
    the posted text ("4000"), an unbound one the number: both read the same."""
    if isinstance(bps, str) and bps.strip().isdigit():
        bps = int(bps)
    if not isinstance(bps, int) or isinstance(bps, bool):
        return ""
    return f"{format_share(bps)}%"


@register.filter
def weight_range(weight: Any) -> list[bool]:
    """Five booleans, the first `weight` true, for drawing a 1–5 weight as pips."""
    n = weight if isinstance(weight, int) else 0
    return [i < n for i in range(5)]


@register.filter
def weight_label(weight: Any) -> str:
    labels = {1: _("nice to have"), 2: _("useful"), 3: _("important"), 4: _("very important"),
              5: _("essential")}  # fmt: skip
    return str(labels.get(weight, ""))
