"""The contest API: posting, funding, registration, submissions, reviewers and scorecards,
winners, objections. Thin: each view parses, calls one service or selector, and renders."""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.permissions import IsAuthenticatedOrReadOnly
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.selectors import organization_get_for_user
from contests import selectors, services
from contests.api.serializers import (
    ContestOutputSerializer,
    EntryOutputSerializer,
    ObjectionOutputSerializer,
    RankRowOutputSerializer,
    ReviewerOutputSerializer,
    ScorecardOutputSerializer,
    SubmissionOutputSerializer,
)
from contests.models import Contest, Objection
from marketplace.api import (
    FenField,
    Pagination,
    StrictIntegerField,
    paginated_response,
    validated,
    with_errors,
)
from marketplace.errors import NotAllowed, NotFound
from marketplace.money import CURRENCY_CHOICES, DEFAULT_CURRENCY
from tasks.models import Task

TAG = ["contests"]


def contest_data(*, user: Any, contest: Contest) -> Any:
    contest = (
        Contest.objects.select_related("task", "task__organization")
        .prefetch_related("prizes", "criteria")
        .get(pk=contest.pk)
    )
    caps = selectors.contest_capabilities(user=user, contest=contest)
    context = {
        "capabilities": caps,
        "participant_count": selectors.contest_participant_count(contest=contest),
        "timeline": selectors.contest_timeline(contest=contest),
        "winners": selectors.contest_winners(contest=contest)
        if selectors.winners_public(contest=contest) or caps.member
        else [],
    }
    return ContestOutputSerializer(contest, context=context).data


class CriterionInputSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=120)
    weight = StrictIntegerField(min_value=1, max_value=100, help_text="Percent.")


