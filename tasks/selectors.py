"""Reading tasks. Visibility is decided here, once, for pages, APIs and search."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from accounts.models import Organization, ProviderProfile
from accounts.selectors import (
    MANAGER_ROLES,
    black_list_entry_for,
    organization_ids_for_user,
    provider_profile_ids_operated_by,
    provider_profiles_operated,
    provider_profiles_operated_by,
    user_role_in,
)
from marketplace.errors import NotFound
from marketplace.permissions import user_may_act
from tasks.models import (
    NdaAcceptance,
    Report,
    Task,
    TaskAttachment,
    TaskFavourite,
    TaskInvitation,
    TaskQuestion,
    TaskSkill,
)
from tasks.states import TASK, TASK_PUBLIC


def _authenticated(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False))


def user_is_moderator(user: Any) -> bool:
    """Staff with tasks.moderate_task: they see every submitted task (also while suspended)."""
    return _authenticated(user) and user.is_staff and user.has_perm("tasks.moderate_task")


def user_can_moderate(user: Any) -> bool:
    """A moderator who may act now: a suspended moderator can read the queue, not decide."""
    return user_may_act(user) and user_is_moderator(user)


def user_can_handle_reports(user: Any) -> bool:
    """Staff with tasks.handle_report who may act now (moderators)."""
    return (
        user_may_act(user)
        and bool(getattr(user, "is_staff", False))
        and user.has_perm("tasks.handle_report")
    )


def user_can_suspend_accounts(user: Any) -> bool:
    """Staff who may suspend an account (accounts.services.user_suspend asks the same)."""
    return (
        user_may_act(user)
        and bool(getattr(user, "is_staff", False))
        and any(user.has_perm(p) for p in ("accounts.suspend_user", "accounts.change_user"))
    )


def user_is_poster_member(*, user: Any, task: Task) -> bool:
    return user_role_in(user=user, organization_id=task.organization_id) is not None


def task_posting_block(*, user: Any, organization: Organization) -> str:
    """Why the user may not post or publish tasks for the organization now, or "": the person
    or the organization is on the credit black list (诚信红黑榜). Services refuse with this
    message; pages hide "Post a task" and "Publish" through it."""
    entry = black_list_entry_for(user=user, organization=organization)
    if entry is None:
        return ""
    return _(
        "%(party)s is on the credit black list until %(date)s, so it cannot post or publish "
        "tasks. You can appeal the entry from your credit list page."
    ) % {"party": entry.party_name, "date": date_format(entry.expires_at, "DATE_FORMAT")}


def user_can_manage_task(*, user: Any, task: Task) -> bool:
    """Owners and admins of the poster organization award, cancel and accept deliveries."""
    return user_role_in(user=user, organization_id=task.organization_id) in MANAGER_ROLES


@dataclass(frozen=True)
class TaskCapabilities:
    """What one user may do with one task now: the capability selector of tasks.

    Services refuse through it; pages and the API ask it which actions to offer. Whether the
    user may bid is the bids app's answer (bids.selectors.bid_eligibility), which owns bidding.
    """

    task: Task
    member: bool  # any member of the poster organization
    manage: bool  # its owners and admins
    author: bool  # the member who wrote the task
    moderator: bool  # a moderator, who sees the task whatever its state
    user: Any = field(default=None, compare=False, repr=False)
    moderator_acts: bool = False  # ...and may decide now (not suspended)
    suspender: bool = False  # staff who may suspend accounts

    @property
    def status(self) -> str:
        return self.task.status

    @cached_property
    def posting_block(self) -> str:
        """Why this member may not publish now (the credit black list), or ""; asked lazily."""
        if not self.member:
            return ""
        return task_posting_block(user=self.user, organization=self.task.organization)

    @property
    def edit(self) -> bool:
        return self.member and self.status == Task.Status.DRAFT

    @property
    def publish(self) -> bool:
        return self.member and TASK.can(self.status, "submit_for_review") and not self.posting_block

    @property
    def cancel(self) -> bool:
        return (self.manage or self.author) and TASK.can(self.status, "cancel")

    @property
    def award(self) -> bool:
        return self.manage and TASK.can(self.status, "award")

    @property
    def shortlist(self) -> bool:
        return self.member and TASK.can(self.status, "award")

    @property
    def add_files(self) -> bool:
        return self.member and self.status in FILES_ADDABLE

    @property
    def remove_files(self) -> bool:
        return self.member and self.status in FILES_REMOVABLE

    @property
    def invite(self) -> bool:
        return self.member and self.status in INVITABLE

    @property
    def answer_questions(self) -> bool:
        return self.member and self.status in QUESTIONS_OPEN

    @property
    def clarify(self) -> bool:
        return self.member and self.status in QUESTIONS_OPEN

    @property
    def hide_questions(self) -> bool:
        return self.moderator

    # The moderators' actions on the public task page (the same services as the back office).
    @property
    def moderate_approve(self) -> bool:
        return self.moderator_acts and self.status == Task.Status.PENDING_REVIEW

    @property
    def moderate_send_back(self) -> bool:
        return self.moderator_acts and TASK.can(self.status, "send_back")

    @property
    def moderate_hide(self) -> bool:
        """Flag an open task: it leaves the public listing until it passes review again."""
        return self.moderator_acts and TASK.can(self.status, "flag")

    @property
    def suspend_poster(self) -> bool:
        """Suspend the member who posted the task (not oneself, not someone already suspended)."""
        if not self.suspender or self.author:
            return False  # asked before the poster is read: most viewers cannot suspend
        poster = self.task.created_by
        return poster.suspended_at is None and not poster.is_superuser

    @property
    def moderation_actions(self) -> bool:
        return (
            self.moderate_approve
            or self.moderate_send_back
            or self.moderate_hide
            or self.suspend_poster
        )


FILES_ADDABLE = frozenset({Task.Status.DRAFT, Task.Status.PENDING_REVIEW, Task.Status.OPEN})
FILES_REMOVABLE = frozenset({Task.Status.DRAFT, Task.Status.PENDING_REVIEW})
INVITABLE = FILES_ADDABLE
# Questions are asked, answered and clarified while bids may still be placed or chosen.
QUESTIONS_OPEN = frozenset({Task.Status.OPEN, Task.Status.CLOSED})


def task_capabilities(*, user: Any, task: Task) -> TaskCapabilities:
    """What `user` may do with `task` now (a handful of cached membership lookups)."""
    authenticated = _authenticated(user)
    return TaskCapabilities(
        task=task,
        member=user_is_poster_member(user=user, task=task),
        manage=user_can_manage_task(user=user, task=task),
        author=authenticated and task.created_by_id == user.pk,
        moderator=user_is_moderator(user),
        user=user,
        moderator_acts=user_can_moderate(user),
        suspender=user_can_suspend_accounts(user),
    )


def tasks_visible_to(*, user: Any) -> QuerySet[Task]:
    """Every task the user may open: public ones, their organizations' own, all for moderators."""
    tasks = Task.objects.select_related("organization")
    if user_is_moderator(user):
        return tasks.exclude(status=Task.Status.DRAFT) | tasks.filter(
            organization_id__in=organization_ids_for_user(user=user)
        )
    public = Q(status__in=TASK_PUBLIC)
    if not _authenticated(user):
        return tasks.filter(public)
    return tasks.filter(public | Q(organization_id__in=organization_ids_for_user(user=user)))


