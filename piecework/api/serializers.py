"""What the piece-work API returns: the public terms and unit counts to anyone who may see
the task, deliveries only to their provider and the poster's side."""

from __future__ import annotations

from rest_framework import serializers

from piecework.models import Terms, UnitDelivery

PIECEWORK_ACTIONS = ["submit_for_funding", "fund", "cancel", "review", "close", "deliver"]


class UnitCountsOutputSerializer(serializers.Serializer):
    total = serializers.IntegerField()
    left = serializers.IntegerField(help_text="Units anyone may still claim.")
    pending = serializers.IntegerField(help_text="Delivered, waiting for review.")
    accepted = serializers.IntegerField()
    rejected = serializers.IntegerField()


class PieceworkOutputSerializer(serializers.Serializer):
    task_id = serializers.IntegerField()
    title = serializers.CharField(source="task.title")
    status = serializers.ChoiceField(choices=Terms.Status.choices)
    status_display = serializers.CharField(source="get_status_display")
    unit_name = serializers.CharField()
    unit_description = serializers.CharField()
    currency = serializers.CharField()
    unit_price = serializers.IntegerField(help_text="In minor units (fen).")
    escrow_total = serializers.IntegerField(
        source="escrow_total.amount", help_text="units_total × unit_price, in fen."
    )
    units_total = serializers.IntegerField()
    per_provider_cap = serializers.IntegerField()
    review_days = serializers.IntegerField()
    closes_at = serializers.DateTimeField()
    ip_terms = serializers.CharField(source="task.ip_terms")
    units = serializers.SerializerMethodField()
    my_units = serializers.SerializerMethodField()
    actions = serializers.SerializerMethodField()

    def get_units(self, terms: Terms) -> dict[str, int]:
        counts = self.context["counts"]
        return dict(UnitCountsOutputSerializer(counts).data)

    def get_my_units(self, terms: Terms) -> int:
        """Units your provider holds (0 when none)."""
        caps = self.context["capabilities"]
        return caps.claim.units if caps.claim is not None else 0

    def get_actions(self, terms: Terms) -> list[str]:
        caps = self.context["capabilities"]
        return [name for name in PIECEWORK_ACTIONS if getattr(caps, name)]


class ClaimOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    task_id = serializers.IntegerField(source="terms.task_id")
    provider_id = serializers.IntegerField()
    provider = serializers.CharField(source="provider.display_name")
    units = serializers.IntegerField(help_text="Units the provider holds now.")
    created_at = serializers.DateTimeField()


class UnitFileOutputSerializer(serializers.Serializer):
    original_name = serializers.CharField()
    content_type = serializers.CharField()
    size = serializers.IntegerField()
    sha256 = serializers.CharField()
    received_at = serializers.DateTimeField()


class UnitDeliveryOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    task_id = serializers.IntegerField(source="claim.terms.task_id")
    provider_id = serializers.IntegerField(source="claim.provider_id")
    provider = serializers.CharField(source="claim.provider.display_name")
    note = serializers.CharField()
    received_at = serializers.DateTimeField()
    review_due_at = serializers.DateTimeField()
    status = serializers.ChoiceField(choices=UnitDelivery.Status.choices)
    reason = serializers.CharField()
    decided_at = serializers.DateTimeField(allow_null=True)
    silence_accepted = serializers.BooleanField()
    contract_id = serializers.IntegerField(allow_null=True, help_text="The paid unit's contract.")
    files = UnitFileOutputSerializer(many=True, source="files.all")