class ContestCreateInputSerializer(serializers.Serializer):
    organization = serializers.IntegerField(help_text="The enterprise or government unit.")
    kind = serializers.ChoiceField(choices=Task.Kind.choices)
    title = serializers.CharField(max_length=120)
    summary = serializers.CharField(max_length=500)
    description = serializers.CharField(max_length=20000)
    skills = serializers.ListField(child=StrictIntegerField(), max_length=50, min_length=1)
    prize_total = FenField(help_text="The whole prize you fund, in fen.")
    prizes = serializers.ListField(
        child=FenField(),
        required=False,
        max_length=20,
        help_text="The ladder, 1st place first, in fen; it must add up to prize_total.",
    )
    equal_prizes = StrictIntegerField(
        required=False,
        min_value=1,
        max_value=20,
        help_text="Instead of a ladder: this many equal prizes of prize_total / n.",
    )
    criteria = serializers.ListField(child=CriterionInputSerializer(), max_length=10)
    registration_opens = serializers.DateTimeField()
    submission_closes = serializers.DateTimeField()
    review_closes = serializers.DateTimeField()
    objection_closes = serializers.DateTimeField()
    announce_at = serializers.DateTimeField()
    guaranteed = serializers.BooleanField(default=True)
    return_fee_bps = StrictIntegerField(default=0, min_value=0, max_value=10000)
    pass_mark = StrictIntegerField(default=0, min_value=0, max_value=100)
    blind = serializers.BooleanField(default=False)
    currency = serializers.ChoiceField(choices=CURRENCY_CHOICES, default=DEFAULT_CURRENCY)
    region = serializers.CharField(max_length=6, required=False, allow_blank=True, default="")
    visibility = serializers.ChoiceField(
        choices=Task.Visibility.choices, default=Task.Visibility.PUBLIC
    )
    ip_terms = serializers.ChoiceField(choices=Task.IpTerms.choices, default=Task.IpTerms.TRANSFER)
    ip_terms_custom = serializers.CharField(
        max_length=4000, required=False, allow_blank=True, default=""
    )
    nda_required = serializers.BooleanField(default=False)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        count = attrs.pop("equal_prizes", None)
        if count is not None:
            if attrs.get("prizes"):
                raise serializers.ValidationError(
                    {"prizes": ["Give either a ladder or a number of equal prizes."]}
                )
            if attrs["prize_total"] % count:
                raise serializers.ValidationError(
                    {"equal_prizes": ["The total does not divide into that many equal prizes."]}
                )
            attrs["prizes"] = [attrs["prize_total"] // count] * count
        attrs.setdefault("prizes", [])
        return attrs


class ContestCollectionApi(APIView):
    @extend_schema(
        tags=TAG,
        request=ContestCreateInputSerializer,
        responses=with_errors({201: ContestOutputSerializer}, 400, 403, 404),
        description="Write a draft contest (a task with mode contest): the prize ladder must "
        "add up to the prize you fund, the criteria weights to 100, the phases in order.",
    )
    def post(self, request: Request) -> Response:
        data = validated(ContestCreateInputSerializer, request.data)
        organization = organization_get_for_user(
            user=request.user, organization_id=data.pop("organization")
        )
        contest = services.contest_create(
            actor=request.user,
            organization=organization,
            skills=dict.fromkeys(data.pop("skills"), 3),
            criteria=[(c["name"], c["weight"]) for c in data.pop("criteria")],
            **data,
        )
        return Response(contest_data(user=request.user, contest=contest), status=201)


def _contest(request: Request, task_id: int) -> Contest:
    return selectors.contest_get_for_user(user=request.user, task_id=task_id)


class ContestDetailApi(APIView):
    permission_classes = [IsAuthenticatedOrReadOnly]

    @extend_schema(
        tags=TAG,
        responses=with_errors({200: ContestOutputSerializer}, 404),
        description="The contest of a task: phases, prize ladder, criteria, participant "
        "count, winners once public, and what you may do.",
    )
    def get(self, request: Request, task_id: int) -> Response:
        return Response(contest_data(user=request.user, contest=_contest(request, task_id)))


class ContestSubmitApi(APIView):
    @extend_schema(
        tags=TAG,
        request=None,
        responses=with_errors({200: ContestOutputSerializer}, 400, 403, 404, 409),
        description="The poster finishes the draft: it waits for the prize funding.",
    )
    def post(self, request: Request, task_id: int) -> Response:
        contest = services.contest_submit(actor=request.user, contest=_contest(request, task_id))
        return Response(contest_data(user=request.user, contest=contest))


class ContestFundingOutputSerializer(serializers.Serializer):
    payment_id = serializers.IntegerField()
    status = serializers.CharField()
    amount = serializers.IntegerField()
    client_secret = serializers.CharField(allow_blank=True)
    contest = ContestOutputSerializer()


class ContestFundApi(APIView):
    @extend_schema(
        tags=TAG,
        request=None,
        responses=with_errors({200: ContestFundingOutputSerializer}, 403, 404, 409),
        description="Pay the whole prize into the task's pool. The sandbox pays at once and "
        "the contest opens; with Stripe, confirm the PaymentIntent with client_secret.",
    )
    def post(self, request: Request, task_id: int) -> Response:
        contest = _contest(request, task_id)
        payment = services.contest_fund_start(actor=request.user, contest=contest)
        contest.refresh_from_db()
        return Response(
            {
                "payment_id": payment.pk,
                "status": payment.status,
                "amount": payment.amount,
                "client_secret": getattr(payment, "client_secret", "") or "",
                "contest": contest_data(user=request.user, contest=contest),
            }
        )


class ContestRegisterApi(APIView):
    @extend_schema(
        tags=TAG,
        request=None,
        responses=with_errors({201: EntryOutputSerializer}, 403, 404, 409),
        description="Register your provider profile (the bid eligibility rules apply).",
    )
    def post(self, request: Request, task_id: int) -> Response:
        entry = services.contest_register(actor=request.user, contest=_contest(request, task_id))
        return Response(EntryOutputSerializer(entry).data, status=status.HTTP_201_CREATED)


class SubmissionCreateInputSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=120)
    note = serializers.CharField(max_length=8000)
    files = serializers.ListField(child=serializers.FileField(), max_length=10, min_length=1)


class ContestSubmissionsApi(APIView):
    pagination_class = Pagination
    parser_classes = [MultiPartParser, FormParser, JSONParser]

    @extend_schema(
        tags=TAG,
        responses=with_errors({200: SubmissionOutputSerializer(many=True)}, 404),
        description="Submissions you may read: your own; all of them for the poster's side "
        "(after submissions close when blind) and reviewers in review. Sealed from rivals.",
    )
    def get(self, request: Request, task_id: int) -> Response:
        subs = selectors.contest_submissions_for_user(
            user=request.user, contest=_contest(request, task_id)
        )
        return paginated_response(
            serializer_class=SubmissionOutputSerializer, queryset=subs, request=request, view=self
        )

    @extend_schema(
        tags=TAG,
        request={"multipart/form-data": SubmissionCreateInputSerializer},
        responses=with_errors({201: SubmissionOutputSerializer}, 400, 403, 404, 409),
        description="Your one submission, before submissions close. Files are checked by "
        "content, and each one's SHA-256 and time received are recorded.",
    )
    def post(self, request: Request, task_id: int) -> Response:
        contest = _contest(request, task_id)
        data = validated(SubmissionCreateInputSerializer, request.data)
        sub = services.contest_submission_create(actor=request.user, contest=contest, **data)
        return Response(SubmissionOutputSerializer(sub).data, status=status.HTTP_201_CREATED)