def tasks_listed_for(*, user: Any) -> QuerySet[Task]:
    """Tasks shown in browse and search: public ones, except invitation-only tasks unless the
    user was invited or is on the poster's side (those stay reachable by link, unlisted)."""
    listed = Q(status__in=TASK_PUBLIC) & ~Q(visibility=Task.Visibility.INVITED)
    if _authenticated(user):
        # Subqueries, not joins or a read of the profiles first: one row per task (no
        # DISTINCT over every column), and the list costs one statement.
        operated = provider_profiles_operated_by(user=user).values("pk")
        invited = TaskInvitation.objects.filter(provider_id__in=operated).values("task_id")
        listed |= Q(status__in=TASK_PUBLIC, pk__in=invited)
    return Task.objects.select_related("organization").filter(listed)


def task_get_for_user(*, user: Any, task_id: int) -> Task:
    """The task if the user may see it; NotFound otherwise (never says it exists)."""
    task = tasks_visible_to(user=user).filter(pk=task_id).first()
    if task is None:
        raise NotFound(_("This task does not exist or is not visible to you."))
    return task


def user_is_invited(*, user: Any, task: Task) -> bool:
    if not _authenticated(user):
        return False
    return TaskInvitation.objects.filter(
        task=task, provider_id__in=provider_profile_ids_operated_by(user=user)
    ).exists()


