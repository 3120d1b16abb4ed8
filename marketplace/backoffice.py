"""The back office's dashboard: each app contributes the cards of the work it owns.

An app registers a panel, a function of the request that yields `Card`s, in its own
`backoffice.py` (imported from its AppConfig.ready). A panel checks the staff member's permissions
itself and yields nothing for a role that is not theirs, so each role sees only its own work.
The kernel knows no app: the dashboard is the sum of the registered panels, in their order.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import Count, Min, QuerySet
from django.http import HttpRequest
from django.utils.functional import Promise


@dataclass(frozen=True)
class Card:
    """One figure of waiting work (or of money) with the page that works it off."""

    title: str | Promise
    value: int | str
    url: str
    # The oldest waiting item, when the card counts a queue: its age says how urgent it is.
    oldest: datetime | None = None
    # "attention" when something waits for this role; "info" for figures to watch.
    tone: str = "info"
    # A figure split in parts (tasks by state): (label, value, url) each, shown under the value.
    breakdown: tuple[tuple[str | Promise, int | str, str], ...] = ()


def queue_card(title: str | Promise, waiting: QuerySet[Any], *, since: str, url: str) -> Card:
    """A queue's card: how many rows wait, and since when the oldest (the `since` field)."""
    figures = waiting.aggregate(n=Count("pk"), oldest=Min(since))
    return Card(
        title=title,
        value=figures["n"],
        url=url,
        oldest=figures["oldest"],
        tone="attention" if figures["n"] else "info",
    )


Panel = Callable[[HttpRequest], Iterable[Card]]

_panels: list[tuple[int, str, Panel]] = []


def dashboard_panel(order: int = 100) -> Callable[[Panel], Panel]:
    """Register a panel; lower orders come first. Registering the same function twice is a no-op."""

    def register(panel: Panel) -> Panel:
        key = f"{panel.__module__}.{panel.__qualname__}"
        if all(existing != key for _order, existing, _panel in _panels):
            _panels.append((order, key, panel))
            _panels.sort(key=lambda entry: (entry[0], entry[1]))
        return panel

    return register


def dashboard_cards(request: HttpRequest) -> list[Card]:
    return [card for _order, _key, panel in _panels for card in panel(request)]


def dashboard_callback(request: HttpRequest, context: dict[str, Any]) -> dict[str, Any]:
    """django-unfold's DASHBOARD_CALLBACK: the cards above the app list of the admin index."""
    context["dashboard_cards"] = dashboard_cards(request)
    return context