class ReviewerInputSerializer(serializers.Serializer):
    email = serializers.EmailField(help_text="A member of yours, or an outside expert.")


class ContestReviewersApi(APIView):
    pagination_class = Pagination

    @extend_schema(
        tags=TAG,
        responses=with_errors({200: ReviewerOutputSerializer(many=True)}, 404),
        description="The contest's reviewers (the poster's side and the reviewers see them).",
    )
    def get(self, request: Request, task_id: int) -> Response:
        contest = _contest(request, task_id)
        caps = selectors.contest_capabilities(user=request.user, contest=contest)
        if not (caps.member or caps.reviewer):
            raise NotFound(_not_visible())
        return paginated_response(
            serializer_class=ReviewerOutputSerializer,
            queryset=selectors.contest_reviewers(contest=contest),
            request=request,
            view=self,
        )

    @extend_schema(
        tags=TAG,
        request=ReviewerInputSerializer,
        responses=with_errors({201: ReviewerOutputSerializer}, 400, 403, 404, 409),
        description="Add a reviewer: a member is one at once; an expert accepts the role "
        "(and the task's NDA) first.",
    )
    def post(self, request: Request, task_id: int) -> Response:
        contest = _contest(request, task_id)
        data = validated(ReviewerInputSerializer, request.data)
        reviewer = services.contest_reviewer_add(
            actor=request.user,
            contest=contest,
            user=selectors.reviewer_candidate_by_email(email=data["email"]),
        )
        return Response(ReviewerOutputSerializer(reviewer).data, status=status.HTTP_201_CREATED)


def _not_visible() -> str:
    from django.utils.translation import gettext as _

    return _("This contest does not exist or is not visible to you.")


class ContestReviewerAcceptApi(APIView):
    @extend_schema(
        tags=TAG,
        request=None,
        responses=with_errors({200: ReviewerOutputSerializer}, 403, 404, 409),
        description="An invited expert accepts the reviewer role and the task's NDA.",
    )
    def post(self, request: Request, task_id: int) -> Response:
        contest = _contest(request, task_id)
        invitation = selectors.reviewer_invitation_for(user=request.user, contest=contest)
        if invitation is None:
            raise NotFound(_not_visible())
        reviewer = services.contest_reviewer_accept(actor=request.user, reviewer=invitation)
        return Response(ReviewerOutputSerializer(reviewer).data)


class ScoreInputSerializer(serializers.Serializer):
    criterion = StrictIntegerField()
    value = StrictIntegerField(min_value=0, max_value=100)


class ScorecardInputSerializer(serializers.Serializer):
    submission = StrictIntegerField()
    scores = serializers.ListField(child=ScoreInputSerializer(), max_length=10, min_length=1)
    comment = serializers.CharField(max_length=4000, required=False, allow_blank=True, default="")


class ContestScorecardsApi(APIView):
    pagination_class = Pagination

    @extend_schema(
        tags=TAG,
        responses=with_errors({200: ScorecardOutputSerializer(many=True)}, 404),
        description="Your own scorecards; everyone's once all are in.",
    )
    def get(self, request: Request, task_id: int) -> Response:
        cards = selectors.scorecards_for_user(user=request.user, contest=_contest(request, task_id))
        return paginated_response(
            serializer_class=ScorecardOutputSerializer, queryset=cards, request=request, view=self
        )

    @extend_schema(
        tags=TAG,
        request=ScorecardInputSerializer,
        responses=with_errors({201: ScorecardOutputSerializer}, 400, 403, 404, 409),
        description="A reviewer scores one submission (0-100 per criterion), once.",
    )
    def post(self, request: Request, task_id: int) -> Response:
        contest = _contest(request, task_id)
        data = validated(ScorecardInputSerializer, request.data)
        card = services.scorecard_submit(
            actor=request.user,
            contest=contest,
            submission_id=data["submission"],
            scores={s["criterion"]: s["value"] for s in data["scores"]},
            comment=data["comment"],
        )
        return Response(ScorecardOutputSerializer(card).data, status=status.HTTP_201_CREATED)


