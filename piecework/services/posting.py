"""Posting piece-work: its task (mode piecework) and terms; funding units × price into the
task's pool; opening when the pool holds it; cancelling before it opens."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Mapping
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Organization
from marketplace import notifications
from marketplace.audit import audit_record
from marketplace.errors import DomainError, FieldErrors, ValidationFailed
from marketplace.permissions import require_active_user
from marketplace.terms import MilestoneTerms
from payments.models import GatewayObject
from payments.selectors import task_pool_state
from payments.services.pool import pool_fund_start, pool_return
from piecework.models import MAX_REVIEW_DAYS, Terms
from piecework.services._common import require_manager, terms_lock
from piecework.states import PIECEWORK
from tasks.models import Task
from tasks.services import task_cancel, task_create, task_submit

logger = logging.getLogger(__name__)

MAX_UNITS = 10_000
# The escrow a single piece-work task may hold: ¥10,000,000.
MAX_ESCROW = 1_000_000_000
# A task's budget floor (tasks.services.posting.BUDGET_MIN_MAJOR): ¥10.
MIN_ESCROW = 10_00
MIN_CLAIM_WINDOW = dt.timedelta(hours=1)
MAX_SPAN = dt.timedelta(days=365)
POOL_PURPOSE = "piecework_units"


def _whole(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def piecework_terms_problems(
    *,
    unit_name: str,
    unit_description: str,
    unit_price: Any,
    units_total: Any,
    per_provider_cap: Any,
    review_days: Any,
    closes_at: Any,
    now: dt.datetime,
) -> FieldErrors:
    """Everything piecework_create refuses in the terms, by field."""
    errors = FieldErrors()
    if not unit_name.strip() or len(unit_name) > 80:
        errors.add("unit_name", _("Name the unit in at most 80 characters."))
    if len(unit_description.strip()) < 2 or len(unit_description) > 4000:
        errors.add("unit_description", _("Say what one unit is in at most 4,000 characters."))
    if not _whole(unit_price) or unit_price <= 0:
        errors.add("unit_price", _("The unit price must be more than zero."))
    if not _whole(units_total) or not 1 <= units_total <= MAX_UNITS:
        errors.add(
            "units_total", _("The number of units is from 1 to %(n)s.") % {"n": f"{MAX_UNITS:,}"}
        )
    if not _whole(per_provider_cap) or per_provider_cap < 1:
        errors.add("per_provider_cap", _("A provider may take at least one unit."))
    elif "units_total" not in errors and per_provider_cap > units_total:
        errors.add(
            "per_provider_cap",
            _("The cap per provider cannot be more than the %(n)d units.") % {"n": units_total},
        )
    if "unit_price" not in errors and "units_total" not in errors:
        if unit_price * units_total > MAX_ESCROW:
            errors.add("unit_price", _("The escrow (units × price) may be at most ¥10,000,000."))
        elif unit_price * units_total < MIN_ESCROW:
            errors.add("unit_price", _("The escrow (units × price) must be at least ¥10."))
    if not _whole(review_days) or not 1 <= review_days <= MAX_REVIEW_DAYS:
        errors.add(
            "review_days",
            _("The review window is from 1 to %(n)d days.") % {"n": MAX_REVIEW_DAYS},
        )
    if not isinstance(closes_at, dt.datetime):
        errors.add("closes_at", _("Enter a date and time."))
    elif closes_at < now + MIN_CLAIM_WINDOW:
        errors.add("closes_at", _("Claims must stay open at least an hour from now."))
    elif closes_at > now + MAX_SPAN:
        errors.add("closes_at", _("A piece-work task closes within a year."))
    return errors


def piecework_create(
    *,
    actor: Any,
    organization: Organization,
    kind: str,
    title: str,
    summary: str,
    description: str,
    skills: Mapping[int, int],
    unit_name: str,
    unit_description: str,
    unit_price: int,
    units_total: int,
    per_provider_cap: int,
    closes_at: dt.datetime,
    review_days: int = 3,
    currency: str = "CNY",
    region: str = "",
    visibility: str = Task.Visibility.PUBLIC,
    ip_terms: str = Task.IpTerms.TRANSFER,
    ip_terms_custom: str = "",
    nda_required: bool = False,
) -> Terms:
    """A draft piece-work task and its terms: a positive price, a cap within the total, a
    review window of 1-30 days, a deadline at least an hour away. All or nothing."""
    require_active_user(actor)
    now = timezone.now()
    piecework_terms_problems(
        unit_name=unit_name,
        unit_description=unit_description,
        unit_price=unit_price,
        units_total=units_total,
        per_provider_cap=per_provider_cap,
        review_days=review_days,
        closes_at=closes_at,
        now=now,
    ).raise_if_any()
    escrow = unit_price * units_total
    with transaction.atomic():
        task = task_create(
            actor=actor,
            organization=organization,
            kind=kind,
            title=title,
            summary=summary,
            description=description,
            budget_min=escrow,
            budget_max=escrow,
            bid_deadline=closes_at,
            delivery_deadline=timezone.localdate(closes_at) + dt.timedelta(days=review_days + 1),
            skills=skills,
            milestones=[MilestoneTerms(title=unit_name.strip()[:120], due_days=1, share_bps=10000)],
            currency=currency,
            region=region,
            visibility=visibility,
            ip_terms=ip_terms,
            ip_terms_custom=ip_terms_custom,
            nda_required=nda_required,
            mode=Task.Mode.PIECEWORK,
        )
        terms = Terms.objects.create(
            task=task,
            unit_name=unit_name.strip(),
            unit_description=unit_description.strip(),
            currency=currency,
            unit_price=unit_price,
            units_total=units_total,
            per_provider_cap=per_provider_cap,
            review_days=review_days,
            closes_at=closes_at,
        )
        audit_record(
            actor=actor,
            action="piecework.create",
            target=terms,
            data={"unit_price": unit_price, "units_total": units_total,
                  "per_provider_cap": per_provider_cap},
        )  # fmt: skip
    return terms


def piecework_submit(*, actor: Any, terms: Terms) -> Terms:
    """The poster is done writing: the task waits for its escrow (draft → funding)."""
    with transaction.atomic():
        terms = terms_lock(terms_id=terms.pk)
        require_manager(
            actor, terms, _("Only the poster organization's owners and admins can do this.")
        )
        if terms.closes_at < timezone.now() + MIN_CLAIM_WINDOW:
            raise ValidationFailed(
                _("Claims must stay open at least an hour from now: move the deadline."),
                fields={"closes_at": [_("Too soon.")]},
            )
        terms.status = PIECEWORK.check(terms.status, "submit")
        terms.save(update_fields=["status"])
        audit_record(actor=actor, action="piecework.submit", target=terms)
    return terms


def piecework_fund_start(*, actor: Any, terms: Terms) -> GatewayObject:
    """Ask for the poster's payment of units × price into the task's pool (the sandbox pays
    at once and the pool_funded signal opens the task; Stripe pays on its webhook)."""
    require_manager(
        actor, terms, _("Only the poster organization's owners and admins can fund the escrow.")
    )
    terms.refresh_from_db(fields=["status"])
    PIECEWORK.check(terms.status, "open")
    return pool_fund_start(
        actor=actor, task=terms.task, amount=terms.escrow_total, purpose=POOL_PURPOSE
    )


def piecework_funding_arrived(*, task_id: int) -> Terms | None:
    """The pool received money: open the task once it holds units × price, and publish it
    (moderation first where the task flow says so). Safe to run twice or late: terms no
    longer awaiting funding are left alone."""
    terms_id = Terms.objects.filter(task_id=task_id).values_list("pk", flat=True).first()
    if terms_id is None:
        return None
    with transaction.atomic():
        terms = terms_lock(terms_id=terms_id)
        if terms.status != Terms.Status.FUNDING:
            return None
        held = task_pool_state(task_id=task_id).held
        if held.amount < terms.escrow_total.amount:
            return None
        task = terms.task
        try:
            with transaction.atomic():
                task_submit(actor=task.created_by, task=task)
        except DomainError as exc:
            logger.warning("piecework %s funded but not published: %s", terms.pk, exc)
            audit_record(
                actor=None,
                action="piecework.publish_failed",
                target=terms,
                data={"reason": str(exc.message)},
            )
            return None
        terms.status = PIECEWORK.check(terms.status, "open")
        terms.opened_at = timezone.now()
        terms.save(update_fields=["status", "opened_at"])
        audit_record(actor=None, action="piecework.open", target=terms, data={"held": held.amount})
        notifications.schedule("piecework_opened", terms.pk)
    return terms


def piecework_cancel(*, actor: Any, terms: Terms, reason: str) -> Terms:
    """Cancel before the task opens; any escrow already in the pool returns in full."""
    if not reason.strip():
        raise ValidationFailed(
            _("Say why the task is cancelled."), fields={"reason": [_("Required.")]}
        )
    with transaction.atomic():
        terms = terms_lock(terms_id=terms.pk)
        require_manager(
            actor, terms, _("Only the poster organization's owners and admins can cancel.")
        )
        terms.status = PIECEWORK.check(terms.status, "cancel")
        terms.save(update_fields=["status"])
        held = task_pool_state(task_id=terms.task_id).held
        if held.amount > 0:
            pool_return(
                task=terms.task,
                amount=held,
                fee_bps=0,
                reference=f"piecework:{terms.pk}:cancel",
                reason="piece-work cancelled",
            )
        task_cancel(actor=actor, task=terms.task, reason=reason)
        audit_record(actor=actor, action="piecework.cancel", target=terms)
    return terms
