"""What can be reported, and how moderators act on each kind (the report kinds' registry).

A kind says how to fetch the object for someone who may see it (so nobody reports, or learns of,
what they cannot see), whose it is (the account a moderator may suspend), where it is shown, and
how a moderator hides it. Tasks registers its own kinds and accounts' profiles here; the bids app
registers its negotiation messages from its AppConfig.ready, so no import runs upward.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _

from marketplace.errors import NotFound


@dataclass(frozen=True)
class Reportable:
    kind: str
    # The object with this id if `user` may see it; raises NotFound otherwise.
    get_for_user: Callable[[Any, int], Any]
    # The object for a moderator (hidden ones included), or None when it is gone.
    get_for_moderator: Callable[[int], Any]
    # The account responsible for the object (what "suspend" suspends).
    owner: Callable[[Any], Any]
    # Where the object is shown (a page path).
    url: Callable[[Any], str]
    # A short text naming the object for the moderator.
    describe: Callable[[Any], str]
    # Hide the object from everyone but moderators (a message: from its two sides, mediators
    # keep it); None when this kind cannot be hidden. Its service closes the waiting reports.
    hide: Callable[..., Any] | None = None
    # Show a hidden object again (keyword arguments moderator, obj); None when it cannot be.
    show: Callable[..., Any] | None = None
    # Whether the object is hidden now (what `hide` did and `show` undoes).
    hidden: Callable[[Any], bool] = lambda obj: obj.hidden_at is not None


_kinds: dict[str, Reportable] = {}


def reportable_register(entry: Reportable) -> Reportable:
    _kinds[entry.kind] = entry
    return entry


def reportable(kind: str) -> Reportable:
    try:
        return _kinds[kind]
    except KeyError:
        raise NotFound(_("This cannot be reported.")) from None


def reportable_kinds() -> list[str]:
    return sorted(_kinds)


def _register_builtin() -> None:
    """Tasks, questions and provider profiles (the bids app adds messages)."""
    from accounts.models import ProviderProfile
    from accounts.selectors import provider_profile_get_public
    from tasks.models import Task, TaskQuestion
    from tasks.selectors import task_get_for_user, task_question_get_for_user

    def task_hide(*, moderator: Any, obj: Task, reason: str) -> Any:
        from tasks.services import task_moderation_flag

        return task_moderation_flag(moderator=moderator, task=obj, reason=reason)

    def question_hide(*, moderator: Any, obj: TaskQuestion, reason: str) -> Any:
        from tasks.services import task_question_hide

        return task_question_hide(actor=moderator, question=obj, reason=reason)

    def task_show(*, moderator: Any, obj: Task) -> Any:
        from tasks.services import task_moderation_approve

        return task_moderation_approve(moderator=moderator, task=obj)

    def question_show(*, moderator: Any, obj: TaskQuestion) -> Any:
        from tasks.services import task_question_show

        return task_question_show(actor=moderator, question=obj)

    def profile_hide(*, moderator: Any, obj: ProviderProfile, reason: str) -> Any:
        from accounts.services import provider_profile_hide

        return provider_profile_hide(moderator=moderator, profile=obj, reason=reason)

    def profile_show(*, moderator: Any, obj: ProviderProfile) -> Any:
        from accounts.services import provider_profile_show

        return provider_profile_show(moderator=moderator, profile=obj)

    reportable_register(
        Reportable(
            kind="task",
            get_for_user=lambda user, pk: task_get_for_user(user=user, task_id=pk),
            get_for_moderator=lambda pk: (
                Task.objects.select_related("created_by").filter(pk=pk).first()
            ),
            owner=lambda task: task.created_by,
            url=lambda task: reverse("frontend:task_detail", args=[task.pk]),
            describe=lambda task: task.title,
            hide=task_hide,
            # Hidden = flagged back into review; shown again = approved by a moderator.
            show=task_show,
            hidden=lambda task: task.flagged_for_review,
        )
    )
    reportable_register(
        Reportable(
            kind="question",
            get_for_user=lambda user, pk: task_question_get_for_user(user=user, question_id=pk),
            get_for_moderator=lambda pk: (
                TaskQuestion.objects.select_related("asked_by", "task").filter(pk=pk).first()
            ),
            owner=lambda question: question.asked_by,
            url=lambda question: (
                reverse("frontend:task_detail", args=[question.task_id]) + f"#q-{question.pk}"
            ),
            describe=lambda question: question.body,
            hide=question_hide,
            show=question_show,
        )
    )
    reportable_register(
        Reportable(
            kind="profile",
            get_for_user=lambda user, pk: provider_profile_get_public(user=user, profile_id=pk),
            get_for_moderator=lambda pk: (
                ProviderProfile.objects.select_related("user").filter(pk=pk).first()
            ),
            owner=lambda profile: profile.user,
            url=lambda profile: reverse("frontend:provider_detail", args=[profile.pk]),
            describe=lambda profile: profile.display_name,
            hide=profile_hide,
            show=profile_show,
        )
    )