class ContestRankingApi(APIView):
    pagination_class = Pagination

    @extend_schema(
        tags=TAG,
        responses=with_errors({200: RankRowOutputSerializer(many=True)}, 404),
        description="The computed ranking (weighted average of the scorecards), for the "
        "poster's side and reviewers once every scorecard is in.",
    )
    def get(self, request: Request, task_id: int) -> Response:
        contest = _contest(request, task_id)
        caps = selectors.contest_capabilities(user=request.user, contest=contest)
        if not (caps.member or caps.accepted_reviewer or caps.decider):
            raise NotFound(_not_visible())
        complete = selectors.scorecards_complete(contest=contest)
        rows = (
            selectors.contest_ranking(contest=contest)
            if complete or timezone.now() >= contest.review_closes
            else []
        )
        return paginated_response(
            serializer_class=RankRowOutputSerializer, queryset=rows, request=request, view=self
        )


class WinnersInputSerializer(serializers.Serializer):
    submissions = serializers.ListField(
        child=StrictIntegerField(), max_length=20, help_text="Submission ids, 1st place first."
    )
    reason = serializers.CharField(
        max_length=4000,
        required=False,
        allow_blank=True,
        default="",
        help_text="Required when the order differs from the computed ranking.",
    )


class ContestWinnersApi(APIView):
    @extend_schema(
        tags=TAG,
        request=WinnersInputSerializer,
        responses=with_errors({200: ContestOutputSerializer}, 400, 403, 404, 409),
        description="The poster confirms the winners: they become public for the objection "
        "window, then are paid at the announcement.",
    )
    def post(self, request: Request, task_id: int) -> Response:
        contest = _contest(request, task_id)
        data = validated(WinnersInputSerializer, request.data)
        services.contest_winners_confirm(
            actor=request.user,
            contest=contest,
            submission_ids=data["submissions"],
            reason=data["reason"],
        )
        return Response(contest_data(user=request.user, contest=contest))


class ObjectionInputSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=4000)


class ContestObjectionsApi(APIView):
    pagination_class = Pagination

    @extend_schema(
        tags=TAG,
        responses=with_errors({200: ObjectionOutputSerializer(many=True)}, 404),
        description="Objections: all for the poster's side and deciders, your own otherwise.",
    )
    def get(self, request: Request, task_id: int) -> Response:
        objections = selectors.contest_objections_for_user(
            user=request.user, contest=_contest(request, task_id)
        )
        return paginated_response(
            serializer_class=ObjectionOutputSerializer,
            queryset=objections,
            request=request,
            view=self,
        )

    @extend_schema(
        tags=TAG,
        request=ObjectionInputSerializer,
        responses=with_errors({201: ObjectionOutputSerializer}, 400, 403, 404, 409),
        description="A participant objects to the provisional winners, with a reason, during "
        "the objection window. The prize pool freezes until it is decided.",
    )
    def post(self, request: Request, task_id: int) -> Response:
        contest = _contest(request, task_id)
        data = validated(ObjectionInputSerializer, request.data)
        objection = services.objection_file(
            actor=request.user, contest=contest, reason=data["reason"]
        )
        return Response(ObjectionOutputSerializer(objection).data, status=status.HTTP_201_CREATED)


class ObjectionDecisionInputSerializer(serializers.Serializer):
    upheld = serializers.BooleanField()
    note = serializers.CharField(max_length=4000)


class ObjectionDecideApi(APIView):
    @extend_schema(
        tags=TAG,
        request=ObjectionDecisionInputSerializer,
        responses=with_errors({200: ObjectionOutputSerializer}, 400, 403, 404, 409),
        description="A moderator or mediator decides an objection. Upheld: the contest goes "
        "back to review; dismissed: the payout goes ahead at the announcement.",
    )
    def post(self, request: Request, objection_id: int) -> Response:
        if not selectors.user_decides_objections(request.user):
            raise NotAllowed(_decider_only())
        objection = Objection.objects.filter(pk=objection_id).first()
        if objection is None:
            raise NotFound(_not_visible())
        data = validated(ObjectionDecisionInputSerializer, request.data)
        objection = services.objection_decide(
            actor=request.user, objection=objection, upheld=data["upheld"], note=data["note"]
        )
        return Response(ObjectionOutputSerializer(objection).data)


def _decider_only() -> str:
    from django.utils.translation import gettext as _

    return _("Only moderators and mediators decide objections.")
