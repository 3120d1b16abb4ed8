"""Reading disputes: who may see and do what, the evidence timeline, the outcome record.

The timeline gathers itself from the records that already exist (the milestone's deliveries with
their files' SHA-256, the bid's negotiation messages and offers, the task's files) and from the
dispute's own (statement, response, evidence files, decisions, the appeal). Nothing is copied:
a page shows what the records say now.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db.models import Count, Min, Q, QuerySet
from django.urls import NoReverseMatch, reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from bids.models import NegotiationMessage, Offer
from contracts.models import Delivery, Milestone
from contracts.selectors import ContractViewer, contract_capabilities
from disputes.models import Dispute, DisputeAppeal, DisputeDecision, DisputeEvidence, Side
from disputes.states import EVIDENCE_OPEN, OPEN
from marketplace.errors import NotFound
from marketplace.money import Money
from tasks.models import TaskAttachment

D = Dispute.Status
MEDIATOR_PERMISSION = "disputes.decide_dispute"


def user_is_mediator(user: Any) -> bool:
    return bool(
        getattr(user, "is_authenticated", False)
        and user.is_active
        and user.is_staff
        and user.has_perm(MEDIATOR_PERMISSION)
    )


# --- capabilities ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class DisputeCapabilities:
    """What one user may do with one dispute now."""

    dispute: Dispute
    side: str | None  # the party the user acts for, if they may act for one
    viewer_side: str | None  # the side the user is on at all (a poster member who only reads)
    mediator: bool

    @property
    def can_view(self) -> bool:
        return self.viewer_side is not None or self.mediator

    @property
    def can_respond(self) -> bool:
        d = self.dispute
        return (
            self.side is not None
            and self.side == d.respondent_side
            and d.status == D.OPENED
            and d.responded_at is None
        )

    @property
    def can_add_evidence(self) -> bool:
        return self.side is not None and self.dispute.status in EVIDENCE_OPEN

    @property
    def can_appeal(self) -> bool:
        d = self.dispute
        return (
            self.side is not None
            and d.status == D.DECIDED
            and d.appeal_due_at is not None
            and not _has_appeal(d)
        )

    @property
    def can_decide(self) -> bool:
        d = self.dispute
        return self.mediator and d.status in (D.EVIDENCE, D.MEDIATION, D.APPEALED)


def _has_appeal(dispute: Dispute) -> bool:
    try:
        return dispute.appeal is not None
    except DisputeAppeal.DoesNotExist:
        return False


def dispute_capabilities(*, user: Any, dispute: Dispute) -> DisputeCapabilities:
    contract = contract_capabilities(user=user, contract=dispute.contract)
    return DisputeCapabilities(
        dispute=dispute,
        side=contract.side if contract.may_dispute else None,
        viewer_side=contract.side,
        mediator=user_is_mediator(user),
    )


# --- reading --------------------------------------------------------------------------------------


def _disputes() -> QuerySet[Dispute]:
    return Dispute.objects.select_related(
        "milestone",
        "contract",
        "contract__task",
        "contract__organization",
        "contract__provider",
        "opened_by",
        "responded_by",
    )


def dispute_get_for_user(*, user: Any, dispute_id: int) -> Dispute:
    """The dispute for either party of its contract and for mediators; NotFound otherwise."""
    dispute = _disputes().filter(pk=dispute_id).first()
    if dispute is None or not dispute_capabilities(user=user, dispute=dispute).can_view:
        raise NotFound(_("This dispute does not exist or is not visible to you."))
    return dispute


def disputes_for_user(*, user: Any) -> QuerySet[Dispute]:
    """Disputes on the contracts the user is on, either side, newest first."""
    if not getattr(user, "is_authenticated", False):
        return Dispute.objects.none()
    viewer = ContractViewer.of(user)
    return (
        _disputes()
        .filter(
            Q(contract__organization_id__in=viewer.roles)
            | Q(contract__provider_id__in=viewer.provider_ids)
        )
        .order_by("-opened_at", "-id")
    )


def disputes_of_milestones(*, milestone_ids: Iterable[int]) -> dict[int, Dispute]:
    """The dispute of each milestone that has one (for the contract page's links)."""
    return {d.milestone_id: d for d in Dispute.objects.filter(milestone_id__in=list(milestone_ids))}


def disputes_queue() -> QuerySet[Dispute]:
    """The mediators' queue: disputes not yet executed, oldest first."""
    return _disputes().filter(status__in=OPEN).order_by("opened_at", "id")


def disputes_open_summary() -> dict[str, Any]:
    """The dashboard's figures: open disputes and the oldest's opening, appeals waiting."""
    open_ = Dispute.objects.filter(status__in=OPEN).aggregate(
        n=Count("pk"), oldest=Min("opened_at")
    )
    appeals = DisputeAppeal.objects.filter(dispute__status=D.APPEALED).aggregate(
        n=Count("pk"), oldest=Min("created_at")
    )
    return {
        "open": open_["n"],
        "oldest": open_["oldest"],
        "appeals": appeals["n"],
        "oldest_appeal": appeals["oldest"],
    }


def disputes_past_deadline(*, now: dt.datetime) -> list[int]:
    """Disputes a sweeper should move on: a response, evidence or appeal deadline passed."""
    return list(
        Dispute.objects.filter(
            Q(status=D.OPENED, response_due_at__lte=now)
            | Q(status=D.EVIDENCE, evidence_due_at__lte=now)
            | Q(status=D.DECIDED, appeal_due_at__lte=now)
        )
        .order_by("id")
        .values_list("id", flat=True)
    )


def dispute_decisions(*, dispute: Dispute) -> list[DisputeDecision]:
    return list(dispute.decisions.select_related("mediator").order_by("round"))


def dispute_appeal_of(*, dispute: Dispute) -> DisputeAppeal | None:
    return DisputeAppeal.objects.filter(dispute=dispute).select_related("filed_by").first()


def dispute_evidence_get_for_user(*, user: Any, evidence_id: int) -> DisputeEvidence:
    evidence = DisputeEvidence.objects.select_related("dispute").filter(pk=evidence_id).first()
    if evidence is None:
        raise NotFound(_("This file does not exist or is not visible to you."))
    try:
        dispute_get_for_user(user=user, dispute_id=evidence.dispute_id)
    except NotFound:
        raise NotFound(_("This file does not exist or is not visible to you.")) from None
    return evidence


# --- the evidence timeline ------------------------------------------------------------------------


@dataclass(frozen=True)
class EvidenceFile:
    name: str
    sha256: str
    size: int
    url: str = ""


@dataclass(frozen=True)
class TimelineItem:
    """One dated piece of evidence. `kind` is one of KINDS."""

    kind: str
    at: dt.datetime
    side: str  # "poster", "provider" or "" (the platform, a mediator)
    author: str
    title: str | Promise
    body: str = ""
    files: list[EvidenceFile] = field(default_factory=list)
    amount: Money | None = None
    key: str = ""


KINDS = {
    "task_file": _("Task file"),
    "message": _("Negotiation message"),
    "offer": _("Offer"),
    "delivery": _("Delivery"),
    "delivery_decision": _("Decision on a delivery"),
    "statement": _("Statement"),
    "response": _("Response"),
    "evidence": _("Evidence file"),
    "decision": _("Decision"),
    "appeal": _("Appeal"),
}


def _url(name: str, *args: object) -> str:
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return ""


def _name(user: Any) -> str:
    return str(getattr(user, "display_name", "") or user) if user is not None else ""


def _delivery_items(milestone: Milestone) -> list[TimelineItem]:
    items = []
    deliveries = (
        Delivery.objects.filter(milestone=milestone)
        .select_related("submitted_by", "decided_by")
        .prefetch_related("files")
        .order_by("round")
    )
    for delivery in deliveries:
        items.append(
            TimelineItem(
                kind="delivery",
                at=delivery.submitted_at,
                side=Side.PROVIDER,
                author=_name(delivery.submitted_by),
                title=_("Delivery, round %(n)d") % {"n": delivery.round},
                body=delivery.note,
                files=[
                    EvidenceFile(
                        f.original_name, f.sha256, f.size, _url("frontend:delivery_file", f.pk)
                    )
                    for f in delivery.files.all()
                ],
                key=f"delivery:{delivery.pk}",
            )
        )
        if delivery.decided_at is not None and delivery.decision != Delivery.Decision.PENDING:
            items.append(
                TimelineItem(
                    kind="delivery_decision",
                    at=delivery.decided_at,
                    side=Side.POSTER if delivery.decided_by_id else "",
                    author=_name(delivery.decided_by),
                    title=delivery.get_decision_display(),
                    body=delivery.decision_note,
                    key=f"delivery_decision:{delivery.pk}",
                )
            )
    return items


def _negotiation_items(dispute: Dispute) -> list[TimelineItem]:
    bid_id = dispute.contract.bid_id
    if bid_id is None:
        return []
    items = []
    messages = (
        NegotiationMessage.objects.filter(thread__bid_id=bid_id)
        .exclude(kind=NegotiationMessage.Kind.OFFER)
        .select_related("sender")
        .order_by("seq")
    )
    for message in messages:
        files = []
        if message.file_sha256:
            files.append(
                EvidenceFile(message.file_name, message.file_sha256, message.file_size or 0)
            )
        items.append(
            TimelineItem(
                kind="message",
                at=message.created_at,
                side=message.side,
                author=_name(message.sender),
                # Hidden from the two sides by a moderator, it stays whole here (evidence).
                title=message.get_kind_display()
                if message.hidden_at is None
                else "{} · {}".format(
                    message.get_kind_display(),
                    _("hidden from the parties by a moderator: %(reason)s")
                    % {"reason": message.hidden_reason},
                ),
                body=message.body,
                files=files,
                key=f"message:{message.pk}",
            )
        )
    for offer in (
        Offer.objects.filter(thread__bid_id=bid_id).select_related("made_by").order_by("id")
    ):
        terms = "; ".join(
            f"{m.get('title', '')} {Money(int(m.get('amount', 0)), offer.currency).format()}"
            for m in offer.milestones
        )
        items.append(
            TimelineItem(
                kind="offer",
                at=offer.created_at,
                side=offer.side,
                author=_name(offer.made_by),
                title=_("Offer (%(status)s), %(days)d days")
                % {"status": offer.get_status_display(), "days": offer.duration_days},
                body="\n".join(part for part in (terms, offer.note) if part),
                amount=offer.amount_money,
                key=f"offer:{offer.pk}",
            )
        )
    return items


def _task_file_items(dispute: Dispute) -> list[TimelineItem]:
    return [
        TimelineItem(
            kind="task_file",
            at=attachment.created_at,
            side=Side.POSTER,
            author=_name(attachment.uploaded_by),
            title=_("Task file"),
            files=[EvidenceFile(attachment.original_name, attachment.sha256, attachment.size)],
            key=f"task_file:{attachment.pk}",
        )
        for attachment in TaskAttachment.objects.filter(task_id=dispute.contract.task_id)
        .select_related("uploaded_by")
        .order_by("created_at", "id")
    ]


def _dispute_items(dispute: Dispute) -> list[TimelineItem]:
    items = [
        TimelineItem(
            kind="statement",
            at=dispute.opened_at,
            side=dispute.opener_side,
            author=_name(dispute.opened_by),
            title=dispute.get_reason_display(),
            body=dispute.statement,
            key=f"statement:{dispute.pk}",
        )
    ]
    if dispute.responded_at is not None:
        items.append(
            TimelineItem(
                kind="response",
                at=dispute.responded_at,
                side=dispute.respondent_side,
                author=_name(dispute.responded_by),
                title=_("Response"),
                body=dispute.response,
                key=f"response:{dispute.pk}",
            )
        )
    for evidence in dispute.evidence.select_related("added_by").order_by("created_at", "id"):
        items.append(
            TimelineItem(
                kind="evidence",
                at=evidence.created_at,
                side=evidence.side,
                author=_name(evidence.added_by),
                title=_("Evidence file"),
                body=evidence.note,
                files=[
                    EvidenceFile(
                        evidence.original_name,
                        evidence.sha256,
                        evidence.size,
                        _url("frontend:dispute_evidence_file", evidence.pk),
                    )
                ],
                key=f"evidence:{evidence.pk}",
            )
        )
    for decision in dispute_decisions(dispute=dispute):
        items.append(
            TimelineItem(
                kind="decision",
                at=decision.created_at,
                side="",
                author=_name(decision.mediator),
                title=(
                    _("Decision on the appeal") if decision.round == 2 else _("Mediator's decision")
                ),
                body=decision.reasons,
                key=f"decision:{decision.pk}",
            )
        )
    appeal = dispute_appeal_of(dispute=dispute)
    if appeal is not None:
        items.append(
            TimelineItem(
                kind="appeal",
                at=appeal.created_at,
                side=appeal.side,
                author=_name(appeal.filed_by),
                title=_("Appeal"),
                body=appeal.reason,
                key=f"appeal:{appeal.pk}",
            )
        )
    return items


def dispute_timeline(*, dispute: Dispute) -> list[TimelineItem]:
    """Every piece of evidence on the dispute, oldest first."""
    items = [
        *_task_file_items(dispute),
        *_negotiation_items(dispute),
        *_delivery_items(dispute.milestone),
        *_dispute_items(dispute),
    ]
    return sorted(items, key=lambda item: (item.at, item.key))


# --- outcomes, for credit ------------------------------------------------------------------------


@dataclass(frozen=True)
class DisputeRecord:
    """How a party's executed disputes ended: won (all to them), lost (all to the other side),
    split."""

    won: int = 0
    lost: int = 0
    split: int = 0

    @property
    def total(self) -> int:
        return self.won + self.lost + self.split


def dispute_record_for(
    *, providers: Iterable[int] = (), organizations: Iterable[int] = ()
) -> dict[tuple[str, int], DisputeRecord]:
    """The record of each provider profile ("provider", id) and poster organization
    ("organization", id), from executed disputes; one query."""
    provider_ids, organization_ids = list(providers), list(organizations)
    counts: dict[tuple[str, int], list[int]] = {}
    if not provider_ids and not organization_ids:
        return {}
    rows = (
        Dispute.objects.filter(status=D.EXECUTED)
        .filter(
            Q(contract__provider_id__in=provider_ids)
            | Q(contract__organization_id__in=organization_ids)
        )
        .values("contract__provider_id", "contract__organization_id", "outcome")
        .annotate(n=Count("id"))
    )
    wanted_providers, wanted_organizations = set(provider_ids), set(organization_ids)
    for row in rows:
        outcome, n = row["outcome"], row["n"]
        for kind, pk, wins in (
            ("provider", row["contract__provider_id"], Dispute.Outcome.PROVIDER),
            ("organization", row["contract__organization_id"], Dispute.Outcome.POSTER),
        ):
            if pk not in (wanted_providers if kind == "provider" else wanted_organizations):
                continue
            tally = counts.setdefault((kind, pk), [0, 0, 0])
            if outcome == Dispute.Outcome.SPLIT:
                tally[2] += n
            elif outcome == wins:
                tally[0] += n
            else:
                tally[1] += n
    return {key: DisputeRecord(*tally) for key, tally in counts.items()}


def settings_summary() -> dict[str, int]:
    """The deadlines and threshold the pages explain."""
    return {
        name.lower(): int(settings.MARKETPLACE[name])
        for name in (
            "DISPUTE_RESPONSE_DAYS",
            "DISPUTE_EVIDENCE_DAYS",
            "DISPUTE_APPEAL_THRESHOLD",
            "DISPUTE_APPEAL_WINDOW_DAYS",
        )
    }
