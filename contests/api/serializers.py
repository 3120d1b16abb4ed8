"""What the contest API returns: public terms to anyone who may see the task, sealed parts
(submissions, scorecards) only to those the selectors allow."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from contests.models import Contest, Objection, Scorecard, Submission, Winner


class PrizeOutputSerializer(serializers.Serializer):
    rank = serializers.IntegerField()
    amount = serializers.IntegerField(help_text="In minor units (fen).")


class CriterionOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    weight = serializers.IntegerField(help_text="Percent; the weights sum to 100.")


class PhaseOutputSerializer(serializers.Serializer):
    key = serializers.CharField()
    label = serializers.CharField()
    at = serializers.DateTimeField()
    state = serializers.ChoiceField(choices=["done", "current", "next"])


class WinnerOutputSerializer(serializers.Serializer):
    rank = serializers.IntegerField()
    amount = serializers.IntegerField(help_text="In minor units (fen).")
    provider = serializers.CharField(source="submission.entry.provider.display_name")
    provider_id = serializers.IntegerField(source="submission.entry.provider_id")
    score = serializers.SerializerMethodField()
    computed_rank = serializers.IntegerField(allow_null=True)
    paid_at = serializers.DateTimeField(allow_null=True)
    contract_id = serializers.IntegerField(allow_null=True)
    ip_terms = serializers.CharField()
    ip_transferred_at = serializers.DateTimeField(allow_null=True)

    def get_score(self, winner: Winner) -> str | None:
        if winner.weighted is None:
            return None
        return f"{winner.weighted // 100}.{winner.weighted % 100:02d}"


CONTEST_ACTIONS = [
    "edit",
    "submit_for_funding",
    "fund",
    "cancel",
    "manage_reviewers",
    "submit",
    "score",
    "confirm_winners",
    "object",
    "decide_objections",
]


class ContestOutputSerializer(serializers.Serializer):
    task_id = serializers.IntegerField()
    title = serializers.CharField(source="task.title")
    status = serializers.ChoiceField(choices=Contest.Status.choices)
    status_display = serializers.CharField(source="get_status_display")
    currency = serializers.CharField()
    prize_total = serializers.IntegerField(help_text="In minor units (fen).")
    guaranteed = serializers.BooleanField()
    return_fee_bps = serializers.IntegerField()
    pass_mark = serializers.IntegerField()
    blind = serializers.BooleanField()
    ip_terms = serializers.CharField(source="task.ip_terms")
    registration_opens = serializers.DateTimeField()
    submission_closes = serializers.DateTimeField()
    review_closes = serializers.DateTimeField()
    objection_closes = serializers.DateTimeField()
    announce_at = serializers.DateTimeField()
    prizes = PrizeOutputSerializer(many=True, source="prizes.all")
    criteria = CriterionOutputSerializer(many=True, source="criteria.all")
    participant_count = serializers.SerializerMethodField()
    timeline = serializers.SerializerMethodField()
    winners = serializers.SerializerMethodField()
    actions = serializers.SerializerMethodField()
    registered = serializers.SerializerMethodField()

    def get_participant_count(self, contest: Contest) -> int:
        return int(self.context["participant_count"])

    def get_timeline(self, contest: Contest) -> Any:
        return PhaseOutputSerializer(self.context["timeline"], many=True).data

    def get_winners(self, contest: Contest) -> Any:
        """Provisional winners during publicity, final ones after payment; else empty."""
        return WinnerOutputSerializer(self.context["winners"], many=True).data

    def get_actions(self, contest: Contest) -> list[str]:
        caps = self.context["capabilities"]
        return [name for name in CONTEST_ACTIONS if getattr(caps, name)]

    def get_registered(self, contest: Contest) -> bool:
        return self.context["capabilities"].entry is not None


class SubmissionFileOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField(source="original_name")
    content_type = serializers.CharField()
    size = serializers.IntegerField()
    sha256 = serializers.CharField()
    received_at = serializers.DateTimeField()


class SubmissionOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    note = serializers.CharField()
    provider = serializers.CharField(source="entry.provider.display_name")
    submitted_at = serializers.DateTimeField()
    files = SubmissionFileOutputSerializer(many=True, source="files.all")

    class Meta:
        model = Submission


class ScoreOutputSerializer(serializers.Serializer):
    criterion = serializers.IntegerField(source="criterion_id")
    value = serializers.IntegerField()


class ScorecardOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    submission = serializers.IntegerField(source="submission_id")
    reviewer = serializers.CharField(source="reviewer.user.display_name")
    weighted = serializers.IntegerField(help_text="sum(score × weight): 0..10,000.")
    scores = ScoreOutputSerializer(many=True, source="scores.all")
    comment = serializers.CharField()
    submitted_at = serializers.DateTimeField()

    class Meta:
        model = Scorecard


class RankRowOutputSerializer(serializers.Serializer):
    position = serializers.IntegerField()
    submission = serializers.IntegerField(source="submission.pk")
    provider = serializers.CharField(source="submission.entry.provider.display_name")
    cards = serializers.IntegerField()
    score = serializers.CharField(help_text="The weighted average, 0.00 to 100.00.")


class ObjectionOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    status = serializers.ChoiceField(choices=Objection.Status.choices)
    objector = serializers.CharField(source="entry.provider.display_name")
    reason = serializers.CharField()
    decision_note = serializers.CharField()
    created_at = serializers.DateTimeField()
    decided_at = serializers.DateTimeField(allow_null=True)


class EntryOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    provider = serializers.CharField(source="provider.display_name")
    registered_at = serializers.DateTimeField()


class ReviewerOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    user = serializers.CharField(source="user.display_name")
    kind = serializers.CharField()
    accepted_at = serializers.DateTimeField(allow_null=True)
