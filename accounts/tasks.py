"""Celery tasks of the accounts app: thin wrappers around accounts.emails.

Both are idempotent (see accounts/emails.py): a retry, a duplicate delivery or a late run sends
nothing twice and nothing for an invitation that was revoked or accepted meanwhile.
"""

from __future__ import annotations

import smtplib

from celery import shared_task

from accounts import emails

RETRYABLE = (smtplib.SMTPException, OSError)


@shared_task(
    name="accounts.send_invitation_email",
    autoretry_for=RETRYABLE,
    retry_backoff=True,
    retry_backoff_max=600,
    max_retries=8,
)
def send_invitation_email(invitation_id: int) -> bool:
    return emails.invitation_email_send(invitation_id)


@shared_task(
    name="accounts.send_notification_email",
    autoretry_for=RETRYABLE,
    retry_backoff=True,
    retry_backoff_max=600,
    max_retries=8,
)
def send_notification_email(notification_id: int) -> bool:
    return emails.notification_email_send(notification_id)


@shared_task(name="accounts.sweep_signin_failures")
def sweep_signin_failures() -> int:
    """Failed sign-ins older than every limit window count for nothing: delete them."""
    from accounts.services.signin import signin_failures_sweep

    return signin_failures_sweep()