def user_accepted_nda(*, user: Any, task: Task) -> bool:
    return _authenticated(user) and NdaAcceptance.objects.filter(task=task, user=user).exists()


def task_can_read_details(*, user: Any, task: Task) -> bool:
    """Whether the full description and confidential attachments may be shown to the user."""
    if user_is_poster_member(user=user, task=task) or user_is_moderator(user):
        return True
    if task.visibility == Task.Visibility.INVITED and not user_is_invited(user=user, task=task):
        return False
    if task.nda_required:
        return user_accepted_nda(user=user, task=task)
    return True


def task_skills(*, task: Task) -> list[TaskSkill]:
    return list(task.skill_weights.select_related("skill").order_by("-weight", "skill__position"))


def task_attachments_for_user(*, user: Any, task: Task) -> list[TaskAttachment]:
    attachments = task.attachments.all()
    if not task_can_read_details(user=user, task=task):
        attachments = attachments.filter(confidential=False)
    return list(attachments)


def task_attachment_get_for_user(*, user: Any, attachment_id: int) -> TaskAttachment:
    attachment = (
        TaskAttachment.objects.select_related("task", "task__organization")
        .filter(pk=attachment_id)
        .first()
    )
    if attachment is None:
        raise NotFound(_("This file does not exist or is not visible to you."))
    task = task_get_for_user(user=user, task_id=attachment.task_id)
    if attachment.confidential and not task_can_read_details(user=user, task=task):
        raise NotFound(_("This file does not exist or is not visible to you."))
    return attachment


def tasks_browse(
    *,
    user: Any,
    query: str = "",
    kind: str = "",
    skill: str = "",
    region: str = "",
    budget_from: int | None = None,
    budget_to: int | None = None,
    open_only: bool = True,
    sort: str = "newest",
) -> QuerySet[Task]:
    """The database search backend: filters over listed tasks (Elasticsearch does it better)."""
    tasks = tasks_listed_for(user=user)
    if open_only:
        tasks = tasks.filter(status=Task.Status.OPEN)
    if query:
        for word in query.split()[:8]:
            tasks = tasks.filter(
                Q(title__icontains=word)
                | Q(summary__icontains=word)
                | Q(organization__name__icontains=word)
            )
    if kind:
        tasks = tasks.filter(kind=kind)
    if skill:
        tasks = tasks.filter(skill_weights__skill__slug=skill)
    if region:
        # A province code (xx0000) matches the whole province by its two-digit prefix.
        tasks = tasks.filter(region__startswith=region[:2] if region.endswith("0000") else region)
    if budget_from is not None:
        tasks = tasks.filter(budget_max__gte=budget_from)
    if budget_to is not None:
        tasks = tasks.filter(budget_min__lte=budget_to)
    order = {
        "newest": ["-published_at", "-id"],
        "deadline": ["bid_deadline", "id"],
        "budget": ["-budget_max", "-id"],
    }.get(sort, ["-published_at", "-id"])
    return tasks.prefetch_related(
        Prefetch("skill_weights", queryset=TaskSkill.objects.select_related("skill"))
    ).order_by(*order)


def tasks_public_latest(*, limit: int = 6) -> list[Task]:
    """The newest open, listed tasks for the home page."""
    return list(
        Task.objects.select_related("organization")
        .filter(status=Task.Status.OPEN)
        .exclude(visibility=Task.Visibility.INVITED)
        .prefetch_related(
            Prefetch("skill_weights", queryset=TaskSkill.objects.select_related("skill"))
        )
        .order_by("-published_at", "-id")[:limit]
    )


def tasks_of_organizations_for_user(*, user: Any) -> QuerySet[Task]:
    """All tasks (drafts included) of the organizations the user belongs to."""
    return (
        Task.objects.select_related("organization")
        .filter(organization_id__in=organization_ids_for_user(user=user))
        .order_by("-created_at")
    )


def tasks_pending_moderation() -> QuerySet[Task]:
    return Task.objects.select_related("organization").filter(status=Task.Status.PENDING_REVIEW)


