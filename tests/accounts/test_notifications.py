"""Notifications: stored once, broadcast after commit, emailed once, read by their owner only."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

import pytest
from asgiref.sync import async_to_sync
from channels.db import database_sync_to_async
from channels.layers import get_channel_layer
from channels.testing import WebsocketCommunicator
from django.conf import settings
from django.core import mail
from django.db import transaction
from django.test import Client
from django.utils.translation import gettext_lazy

from accounts.consumers import NotificationConsumer
from accounts.models import Notification
from accounts.services import notifications_mark_read, notify
from accounts.tasks import send_notification_email
from marketplace.asgi import application
from marketplace.audit import audit_trail
from marketplace.realtime import user_group
from tests.accounts.concurrency import run_concurrently
from tests.accounts.factories import NotificationFactory, UserFactory
from tests.realtime_helpers import frames_before_marker, listen


def receive_from_group(group: str, trigger: Any, timeout: float = 5) -> dict[str, Any]:
    """Join `group` on the configured channel layer, run `trigger`, return the first message."""
    layer = get_channel_layer()
    channel = f"test-{uuid.uuid4().hex}"
    async_to_sync(layer.group_add)(group, channel)
    try:
        trigger()

        async def receive() -> dict[str, Any]:
            return await asyncio.wait_for(layer.receive(channel), timeout)

        return async_to_sync(receive)()
    finally:
        async_to_sync(layer.group_discard)(group, channel)


@pytest.mark.django_db
class TestNotify:
    def test_a_notification_is_stored_and_audited(self, user) -> None:
        note = notify(recipient=user, kind="bid.received", title="New bid", url="/tasks/1/")
        assert note is not None
        assert Notification.objects.get(pk=note.pk).title == "New bid"
        assert [e.action for e in audit_trail(note)] == ["notification.created"]

    def test_the_same_dedupe_key_twice_writes_nothing_the_second_time(self, user) -> None:
        first = notify(recipient=user, kind="k", title="Once", dedupe_key="task:1:awarded")
        second = notify(recipient=user, kind="k", title="Twice", dedupe_key="task:1:awarded")
        assert first is not None
        assert second is None
        assert Notification.objects.filter(recipient=user).count() == 1

    def test_the_same_dedupe_key_for_two_recipients_makes_two_notifications(
        self, user, other_user
    ) -> None:
        assert notify(recipient=user, kind="k", title="A", dedupe_key="same")
        assert notify(recipient=other_user, kind="k", title="B", dedupe_key="same")

    def test_without_a_dedupe_key_every_call_is_stored(self, user) -> None:
        notify(recipient=user, kind="k", title="A")
        notify(recipient=user, kind="k", title="A")
        assert Notification.objects.filter(recipient=user).count() == 2

    def test_lazy_strings_are_rendered_in_the_recipients_language(self) -> None:
        chinese = UserFactory(language="zh-hans")
        english = UserFactory(language="en")
        for recipient in (chinese, english):
            notify(recipient=recipient, kind="k", title=gettext_lazy("Yes"))
        assert Notification.objects.get(recipient=chinese).title == "是"
        assert Notification.objects.get(recipient=english).title == "Yes"

    def test_an_overlong_title_is_shortened_not_refused(self, user) -> None:
        note = notify(recipient=user, kind="k", title="题" * 500)
        assert note is not None
        assert len(note.title) == 200

    def test_the_broadcast_goes_out_only_after_commit(
        self, user, django_capture_on_commit_callbacks
    ) -> None:
        with django_capture_on_commit_callbacks() as callbacks:
            note = notify(recipient=user, kind="bid.received", title="New bid", email=False)
        assert note is not None
        assert len(callbacks) == 1  # the broadcast; no email queued

        message = receive_from_group(user_group(user.pk), lambda: callbacks[0]())
        assert message["type"] == "notification.created"
        assert message["notification"] == {
            "id": note.pk,
            "kind": "bid.received",
            "title": "New bid",
            "body": "",
            "url": "",
            "created_at": note.created_at.isoformat(),
        }

    def test_nothing_is_broadcast_or_emailed_when_the_transaction_rolls_back(
        self, user, django_capture_on_commit_callbacks
    ) -> None:
        with django_capture_on_commit_callbacks() as callbacks:
            try:
                with transaction.atomic():
                    notify(recipient=user, kind="k", title="Doomed")
                    raise RuntimeError("the caller's transaction fails")
            except RuntimeError:
                pass
        assert callbacks == []
        assert not Notification.objects.filter(recipient=user).exists()

    def test_the_email_is_sent_once_after_commit_in_the_recipients_language(
        self, django_capture_on_commit_callbacks
    ) -> None:
        recipient = UserFactory(language="en")
        with django_capture_on_commit_callbacks(execute=True):
            note = notify(
                recipient=recipient,
                kind="bid.awarded",
                title="Your bid won",
                body="Congratulations.",
                url="/contracts/9/",
            )
        assert note is not None
        assert len(mail.outbox) == 1
        email = mail.outbox[0]
        assert email.to == [recipient.email]
        assert "Your bid won" in email.subject
        assert f"{settings.SITE_URL}/contracts/9/" in email.body
        assert "Open it here" in email.body
        note.refresh_from_db()
        assert note.emailed_at is not None

        assert send_notification_email.delay(note.pk).get() is False  # a retry sends nothing
        assert len(mail.outbox) == 1

    def test_email_false_sends_no_email(self, user, django_capture_on_commit_callbacks) -> None:
        with django_capture_on_commit_callbacks(execute=True):
            notify(recipient=user, kind="k", title="Quiet", email=False)
        assert mail.outbox == []


@pytest.mark.django_db
class TestMarkRead:
    def test_only_the_users_own_notifications_are_marked(self, user, other_user) -> None:
        mine = [NotificationFactory(recipient=user) for _ in range(3)]
        theirs = NotificationFactory(recipient=other_user)
        marked = notifications_mark_read(user=user, ids=[mine[0].pk, theirs.pk])
        assert marked == 1
        theirs.refresh_from_db()
        assert theirs.read_at is None
        assert Notification.objects.filter(recipient=user, read_at__isnull=True).count() == 2

    def test_without_ids_all_unread_are_marked(self, user) -> None:
        for _ in range(3):
            NotificationFactory(recipient=user)
        assert notifications_mark_read(user=user) == 3
        assert notifications_mark_read(user=user) == 0
        assert [e.action for e in audit_trail(user)] == ["notifications.read"]


@pytest.mark.django_db(transaction=True)
def test_concurrent_deliveries_with_one_dedupe_key_store_one_notification() -> None:
    recipient = UserFactory()

    def deliver() -> Notification | None:
        return notify(recipient=recipient, kind="k", title="Race", dedupe_key="race:1")

    results = run_concurrently(*[deliver] * 4)
    assert not any(isinstance(r, Exception) for r in results), results
    assert sum(r is not None for r in results) == 1
    assert Notification.objects.filter(recipient=recipient).count() == 1


# --- the websocket, through the real channel layer (Redis when REDIS_URL is set) -----------------


@database_sync_to_async
def notify_and_commit(recipient: Any, title: str) -> Notification | None:
    with transaction.atomic():
        return notify(recipient=recipient, kind="test.live", title=title, email=False)


@pytest.mark.asyncio
@pytest.mark.django_db(transaction=True)
async def test_a_connected_user_receives_a_notification_sent_after_commit() -> None:
    user = await database_sync_to_async(UserFactory)()
    communicator = WebsocketCommunicator(NotificationConsumer.as_asgi(), "/ws/notifications/")
    communicator.scope["user"] = user
    connected, _ = await communicator.connect()
    assert connected
    try:
        note = await notify_and_commit(user, "Live!")
        assert note is not None
        message = await communicator.receive_json_from(timeout=5)
        assert message == {
            "type": "notification",
            "notification": {
                "id": note.pk,
                "kind": "test.live",
                "title": "Live!",
                "body": "",
                "url": "",
                "created_at": note.created_at.isoformat(),
            },
        }
    finally:
        await communicator.disconnect()


@pytest.mark.asyncio
@pytest.mark.django_db(transaction=True)
async def test_another_users_notification_does_not_reach_the_socket() -> None:
    user = await database_sync_to_async(UserFactory)()
    other = await database_sync_to_async(UserFactory)()
    communicator = await listen(user)
    try:
        await notify_and_commit(other, "Not for you")
        # Read up to a marker sent after it, not for a while (see tests/realtime_helpers.py).
        assert await frames_before_marker(communicator, user) == []
    finally:
        await communicator.disconnect()


@pytest.mark.asyncio
@pytest.mark.django_db(transaction=True)
async def test_the_full_asgi_stack_authenticates_the_socket_with_the_session_cookie() -> None:
    user = await database_sync_to_async(UserFactory)()
    client = Client()
    await database_sync_to_async(client.force_login)(user)
    cookie = f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"
    communicator = WebsocketCommunicator(
        application,
        "/ws/notifications/",
        headers=[(b"cookie", cookie.encode()), (b"origin", b"http://localhost")],
    )
    connected, _ = await communicator.connect()
    assert connected
    try:
        note = await notify_and_commit(user, "Through the stack")
        message = await communicator.receive_json_from(timeout=5)
        assert note is not None
        assert message["notification"]["id"] == note.pk
    finally:
        await communicator.disconnect()


@pytest.mark.asyncio
@pytest.mark.django_db(transaction=True)
async def test_an_anonymous_socket_is_refused() -> None:
    communicator = WebsocketCommunicator(
        application, "/ws/notifications/", headers=[(b"origin", b"http://localhost")]
    )
    connected, code = await communicator.connect()
    assert not connected
    assert code == 4401
