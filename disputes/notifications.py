"""Who hears about disputes, in their own language: both parties, and the mediators.

Registered in the kernel's notification registry; every notification carries a dedupe key per
event and dispute (and round), so a repeated delivery writes nothing new.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.utils.translation import gettext as _

from accounts.notifying import Message
from accounts.notifying import send as _send
from accounts.selectors import provider_profile_members
from disputes.apps import MEDIATOR_GROUP
from disputes.models import Dispute
from marketplace.notifications import link, notification
from tasks.notifications import poster_recipients


def mediators() -> list[Any]:
    return list(
        get_user_model().objects.filter(is_active=True, is_staff=True, groups__name=MEDIATOR_GROUP)
    )


def _parties(dispute: Dispute) -> list[Any]:
    return [
        *poster_recipients(dispute.contract.task),
        *provider_profile_members(profile=dispute.contract.provider),
    ]


@notification(
    "dispute_opened",
    "dispute_responded",
    "dispute_in_mediation",
    "dispute_decided",
    "dispute_appealed",
    "dispute_executed",
)
def _dispute_event(event: str, dispute_id: int, tag: str) -> None:
    dispute = Dispute.objects.select_related(
        "contract__task__created_by",
        "contract__task__organization",
        "contract__provider",
        "milestone",
    ).get(pk=dispute_id)
    title = dispute.contract.task.title
    milestone = dispute.milestone.title
    url = link("frontend:dispute_detail", dispute.pk)
    admin_url = link("admin:disputes_dispute_change", dispute.pk)
    names = {"milestone": milestone, "title": title}
    held = dispute.held_money.format()
    key = f"{event}:{dispute.pk}:{tag}"
    if event == "dispute_opened":
        _send(
            _parties(dispute),
            Message(
                "dispute",
                lambda: _("Dispute opened: %(milestone)s of %(title)s") % names,
                lambda: (
                    _(
                        "%(held)s stays in escrow until a mediator decides. The other party has "
                        "%(days)d days to respond; add your evidence on the dispute's page."
                    )
                    % {"held": held, "days": (dispute.response_due_at - dispute.opened_at).days}
                ),
                url,
            ),
            key,
        )
        _send(
            mediators(),
            Message(
                "dispute",
                lambda: _("New dispute to mediate: %(milestone)s of %(title)s") % names,
                lambda: _("%(held)s is held.") % {"held": held},
                admin_url,
            ),
            f"{key}:mediators",
        )
    elif event == "dispute_responded":
        _send(
            _parties(dispute),
            Message(
                "dispute",
                lambda: _("The dispute on %(milestone)s has a response") % names,
                lambda: _("Both sides can add evidence until the evidence window closes."),
                url,
                email=False,
            ),
            key,
        )
    elif event == "dispute_in_mediation":
        _send(
            _parties(dispute),
            Message(
                "dispute",
                lambda: _("The dispute on %(milestone)s is with a mediator") % names,
                lambda: _("A mediator decides on the evidence there is."),
                url,
            ),
            key,
        )
    elif event == "dispute_decided":
        decision = dispute.decisions.order_by("-round").first()
        assert decision is not None
        parts = {
            "refund": decision.refund_money.format(),
            "release": decision.release_money.format(),
        }
        if dispute.appeal_due_at is not None and dispute.status == Dispute.Status.DECIDED:
            body = _(
                "%(refund)s back to the poster, %(release)s to the provider. Either party may "
                "appeal once until %(date)s; then it is executed."
            ) % {**parts, "date": dispute.appeal_due_at.strftime("%Y-%m-%d")}
        else:
            body = _("%(refund)s back to the poster, %(release)s to the provider.") % parts
        _send(
            _parties(dispute),
            Message(
                "dispute",
                lambda: _("Dispute decided: %(milestone)s of %(title)s") % names,
                lambda: body,
                url,
            ),
            key,
        )
    elif event == "dispute_appealed":
        _send(
            [*_parties(dispute)],
            Message(
                "dispute",
                lambda: _("The decision on %(milestone)s was appealed") % names,
                lambda: _("Another mediator decides the appeal; nothing moves until then."),
                url,
            ),
            key,
        )
        _send(
            mediators(),
            Message(
                "dispute",
                lambda: _("Appeal to decide: %(milestone)s of %(title)s") % names,
                lambda: _("It must be decided by a mediator other than the first."),
                admin_url,
            ),
            f"{key}:mediators",
        )
    elif event == "dispute_executed":
        _send(
            _parties(dispute),
            Message(
                "dispute",
                lambda: _("Dispute settled: %(milestone)s of %(title)s") % names,
                lambda: _("The decision is executed: the money has moved out of escrow."),
                url,
            ),
            key,
        )
