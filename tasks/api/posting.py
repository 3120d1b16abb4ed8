"""Tasks: browse, post, edit, publish, cancel, NDA and invitations.

The API is an edge, like the pages: besides tasks it reads bids' selectors for the live bid
counts of a page of tasks (never amounts). The tasks domain itself never imports bids.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.permissions import IsAuthenticatedOrReadOnly
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts import selectors as accounts_selectors
from bids.selectors import bid_counts_for_tasks
from marketplace.api import (
    FenField,
    Pagination,
    StrictIntegerField,
    paginate,
    paginated,
    validated,
    with_errors,
)
from marketplace.budgets import Budget
from marketplace.money import CURRENCY_CHOICES, DEFAULT_CURRENCY
from marketplace.terms import MilestoneTerms
from tasks import selectors, services
from tasks.api.serializers import (
    ProviderBriefOutputSerializer,
    TaskBrowseItemOutputSerializer,
    TaskDetailOutputSerializer,
    TaskListItemOutputSerializer,
)
from tasks.models import Task

TAG = ["tasks"]


def details_locked_reason(*, user: Any, task: Task) -> str | None:
    """Why the viewer may not read the full description: "invitation" or "nda"; None if they
    may. (The rule itself is selectors.task_can_read_details; this only names it.)"""
    if selectors.task_can_read_details(user=user, task=task):
        return None
    if task.visibility == Task.Visibility.INVITED and not selectors.user_is_invited(
        user=user, task=task
    ):
        return "invitation"
    return "nda"


def task_detail_data(*, user: Any, task: Task) -> Any:
    """The task as `user` may see it (TaskDetailOutputSerializer's data)."""
    capabilities = selectors.task_capabilities(user=user, task=task)
    is_member = capabilities.member
    context = {
        "capabilities": capabilities,
        "details_locked": details_locked_reason(user=user, task=task),
        "nda_text": services.nda_text(),
        "nda_accepted": selectors.user_accepted_nda(user=user, task=task),
        "is_poster_member": is_member,
        "sees_moderation": is_member or capabilities.moderator,
        "skills": selectors.task_skills(task=task),
        "milestone_plan": list(task.milestone_plan.all()),
        "attachments": selectors.task_attachments_for_user(user=user, task=task),
    }
    return TaskDetailOutputSerializer(task, context=context).data


def _task_list_page(view: APIView, request: Request, tasks: Any, serializer: Any) -> Response:
    paginator, page = paginate(view=view, request=request, queryset=tasks)
    counts = bid_counts_for_tasks(task_ids=[task.pk for task in page])
    return paginated(paginator, serializer(page, many=True, context={"bid_counts": counts}).data)


# --- inputs ---------------------------------------------------------------------------------------


class TaskBrowseFilterSerializer(serializers.Serializer):
    q = serializers.CharField(
        required=False, allow_blank=True, max_length=200, default="", help_text="Words to find."
    )
    kind = serializers.ChoiceField(
        choices=Task.Kind.choices, required=False, allow_blank=True, default=""
    )
    skill = serializers.SlugField(
        required=False, allow_blank=True, default="", help_text="A skill's slug."
    )
    region = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=6,
        default="",
        help_text="A region code; a province code (xx0000) matches all of it.",
    )
    budget_from = serializers.IntegerField(
        required=False, min_value=0, default=None, help_text="In fen."
    )
    budget_to = serializers.IntegerField(
        required=False, min_value=0, default=None, help_text="In fen."
    )
    open_only = serializers.BooleanField(required=False, default=True)
    sort = serializers.ChoiceField(
        choices=["newest", "deadline", "budget"], required=False, default="newest"
    )


class TaskSkillInputSerializer(serializers.Serializer):
    skill = StrictIntegerField(help_text="A skill's id (see /skills/).")
    weight = StrictIntegerField(
        min_value=1, max_value=5, default=3, help_text="1 nice to have ... 5 essential."
    )


class MilestonePlanInputSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=120)
    share_bps = StrictIntegerField(help_text="Share of the budget in basis points (100% = 10000).")
    due_days = StrictIntegerField(help_text="Due this many days after the start.")
    description = serializers.CharField(
        max_length=2000, required=False, allow_blank=True, default=""
    )


def _skills(items: list[dict[str, Any]]) -> dict[int, int]:
    return {item["skill"]: item["weight"] for item in items}


def _milestones(items: list[dict[str, Any]]) -> list[MilestoneTerms]:
    return [
        MilestoneTerms(
            title=item["title"],
            share_bps=item["share_bps"],
            due_days=item["due_days"],
            description=item["description"],
        )
        for item in items
    ]


def _unique_skills(value: list[dict[str, Any]]) -> list[dict[str, Any]]:
    ids = [item["skill"] for item in value]
    if len(ids) != len(set(ids)):
        raise serializers.ValidationError(_("Each skill may appear only once."))
    return value


class TaskCreateInputSerializer(serializers.Serializer):
    organization = serializers.IntegerField(
        help_text="The enterprise or government unit you post for (you must be a member)."
    )
    kind = serializers.ChoiceField(choices=Task.Kind.choices)
    mode = serializers.ChoiceField(
        choices=[(Task.Mode.TENDER.value, Task.Mode.TENDER.label)],
        default=Task.Mode.TENDER,
        help_text="A tender here; a contest is posted with its prize ladder, criteria and "
        "phases at POST /api/v1/contests/.",
    )
    title = serializers.CharField(max_length=120)
    summary = serializers.CharField(max_length=500, help_text="Public, also before an NDA.")
    description = serializers.CharField(max_length=20000)
    budget_min = FenField()
    budget_max = FenField()
    currency = serializers.ChoiceField(choices=CURRENCY_CHOICES, default=DEFAULT_CURRENCY)
    bid_deadline = serializers.DateTimeField()
    delivery_deadline = serializers.DateField()
    region = serializers.CharField(max_length=6, required=False, allow_blank=True, default="")
    visibility = serializers.ChoiceField(
        choices=Task.Visibility.choices, default=Task.Visibility.PUBLIC
    )
    ip_terms = serializers.ChoiceField(choices=Task.IpTerms.choices, default=Task.IpTerms.TRANSFER)
    ip_terms_custom = serializers.CharField(
        max_length=4000, required=False, allow_blank=True, default=""
    )
    nda_required = serializers.BooleanField(default=False)
    skills = serializers.ListField(child=TaskSkillInputSerializer(), max_length=50)
    milestones = serializers.ListField(child=MilestonePlanInputSerializer(), max_length=50)

    def validate_skills(self, value: list[dict[str, Any]]) -> list[dict[str, Any]]:
        return _unique_skills(value)


class TaskUpdateInputSerializer(serializers.Serializer):
    """Only the fields sent are changed; skills and milestones are replaced as a whole."""

    kind = serializers.ChoiceField(choices=Task.Kind.choices, required=False)
    title = serializers.CharField(max_length=120, required=False)
    summary = serializers.CharField(max_length=500, required=False)
    description = serializers.CharField(max_length=20000, required=False)
    budget_min = FenField(required=False)
    budget_max = FenField(required=False)
    currency = serializers.ChoiceField(choices=CURRENCY_CHOICES, required=False)
    bid_deadline = serializers.DateTimeField(required=False)
    delivery_deadline = serializers.DateField(required=False)
    region = serializers.CharField(max_length=6, required=False, allow_blank=True)
    visibility = serializers.ChoiceField(choices=Task.Visibility.choices, required=False)
    ip_terms = serializers.ChoiceField(choices=Task.IpTerms.choices, required=False)
    ip_terms_custom = serializers.CharField(max_length=4000, required=False, allow_blank=True)
    nda_required = serializers.BooleanField(required=False)
    skills = serializers.ListField(child=TaskSkillInputSerializer(), max_length=50, required=False)
    milestones = serializers.ListField(
        child=MilestonePlanInputSerializer(), max_length=50, required=False
    )

    def validate_skills(self, value: list[dict[str, Any]]) -> list[dict[str, Any]]:
        return _unique_skills(value)


class ReasonInputSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=2000)


class TaskInvitationCreateInputSerializer(serializers.Serializer):
    provider = serializers.IntegerField(help_text="The provider profile's id.")


class NdaAcceptanceOutputSerializer(serializers.Serializer):
    task_id = serializers.IntegerField()
    terms_sha256 = serializers.CharField(help_text="SHA-256 of the NDA text accepted.")
    accepted_at = serializers.DateTimeField()


class TaskInvitationOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    task_id = serializers.IntegerField()
    provider = ProviderBriefOutputSerializer()
    created_at = serializers.DateTimeField()


# --- views ----------------------------------------------------------------------------------------


# Hot paths: their budgets (tests/test_hot_path_budgets.py), SQL statements and Redis commands.
# 5: the profiles the caller operates are a subquery of the list's read (was a statement).
BROWSE_API_BUDGET = Budget(queries=5, redis=2)


class TaskCollectionApi(APIView):
    """GET browses the listed tasks (anyone); POST writes a new draft (members of a poster)."""

    permission_classes = [IsAuthenticatedOrReadOnly]
    pagination_class = Pagination

    @extend_schema(
        tags=TAG,
        parameters=[TaskBrowseFilterSerializer],
        responses=with_errors({200: TaskBrowseItemOutputSerializer(many=True)}, 400),
        description="Open tasks anyone may see (invitation-only ones only for the invited), "
        "with each task's number of live bids. Amounts of bids are never shown.",
    )
    def get(self, request: Request) -> Response:
        # A plain dict: from a QueryDict DRF would read a missing boolean as False.
        filters = validated(TaskBrowseFilterSerializer, request.query_params.dict())
        tasks = selectors.tasks_browse(
            user=request.user,
            query=filters["q"],
            kind=filters["kind"],
            skill=filters["skill"],
            region=filters["region"],
            budget_from=filters["budget_from"],
            budget_to=filters["budget_to"],
            open_only=filters["open_only"],
            sort=filters["sort"],
        )
        return _task_list_page(self, request, tasks, TaskBrowseItemOutputSerializer)

    @extend_schema(
        tags=TAG,
        request=TaskCreateInputSerializer,
        responses=with_errors({201: TaskDetailOutputSerializer}, 400, 403, 404),
        description="Write a draft task for an organization you belong to. Amounts in fen.",
    )
    def post(self, request: Request) -> Response:
        data = validated(TaskCreateInputSerializer, request.data)
        organization = accounts_selectors.organization_get_for_user(
            user=request.user, organization_id=data.pop("organization")
        )
        task = services.task_create(
            actor=request.user,
            organization=organization,
            skills=_skills(data.pop("skills")),
            milestones=_milestones(data.pop("milestones")),
            **data,
        )
        task = selectors.task_get_for_user(user=request.user, task_id=task.pk)
        return Response(
            task_detail_data(user=request.user, task=task), status=status.HTTP_201_CREATED
        )


class TaskMineListApi(APIView):
    pagination_class = Pagination

    @extend_schema(
        tags=TAG,
        responses=with_errors({200: TaskListItemOutputSerializer(many=True)}, 403),
        description="Every task of your organizations, drafts included, newest first.",
    )
    def get(self, request: Request) -> Response:
        tasks = selectors.tasks_of_organizations_for_user(user=request.user)
        return _task_list_page(self, request, tasks, TaskListItemOutputSerializer)


TASK_API_BUDGET = Budget(queries=7, redis=2)


