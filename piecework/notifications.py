"""Who hears about piece-work, in their own language (the kernel's registry).

The poster's managers (and the task's author) hear that the task opened, that a unit was
delivered and that the task closed with what returned; the providers hear that their unit was
accepted (by the poster or by silence) and paid, or rejected with the reason, and that the
task closed. Every notification carries a dedupe key per event, object and recipient, so a
repeated delivery writes nothing new.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy, gettext_noop

from accounts.notifying import Message
from accounts.notifying import send as _send
from accounts.selectors import provider_profile_members
from marketplace.notifications import link, notification, notification_kind, raw, t
from piecework.models import Claim, Terms, UnitDelivery
from tasks.notifications import poster_recipients

notification_kind("piecework", gettext_lazy("Piece-work I post or deliver units for"))


def _claimers(terms: Terms) -> list[Any]:
    people: list[Any] = []
    for claim in Claim.objects.filter(terms=terms).select_related("provider"):
        people += provider_profile_members(profile=claim.provider)
    return people


@notification("piecework_opened")
def _opened(event: str, terms_id: int, tag: str) -> None:
    terms = Terms.objects.select_related("task__organization", "task__created_by").get(pk=terms_id)
    task = terms.task
    _send(
        poster_recipients(task),
        Message(
            "piecework",
            t(gettext_noop("Units funded, task open: %(title)s"), {"title": task.title}),
            t(
                gettext_noop("Providers can claim %(units)d units at %(price)s each."),
                {"units": terms.units_total, "price": terms.unit_price_money},
            ),
            link("frontend:piecework_detail", task.pk),
        ),
        f"{event}:{terms.pk}",
    )


@notification("piecework_unit_delivered")
def _delivered(event: str, delivery_id: int, tag: str) -> None:
    delivery = UnitDelivery.objects.select_related(
        "claim__provider", "claim__terms__task__organization", "claim__terms__task__created_by"
    ).get(pk=delivery_id)
    terms = delivery.claim.terms
    task = terms.task
    _send(
        poster_recipients(task),
        Message(
            "piecework",
            t(
                gettext_noop("%(provider)s delivered a unit of %(title)s"),
                {"provider": delivery.claim.provider.display_name, "title": task.title},
            ),
            t(
                gettext_noop(
                    "Accept or reject it with a reason within %(days)d days; after that "
                    "silence accepts and pays it."
                ),
                {"days": terms.review_days},
            ),
            link("frontend:piecework_review", task.pk),
        ),
        f"{event}:{delivery.pk}",
    )


@notification("piecework_unit_accepted", "piecework_unit_rejected")
def _decided(event: str, delivery_id: int, tag: str) -> None:
    delivery = UnitDelivery.objects.select_related("claim__provider", "claim__terms__task").get(
        pk=delivery_id
    )
    terms = delivery.claim.terms
    title = {"title": terms.task.title}
    if event == "piecework_unit_accepted":
        message = Message(
            "piecework",
            t(gettext_noop("Unit accepted by silence and paid: %(title)s"), title)
            if delivery.silence_accepted
            else t(gettext_noop("Unit accepted and paid: %(title)s"), title),
            t(
                gettext_noop("%(price)s is on its way to your earnings."),
                {"price": terms.unit_price_money},
            ),
            link("frontend:piecework_deliveries"),
        )
    else:
        message = Message(
            "piecework",
            t(gettext_noop("Unit rejected: %(title)s"), title),
            raw(delivery.reason),
            link("frontend:piecework_detail", terms.task_id),
        )
    recipients = provider_profile_members(profile=delivery.claim.provider)
    _send(recipients, message, f"{event}:{delivery.pk}")


@notification("piecework_closed")
def _closed(event: str, terms_id: int, tag: str) -> None:
    terms = Terms.objects.select_related("task__organization", "task__created_by").get(pk=terms_id)
    task = terms.task
    accepted = UnitDelivery.objects.filter(
        claim__terms=terms, status=UnitDelivery.Status.ACCEPTED
    ).count()
    title = {"title": task.title}
    url = link("frontend:piecework_detail", task.pk)
    _send(
        poster_recipients(task),
        Message(
            "piecework",
            t(gettext_noop("Piece-work closed: %(title)s"), title),
            t(
                gettext_noop(
                    "%(accepted)d of %(units)d units were paid; what the escrow still held "
                    "returns to you."
                ),
                {"accepted": accepted, "units": terms.units_total},
            ),
            url,
        ),
        f"{event}:{terms.pk}:poster",
    )
    _send(
        _claimers(terms),
        Message(
            "piecework",
            t(gettext_noop("Piece-work closed: %(title)s"), title),
            t(
                gettext_noop(
                    "No more units can be claimed or delivered. Units you held and did not "
                    "deliver are released; accepted units stay paid."
                )
            ),
            url,
        ),
        f"{event}:{terms.pk}:provider",
    )
