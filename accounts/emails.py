"""Emails the accounts app sends itself (allauth sends the sign-up and password emails).

Each sender is safe to run twice or late: it locks the row, sends only while the row says the
email has not gone out (and still makes sense), then marks it sent in the same transaction. If
the worker dies after sending but before committing, the email may go out a second time; it is
never lost.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation

from accounts.models import Invitation, Notification, User


def absolute_url(path: str) -> str:
    if not path or path.startswith(("http://", "https://")):
        return path
    return f"{settings.SITE_URL.rstrip('/')}/{path.lstrip('/')}"


def _send(*, template: str, to: str, language: str, context: dict[str, Any]) -> None:
    with translation.override(language or settings.LANGUAGE_CODE):
        context = {**context, "site_url": settings.SITE_URL}
        subject = render_to_string(f"accounts/email/{template}_subject.txt", context)
        text = render_to_string(f"accounts/email/{template}_message.txt", context)
        html = render_to_string(f"accounts/email/{template}_message.html", context)
    prefix = getattr(settings, "ACCOUNT_EMAIL_SUBJECT_PREFIX", "")
    message = EmailMultiAlternatives(
        subject=prefix + " ".join(subject.split()),
        body=text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[to],
    )
    message.attach_alternative(html, "text/html")
    message.send()


def invitation_email_send(invitation_id: int) -> bool:
    """Email a pending invitation's accept link once; returns whether an email went out."""
    from accounts.services.invitations import invitation_accept_url

    with transaction.atomic():
        invitation = (
            Invitation.objects.select_for_update(of=("self",))
            .select_related("organization", "invited_by")
            .filter(pk=invitation_id)
            .first()
        )
        if invitation is None or invitation.emailed_at is not None or not invitation.is_pending:
            return False
        invitee = User.objects.filter(email__iexact=invitation.email).only("language").first()
        inviter = invitation.invited_by
        speaker = invitee or inviter
        language = speaker.language if speaker is not None else ""
        _send(
            template="invitation",
            to=invitation.email,
            language=language,
            context={
                "invitation": invitation,
                "organization": invitation.organization,
                "inviter_name": inviter.display_name if inviter else "",
                "role": invitation.get_role_display(),
                "accept_url": invitation_accept_url(invitation),
                "expires_at": invitation.expires_at,
            },
        )
        invitation.emailed_at = timezone.now()
        invitation.save(update_fields=["emailed_at"])
    return True


def notification_email_send(notification_id: int) -> bool:
    """Email one notification to its recipient once; returns whether an email went out."""
    with transaction.atomic():
        notification = (
            Notification.objects.select_for_update(of=("self",))
            .select_related("recipient")
            .filter(pk=notification_id)
            .first()
        )
        if notification is None or notification.emailed_at is not None:
            return False
        recipient = notification.recipient
        if not recipient.is_active or not recipient.email:
            return False
        _send(
            template="notification",
            to=recipient.email,
            language=recipient.language,
            context={
                "notification": notification,
                "recipient": recipient,
                "url": absolute_url(notification.url),
            },
        )
        notification.emailed_at = timezone.now()
        notification.save(update_fields=["emailed_at"])
    return True