class TaskDetailApi(APIView):
    """GET shows a task to whoever may see it; PATCH edits a draft (poster's members)."""

    permission_classes = [IsAuthenticatedOrReadOnly]

    @extend_schema(
        tags=TAG,
        responses=with_errors({200: TaskDetailOutputSerializer}, 404),
        description="The description and confidential files only for those who may read "
        "them (poster, moderators, invited providers, providers who accepted the NDA); "
        "otherwise `description` is null and `details_locked` says why.",
    )
    def get(self, request: Request, task_id: int) -> Response:
        task = selectors.task_get_for_user(user=request.user, task_id=task_id)
        return Response(task_detail_data(user=request.user, task=task))

    @extend_schema(
        tags=TAG,
        request=TaskUpdateInputSerializer,
        responses=with_errors({200: TaskDetailOutputSerializer}, 400, 403, 404),
        description="Change a draft; only the fields sent are changed.",
    )
    def patch(self, request: Request, task_id: int) -> Response:
        task = selectors.task_get_for_user(user=request.user, task_id=task_id)
        # Not partial=True: that would also skip the defaults inside skills and milestones.
        data = validated(TaskUpdateInputSerializer, request.data)
        skills = data.pop("skills", None)
        milestones = data.pop("milestones", None)
        services.task_update(
            actor=request.user,
            task=task,
            skills=None if skills is None else _skills(skills),
            milestones=None if milestones is None else _milestones(milestones),
            **data,
        )
        task = selectors.task_get_for_user(user=request.user, task_id=task_id)
        return Response(task_detail_data(user=request.user, task=task))


class TaskSubmitApi(APIView):
    @extend_schema(
        tags=TAG,
        request=None,
        responses=with_errors({200: TaskDetailOutputSerializer}, 400, 403, 404, 409),
        description="Publish a draft: it opens for bids, or waits for moderation (government "
        "units' and flagged tasks).",
    )
    def post(self, request: Request, task_id: int) -> Response:
        task = selectors.task_get_for_user(user=request.user, task_id=task_id)
        task = services.task_submit(actor=request.user, task=task)
        return Response(task_detail_data(user=request.user, task=task))


class TaskCancelApi(APIView):
    @extend_schema(
        tags=TAG,
        request=ReasonInputSerializer,
        responses=with_errors({200: TaskDetailOutputSerializer}, 400, 403, 404, 409),
        description="Cancel a task before it is awarded (its author, or the poster's owners "
        "and admins); live bids are declined and their bidders told the reason.",
    )
    def post(self, request: Request, task_id: int) -> Response:
        task = selectors.task_get_for_user(user=request.user, task_id=task_id)
        data = validated(ReasonInputSerializer, request.data)
        task = services.task_cancel(actor=request.user, task=task, reason=data["reason"])
        return Response(task_detail_data(user=request.user, task=task))


class TaskNdaAcceptApi(APIView):
    @extend_schema(
        tags=TAG,
        request=None,
        responses=with_errors({200: NdaAcceptanceOutputSerializer}, 400, 403, 404),
        description="Accept the task's NDA (the text is in the task's `nda_text`). Idempotent.",
    )
    def post(self, request: Request, task_id: int) -> Response:
        task = selectors.task_get_for_user(user=request.user, task_id=task_id)
        acceptance = services.task_nda_accept(user=request.user, task=task)
        return Response(NdaAcceptanceOutputSerializer(acceptance).data)


class TaskInvitationCreateApi(APIView):
    @extend_schema(
        tags=TAG,
        request=TaskInvitationCreateInputSerializer,
        responses=with_errors({201: TaskInvitationOutputSerializer}, 400, 403, 404, 409),
        description="Invite a provider to bid (the only way in for invitation-only tasks).",
    )
    def post(self, request: Request, task_id: int) -> Response:
        task = selectors.task_get_for_user(user=request.user, task_id=task_id)
        data = validated(TaskInvitationCreateInputSerializer, request.data)
        provider = accounts_selectors.provider_profile_get_public(
            user=request.user, profile_id=data["provider"]
        )
        invitation = services.task_invite_provider(actor=request.user, task=task, provider=provider)
        return Response(
            TaskInvitationOutputSerializer(invitation).data, status=status.HTTP_201_CREATED
        )
