"""Every state change of a dispute: open, respond, add evidence, decide, appeal, execute.

Each service takes the one lock order (the milestone's contract, the milestone, then the dispute
row; payments then locks its escrow), re-checks the state under those locks, writes an audit row
and schedules its notifications after commit. The money moves only in `_execute`, through
payments.escrow_split_execute, which is atomic and idempotent per milestone.

Default rules when someone stays silent (README "Disputes"):
- the respondent does not answer by `response_due_at` → mediation on the evidence there is;
- the evidence window closes (`evidence_due_at`) → mediation;
- nobody appeals a decision by `appeal_due_at` → the decision is executed;
decisions below DISPUTE_APPEAL_THRESHOLD and decisions on an appeal are executed at once.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from contracts.models import Milestone
from contracts.selectors import contract_capabilities
from contracts.services import milestone_dispute, milestone_lock
from disputes.models import Dispute, DisputeAppeal, DisputeDecision, DisputeEvidence, Side
from disputes.selectors import user_is_mediator
from disputes.states import DISPUTE, EVIDENCE_OPEN
from marketplace import notifications
from marketplace.audit import audit_record
from marketplace.errors import (
    Conflict,
    DomainError,
    InvalidTransition,
    NotAllowed,
    ValidationFailed,
)
from marketplace.files import check_upload
from marketplace.money import Money
from marketplace.permissions import require_active_user
from payments.services import escrow_split_execute

D = Dispute.Status
MAX_EVIDENCE_FILES = 20


def _setting(name: str) -> int:
    return int(settings.MARKETPLACE[name])


def _text(value: str, *, field: str, minimum: int, maximum: int, say: str) -> str:
    text = (value or "").strip()
    if len(text) < minimum:
        raise ValidationFailed(say, fields={field: [say]})
    if len(text) > maximum:
        message = _("Keep it to %(n)d characters.") % {"n": maximum}
        raise ValidationFailed(message, fields={field: [message]})
    return text


def _locked(dispute_id: int) -> Dispute:
    """The dispute under the one lock order: its contract, its milestone, then its own row."""
    milestone_id = Dispute.objects.filter(pk=dispute_id).values_list("milestone_id", flat=True)
    if not milestone_id:
        raise ValidationFailed(_("This dispute does not exist."), code="not_found")
    contract, milestone = milestone_lock(milestone_id=milestone_id[0])
    dispute = Dispute.objects.select_for_update().get(pk=dispute_id)
    dispute.milestone = milestone
    dispute.contract = contract
    return dispute


def _party_side(actor: Any, dispute: Dispute) -> str:
    """The side the actor acts for, or NotAllowed: the provider, or the poster's deciders."""
    capabilities = contract_capabilities(user=actor, contract=dispute.contract)
    if not capabilities.may_dispute or capabilities.side is None:
        raise NotAllowed(
            _("Only the provider or the poster organization's owners and admins can act on it.")
        )
    return capabilities.side


def dispute_open(*, actor: Any, milestone: Milestone, reason: str, statement: str) -> Dispute:
    """Either party disputes a funded, delivered or returned milestone. Its escrow is held from
    this moment: the milestone is disputed (so nothing releases, refunds or auto-accepts it)
    in the same transaction that creates the dispute."""
    require_active_user(actor)
    if reason not in Dispute.Reason.values:
        message = _("Choose a reason.")
        raise ValidationFailed(message, fields={"reason": [message]})
    statement = _text(
        statement,
        field="statement",
        minimum=10,
        maximum=8000,
        say=_("Say what happened and what you ask for, in at least 10 characters."),
    )
    with transaction.atomic():
        contract, milestone = milestone_lock(milestone_id=milestone.pk)
        milestone = milestone_dispute(actor=actor, milestone=milestone, reference="dispute")
        side = contract_capabilities(user=actor, contract=contract).side
        if side is None:  # milestone_dispute lets only a party through; kept for the type
            raise NotAllowed(_("Only a party to the contract can open a dispute."))
        now = timezone.now()
        dispute = Dispute.objects.create(
            milestone=milestone,
            contract=contract,
            opened_by=actor,
            opener_side=side,
            reason=reason,
            statement=statement,
            held_amount=milestone.amount,
            currency=contract.currency,
            response_due_at=now + dt.timedelta(days=_setting("DISPUTE_RESPONSE_DAYS")),
        )
        audit_record(
            actor=actor,
            action="dispute.open",
            target=dispute,
            data={"milestone": milestone.pk, "reason": reason, "held": milestone.amount},
        )
        notifications.schedule("dispute_opened", dispute.pk)
    return dispute


