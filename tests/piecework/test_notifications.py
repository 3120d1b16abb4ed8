"""Who hears what about piece-work: each event reaches exactly its people, once."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone, translation

from accounts.models import Notification
from marketplace.errors import InvalidTransition
from marketplace.tasks import deliver_notification
from piecework.models import Terms, UnitDelivery
from piecework.services import (
    piecework_claim,
    piecework_close,
    unit_accept,
    unit_auto_accept,
    unit_reject,
)
from tests.accounts.factories import UserFactory
from tests.piecework.setup import claim_and_deliver, open_piecework, owner_of, worker

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("celery_eager")]


def of(event: str, object_id: int, suffix: str = "") -> Any:
    return Notification.objects.filter(dedupe_key__startswith=f"{event}:{object_id}{suffix}:")


def recipients(event: str, object_id: int, suffix: str = "") -> set[int]:
    return set(of(event, object_id, suffix).values_list("recipient_id", flat=True))


@pytest.fixture
def opened(django_capture_on_commit_callbacks: Any) -> Terms:
    return open_piecework()


def test_the_poster_hears_the_task_opened(opened: Terms) -> None:
    owner = owner_of(opened)
    assert recipients("piecework_opened", opened.pk) == {owner.pk}
    note = of("piecework_opened", opened.pk).get()
    assert note.kind == "piecework"
    assert note.url == f"/tasks/{opened.task_id}/piecework/"
    with translation.override("en"):
        assert note.shown_title == f"Units funded, task open: {opened.task.title}"
        assert "10 units at CN¥200.00 each" in note.shown_body


def test_a_delivered_unit_reaches_the_poster_and_nobody_else(
    opened: Terms, django_capture_on_commit_callbacks: Any
) -> None:
    provider, stranger = worker(), UserFactory()
    with django_capture_on_commit_callbacks(execute=True):
        (delivery,) = claim_and_deliver(opened, provider)
    assert recipients("piecework_unit_delivered", delivery.pk) == {owner_of(opened).pk}
    assert not Notification.objects.filter(recipient__in=[provider, stranger]).exists()
    note = of("piecework_unit_delivered", delivery.pk).get()
    assert note.url == f"/tasks/{opened.task_id}/piecework/review/"
    with translation.override("en"):
        assert "within 3 days" in note.shown_body


def test_an_accepted_unit_reaches_its_provider_once(
    opened: Terms, django_capture_on_commit_callbacks: Any
) -> None:
    provider, rival = worker(), worker()
    (delivery,) = claim_and_deliver(opened, provider)
    claim_and_deliver(opened, rival)
    with django_capture_on_commit_callbacks(execute=True):
        unit_accept(actor=owner_of(opened), delivery=delivery)
    assert recipients("piecework_unit_accepted", delivery.pk) == {provider.pk}
    note = of("piecework_unit_accepted", delivery.pk).get()
    with translation.override("en"):
        assert note.shown_title == f"Unit accepted and paid: {opened.task.title}"
        assert note.shown_body == "CN¥200.00 is on its way to your earnings."
    # The handler run again (a redelivered task) writes nothing new.
    deliver_notification("piecework_unit_accepted", delivery.pk)
    assert of("piecework_unit_accepted", delivery.pk).count() == 1
    assert not Notification.objects.filter(recipient=rival, kind="piecework").exists()


def test_silence_says_it_accepted(opened: Terms, django_capture_on_commit_callbacks: Any) -> None:
    provider = worker()
    (delivery,) = claim_and_deliver(opened, provider)
    later = timezone.now() + dt.timedelta(days=opened.review_days, hours=1)
    with django_capture_on_commit_callbacks(execute=True):
        assert unit_auto_accept(delivery_id=delivery.pk, now=later) is not None
    note = of("piecework_unit_accepted", delivery.pk).get()
    assert note.recipient_id == provider.pk
    with translation.override("en"):
        assert note.shown_title.startswith("Unit accepted by silence and paid")
    with translation.override("zh-hans"):
        assert "Unit" not in note.shown_title


def test_a_rejected_unit_tells_its_provider_why(
    opened: Terms, django_capture_on_commit_callbacks: Any
) -> None:
    provider = worker()
    (delivery,) = claim_and_deliver(opened, provider)
    with django_capture_on_commit_callbacks(execute=True):
        unit_reject(actor=owner_of(opened), delivery=delivery, reason="第 12 张图漏标了凹坑。")
    assert recipients("piecework_unit_rejected", delivery.pk) == {provider.pk}
    note = of("piecework_unit_rejected", delivery.pk).get()
    for language in ("en", "zh-hans"):
        with translation.override(language):
            assert note.shown_body == "第 12 张图漏标了凹坑。"
    assert not of("piecework_unit_accepted", delivery.pk).exists()


def test_closing_tells_the_poster_and_every_claimer(
    opened: Terms, django_capture_on_commit_callbacks: Any
) -> None:
    paid, idle, stranger = worker(), worker(), UserFactory()
    (delivery,) = claim_and_deliver(opened, paid)
    unit_accept(actor=owner_of(opened), delivery=delivery)
    piecework_claim(actor=idle, terms=opened, units=2)
    owner = owner_of(opened)
    with django_capture_on_commit_callbacks(execute=True):
        piecework_close(terms=opened, actor=owner)
    assert recipients("piecework_closed", opened.pk, ":poster") == {owner.pk}
    assert recipients("piecework_closed", opened.pk, ":provider") == {paid.pk, idle.pk}
    assert not Notification.objects.filter(recipient=stranger).exists()
    with translation.override("en"):
        body = of("piecework_closed", opened.pk, ":poster").get().shown_body
    assert body.startswith("1 of 10 units were paid")
    # Closing again is refused and tells nobody twice.
    with pytest.raises(InvalidTransition):
        piecework_close(terms=opened, actor=owner)
    assert of("piecework_closed", opened.pk, ":provider").count() == 2
    assert UnitDelivery.objects.filter(status=UnitDelivery.Status.ACCEPTED).count() == 1