def task_counts_by_status() -> dict[str, int]:
    """How many tasks are in each state (the staff dashboard's figure)."""
    counts = dict(
        Task.objects.order_by()
        .values_list("status")
        .annotate(n=Count("pk"))
        .values_list("status", "n")
    )
    return {status: counts.get(status, 0) for status in Task.Status.values}


def reports_waiting() -> QuerySet[Report]:
    """The moderators' queue of reports: waiting ones, oldest first."""
    return (
        Report.objects.filter(status=Report.Status.OPEN)
        .select_related("reporter")
        .order_by("created_at", "id")
    )


def tasks_due_for_closing(*, now: Any) -> list[int]:
    return list(
        # Only tenders close on their bid deadline: a contest's and piece-work's phases are
        # their own apps' beat jobs.
        Task.objects.filter(
            status=Task.Status.OPEN, mode=Task.Mode.TENDER, bid_deadline__lte=now
        ).values_list("id", flat=True)
    )


# --- favourites and inviting from a provider's profile -------------------------------------------


def task_favourites_for_user(*, user: Any) -> QuerySet[TaskFavourite]:
    """The user's starred tasks that they may still open, newest star first."""
    if not _authenticated(user):
        return TaskFavourite.objects.none()
    return (
        TaskFavourite.objects.filter(user=user, task__in=tasks_visible_to(user=user))
        .select_related("task", "task__organization")
        .prefetch_related(
            Prefetch("task__skill_weights", queryset=TaskSkill.objects.select_related("skill"))
        )
    )


def favourite_task_ids(*, user: Any, task_ids: Any = None) -> set[int]:
    """Which of `task_ids` (all, when None) the user starred: one query, for lists of cards."""
    if not _authenticated(user):
        return set()
    favourites = TaskFavourite.objects.filter(user=user)
    if task_ids is not None:
        favourites = favourites.filter(task_id__in=list(task_ids))
    return set(favourites.values_list("task_id", flat=True))


@dataclass(frozen=True)
class InvitableTask:
    task: Task
    already_invited: bool


def tasks_invitable_for_provider(*, user: Any, provider: ProviderProfile) -> list[InvitableTask]:
    """The tasks of the user's organizations to which they may invite `provider` now (asked of
    `task_capabilities`), each saying whether the provider is already invited. A provider's own
    firm's tasks are left out: nobody invites themselves."""
    if not _authenticated(user):
        return []
    tasks = (
        Task.objects.select_related("organization")
        .filter(organization_id__in=organization_ids_for_user(user=user), status__in=INVITABLE)
        .order_by("-created_at", "-id")
    )
    if provider.organization_id:
        tasks = tasks.exclude(organization_id=provider.organization_id)
    invited = set(
        TaskInvitation.objects.filter(provider=provider, task__in=tasks).values_list(
            "task_id", flat=True
        )
    )
    return [
        InvitableTask(task=task, already_invited=task.pk in invited)
        for task in tasks
        if task_capabilities(user=user, task=task).invite
    ]


# --- Search ------------------------------------------------------------------------------------
# The index holds open tasks only: closed, awarded, cancelled and unpublished tasks never show.

TASK_SEARCHABLE = frozenset({Task.Status.OPEN})


@dataclass(frozen=True)
class ListingViewer:
    """Who is looking, as the listing rules need it (search filters on these, browse too)."""

    organization_ids: tuple[int, ...]
    provider_ids: tuple[int, ...]
    verified_provider: bool

    def may_list(
        self, *, visibility: str, organization_id: int, invited_provider_ids: list[int]
    ) -> bool:
        """Public tasks to all; verified-only ones to verified providers; invitation-only ones
        to the invited; every task to its own organization's members."""
        if organization_id in self.organization_ids:
            return True
        if visibility == Task.Visibility.PUBLIC:
            return True
        if visibility == Task.Visibility.VERIFIED:
            return self.verified_provider
        return bool(set(invited_provider_ids) & set(self.provider_ids))


def listing_viewer(*, user: Any) -> ListingViewer:
    if not _authenticated(user):
        return ListingViewer(organization_ids=(), provider_ids=(), verified_provider=False)
    profiles = provider_profiles_operated(user=user)
    return ListingViewer(
        organization_ids=tuple(organization_ids_for_user(user=user)),
        provider_ids=tuple(p.pk for p in profiles),
        verified_provider=any(p.is_verified for p in profiles),
    )


