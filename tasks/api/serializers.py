"""Output serializers shared by several tasks and bids APIs (inputs live beside their views).

Amounts are integers in minor units (fen) with their currency code, never floats or strings.
"""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from accounts.api.serializers import OrganizationBriefSerializer
from marketplace.markdown import render_markdown
from tasks.models import Task, TaskAttachment

DETAILS_LOCKED_CHOICES = ["nda", "invitation"]


class ProviderBriefOutputSerializer(serializers.Serializer):
    """A provider's public face; its user and organization must be loaded with it."""

    id = serializers.IntegerField()
    display_name = serializers.CharField()
    is_firm = serializers.BooleanField()
    is_verified = serializers.BooleanField()
    headline = serializers.CharField()
    region = serializers.CharField()
    region_name = serializers.CharField()
    years_experience = serializers.IntegerField()


class TaskSkillOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="skill.id")
    slug = serializers.CharField(source="skill.slug")
    name = serializers.CharField(source="skill.name")
    weight = serializers.IntegerField()


class MilestonePlanOutputSerializer(serializers.Serializer):
    position = serializers.IntegerField()
    title = serializers.CharField()
    description = serializers.CharField()
    share_bps = serializers.IntegerField(help_text="Share of the budget in basis points.")
    due_days = serializers.IntegerField(help_text="Due this many days after the start.")


class AttachmentOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField(source="original_name")
    content_type = serializers.CharField()
    size = serializers.IntegerField()
    sha256 = serializers.CharField()
    confidential = serializers.BooleanField()
    created_at = serializers.DateTimeField()
    download_url = serializers.SerializerMethodField()

    def get_download_url(self, attachment: TaskAttachment) -> str:
        return reverse("tasks-api:attachment-download", args=[attachment.pk])


class TaskRefOutputSerializer(serializers.Serializer):
    """Enough of a task to name it in a bid or a contract."""

    id = serializers.IntegerField()
    title = serializers.CharField()
    status = serializers.CharField()
    organization = OrganizationBriefSerializer()


class TaskListItemOutputSerializer(serializers.Serializer):
    """A task in a list: public fields only, plus its live bid count (never amounts)."""

    id = serializers.IntegerField()
    title = serializers.CharField()
    summary = serializers.CharField()
    kind = serializers.CharField()
    kind_display = serializers.CharField(source="get_kind_display")
    mode = serializers.ChoiceField(
        choices=Task.Mode.choices, help_text="How the task runs: tender, contest or piece-work."
    )
    status = serializers.CharField()
    status_display = serializers.CharField(source="get_status_display")
    organization = OrganizationBriefSerializer()
    budget_min = serializers.IntegerField(help_text="In minor units (fen).")
    budget_max = serializers.IntegerField(help_text="In minor units (fen).")
    currency = serializers.CharField()
    bid_deadline = serializers.DateTimeField()
    delivery_deadline = serializers.DateField()
    region = serializers.CharField()
    region_name = serializers.CharField()
    visibility = serializers.CharField()
    nda_required = serializers.BooleanField()
    published_at = serializers.DateTimeField(allow_null=True)
    bid_count = serializers.SerializerMethodField()

    def get_bid_count(self, task: Task) -> int:
        """Live bids, from the page's counts in the context (one query per page)."""
        return int(self.context.get("bid_counts", {}).get(task.pk, 0))


class TaskBrowseItemOutputSerializer(TaskListItemOutputSerializer):
    skills = TaskSkillOutputSerializer(source="skill_weights.all", many=True)


# The task capabilities an API client can act on, in the order a page offers them.
TASK_ACTIONS = ["edit", "publish", "cancel", "award", "invite", "add_files", "remove_files"]


class TaskDetailOutputSerializer(serializers.Serializer):
    """A task as the viewer may see it. `description` and confidential attachments are null or
    left out unless the viewer may read the details; `details_locked` then says why."""

    id = serializers.IntegerField()
    organization = OrganizationBriefSerializer()
    kind = serializers.CharField()
    kind_display = serializers.CharField(source="get_kind_display")
    mode = serializers.ChoiceField(
        choices=Task.Mode.choices,
        help_text="How the task runs. A contest's prizes, criteria and phases are at "
        "/api/v1/contests/{task_id}/.",
    )
    title = serializers.CharField()
    summary = serializers.CharField()
    description = serializers.SerializerMethodField(help_text="Markdown, as the poster wrote it.")
    description_html = serializers.SerializerMethodField(
        help_text="The description rendered and sanitised (safe to insert as HTML)."
    )
    details_locked = serializers.SerializerMethodField()
    budget_min = serializers.IntegerField(help_text="In minor units (fen).")
    budget_max = serializers.IntegerField(help_text="In minor units (fen).")
    currency = serializers.CharField()
    bid_deadline = serializers.DateTimeField()
    delivery_deadline = serializers.DateField()
    region = serializers.CharField()
    region_name = serializers.CharField()
    visibility = serializers.CharField()
    ip_terms = serializers.CharField()
    ip_terms_custom = serializers.CharField()
    nda_required = serializers.BooleanField()
    nda_text = serializers.SerializerMethodField()
    nda_accepted = serializers.SerializerMethodField()
    status = serializers.CharField()
    status_display = serializers.CharField(source="get_status_display")
    moderation_note = serializers.SerializerMethodField()
    is_poster_member = serializers.SerializerMethodField()
    my_actions = serializers.SerializerMethodField(
        help_text="What you may do with this task now (bidding: see the bid eligibility)."
    )
    published_at = serializers.DateTimeField(allow_null=True)
    created_at = serializers.DateTimeField()
    skills = serializers.SerializerMethodField()
    milestone_plan = serializers.SerializerMethodField()
    attachments = serializers.SerializerMethodField()

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_description(self, task: Task) -> str | None:
        return task.description if self.context["details_locked"] is None else None

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_description_html(self, task: Task) -> str | None:
        if self.context["details_locked"] is not None:
            return None
        return render_markdown(task.description)

    @extend_schema_field(serializers.ChoiceField(DETAILS_LOCKED_CHOICES, allow_null=True))
    def get_details_locked(self, task: Task) -> str | None:
        return self.context["details_locked"]

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_nda_text(self, task: Task) -> str | None:
        return self.context["nda_text"] if task.nda_required else None

    def get_nda_accepted(self, task: Task) -> bool:
        return bool(self.context["nda_accepted"])

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_moderation_note(self, task: Task) -> str | None:
        """Meant for the poster (and moderators): null for everyone else."""
        return task.moderation_note if self.context["sees_moderation"] else None

    def get_is_poster_member(self, task: Task) -> bool:
        return bool(self.context["is_poster_member"])

    @extend_schema_field(serializers.ListField(child=serializers.ChoiceField(TASK_ACTIONS)))
    def get_my_actions(self, task: Task) -> list[str]:
        capabilities = self.context["capabilities"]
        return [action for action in TASK_ACTIONS if getattr(capabilities, action)]

    @extend_schema_field(TaskSkillOutputSerializer(many=True))
    def get_skills(self, task: Task) -> Any:
        return TaskSkillOutputSerializer(self.context["skills"], many=True).data

    @extend_schema_field(MilestonePlanOutputSerializer(many=True))
    def get_milestone_plan(self, task: Task) -> Any:
        return MilestonePlanOutputSerializer(self.context["milestone_plan"], many=True).data

    @extend_schema_field(AttachmentOutputSerializer(many=True))
    def get_attachments(self, task: Task) -> Any:
        return AttachmentOutputSerializer(self.context["attachments"], many=True).data