def dispute_respond(*, actor: Any, dispute: Dispute, response: str) -> Dispute:
    """The other party answers the statement; then both add evidence until the window closes."""
    require_active_user(actor)
    response = _text(
        response,
        field="response",
        minimum=10,
        maximum=8000,
        say=_("Give your side of it in at least 10 characters."),
    )
    with transaction.atomic():
        dispute = _locked(dispute.pk)
        side = _party_side(actor, dispute)
        if side != dispute.respondent_side:
            raise NotAllowed(_("Only the other party responds to a dispute."))
        if dispute.responded_at is not None:
            raise InvalidTransition(_("The response is already in."), code="responded")
        dispute.status = DISPUTE.check(dispute.status, "respond")
        now = timezone.now()
        dispute.response = response
        dispute.responded_by = actor
        dispute.responded_at = now
        dispute.evidence_due_at = now + dt.timedelta(days=_setting("DISPUTE_EVIDENCE_DAYS"))
        dispute.save(
            update_fields=["status", "response", "responded_by", "responded_at", "evidence_due_at"]
        )
        audit_record(actor=actor, action="dispute.respond", target=dispute)
        notifications.schedule("dispute_responded", dispute.pk)
    return dispute


def dispute_evidence_add(
    *, actor: Any, dispute: Dispute, file: UploadedFile, note: str = ""
) -> DisputeEvidence:
    """A party adds a file (checked by content, its SHA-256 kept) until a decision."""
    require_active_user(actor)
    note = (note or "").strip()
    if len(note) > 2000:
        message = _("Keep it to %(n)d characters.") % {"n": 2000}
        raise ValidationFailed(message, fields={"note": [message]})
    info = check_upload(file, max_bytes=settings.MARKETPLACE["ATTACHMENT_MAX_BYTES"])
    with transaction.atomic():
        dispute = _locked(dispute.pk)
        side = _party_side(actor, dispute)
        if dispute.status not in EVIDENCE_OPEN:
            raise InvalidTransition(
                _("Evidence can be added only until the dispute is decided."), code="closed"
            )
        if dispute.evidence.count() >= MAX_EVIDENCE_FILES:
            raise ValidationFailed(
                _("A dispute holds at most %(n)d evidence files.") % {"n": MAX_EVIDENCE_FILES}
            )
        evidence = DisputeEvidence(
            dispute=dispute,
            side=side,
            added_by=actor,
            note=note,
            original_name=info.name,
            content_type=info.content_type,
            size=info.size,
            sha256=info.sha256,
        )
        evidence.file.save(info.sha256, file, save=False)
        evidence.save()
        audit_record(
            actor=actor, action="dispute.evidence", target=dispute, data={"sha256": info.sha256}
        )
    return evidence


def _split(dispute: Dispute, refund: int, release: int) -> tuple[int, int]:
    for name, value in (("refund", refund), ("release", release)):
        if not isinstance(value, int) or isinstance(value, bool) or value < 0:
            message = _("Amounts are whole fen, zero or more.")
            raise ValidationFailed(message, fields={name: [message]}, code="negative")
    if refund + release != dispute.held_amount:
        message = _(
            "The refund (%(refund)s) and the release (%(release)s) must add up to the "
            "%(held)s held."
        ) % {
            "refund": Money(refund, dispute.currency).format(),
            "release": Money(release, dispute.currency).format(),
            "held": dispute.held_money.format(),
        }
        # Neither amount alone is wrong: the form shows it once, above both.
        raise ValidationFailed(message, code="split_mismatch")
    return refund, release


