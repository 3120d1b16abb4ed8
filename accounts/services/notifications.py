"""In-app notifications: stored first, then broadcast and emailed after commit."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from functools import partial
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import NoReverseMatch, reverse
from django.utils import timezone, translation
from django.utils.functional import Promise
from django.utils.text import Truncator
from django.utils.translation import gettext as _

from accounts.models import Notification, NotificationEmailOptOut
from marketplace.audit import audit_record
from marketplace.errors import FieldErrors, NotFound
from marketplace.notifications import notification_kinds, render_phrase
from marketplace.permissions import require_active_user
from marketplace.realtime import group_send_on_commit, user_group

TITLE_MAX = 200  # Notification.title
URL_MAX = 300  # Notification.url
DEDUPE_KEY_MAX = 120  # Notification.dedupe_key
GROUP_KEY_MAX = 340  # Notification.group_key


@contextmanager
def in_language_of(user: Any) -> Iterator[None]:
    """Render strings in the user's language: `with in_language_of(user): title = _("...")`."""
    language = getattr(user, "language", "") or settings.LANGUAGE_CODE
    with translation.override(language):
        yield


def notification_payload(notification: Notification) -> dict[str, Any]:
    """What websocket clients receive for one notification (rendered in the recipient's
    language: the broadcast runs after commit, outside any request)."""
    with in_language_of(notification.recipient):
        title, body = notification.shown_title, notification.shown_body
    return {
        "id": notification.pk,
        "kind": notification.kind,
        "title": title,
        "body": body,
        "url": open_url(notification) if notification.url else "",
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
    params: dict[str, Any] | None = None,
) -> Notification | None:
    """Store one notification per (recipient, dedupe_key); broadcast and email it after commit.

    `params` holds the title's and body's phrases (marketplace.notifications.Phrase), rendered
    in the reader's language whenever it is shown; title and body are then the text as the
    recipient read it when it was sent. Lazy strings (gettext_lazy) are rendered in the
    recipient's language. The email goes only if the recipient has not turned this kind's
    emails off. A repeated call with the same dedupe_key returns None and writes nothing, also
    when two calls race: the unique constraint decides and the loser's savepoint is rolled back.
    """
    params = dict(params or {})
    with in_language_of(recipient):
        title_text = Truncator(str(title) or render_phrase(params.get("title"))).chars(TITLE_MAX)
        body_text = str(body) or render_phrase(params.get("body"))
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
                    params=params,
                    group_key=f"{kind}|{url}"[:GROUP_KEY_MAX],
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
        if email and not notification_email_opted_out(user=recipient, kind=kind):
            transaction.on_commit(partial(_queue_notification_email, notification.pk))
    return notification


def open_url(notification: Notification) -> str:
    """Where a click on the notification goes: through the page that marks it read."""
    try:
        return reverse("frontend:notification_open", args=[notification.pk])
    except NoReverseMatch:  # an API-only deployment
        return notification.url


def notification_email_opted_out(*, user: Any, kind: str) -> bool:
    return NotificationEmailOptOut.objects.filter(user_id=user.pk, kind=kind).exists()


def notification_email_preferences_set(*, user: Any, emailed_kinds: list[str]) -> list[str]:
    """The user chooses which kinds of notification also come by email (the others stay in
    the app); a kind nobody declared is a field error. Returns the kinds now emailed."""
    require_active_user(user)
    choosable = {kind.name for kind in notification_kinds() if kind.emailable}
    unknown = sorted(set(emailed_kinds) - choosable)
    if unknown:
        errors = FieldErrors()
        errors.add(
            "emailed_kinds",
            _("Unknown kind of notification: %(kinds)s") % {"kinds": ", ".join(unknown)},
        )
        errors.raise_if_any()
    wanted_off = choosable - set(emailed_kinds)
    with transaction.atomic():
        current = set(
            NotificationEmailOptOut.objects.filter(user_id=user.pk).values_list("kind", flat=True)
        )
        NotificationEmailOptOut.objects.filter(
            user_id=user.pk, kind__in=current - wanted_off
        ).delete()
        NotificationEmailOptOut.objects.bulk_create(
            [
                NotificationEmailOptOut(user_id=user.pk, kind=kind)
                for kind in sorted(wanted_off - current)
            ],
            ignore_conflicts=True,
        )
        if current != wanted_off:
            audit_record(
                actor=user,
                action="notifications.email_preferences",
                target=user,
                data={"emails_off": sorted(wanted_off)},
            )
    return sorted(choosable - wanted_off)


def _queue_notification_email(notification_id: int) -> None:
    from accounts.tasks import send_notification_email

    send_notification_email.delay(notification_id)


def notification_open(*, user: Any, notification: Notification) -> str:
    """The user opens one of their notifications: it, and the unread ones grouped with it,
    are marked read. Returns the page it leads to ("" for none)."""
    if notification.recipient_id != user.pk:
        raise NotFound(_("No such notification."))
    ids = list(
        Notification.objects.filter(
            recipient_id=user.pk, read_at__isnull=True, group_key=notification.group_key
        ).values_list("pk", flat=True)
    )
    if notification.read_at is None and notification.pk not in ids:
        ids.append(notification.pk)
    if ids:
        notifications_mark_read(user=user, ids=ids)
    return notification.url


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
