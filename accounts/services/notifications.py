"""In-app notifications: stored first, then broadcast and emailed after commit."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from functools import partial
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.functional import Promise
from django.utils.text import Truncator

from accounts.models import Notification
from marketplace.audit import audit_record
from marketplace.realtime import group_send_on_commit, user_group

TITLE_MAX = 200  # Notification.title
URL_MAX = 300  # Notification.url
DEDUPE_KEY_MAX = 120  # Notification.dedupe_key


@contextmanager
def in_language_of(user: Any) -> Iterator[None]:
    """Render strings in the user's language: `with in_language_of(user): title = _("...")`."""
    language = getattr(user, "language", "") or settings.LANGUAGE_CODE
    with translation.override(language):
        yield


def notification_payload(notification: Notification) -> dict[str, Any]:
    """What websocket clients receive for one notification."""
    return {
        "id": notification.pk,
        "kind": notification.kind,
        "title": notification.title,
        "body": notification.body,
        "url": notification.url,
        "created_at": notification.created_at.isoformat(),
    }


def notify(
    *,
    recipient: Any,
    kind: str,
    title: str | Promise,
    body: str | Promise = "",
    url: str = "",
    dedupe_key: str = "",
    email: bool = True,
) -> Notification | None:
    """Store one notification per (recipient, dedupe_key); broadcast and email it after commit.

    Lazy strings (gettext_lazy) are rendered in the recipient's language. A repeated call with
    the same dedupe_key returns None and writes nothing, also when two calls race: the unique
    constraint decides and the loser's savepoint is rolled back.
    """
    with in_language_of(recipient):
        title_text = Truncator(str(title)).chars(TITLE_MAX)
        body_text = str(body)
    url = url[:URL_MAX]
    dedupe_key = dedupe_key[:DEDUPE_KEY_MAX]

    with transaction.atomic():
        if (
            dedupe_key
            and Notification.objects.filter(
                recipient_id=recipient.pk, dedupe_key=dedupe_key
            ).exists()
        ):
            return None
        try:
            with transaction.atomic():
                notification = Notification.objects.create(
                    recipient_id=recipient.pk,
                    kind=kind,
                    title=title_text,
                    body=body_text,
                    url=url,
                    dedupe_key=dedupe_key,
                )
        except IntegrityError:
            if dedupe_key:
                return None  # a concurrent call with the same key won
            raise
        audit_record(
            actor=None,
            action="notification.created",
            target=notification,
            data={"recipient_id": recipient.pk, "kind": kind, "dedupe_key": dedupe_key},
        )
        group_send_on_commit(
            user_group(recipient.pk),
            {"type": "notification.created", "notification": notification_payload(notification)},
        )
        if email:
            transaction.on_commit(partial(_queue_notification_email, notification.pk))
    return notification


def _queue_notification_email(notification_id: int) -> None:
    from accounts.tasks import send_notification_email

    send_notification_email.delay(notification_id)


def notifications_mark_read(*, user: Any, ids: list[int] | None = None) -> int:
    """Mark the user's own unread notifications read (all, or those ids); others' are untouched."""
    with transaction.atomic():
        qs = Notification.objects.filter(recipient_id=user.pk, read_at__isnull=True)
        if ids is not None:
            qs = qs.filter(pk__in=list(ids))
        marked_ids = list(qs.values_list("pk", flat=True))
        if not marked_ids:
            return 0
        count = Notification.objects.filter(pk__in=marked_ids, read_at__isnull=True).update(
            read_at=timezone.now()
        )
        audit_record(
            actor=user,
            action="notifications.read",
            target=user,
            data={"count": count, "ids": marked_ids if ids is not None else None},
        )
    return count
