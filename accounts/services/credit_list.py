"""The credit red/black list (诚信红黑榜): moderators list a person or an organization, the
listed party appeals, a moderator decides the appeal.

An entry applies from its start until its expiry unless it is lifted earlier (an upheld appeal
lifts it). A black entry bars posting and bidding (tasks and bids ask
accounts.selectors.black_list_entry_for), leaves the party out of search and matching, and caps
its credit grade; a red entry raises the score. Every change is audited.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts import events
from accounts.models import CreditListAppeal, CreditListEntry, Organization, User
from accounts.selectors import credit_list_party_users, user_may_appeal_entry
from accounts.services._common import clean_choice, clean_text, integrity_as, require_staff
from accounts.services.notifications import in_language_of, notify
from marketplace.audit import audit_record
from marketplace.errors import Conflict, FieldErrors, InvalidTransition, NotAllowed
from marketplace.permissions import require_active_user

LIST_PERMISSION = "accounts.add_creditlistentry"
LIFT_PERMISSION = "accounts.change_creditlistentry"
APPEAL_PERMISSION = "accounts.change_creditlistappeal"
MAX_DURATION = dt.timedelta(days=5 * 366)


def _party_changed(entry: CreditListEntry) -> None:
    """Search re-indexes the party's provider profile (its credit) after commit."""
    if entry.organization_id:
        events.organization_changed(entry.organization, fields=("credit_list",))  # type: ignore[arg-type]
    else:
        events.user_changed(entry.user, fields=("credit_list",))  # type: ignore[arg-type]


def _notify_party(
    entry: CreditListEntry, *, kind: str, title: Any, body: Any, params: dict[str, Any], key: str
) -> None:
    """Each person who answers for the party, in their own language (lazy strings rendered
    per recipient, then filled in)."""
    for recipient in credit_list_party_users(entry=entry):
        with in_language_of(recipient):
            notify(
                recipient=recipient,
                kind=kind,
                title=str(title),
                body=str(body) % params,
                url=reverse("frontend:credit_list_mine"),
                dedupe_key=f"{key}:{recipient.pk}",
            )


def credit_list_add(
    *,
    actor: Any,
    kind: str,
    reason: str,
    evidence: str,
    starts_at: dt.datetime,
    expires_at: dt.datetime,
    user: User | None = None,
    organization: Organization | None = None,
) -> CreditListEntry:
    """A moderator lists exactly one party, red or black, with a reason, evidence, a start and
    an expiry after it."""
    require_staff(actor, LIST_PERMISSION)
    errors = FieldErrors()
    kind = clean_choice(errors, "kind", kind, CreditListEntry.Kind.choices)
    reason = clean_text(errors, "reason", reason, max_length=2000, required=True)
    evidence = clean_text(errors, "evidence", evidence, max_length=4000, required=True)
    if (user is None) == (organization is None):
        errors.add("user", _("Choose either a person or an organization."))
    if not isinstance(starts_at, dt.datetime):
        errors.add("starts_at", _("Enter when the entry starts to apply."))
    if not isinstance(expires_at, dt.datetime):
        errors.add("expires_at", _("Enter when the entry expires."))
    elif isinstance(starts_at, dt.datetime):
        if expires_at <= starts_at:
            errors.add("expires_at", _("The expiry must come after the start."))
        elif expires_at - starts_at > MAX_DURATION:
            errors.add("expires_at", _("An entry may apply for at most five years."))
        elif expires_at <= timezone.now():
            errors.add("expires_at", _("The expiry must be in the future."))
    errors.raise_if_any()
    with transaction.atomic():
        entry = CreditListEntry.objects.create(
            kind=kind,
            user=user,
            organization=organization,
            reason=reason,
            evidence=evidence,
            starts_at=starts_at,
            expires_at=expires_at,
            created_by=actor,
        )
        audit_record(
            actor=actor,
            action=f"credit_list.{kind}_listed",
            target=entry,
            data={
                "user": entry.user_id,
                "organization": entry.organization_id,
                "starts_at": starts_at.isoformat(),
                "expires_at": expires_at.isoformat(),
            },
        )
        _party_changed(entry)
        if kind == CreditListEntry.Kind.BLACK:
            title = _("You were placed on the credit black list")
            body = _(
                "Reason: %(reason)s\nWhile the entry applies you cannot post tasks or bid. "
                "You can appeal from your credit list page."
            )
        else:
            title = _("You were placed on the credit red list")
            body = _("Reason: %(reason)s")
        _notify_party(
            entry,
            kind=f"credit_list.{kind}",
            title=title,
            body=body,
            params={"reason": reason},
            key=f"credit:{entry.pk}",
        )
    return entry


