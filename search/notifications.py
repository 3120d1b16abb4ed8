"""Search's notifications: a new task that matches a saved search, or a provider's skills well.

Both run once a task is open and indexed (search.tasks.index_changed); their dedupe keys, one
per task and saved search or provider, make a repeated delivery write nothing new.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy, gettext_noop

from accounts.notifying import Message
from accounts.notifying import send as _send
from accounts.selectors import provider_profile_members
from marketplace.notifications import link, notification, notification_kind, raw, t
from search import services
from tasks.models import Task

notification_kind(
    "search_saved_match", gettext_lazy("New tasks for my saved searches"), emailable=False
)
notification_kind(
    "search_good_match", gettext_lazy("New tasks that match my skills"), emailable=False
)


@notification("search_saved_match")
def _saved_match(event: str, task_id: int, tag: str) -> None:
    task = Task.objects.filter(pk=task_id, status=Task.Status.OPEN).first()
    if task is None:
        return
    title = task.title
    for saved in services.saved_searches_matching(task_id=task_id):
        name = saved.name
        _send(
            [saved.user],
            Message(
                "search_saved_match",
                t(gettext_noop("New task for your search “%(name)s”"), {"name": name}),
                raw(title),
                link("frontend:task_detail", task_id),
                email=False,
            ),
            f"{event}:{task_id}:{saved.pk}",
        )


@notification("search_good_match")
def _good_match(event: str, task_id: int, tag: str) -> None:
    task = Task.objects.filter(pk=task_id, status=Task.Status.OPEN).first()
    if task is None:
        return
    title = task.title
    from accounts.models import ProviderProfile

    hits = services.providers_matching_well(task_id=task_id)
    # The index may still name a profile deleted since it was indexed: it hears nothing.
    profiles = ProviderProfile.objects.select_related("user", "organization").in_bulk(
        [hit.id for hit in hits]
    )
    for hit in hits:
        profile = profiles.get(hit.id)
        if profile is None:
            continue
        coverage = hit.explanation.coverage_percent if hit.explanation else 0
        _send(
            provider_profile_members(profile=profile),
            Message(
                "search_good_match",
                t(gettext_noop("A new task matches your skills: %(title)s"), {"title": title}),
                t(
                    gettext_noop("Your skills cover %(coverage)d%% of what this task needs."),
                    {"coverage": coverage},
                ),
                link("frontend:task_detail", task_id),
                email=False,
            ),
            f"{event}:{task_id}:{profile.pk}",
        )
