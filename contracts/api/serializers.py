"""Output shapes of contracts, milestones, deliveries and reviews."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from accounts.api.serializers import OrganizationBriefSerializer
from contracts.models import DeliveryFile
from tasks.api.serializers import ProviderBriefOutputSerializer


class DeliveryFileOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField(source="original_name")
    content_type = serializers.CharField()
    size = serializers.IntegerField()
    sha256 = serializers.CharField(help_text="SHA-256 of the content as received.")
    received_at = serializers.DateTimeField()
    download_url = serializers.SerializerMethodField()

    def get_download_url(self, delivered: DeliveryFile) -> str:
        return reverse("contracts-api:delivery-file-download", args=[delivered.pk])


class DeliveryOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    round = serializers.IntegerField()
    note = serializers.CharField()
    submitted_at = serializers.DateTimeField()
    decision = serializers.CharField()
    decision_display = serializers.CharField(source="get_decision_display")
    decision_note = serializers.CharField()
    decided_at = serializers.DateTimeField(allow_null=True)
    files = DeliveryFileOutputSerializer(source="files.all", many=True)


class MilestoneOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    position = serializers.IntegerField()
    title = serializers.CharField()
    description = serializers.CharField()
    amount = serializers.IntegerField(help_text="In minor units (fen).")
    due_days = serializers.IntegerField()
    due_date = serializers.DateField(allow_null=True)
    status = serializers.CharField()
    status_display = serializers.CharField(source="get_status_display")
    change_rounds = serializers.IntegerField()
    funded_at = serializers.DateTimeField(allow_null=True)
    submitted_at = serializers.DateTimeField(allow_null=True)
    review_due_at = serializers.DateTimeField(allow_null=True)
    accepted_at = serializers.DateTimeField(allow_null=True)
    released_at = serializers.DateTimeField(allow_null=True)
    deliveries = DeliveryOutputSerializer(source="deliveries.all", many=True)
    my_actions = serializers.SerializerMethodField(
        help_text="What you may do with this milestone now."
    )

    @extend_schema_field(
        serializers.ListField(
            child=serializers.ChoiceField(["deliver", "accept", "request_changes"])
        )
    )
    def get_my_actions(self, milestone: Any) -> list[str]:
        capabilities = self.context.get("capabilities")
        if capabilities is None:
            return []
        return [
            action
            for action, allowed in (
                ("deliver", capabilities.can_deliver(milestone)),
                ("accept", capabilities.can_accept(milestone)),
                ("request_changes", capabilities.can_request_changes(milestone)),
            )
            if allowed
        ]


class ContractTaskOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    status = serializers.CharField()


class ContractListItemOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    task = ContractTaskOutputSerializer()
    organization = OrganizationBriefSerializer()
    provider = ProviderBriefOutputSerializer()
    amount = serializers.IntegerField(help_text="In minor units (fen).")
    currency = serializers.CharField()
    duration_days = serializers.IntegerField()
    status = serializers.CharField()
    status_display = serializers.CharField(source="get_status_display")
    created_at = serializers.DateTimeField()
    started_at = serializers.DateTimeField(allow_null=True)
    completed_at = serializers.DateTimeField(allow_null=True)
    my_side = serializers.SerializerMethodField()

    @extend_schema_field(serializers.ChoiceField(["poster", "provider"], allow_null=True))
    def get_my_side(self, contract: Any) -> str | None:
        return self.context["sides"].get(contract.pk)


class ContractDetailOutputSerializer(ContractListItemOutputSerializer):
    mode = serializers.CharField()
    bid = serializers.IntegerField(source="bid_id", allow_null=True)
    ip_terms = serializers.CharField()
    ip_terms_custom = serializers.CharField()
    milestones = serializers.SerializerMethodField()
    can_review = serializers.SerializerMethodField(
        help_text="Whether you may write your side's review now."
    )

    @extend_schema_field(MilestoneOutputSerializer(many=True))
    def get_milestones(self, contract: Any) -> Any:
        return MilestoneOutputSerializer(
            self.context["milestones"], many=True, context=self.context
        ).data

    def get_can_review(self, contract: Any) -> bool:
        return bool(self.context.get("can_review", False))


class ReviewOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    side = serializers.CharField()
    author = serializers.CharField(source="author.display_name")
    rating = serializers.IntegerField()
    quality = serializers.IntegerField()
    communication = serializers.IntegerField()
    timeliness = serializers.IntegerField()
    comment = serializers.CharField()
    created_at = serializers.DateTimeField()
