"""The moderators' cards on the back-office dashboard (marketplace/backoffice.py)."""

from __future__ import annotations

from collections.abc import Iterator

from django.db.models import Count, Min
from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from marketplace.backoffice import Card, dashboard_panel
from tasks.models import Task
from tasks.selectors import reports_waiting, task_counts_by_status, tasks_pending_moderation


@dashboard_panel(order=100)
def moderation_cards(request: HttpRequest) -> Iterator[Card]:
    user = request.user
    if user.has_perm("tasks.moderate_task"):
        queue = tasks_pending_moderation().aggregate(n=Count("pk"), oldest=Min("updated_at"))
        yield Card(
            title=_("Tasks waiting for review"),
            value=queue["n"],
            url=reverse("admin:tasks_task_changelist") + "?moderation=queue",
            oldest=queue["oldest"],
            tone="attention" if queue["n"] else "info",
        )
    if user.has_perm("tasks.handle_report"):
        waiting = reports_waiting().aggregate(n=Count("pk"), oldest=Min("created_at"))
        yield Card(
            title=_("Reports waiting"),
            value=waiting["n"],
            url=reverse("admin:tasks_report_changelist"),
            oldest=waiting["oldest"],
            tone="attention" if waiting["n"] else "info",
        )
    if user.has_perm("tasks.view_task"):
        counts = task_counts_by_status()
        changelist = reverse("admin:tasks_task_changelist")
        labels = dict(Task.Status.choices)
        yield Card(
            title=_("Tasks by state"),
            value=sum(counts.values()),
            url=changelist,
            breakdown=tuple(
                (labels[status], n, f"{changelist}?status__exact={status}")
                for status, n in counts.items()
            ),
        )
