"""The kernel's notification registry: every event the code schedules has one handler."""

from __future__ import annotations

import pathlib
import re

import pytest
from django.core.exceptions import ImproperlyConfigured

from marketplace import notifications

ROOT = pathlib.Path(__file__).resolve().parents[2]
APPS = ("accounts", "tasks", "bids", "contracts", "payments", "marketplace")
SCHEDULED = re.compile(r"notifications\.(?:schedule|deliver)\(\s*\"([a-z_]+)\"")


def _events_in_code() -> set[str]:
    found: set[str] = set()
    for app in APPS:
        for path in (ROOT / app).rglob("*.py"):
            found |= set(SCHEDULED.findall(path.read_text()))
    return found


def test_every_event_the_code_schedules_is_registered():
    scheduled = _events_in_code()
    assert {"bid_placed", "contract_funded", "delivery_accepted", "milestone_released"} <= scheduled
    assert scheduled - notifications.registered_events() == set()


def test_scheduling_an_unknown_event_fails_at_once():
    with pytest.raises(ImproperlyConfigured, match="no notification handler"):
        notifications.schedule("no_such_event", 1)


def test_an_event_cannot_get_a_second_handler():
    def other(event: str, object_id: int, tag: str) -> None:
        raise AssertionError("never called")

    with pytest.raises(ImproperlyConfigured, match="registered twice"):
        notifications.notification("bid_placed")(other)
