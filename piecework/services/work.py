"""Taking part: claiming units (the eligibility rules shared by every mode, never beyond the
units left or the provider's cap) and delivering a claimed unit (files checked like every
upload, SHA-256 hashed, time-stamped).

Races: every claim takes the terms' row lock, then counts the units held under it, so any
number of providers claiming at once are served one after the other and the total can never
be exceeded; the unique (terms, provider) constraint keeps one claim row per provider.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts.models import ProviderProfile
from marketplace import notifications
from marketplace.audit import audit_record
from marketplace.errors import Conflict, InvalidTransition, NotAllowed, ValidationFailed
from marketplace.files import CheckedFile, check_upload
from marketplace.permissions import require_active_user
from piecework.models import Claim, Terms, UnitDelivery, UnitFile
from piecework.selectors import claim_of, claim_outstanding, piecework_eligibility, units_held
from piecework.services._common import terms_lock

MAX_UNIT_FILES = 10


def piecework_claim(
    *, actor: Any, terms: Terms, units: int, provider: ProviderProfile | None = None
) -> Claim:
    """Claim `units` more units for `provider` (the actor's own profile when None) while
    claims are open: refused (Conflict, nothing written) beyond the units left or the
    provider's cap."""
    require_active_user(actor)
    if not isinstance(units, int) or isinstance(units, bool) or units < 1:
        raise ValidationFailed(
            _("Claim at least one unit."), fields={"units": [_("Enter a whole number from 1.")]}
        )
    with transaction.atomic():
        terms = terms_lock(terms_id=terms.pk)
        verdict, provider = piecework_eligibility(user=actor, terms=terms, provider=provider)
        if not verdict.allowed or provider is None:
            raise NotAllowed(verdict.reason, code=verdict.code)
        left = terms.units_total - units_held(terms=terms)
        if units > left:
            raise Conflict(
                ngettext(
                    "Only %(left)d unit is left; nothing was claimed.",
                    "Only %(left)d units are left; nothing was claimed.",
                    left,
                )
                % {"left": left},
                code="units_left",
                fields={"units": [_("At most %(n)d.") % {"n": left}]},
            )
        claim = Claim.objects.filter(terms=terms, provider=provider).first()
        holding = claim.units if claim is not None else 0
        if holding + units > terms.per_provider_cap:
            raise Conflict(
                _(
                    "A provider may hold at most %(cap)d units of this task and you hold "
                    "%(held)d; nothing was claimed."
                )
                % {"cap": terms.per_provider_cap, "held": holding},
                code="over_cap",
                fields={"units": [_("At most %(n)d.") % {"n": terms.per_provider_cap - holding}]},
            )
        if claim is None:
            claim = Claim.objects.create(
                terms=terms, provider=provider, claimed_by=actor, units=units
            )
        else:
            claim.units = holding + units
            claim.save(update_fields=["units", "updated_at"])
        audit_record(
            actor=actor,
            action="piecework.claim",
            target=claim,
            data={"units": units, "holding": claim.units},
        )
    return claim


def piecework_deliver(
    *,
    actor: Any,
    terms: Terms,
    note: str,
    files: Sequence[UploadedFile] = (),
    now: dt.datetime | None = None,
) -> UnitDelivery:
    """Deliver one claimed unit before the deadline; the poster's review window starts. Only
    the claimer's operators may deliver, and only units they hold and have not delivered."""
    require_active_user(actor)
    errors: dict[str, list[Any]] = {}
    if len(note.strip()) < 2 or len(note) > 8000:
        errors["note"] = [_("Describe the delivered unit in at most 8,000 characters.")]
    if not files:
        errors["files"] = [_("Attach at least one file.")]
    elif len(files) > MAX_UNIT_FILES:
        errors["files"] = [_("Deliver at most %(n)d files.") % {"n": MAX_UNIT_FILES}]
    if errors:
        raise ValidationFailed(_("Some fields are not valid."), fields=errors)
    checked: list[tuple[UploadedFile, CheckedFile]] = [
        (upload, check_upload(upload, max_bytes=settings.MARKETPLACE["ATTACHMENT_MAX_BYTES"]))
        for upload in files
    ]
    with transaction.atomic():
        terms = terms_lock(terms_id=terms.pk)
        now = now or timezone.now()
        claim = claim_of(user=actor, terms=terms)
        if claim is None:
            raise NotAllowed(
                _("Only a provider who claimed units of this task can deliver them."),
                code="not_claimer",
            )
        if terms.status != Terms.Status.OPEN or now >= terms.closes_at:
            raise InvalidTransition(
                _("Deliveries for this task are closed; nothing was saved."), code="closed"
            )
        if claim_outstanding(claim=claim) < 1:
            raise Conflict(
                _("Every unit you hold is delivered: claim another unit first."),
                code="nothing_to_deliver",
            )
        delivery = UnitDelivery.objects.create(
            claim=claim,
            note=note.strip(),
            submitted_by=actor,
            review_due_at=now + dt.timedelta(days=terms.review_days),
        )
        for upload, info in checked:
            stored = UnitFile(
                delivery=delivery,
                original_name=info.name,
                content_type=info.content_type,
                size=info.size,
                sha256=info.sha256,
            )
            stored.file.save(info.sha256, upload, save=False)
            stored.save()
        audit_record(
            actor=actor,
            action="piecework.deliver",
            target=delivery,
            data={"files": [info.sha256 for _u, info in checked]},
        )
        notifications.schedule("piecework_unit_delivered", delivery.pk)
    return delivery
