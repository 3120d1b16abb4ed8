"""Output serializers of the bids API. A bid's amount and milestones are sealed: these are only
ever given bids that bids.selectors returned for their bidder or the poster's members."""

from __future__ import annotations

from rest_framework import serializers

from tasks.api.serializers import ProviderBriefOutputSerializer, TaskRefOutputSerializer


class BidMilestoneOutputSerializer(serializers.Serializer):
    position = serializers.IntegerField()
    title = serializers.CharField()
    description = serializers.CharField()
    amount = serializers.IntegerField(help_text="In minor units (fen).")
    due_days = serializers.IntegerField(help_text="Due this many days after the start.")


class BidOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    task = TaskRefOutputSerializer()
    provider = ProviderBriefOutputSerializer()
    amount = serializers.IntegerField(help_text="In minor units (fen).")
    currency = serializers.CharField()
    duration_days = serializers.IntegerField()
    proposal = serializers.CharField()
    status = serializers.CharField()
    status_display = serializers.CharField(source="get_status_display")
    revision = serializers.IntegerField()
    decision_note = serializers.CharField()
    milestones = BidMilestoneOutputSerializer(source="milestones.all", many=True)
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()


class BidRevisionMilestoneOutputSerializer(serializers.Serializer):
    title = serializers.CharField()
    amount = serializers.IntegerField(help_text="In minor units (fen).")
    due_days = serializers.IntegerField()
    description = serializers.CharField()


class BidRevisionOutputSerializer(serializers.Serializer):
    revision = serializers.IntegerField()
    amount = serializers.IntegerField(help_text="In minor units (fen).")
    duration_days = serializers.IntegerField()
    proposal = serializers.CharField()
    milestones = BidRevisionMilestoneOutputSerializer(many=True)
    created_at = serializers.DateTimeField()


class BidDetailOutputSerializer(BidOutputSerializer):
    revisions = BidRevisionOutputSerializer(source="revisions.all", many=True)


class BidRefOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    status = serializers.CharField()


class EligibilityOutputSerializer(serializers.Serializer):
    allowed = serializers.BooleanField()
    code = serializers.CharField(
        help_text="Why not, for programs: not_authenticated, suspended, closed, own_task, "
        "no_provider_profile, not_your_provider, verification_required, "
        "invitation_required, nda. Empty when allowed."
    )
    reason = serializers.CharField(help_text="Why not, for people. Empty when allowed.")
    my_bid = BidRefOutputSerializer(
        allow_null=True, help_text="Your newest bid on this task, if any: revise it instead."
    )


class BidSummaryOutputSerializer(serializers.Serializer):
    count = serializers.IntegerField(help_text="Live bids.")
    low = serializers.IntegerField(
        allow_null=True, help_text="Lowest live bid in fen; null unless you may see the range."
    )
    high = serializers.IntegerField(
        allow_null=True, help_text="Highest live bid in fen; null unless you may see the range."
    )
    rounded = serializers.BooleanField(
        help_text="True when low and high are rounded outwards to two significant figures "
        "(what a competing bidder sees, from three live bids on); false when exact (the poster)."
    )
    currency = serializers.CharField()
