"""The email tasks through the real broker (Redis when REDIS_URL is set) and a real worker."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
from celery.contrib.testing.worker import start_worker
from celery.signals import task_postrun
from django.core import mail

from accounts import services
from accounts.models import Invitation, Notification
from accounts.tasks import send_notification_email
from marketplace.celery import app as celery_app
from tests.accounts.factories import OrganizationFactory, UserFactory


@pytest.fixture
def worker() -> Iterator[None]:
    """A worker thread consuming the configured broker; tasks are not run eagerly."""
    celery_app.conf.task_always_eager = False
    with start_worker(celery_app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
        yield


def wait_for(condition, timeout: float = 15) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.05)
    raise AssertionError("the worker did not finish in time")


@pytest.mark.django_db(transaction=True)
def test_an_invitation_email_is_delivered_by_a_worker_after_commit(worker) -> None:
    owner = UserFactory()
    organization = OrganizationFactory(owner=owner, name="Broker Test Co")
    invitation = services.invitation_create(
        actor=owner, organization=organization, email="queued@example.com", role="member"
    )
    wait_for(lambda: Invitation.objects.get(pk=invitation.pk).emailed_at is not None)
    assert [m.to for m in mail.outbox] == [["queued@example.com"]]
    assert "Broker Test Co" in mail.outbox[0].subject


@pytest.mark.django_db(transaction=True)
def test_a_duplicated_notification_email_task_sends_one_email(worker) -> None:
    recipient = UserFactory()
    note = services.notify(recipient=recipient, kind="k", title="Once only", email=False)
    assert note is not None
    finished: list[object] = []

    def on_finished(sender=None, retval=None, **kwargs: object) -> None:
        if getattr(sender, "name", None) == send_notification_email.name:
            finished.append(retval)

    task_postrun.connect(on_finished, weak=False)
    try:
        for _ in range(3):  # a retried or duplicated delivery of the same task
            send_notification_email.delay(note.pk)
        wait_for(lambda: len(finished) == 3)
    finally:
        task_postrun.disconnect(on_finished)
    assert sorted(finished, key=str) == [False, False, True]
    assert len(mail.outbox) == 1
    assert Notification.objects.get(pk=note.pk).emailed_at is not None