def tasks_for_indexing(*, ids: Any = None) -> QuerySet[Task]:
    """Searchable tasks (all, or those of `ids`) with what their index documents need."""
    tasks = Task.objects.filter(status__in=TASK_SEARCHABLE)
    if ids is not None:
        tasks = tasks.filter(pk__in=list(ids))
    return (
        tasks.select_related("organization")
        .prefetch_related(
            Prefetch(
                "skill_weights",
                queryset=TaskSkill.objects.select_related("skill__category").order_by(
                    "-weight", "skill__position"
                ),
            ),
            Prefetch("invitations", queryset=TaskInvitation.objects.only("task_id", "provider_id")),
        )
        .order_by("pk")
    )


def task_id_query_searchable(*, organization_ids: Any = None) -> QuerySet[Task, int]:
    """The ids (a flat values_list, not yet run) of the searchable tasks, of the given
    organizations when named (ids, or a query of them to run inside this one)."""
    tasks = Task.objects.filter(status__in=TASK_SEARCHABLE)
    if organization_ids is not None:
        if not isinstance(organization_ids, QuerySet):
            organization_ids = list(organization_ids)
        tasks = tasks.filter(organization_id__in=organization_ids)
    return tasks.values_list("pk", flat=True)


def task_ids_searchable(*, organization_ids: Any = None) -> list[int]:
    return list(task_id_query_searchable(organization_ids=organization_ids))


# --- questions and answers ----------------------------------------------------------------------


def question_ask_refusal(*, user: Any, task: Task) -> str:
    """Why `user` may not ask a question on `task` now ("" when they may): a signed-in provider
    outside the poster organization, while the task takes questions."""
    if not _authenticated(user):
        return _("Sign in to ask a question.")
    if not user_may_act(user):
        return _("Your account is suspended, so it cannot ask questions.")
    if user_is_poster_member(user=user, task=task):
        return _("Your organization posted this task: post a clarification instead.")
    if task.status not in QUESTIONS_OPEN:
        return _("This task no longer takes questions.")
    if not provider_profile_ids_operated_by(user=user):
        return _("Set up your provider profile before you ask questions.")
    return ""


@dataclass(frozen=True)
class QuestionView:
    """A question as one viewer sees it: the asker's name only for the poster's side and the
    asker, a neutral label for everyone else."""

    question: TaskQuestion
    asker_label: str
    mine: bool

    @property
    def pk(self) -> int:
        return self.question.pk


def task_questions_for_user(*, user: Any, task: Task) -> list[QuestionView]:
    """The questions of a visible task for this viewer: public ones (answered, clarifications)
    for everyone; unanswered ones for their asker and the poster's members; hidden ones for
    moderators only."""
    capabilities = task_capabilities(user=user, task=task)
    questions = task.questions.select_related("asked_by").order_by("created_at", "id")
    if not capabilities.moderator:
        questions = questions.filter(hidden_at__isnull=True)
    if not (capabilities.member or capabilities.moderator):
        public = Q(kind=TaskQuestion.Kind.CLARIFICATION) | Q(answered_at__isnull=False)
        if _authenticated(user):
            public |= Q(asked_by=user)
        questions = questions.filter(public)
    views = []
    for question in questions:
        mine = _authenticated(user) and question.asked_by_id == user.pk
        if question.kind == TaskQuestion.Kind.CLARIFICATION:
            label = task.organization.name
        elif mine:
            label = _("You")
        elif capabilities.member or capabilities.moderator:
            label = question.asked_by.display_name
        else:
            label = _("A provider")
        views.append(QuestionView(question=question, asker_label=label, mine=mine))
    return views


def task_question_get_for_user(*, user: Any, question_id: int) -> TaskQuestion:
    """A question the user may see (on a task they may see); NotFound otherwise."""
    question = TaskQuestion.objects.select_related("task").filter(pk=question_id).first()
    if question is None:
        raise NotFound(_("This question does not exist or is not visible to you."))
    task = task_get_for_user(user=user, task_id=question.task_id)
    if not any(view.pk == question.pk for view in task_questions_for_user(user=user, task=task)):
        raise NotFound(_("This question does not exist or is not visible to you."))
    question.task = task
    return question
