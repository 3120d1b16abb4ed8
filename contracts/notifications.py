"""Who hears about contracts, milestones, deliveries and reviews, in their own language.

Registered in the kernel's notification registry (marketplace.notifications); the services
schedule them after commit. Every notification carries a dedupe key, so a retried or repeated
delivery writes nothing new.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy, gettext_noop

from accounts.notifying import Message
from accounts.notifying import send as _send
from accounts.selectors import provider_profile_members
from contracts.models import Contract, Delivery, Milestone, Review
from marketplace.money import Money
from marketplace.notifications import link, notification, notification_kind, t
from tasks.notifications import poster_recipients

notification_kind("contract_funded", gettext_lazy("Escrow funded on my contracts"))
notification_kind("contract_completed", gettext_lazy("Contracts completed"))
notification_kind(
    "delivery_submitted",
    gettext_lazy("Deliveries to review"),
    group=(
        gettext_noop("%(count)d delivery to review on %(title)s"),
        gettext_noop("%(count)d deliveries to review on %(title)s"),
    ),
)
notification_kind("delivery_accepted", gettext_lazy("My deliveries accepted"))
notification_kind("milestone_released", gettext_lazy("Money released to me"))
notification_kind("delivery_changes_requested", gettext_lazy("Changes requested on my deliveries"))
notification_kind("deadline_near", gettext_lazy("Deadlines coming up"), emailable=False)
notification_kind("review_received", gettext_lazy("Reviews I received"))


@notification("contract_funded", "contract_completed")
def _contract_event(event: str, contract_id: int, tag: str) -> None:
    contract = Contract.objects.select_related(
        "task__organization", "task__created_by", "provider"
    ).get(pk=contract_id)
    task = contract.task
    url = link("frontend:contract_detail", contract.pk)
    if event == "contract_funded":
        _send(
            provider_profile_members(profile=contract.provider),
            Message(
                "contract_funded",
                t(gettext_noop("Escrow funded, you can start: %(title)s"), {"title": task.title}),
                t(gettext_noop("The poster's money for the funded milestones is held in escrow.")),
                url,
            ),
            f"{event}:{contract.pk}:{tag}",
        )
    elif event == "contract_completed":
        message = Message(
            "contract_completed",
            t(gettext_noop("Contract completed: %(title)s, leave a review"), {"title": task.title}),
            t(
                gettext_noop(
                    "Every milestone is accepted. Rate how the work went; reviews build credit."
                )
            ),
            url,
        )
        _send(
            [*poster_recipients(task), *provider_profile_members(profile=contract.provider)],
            message,
            f"{event}:{contract.pk}",
        )


@notification(
    "delivery_submitted",
    "delivery_accepted",
    "delivery_changes_requested",
    "milestone_released",
    "milestone_due_soon",
    "review_window_closing",
)
def _delivery_event(event: str, object_id: int, tag: str) -> None:
    if event == "delivery_submitted":
        delivery = Delivery.objects.select_related("milestone__contract__task__created_by").get(
            pk=object_id
        )
        milestone = delivery.milestone
        task = milestone.contract.task
        _send(
            poster_recipients(task),
            Message(
                "delivery_submitted",
                t(
                    gettext_noop("Delivery to review: %(milestone)s of %(title)s"),
                    {"milestone": milestone.title, "title": task.title},
                ),
                t(
                    gettext_noop(
                        "Accept it or ask for changes before the review window ends; "
                        "silence accepts."
                    )
                ),
                link("frontend:contract_detail", milestone.contract_id),
            ),
            f"{event}:{delivery.pk}",
        )
        return
    milestone = Milestone.objects.select_related("contract__task", "contract__provider").get(
        pk=object_id
    )
    task = milestone.contract.task
    url = link("frontend:contract_detail", milestone.contract_id)
    recipients = provider_profile_members(profile=milestone.contract.provider)
    amount = Money(milestone.amount, milestone.contract.currency)
    if event == "delivery_accepted":
        _send(
            recipients,
            Message(
                "delivery_accepted",
                t(
                    gettext_noop("Milestone accepted: %(milestone)s of %(title)s"),
                    {"milestone": milestone.title, "title": task.title},
                ),
                t(
                    gettext_noop(
                        "%(amount)s is now due to you; it is paid out of escrow to your account."
                    ),
                    {"amount": amount},
                ),
                url,
            ),
            f"{event}:{milestone.pk}",
        )
    elif event == "milestone_released":
        _send(
            recipients,
            Message(
                "milestone_released",
                t(
                    gettext_noop("Payment released: %(milestone)s of %(title)s"),
                    {"milestone": milestone.title, "title": task.title},
                ),
                t(gettext_noop("%(amount)s was released to you from escrow."), {"amount": amount}),
                url,
            ),
            f"{event}:{milestone.pk}",
        )
    elif event == "delivery_changes_requested":
        rounds = milestone.change_rounds
        _send(
            recipients,
            Message(
                "delivery_changes_requested",
                t(
                    gettext_noop("Changes requested: %(milestone)s of %(title)s"),
                    {"milestone": milestone.title, "title": task.title},
                ),
                t(
                    gettext_noop("Read the feedback and deliver again (round %(n)d)."),
                    {"n": rounds},
                ),
                url,
            ),
            f"{event}:{milestone.pk}:{rounds}",
        )
    elif event == "milestone_due_soon":
        _send(
            recipients,
            Message(
                "deadline_near",
                t(
                    gettext_noop("Deadline near: %(milestone)s of %(title)s is due %(date)s"),
                    {
                        "milestone": milestone.title,
                        "title": task.title,
                        "date": milestone.due_date,
                    },
                ),
                t(
                    gettext_noop(
                        "Deliver on time: on-time delivery counts towards your credit score."
                    )
                ),
                url,
            ),
            f"{event}:{milestone.pk}:{milestone.due_date}",
        )
    elif event == "review_window_closing":
        _send(
            poster_recipients(task),
            Message(
                "deadline_near",
                t(
                    gettext_noop("Review window closing: %(milestone)s of %(title)s"),
                    {"milestone": milestone.title, "title": task.title},
                ),
                t(gettext_noop("If you do nothing, the delivery is accepted automatically.")),
                url,
            ),
            f"{event}:{milestone.pk}:{milestone.submitted_at}",
        )


@notification("review_received")
def _review_event(event: str, review_id: int, tag: str) -> None:
    review = Review.objects.select_related("contract__task__created_by", "contract__provider").get(
        pk=review_id
    )
    contract = review.contract
    if review.side == Review.Side.POSTER:
        recipients = provider_profile_members(profile=contract.provider)
    else:
        recipients = poster_recipients(contract.task)
    _send(
        recipients,
        Message(
            "review_received",
            t(gettext_noop("You received a review for %(title)s"), {"title": contract.task.title}),
            None,
            link("frontend:contract_detail", contract.pk),
            email=False,
        ),
        f"{event}:{review.pk}",
    )