def appealable(dispute: Dispute) -> bool:
    """Whether a first decision on this dispute waits for an appeal window."""
    return dispute.held_amount >= _setting("DISPUTE_APPEAL_THRESHOLD")


def dispute_decide(
    *, actor: Any, dispute: Dispute, refund: int, release: int, reasons: str
) -> DisputeDecision:
    """A mediator splits the held amount (refund X to the poster, release Y to the provider,
    X + Y = held) with reasons. Under the locks, two mediators deciding at once make one
    decision: the second finds it decided. Small amounts and appeal decisions execute now;
    a large first decision waits for its appeal window."""
    require_active_user(actor)
    if not user_is_mediator(actor):
        raise NotAllowed(_("Only a mediator can decide a dispute."))
    reasons = _text(
        reasons,
        field="reasons",
        minimum=10,
        maximum=8000,
        say=_("Give the reasons for the decision in at least 10 characters."),
    )
    with transaction.atomic():
        dispute = _locked(dispute.pk)
        refund, release = _split(dispute, refund, release)
        if dispute.status == D.APPEALED:
            first = dispute.decisions.get(round=1)
            if first.mediator_id == actor.pk:
                raise NotAllowed(
                    _("An appeal is decided by a different mediator than the first decision.")
                )
            move, round_ = "decide_appeal", 2
        elif dispute.status in (D.DECIDED, D.EXECUTED):
            raise Conflict(
                _("This dispute was already decided by another mediator."), code="decided"
            )
        else:
            move, round_ = "decide", 1
        dispute.status = DISPUTE.check(dispute.status, move)
        now = timezone.now()
        try:
            with transaction.atomic():
                decision = DisputeDecision.objects.create(
                    dispute=dispute,
                    round=round_,
                    mediator=actor,
                    refund=refund,
                    release=release,
                    reasons=reasons,
                )
        except IntegrityError:
            raise Conflict(
                _("This dispute was already decided by another mediator."), code="decided"
            ) from None
        decision.dispute = dispute
        dispute.decided_at = now
        waits = round_ == 1 and appealable(dispute)
        dispute.appeal_due_at = (
            now + dt.timedelta(days=_setting("DISPUTE_APPEAL_WINDOW_DAYS")) if waits else None
        )
        dispute.save(update_fields=["status", "decided_at", "appeal_due_at"])
        audit_record(
            actor=actor,
            action="dispute.decide_appeal" if round_ == 2 else "dispute.decide",
            target=dispute,
            data={"refund": refund, "release": release, "round": round_},
        )
        notifications.schedule("dispute_decided", dispute.pk, tag=str(round_))
        if not waits:
            _try_execute(dispute, actor=actor, now=now)
    return decision


def dispute_appeal(*, actor: Any, dispute: Dispute, reason: str) -> DisputeAppeal:
    """A party appeals a decision once, within its appeal window; another mediator decides."""
    require_active_user(actor)
    reason = _text(
        reason,
        field="reason",
        minimum=10,
        maximum=4000,
        say=_("Say why the decision is wrong in at least 10 characters."),
    )
    with transaction.atomic():
        dispute = _locked(dispute.pk)
        side = _party_side(actor, dispute)
        if DisputeAppeal.objects.filter(dispute=dispute).exists():
            raise InvalidTransition(_("This decision was already appealed."), code="appealed")
        if dispute.status != D.DECIDED or dispute.appeal_due_at is None:
            raise InvalidTransition(
                _("Only a decision in its appeal window can be appealed."), code="no_appeal"
            )
        if dispute.appeal_due_at <= timezone.now():
            raise InvalidTransition(_("The appeal window has ended."), code="appeal_closed")
        dispute.status = DISPUTE.check(dispute.status, "appeal")
        dispute.appeal_due_at = None
        dispute.save(update_fields=["status", "appeal_due_at"])
        appeal = DisputeAppeal.objects.create(
            dispute=dispute, side=side, filed_by=actor, reason=reason
        )
        audit_record(actor=actor, action="dispute.appeal", target=dispute, data={"side": side})
        notifications.schedule("dispute_appealed", dispute.pk)
    return appeal


