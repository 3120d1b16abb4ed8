"""Moderators hide a negotiation message from its two sides (a report upheld), and show it again.

A hidden message keeps its text and file in PostgreSQL: mediators and the dispute timeline still
read them (it stays evidence). The two sides see "hidden by a moderator: <reason>" in its place
on the page, in the API and in a socket's replay; open rooms hear of it after commit.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from bids.models import NegotiationMessage
from bids.negotiation.selectors import message_payload, thread_group
from marketplace.audit import audit_record
from marketplace.errors import FieldErrors, InvalidTransition, NotAllowed
from marketplace.permissions import require_active_user
from marketplace.realtime import group_send_on_commit
from tasks.selectors import user_can_handle_reports

REASON_MAX = 500


def user_can_hide_messages(user: Any) -> bool:
    """Moderators (the staff who decide reports) hide and show messages."""
    return user_can_handle_reports(user)


def _require_moderator(user: Any) -> None:
    require_active_user(user)
    if not user_can_hide_messages(user):
        raise NotAllowed(_("Only moderators can hide negotiation messages."))


def _locked(message: NegotiationMessage) -> NegotiationMessage:
    return (
        NegotiationMessage.objects.select_for_update(of=("self",))
        .select_related("sender", "offer", "offer__made_by")
        .get(pk=message.pk)
    )


def _broadcast(message: NegotiationMessage) -> None:
    """Open rooms replace the entry in place (the same shape a replay gives)."""
    group_send_on_commit(
        thread_group(message.thread_id),
        {
            "type": "negotiation.event",
            "event": {"type": "hidden", "message": message_payload(message)},
        },
    )


def negotiation_message_hide(
    *, moderator: Any, message: NegotiationMessage, reason: str
) -> NegotiationMessage:
    """Hide a message's text and file from the two sides, with a reason they see; its waiting
    reports are acted on. The row keeps everything (evidence)."""
    from tasks.services import reports_close_on

    _require_moderator(moderator)
    errors = FieldErrors()
    reason = (reason or "").strip()
    if not reason:
        errors.add("reason", _("Say why it is hidden."))
    elif len(reason) > REASON_MAX:
        errors.add("reason", _("Keep it under %(n)d characters.") % {"n": REASON_MAX})
    errors.raise_if_any()
    with transaction.atomic():
        message = _locked(message)
        if message.hidden_at is not None:
            raise InvalidTransition(_("This message is already hidden."), code="already_hidden")
        message.hidden_at = timezone.now()
        message.hidden_by = moderator
        message.hidden_reason = reason
        message.save(update_fields=["hidden_at", "hidden_by", "hidden_reason"])
        audit_record(
            actor=moderator,
            action="negotiation.message_hidden",
            target=message,
            data={"reason": reason, "thread": message.thread_id, "seq": message.seq},
        )
        reports_close_on(moderator=moderator, kind="message", object_id=message.pk, note=reason)
        _broadcast(message)
    return message


def negotiation_message_show(*, moderator: Any, message: NegotiationMessage) -> NegotiationMessage:
    """Show a hidden message to the two sides again; the reason stays in the audit trail."""
    _require_moderator(moderator)
    with transaction.atomic():
        message = _locked(message)
        if message.hidden_at is None:
            raise InvalidTransition(_("This message is not hidden."), code="not_hidden")
        previous = message.hidden_reason
        message.hidden_at = None
        message.hidden_by = None
        message.hidden_reason = ""
        message.save(update_fields=["hidden_at", "hidden_by", "hidden_reason"])
        audit_record(
            actor=moderator,
            action="negotiation.message_shown",
            target=message,
            data={"previous_reason": previous},
        )
        _broadcast(message)
    return message
