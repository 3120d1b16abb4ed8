"""Every change to a bid: place, revise, withdraw, shortlist, reject, and its side of an award
(contracts.services.contract_award makes the contract)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import ProviderProfile
from bids.models import Bid, BidMilestone, BidRevision, NegotiationThread
from bids.selectors import bid_can_see_terms, bid_capabilities, bid_eligibility
from bids.states import BID
from marketplace import notifications
from marketplace.audit import audit_record
from marketplace.db import fill_related, lock_shared_first, violated_constraint
from marketplace.errors import Conflict, FieldErrors, InvalidTransition, NotAllowed, NotFound
from marketplace.money import Money
from marketplace.permissions import require_active_user
from marketplace.realtime import group_send_on_commit
from marketplace.terms import MilestoneTerms, milestone_terms_problems
from tasks.models import Task
from tasks.selectors import tasks_visible_to

# A bid's amount, in major units of the task's currency (¥10 to ¥100 million for CNY).
BID_MIN_MAJOR = 10
BID_MAX_MAJOR = 100_000_000
MAX_BID_MILESTONES = 20
MAX_DURATION_DAYS = 5 * 365
ONE_LIVE_BID = "bid_one_live_per_provider"


def _validate_terms(
    *,
    task: Task,
    amount: int,
    duration_days: int,
    proposal: str,
    milestones: Sequence[MilestoneTerms],
) -> None:
    errors = FieldErrors()
    if len(proposal.strip()) < 20:
        errors.add("proposal", _("Explain your approach in at least 20 characters."))
    elif len(proposal) > 20000:
        errors.add("proposal", _("Keep the proposal to 20,000 characters."))
    bid_terms_check(
        task=task, amount=amount, duration_days=duration_days, milestones=milestones, errors=errors
    )


def bid_terms_check(
    *,
    task: Task,
    amount: int,
    duration_days: int,
    milestones: Sequence[MilestoneTerms],
    errors: FieldErrors | None = None,
) -> None:
    """The money terms of a bid or of a negotiation offer: the same limits for both."""
    errors = errors if errors is not None else FieldErrors()
    floor = Money.parse(BID_MIN_MAJOR, task.currency)
    cap = Money.parse(BID_MAX_MAJOR, task.currency)
    if isinstance(amount, bool) or not isinstance(amount, int):
        errors.add("amount", _("Enter the amount of your bid."))
    elif not floor.amount <= amount <= cap.amount:
        errors.add(
            "amount",
            _("A bid must be between %(min)s and %(max)s.")
            % {"min": floor.format(), "max": cap.format()},
        )
    if isinstance(duration_days, bool) or not isinstance(duration_days, int):
        errors.add("duration_days", _("Enter how many days the work takes."))
    elif not 1 <= duration_days <= MAX_DURATION_DAYS:
        errors.add("duration_days", _("The duration must be between 1 day and 5 years."))
    if not milestones:
        errors.add("milestones", _("Propose at least one milestone."))
    elif len(milestones) > MAX_BID_MILESTONES:
        errors.add("milestones", _("Propose at most %(n)d milestones.") % {"n": MAX_BID_MILESTONES})
    elif "amount" not in errors and "duration_days" not in errors:
        for problem in milestone_terms_problems(
            milestones,
            amount=amount,
            duration_days=duration_days,
            sum_message=_("The milestones must add up to the bid amount."),
        ):
            errors.add("milestones", problem)
    errors.raise_if_any()


def _write_terms(
    bid: Bid, *, actor: Any, milestones: Sequence[MilestoneTerms], replace: bool = True
) -> BidRevision:
    """The bid's milestones (replacing the old ones) and its revision row: three statements
    at most (a delete, one multi-row insert, one insert). The new milestones are left on the
    bid as if prefetched, so the response needs no read."""
    if replace:
        BidMilestone.objects.filter(bid=bid).delete()
    rows = BidMilestone.objects.bulk_create(
        BidMilestone(
            bid=bid,
            position=position,
            title=m.title.strip(),
            description=m.description.strip(),
            amount=m.amount,
            due_days=m.due_days,
        )
        for position, m in enumerate(milestones, start=1)
    )
    fill_related(bid, "milestones", rows)
    return BidRevision.objects.create(
        bid=bid,
        revision=bid.revision,
        amount=bid.amount,
        duration_days=bid.duration_days,
        proposal=bid.proposal,
        milestones=[
            {
                "title": m.title.strip(),
                "amount": m.amount,
                "due_days": m.due_days,
                "description": m.description.strip(),
            }
            for m in milestones
        ],
        created_by=actor,
    )


def _require_eligible(*, actor: Any, task: Task, provider: ProviderProfile) -> None:
    verdict = bid_eligibility(user=actor, task=task, provider=provider)
    if not verdict.allowed:
        raise NotAllowed(verdict.reason, code=verdict.code)


def bid_place(
    *,
    actor: Any,
    task: Task | int,
    provider: ProviderProfile,
    amount: int,
    duration_days: int,
    proposal: str,
    milestones: Sequence[MilestoneTerms],
) -> Bid:
    """Place the provider's one live bid on an open task; its amount is sealed.

    `task` may be the task's id: the task is read once, visibility-filtered and locked in one
    statement (NotFound when the actor may not see it). The bid comes back with its task,
    provider, milestones and revision in hand, for the response."""
    require_active_user(actor)
    task_id = task if isinstance(task, int) else task.pk
    try:
        with transaction.atomic():
            # Shared lock: bids on one task go in parallel, but not past a close or an award.
            locked = lock_shared_first(tasks_visible_to(user=actor).filter(pk=task_id))
            if locked is None:
                raise NotFound(_("This task does not exist or is not visible to you."))
            task = locked
            _require_eligible(actor=actor, task=task, provider=provider)
            _validate_terms(
                task=task, amount=amount, duration_days=duration_days, proposal=proposal,
                milestones=milestones,
            )  # fmt: skip
            # A second live bid breaks bid_one_live_per_provider: the whole placement rolls
            # back (no savepoint of its own around the insert), mapped to a conflict below.
            bid = Bid.objects.create(
                task=task,
                provider=provider,
                submitted_by=actor,
                amount=amount,
                currency=task.currency,
                duration_days=duration_days,
                proposal=proposal.strip(),
            )
            revision = _write_terms(bid, actor=actor, milestones=milestones, replace=False)
            fill_related(bid, "revisions", [revision])
            audit_record(actor=actor, action="bid.place", target=bid, data={"task": task.pk})
            notifications.schedule("bid_placed", bid.pk)
    except IntegrityError as error:
        # PostgreSQL names the constraint; SQLite names its columns.
        broken = violated_constraint(error)
        if ONE_LIVE_BID not in broken and "bids_bid.task_id, bids_bid.provider_id" not in broken:
            raise
        raise Conflict(
            _("You already have a bid on this task: revise it instead."), code="duplicate_bid"
        ) from None
    return bid


def _locked_bid(*, actor: Any, bid: Bid | int) -> tuple[Bid, Task]:
    """The task (shared) then the bid (exclusive), each locked in the statement reading it:
    the bid is read once, with its provider for the response and the capability check.
    Given the bid's id (a caller that has not read it), NotFound unless `actor` may see its
    terms (its bidder, the poster's members); given the bid, the caller has decided that."""
    by_id = isinstance(bid, int)
    bid_id = bid if isinstance(bid, int) else bid.pk
    task = lock_shared_first(
        Task.objects.select_related("organization").filter(
            pk__in=Bid.objects.filter(pk=bid_id).values("task_id")
        )
    )
    hidden = NotFound(_("This bid does not exist or is not visible to you."))
    if task is None:
        raise hidden
    locked = (
        Bid.objects.select_for_update(of=("self",))
        .select_related("provider", "provider__user", "provider__organization")
        .filter(pk=bid_id)
        .first()
    )
    if locked is None:
        raise hidden
    locked.task = task
    if by_id and not bid_can_see_terms(user=actor, bid=locked):
        raise hidden
    return locked, task


def bid_revise(
    *,
    actor: Any,
    bid: Bid | int,
    amount: int,
    duration_days: int,
    proposal: str,
    milestones: Sequence[MilestoneTerms],
) -> Bid:
    """Change a live bid while bidding is open; the earlier version stays in its history.
    `bid` may be its id: it is read once, locked (NotFound unless the actor may see it)."""
    require_active_user(actor)
    with transaction.atomic():
        bid, task = _locked_bid(actor=actor, bid=bid)
        capabilities = bid_capabilities(user=actor, bid=bid)
        if not capabilities.bidder:
            raise NotAllowed(_("Only the bidder can revise this bid."))
        if task.status != Task.Status.OPEN or task.bid_deadline <= timezone.now():
            raise InvalidTransition(_("Bidding on this task has closed."), code="closed")
        if bid.status != Bid.Status.SHORTLISTED:
            bid.status = BID.check(bid.status, "revise")
        _validate_terms(
            task=task, amount=amount, duration_days=duration_days, proposal=proposal,
            milestones=milestones,
        )  # fmt: skip
        bid.amount = amount
        bid.duration_days = duration_days
        bid.proposal = proposal.strip()
        bid.revision += 1
        bid.agreed_offer = None  # the bidder's own terms replace whatever was agreed
        bid.save()
        _write_terms(bid, actor=actor, milestones=milestones)
        audit_record(actor=actor, action="bid.revise", target=bid, data={"revision": bid.revision})
        notifications.schedule("bid_revised", bid.pk, tag=str(bid.revision))
    return bid


def bid_withdraw(*, actor: Any, bid: Bid | int) -> Bid:
    """The bidder takes a live bid back; they may bid again while bidding is open. `bid` may
    be its id, as for bid_revise."""
    require_active_user(actor)
    with transaction.atomic():
        bid, _task = _locked_bid(actor=actor, bid=bid)
        if not bid_capabilities(user=actor, bid=bid).bidder:
            raise NotAllowed(_("Only the bidder can withdraw this bid."))
        bid.status = BID.check(bid.status, "withdraw")
        bid.save(update_fields=["status", "updated_at"])
        audit_record(actor=actor, action="bid.withdraw", target=bid)
    return bid


def bid_shortlist(*, actor: Any, bid: Bid) -> Bid:
    """A poster member marks a bid for closer comparison."""
    require_active_user(actor)
    with transaction.atomic():
        bid, _task = _locked_bid(actor=actor, bid=bid)
        if not bid_capabilities(user=actor, bid=bid).task.member:
            raise NotAllowed(_("Only the poster's members can shortlist bids."))
        bid.status = BID.check(bid.status, "shortlist")
        bid.save(update_fields=["status", "updated_at"])
        audit_record(actor=actor, action="bid.shortlist", target=bid)
    return bid


def bid_reject(*, actor: Any, bid: Bid, note: str = "") -> Bid:
    """The poster's owner or admin declines a bid; the bidder is told."""
    require_active_user(actor)
    with transaction.atomic():
        bid, _task = _locked_bid(actor=actor, bid=bid)
        if not bid_capabilities(user=actor, bid=bid).task.manage:
            raise NotAllowed(_("Only the poster organization's owners and admins can reject bids."))
        bid.status = BID.check(bid.status, "reject")
        bid.decision_note = note.strip()[:2000]
        bid.save(update_fields=["status", "decision_note", "updated_at"])
        audit_record(actor=actor, action="bid.reject", target=bid)
        notifications.schedule("bid_rejected", bid.pk)
    return bid


def bid_apply_agreed_terms(
    *,
    actor: Any,
    bid: Bid,
    offer: Any,
    amount: int,
    duration_days: int,
    milestones: Sequence[MilestoneTerms],
) -> Bid:
    """Write the terms of an accepted negotiation offer onto the bid (inside the acceptance's
    transaction, which holds the bid's lock): a new revision, kept in its history."""
    bid.amount = amount
    bid.duration_days = duration_days
    bid.revision += 1
    bid.agreed_offer = offer
    bid.save(update_fields=["amount", "duration_days", "revision", "agreed_offer", "updated_at"])
    _write_terms(bid, actor=actor, milestones=milestones)
    audit_record(
        actor=actor,
        action="bid.terms_agreed",
        target=bid,
        data={"offer": offer.pk, "revision": bid.revision, "amount": amount},
    )
    return bid


def bid_lock_for_award(*, bid_id: int, task: Task) -> Bid:
    """The bid about to win, locked (the award holds its task's lock); refused unless live."""
    bid = Bid.objects.select_for_update().select_related("provider").filter(pk=bid_id).first()
    if bid is None or bid.task_id != task.pk:
        raise NotFound(_("This bid does not exist or is not visible to you."))
    if not bid.is_live:
        raise InvalidTransition(
            _("This bid is %(state)s, so it cannot win.") % {"state": bid.get_status_display()}
        )
    return bid


def bids_settle_award(*, actor: Any, task: Task, winner: Bid) -> list[int]:
    """The bid side of an award (inside the award's transaction, which holds the task's lock):
    the winner is awarded, every other live bid is declined, and everyone is told. Returns the
    ids of the declined bids."""
    winner.status = BID.check(winner.status, "award")
    winner.save(update_fields=["status", "updated_at"])
    others = list(
        Bid.objects.select_for_update()
        .filter(task=task, status__in=Bid.LIVE)
        .exclude(pk=winner.pk)
        .values_list("id", flat=True)
    )
    Bid.objects.filter(pk__in=others).update(
        status=Bid.Status.REJECTED, decision_note="", updated_at=timezone.now()
    )
    audit_record(actor=actor, action="bid.award", target=winner, data={"declined": others})
    # Every negotiation of the task is read-only from now on: tell its open sockets.
    for thread_id in NegotiationThread.objects.filter(bid__task=task).values_list("id", flat=True):
        group_send_on_commit(
            f"negotiation.{thread_id}",
            {"type": "negotiation.event", "event": {"type": "closed"}},
        )
    notifications.schedule("bid_awarded", winner.pk)
    for other_id in others:
        notifications.schedule("bid_not_selected", other_id)
    return others


def bids_close_for_cancelled_task(*, task: Task, reason: str) -> list[int]:
    """Decline every live bid of a task its poster cancelled (inside the cancel's transaction)."""
    ids = list(
        Bid.objects.select_for_update()
        .filter(task=task, status__in=Bid.LIVE)
        .values_list("id", flat=True)
    )
    Bid.objects.filter(pk__in=ids).update(
        status=Bid.Status.REJECTED,
        decision_note=reason[:2000],
        updated_at=timezone.now(),
    )
    for bid_id in ids:
        notifications.schedule("bid_task_cancelled", bid_id)
    return ids
