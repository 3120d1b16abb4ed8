"""Output shapes of disputes and their evidence timeline."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers


class EvidenceFileOutputSerializer(serializers.Serializer):
    name = serializers.CharField()
    sha256 = serializers.CharField(help_text="SHA-256 of the content as received.")
    size = serializers.IntegerField()
    url = serializers.CharField(help_text="Where a party may download it (may be empty).")


class TimelineItemOutputSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(
        [
            "task_file",
            "message",
            "offer",
            "delivery",
            "delivery_decision",
            "statement",
            "response",
            "evidence",
            "decision",
            "appeal",
        ]
    )
    at = serializers.DateTimeField()
    side = serializers.CharField(help_text='"poster", "provider" or "" (the platform).')
    author = serializers.CharField()
    title = serializers.CharField()
    body = serializers.CharField()
    amount = serializers.SerializerMethodField(help_text="An offer's amount in fen, if any.")
    files = EvidenceFileOutputSerializer(many=True)

    def get_amount(self, item: Any) -> int | None:
        return None if item.amount is None else item.amount.amount


class DecisionOutputSerializer(serializers.Serializer):
    round = serializers.IntegerField(help_text="1: the decision; 2: the decision on an appeal.")
    refund = serializers.IntegerField(help_text="To the poster, in fen.")
    release = serializers.IntegerField(help_text="To the provider (before the fee), in fen.")
    reasons = serializers.CharField()
    created_at = serializers.DateTimeField()


class DisputeOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    contract = serializers.IntegerField(source="contract_id")
    milestone = serializers.IntegerField(source="milestone_id")
    status = serializers.CharField()
    status_display = serializers.CharField(source="get_status_display")
    reason = serializers.CharField()
    opener_side = serializers.CharField()
    statement = serializers.CharField()
    response = serializers.CharField()
    held_amount = serializers.IntegerField(help_text="In fen.")
    currency = serializers.CharField()
    opened_at = serializers.DateTimeField()
    response_due_at = serializers.DateTimeField()
    evidence_due_at = serializers.DateTimeField(allow_null=True)
    appeal_due_at = serializers.DateTimeField(allow_null=True)
    executed_at = serializers.DateTimeField(allow_null=True)
    outcome = serializers.CharField()


class DisputeDetailOutputSerializer(DisputeOutputSerializer):
    decisions = serializers.SerializerMethodField()
    timeline = serializers.SerializerMethodField()
    my_actions = serializers.SerializerMethodField(help_text="What you may do now.")

    @extend_schema_field(DecisionOutputSerializer(many=True))
    def get_decisions(self, dispute: Any) -> Any:
        return DecisionOutputSerializer(self.context["decisions"], many=True).data

    @extend_schema_field(TimelineItemOutputSerializer(many=True))
    def get_timeline(self, dispute: Any) -> Any:
        return TimelineItemOutputSerializer(self.context["timeline"], many=True).data

    @extend_schema_field(
        serializers.ListField(child=serializers.ChoiceField(["respond", "add_evidence", "appeal"]))
    )
    def get_my_actions(self, dispute: Any) -> list[str]:
        caps = self.context["capabilities"]
        return [
            name
            for name, allowed in (
                ("respond", caps.can_respond),
                ("add_evidence", caps.can_add_evidence),
                ("appeal", caps.can_appeal),
            )
            if allowed
        ]