def credit_list_lift(*, actor: Any, entry: CreditListEntry, reason: str) -> CreditListEntry:
    """A moderator ends an entry before its expiry, with a reason; once."""
    require_staff(actor, LIFT_PERMISSION)
    errors = FieldErrors()
    reason = clean_text(errors, "reason", reason, max_length=2000, required=True)
    errors.raise_if_any()
    with transaction.atomic():
        entry = CreditListEntry.objects.select_for_update().get(pk=entry.pk)
        _lift(entry, actor=actor, reason=reason)
    return entry


def _lift(entry: CreditListEntry, *, actor: Any, reason: str) -> None:
    if entry.lifted_at is not None:
        raise InvalidTransition(_("This entry was already lifted."), code="already_lifted")
    entry.lifted_at = timezone.now()
    entry.lifted_by = actor
    entry.lift_reason = reason
    entry.save(update_fields=["lifted_at", "lifted_by", "lift_reason"])
    audit_record(actor=actor, action="credit_list.lifted", target=entry, data={"reason": reason})
    _party_changed(entry)


def _appeal_pending() -> Conflict:
    return Conflict(
        _("An appeal against this entry is already waiting for a decision."),
        code="appeal_pending",
    )


def credit_appeal_file(*, actor: Any, entry: CreditListEntry, statement: str) -> CreditListAppeal:
    """The listed person, or an owner or admin of the listed organization, appeals an entry
    that applies now; one open appeal per entry."""
    require_active_user(actor)
    errors = FieldErrors()
    statement = clean_text(errors, "statement", statement, max_length=4000, required=True)
    errors.raise_if_any()
    with transaction.atomic():
        entry = CreditListEntry.objects.select_for_update().get(pk=entry.pk)
        if not user_may_appeal_entry(user=actor, entry=entry):
            raise NotAllowed(_("Only the listed party can appeal this entry."))
        if not entry.is_active():
            raise InvalidTransition(
                _("This entry no longer applies, so there is nothing to appeal."),
                code="entry_inactive",
            )
        if entry.appeals.filter(status=CreditListAppeal.Status.PENDING).exists():
            raise _appeal_pending()
        with integrity_as(_appeal_pending):
            appeal = CreditListAppeal.objects.create(
                entry=entry, filed_by=actor, statement=statement
            )
        audit_record(actor=actor, action="credit_list.appeal_filed", target=appeal)
    return appeal


def credit_appeal_decide(
    *, actor: Any, appeal: CreditListAppeal, uphold: bool, reason: str
) -> CreditListAppeal:
    """A moderator decides a waiting appeal once, with a reason: upheld lifts the entry."""
    require_staff(actor, APPEAL_PERMISSION)
    errors = FieldErrors()
    reason = clean_text(errors, "reason", reason, max_length=2000, required=True)
    errors.raise_if_any()
    with transaction.atomic():
        # The entry first, then its appeal: the same order as filing.
        entry = CreditListEntry.objects.select_for_update().get(pk=appeal.entry_id)
        appeal = CreditListAppeal.objects.select_for_update().get(pk=appeal.pk)
        if appeal.status != CreditListAppeal.Status.PENDING:
            raise InvalidTransition(
                _("This appeal has already been decided."), code="already_decided"
            )
        appeal.status = (
            CreditListAppeal.Status.UPHELD if uphold else CreditListAppeal.Status.DISMISSED
        )
        appeal.decided_by = actor
        appeal.decided_at = timezone.now()
        appeal.decision_reason = reason
        appeal.save(update_fields=["status", "decided_by", "decided_at", "decision_reason"])
        audit_record(
            actor=actor,
            action=f"credit_list.appeal_{appeal.status}",
            target=appeal,
            data={"reason": reason, "entry": entry.pk},
        )
        if uphold and entry.lifted_at is None:
            _lift(entry, actor=actor, reason=reason)
        title = (
            _("Your appeal was upheld: the entry is lifted")
            if uphold
            else _("Your appeal was dismissed")
        )
        _notify_party(
            entry,
            kind=f"credit_list.appeal_{appeal.status}",
            title=title,
            body=_("Reason: %(reason)s"),
            params={"reason": reason},
            key=f"credit-appeal:{appeal.pk}",
        )
    return appeal