def _outcome(decision: DisputeDecision) -> str:
    if decision.release == 0:
        return Dispute.Outcome.POSTER
    if decision.refund == 0:
        return Dispute.Outcome.PROVIDER
    return Dispute.Outcome.SPLIT


def _execute(dispute: Dispute, *, actor: Any, now: dt.datetime) -> None:
    """Move the money of the latest decision (the caller holds the locks)."""
    decision = dispute.decisions.order_by("-round").first()
    assert decision is not None
    escrow_split_execute(
        milestone=dispute.milestone,
        refund=Money(decision.refund, dispute.currency),
        release=Money(decision.release, dispute.currency),
        actor=actor,
        reference=f"dispute:{dispute.pk}:decision:{decision.round}",
    )
    dispute.status = DISPUTE.check(dispute.status, "execute")
    dispute.executed_at = now
    dispute.appeal_due_at = None
    dispute.outcome = _outcome(decision)
    dispute.save(update_fields=["status", "executed_at", "appeal_due_at", "outcome"])
    audit_record(
        actor=actor,
        action="dispute.execute",
        target=dispute,
        data={"refund": decision.refund, "release": decision.release, "outcome": dispute.outcome},
    )
    notifications.schedule("dispute_executed", dispute.pk)


def _try_execute(dispute: Dispute, *, actor: Any, now: dt.datetime) -> bool:
    """Execute in a savepoint: when payments refuses for now (a card dispute froze the
    escrow), the decision stands and the beat job tries again later."""
    try:
        with transaction.atomic():
            _execute(dispute, actor=actor, now=now)
    except Conflict:
        dispute.refresh_from_db()
        if dispute.appeal_due_at is None:
            dispute.appeal_due_at = now
            dispute.save(update_fields=["appeal_due_at"])
        return False
    return True


def dispute_advance(*, dispute_id: int, now: dt.datetime | None = None) -> bool:
    """Apply the default rule a passed deadline calls for; returns whether it changed anything.
    Safe to run twice, late or concurrently: the state is re-checked under the locks."""
    now = now or timezone.now()
    with transaction.atomic():
        try:
            dispute = _locked(dispute_id)
        except DomainError:
            return False
        if dispute.status == D.OPENED and dispute.response_due_at <= now:
            cause = "respondent_silent"
        elif (
            dispute.status == D.EVIDENCE
            and dispute.evidence_due_at is not None
            and dispute.evidence_due_at <= now
        ):
            cause = "evidence_closed"
        elif (
            dispute.status == D.DECIDED
            and dispute.appeal_due_at is not None
            and dispute.appeal_due_at <= now
        ):
            return _try_execute(dispute, actor=None, now=now)
        else:
            return False
        dispute.status = DISPUTE.check(dispute.status, "to_mediation")
        dispute.mediation_at = now
        dispute.mediation_cause = cause
        dispute.save(update_fields=["status", "mediation_at", "mediation_cause"])
        audit_record(actor=None, action="dispute.mediation", target=dispute, data={"cause": cause})
        notifications.schedule("dispute_in_mediation", dispute.pk)
    return True


def disputes_advance_due(*, now: dt.datetime | None = None) -> int:
    """The beat sweeper: every dispute past a deadline moves on; returns how many did."""
    from disputes.selectors import disputes_past_deadline

    now = now or timezone.now()
    return sum(dispute_advance(dispute_id=pk, now=now) for pk in disputes_past_deadline(now=now))


__all__ = [
    "Side",
    "appealable",
    "dispute_advance",
    "dispute_appeal",
    "dispute_decide",
    "dispute_evidence_add",
    "dispute_open",
    "dispute_respond",
    "disputes_advance_due",
]
