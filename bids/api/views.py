"""Bids: who may bid, the sealed-bid summary, placing and revising, the poster's decisions."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import ProviderProfile
from accounts.selectors import (
    provider_profile_for_user,
    provider_profile_get_for_user,
    provider_profiles_operated_by,
)
from bids import selectors, services
from bids.api.serializers import (
    BidDetailOutputSerializer,
    BidOutputSerializer,
    BidSummaryOutputSerializer,
    EligibilityOutputSerializer,
)
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
from marketplace.db import fill_related
from marketplace.errors import NotAllowed
from marketplace.terms import MilestoneTerms
from tasks.selectors import task_get_for_user

TAG = ["bids"]

# Hot paths (tests/test_hot_path_budgets.py): SQL statements and Redis commands a request
# may take, savepoints and the Celery broker included.
BUDGETS = {
    # 15 → 11: the black list in one statement (black_list_entry_for_bidder), "may the user act
    # for this profile" from the memberships in hand (no operated-profiles query), and the
    # duplicate bid left to the constraint (no savepoint around the insert).
    "place": Budget(queries=11, redis=3),
    # 14 → 12 and 12 → 10: the bid is read once, locked, by the service (the view no longer
    # reads it first), and the bidder is decided from the locked bid's provider.
    "revise": Budget(queries=12, redis=3),
    "withdraw": Budget(queries=10, redis=2),
}


def _bid_detail(*, user: Any, bid_id: int) -> Any:
    bid = selectors.bid_get_for_user(user=user, bid_id=bid_id)
    return BidDetailOutputSerializer(bid).data


def _bid_detail_of(bid: Any) -> Any:
    """The detail of a bid a service has just changed, from the rows it holds: its task and
    provider came locked with it, its milestones were just written, so only the history is
    read (when the service did not leave it in hand)."""
    if "revisions" not in getattr(bid, "_prefetched_objects_cache", {}):
        fill_related(bid, "revisions", bid.revisions.order_by("revision"))
    if "milestones" not in bid._prefetched_objects_cache:
        fill_related(bid, "milestones", bid.milestones.order_by("position"))
    return BidDetailOutputSerializer(bid).data


# --- inputs ---------------------------------------------------------------------------------------


class EligibilityQuerySerializer(serializers.Serializer):
    provider = serializers.IntegerField(
        required=False,
        default=None,
        help_text="A provider profile you act for (a micro-firm's); yours when left out.",
    )


class BidMilestoneInputSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=120)
    amount = FenField()
    due_days = StrictIntegerField(help_text="Due this many days after the start.")
    description = serializers.CharField(
        max_length=2000, required=False, allow_blank=True, default=""
    )


class BidTermsInputSerializer(serializers.Serializer):
    amount = FenField(help_text="The whole bid in fen; the milestones must add up to it.")
    duration_days = StrictIntegerField(help_text="Days the work takes from the start.")
    proposal = serializers.CharField(max_length=20000)
    milestones = serializers.ListField(child=BidMilestoneInputSerializer(), max_length=50)


class BidPlaceInputSerializer(BidTermsInputSerializer):
    provider = serializers.IntegerField(
        required=False,
        allow_null=True,
        default=None,
        help_text="A provider profile you act for (a micro-firm's); yours when left out.",
    )


class BidRejectInputSerializer(serializers.Serializer):
    note = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")


def _terms(data: dict[str, Any]) -> dict[str, Any]:
    return {
        "amount": data["amount"],
        "duration_days": data["duration_days"],
        "proposal": data["proposal"],
        "milestones": [
            MilestoneTerms(
                title=m["title"],
                amount=m["amount"],
                due_days=m["due_days"],
                description=m["description"],
            )
            for m in data["milestones"]
        ],
    }


def _provider(*, user: Any, provider_id: int | None) -> ProviderProfile:
    """The profile the user bids for: one they act for (404 otherwise). Left out, the same
    default bid_eligibility uses: their own profile, else the first firm they act for."""
    if provider_id is not None:
        return provider_profile_get_for_user(user=user, profile_id=provider_id)
    profile = (
        provider_profile_for_user(user=user)
        or provider_profiles_operated_by(user=user).order_by("pk").first()
    )
    if profile is None:
        raise NotAllowed(
            _("Set up your provider profile before you bid."),
            code="no_provider_profile",
        )
    return profile


# --- views ----------------------------------------------------------------------------------------


class TaskBidEligibilityApi(APIView):
    permission_classes = [AllowAny]

    @extend_schema(
        tags=TAG,
        parameters=[EligibilityQuerySerializer],
        responses=with_errors({200: EligibilityOutputSerializer}, 400, 404),
        description="May I bid on this task, and if not, why not.",
    )
    def get(self, request: Request, task_id: int) -> Response:
        task = task_get_for_user(user=request.user, task_id=task_id)
        query = validated(EligibilityQuerySerializer, request.query_params.dict())
        provider = (
            None
            if query["provider"] is None
            else provider_profile_get_for_user(user=request.user, profile_id=query["provider"])
        )
        verdict = selectors.bid_eligibility(user=request.user, task=task, provider=provider)
        mine = selectors.bid_of_user_for_task(user=request.user, task=task)
        data = {
            "allowed": verdict.allowed,
            "code": verdict.code,
            "reason": verdict.reason,
            "my_bid": None if mine is None else {"id": mine.pk, "status": mine.status},
        }
        return Response(EligibilityOutputSerializer(data).data)


class TaskBidSummaryApi(APIView):
    permission_classes = [AllowAny]

    @extend_schema(
        tags=TAG,
        responses=with_errors({200: BidSummaryOutputSerializer}, 404),
        description="How many live bids the task has. The exact range of amounts for the "
        "poster's members; a range rounded to two significant figures for live bidders once "
        "there are three live bids, so no competing amount can be read from it.",
    )
    def get(self, request: Request, task_id: int) -> Response:
        task = task_get_for_user(user=request.user, task_id=task_id)
        summary = selectors.task_bid_summary(user=request.user, task=task)
        data = {
            "count": summary.count,
            "low": None if summary.low is None else summary.low.amount,
            "high": None if summary.high is None else summary.high.amount,
            "rounded": summary.rounded,
            "currency": task.currency,
        }
        return Response(BidSummaryOutputSerializer(data).data)


class TaskBidCollectionApi(APIView):
    """GET: the poster's members compare the bids (404 for everyone else). POST: bid."""

    pagination_class = Pagination

    @extend_schema(
        tags=TAG,
        responses=with_errors({200: BidOutputSerializer(many=True)}, 404),
        description="Every bid but withdrawn ones, cheapest first: for the poster's members.",
    )
    def get(self, request: Request, task_id: int) -> Response:
        task = task_get_for_user(user=request.user, task_id=task_id)
        bids = selectors.bids_for_poster(user=request.user, task=task)
        paginator, page = paginate(view=self, request=request, queryset=bids)
        return paginated(paginator, BidOutputSerializer(page, many=True).data)

    @extend_schema(
        tags=TAG,
        request=BidPlaceInputSerializer,
        responses=with_errors({201: BidDetailOutputSerializer}, 400, 403, 404, 409),
        description="Place your one live bid (amount and milestones in fen; sealed).",
    )
    def post(self, request: Request, task_id: int) -> Response:
        data = validated(BidPlaceInputSerializer, request.data)
        provider = _provider(user=request.user, provider_id=data["provider"])
        # The service reads the task once: visibility-filtered and locked (404 if hidden).
        bid = services.bid_place(
            actor=request.user, task=task_id, provider=provider, **_terms(data)
        )
        return Response(_bid_detail_of(bid), status=status.HTTP_201_CREATED)


class BidMineListApi(APIView):
    pagination_class = Pagination

    @extend_schema(
        tags=TAG,
        responses=with_errors({200: BidOutputSerializer(many=True)}, 403),
        description="The bids of every provider profile you act for, newest first.",
    )
    def get(self, request: Request) -> Response:
        paginator, page = paginate(
            view=self, request=request, queryset=selectors.bids_of_user(user=request.user)
        )
        return paginated(paginator, BidOutputSerializer(page, many=True).data)


class BidDetailApi(APIView):
    """GET: the bid with its history (bidder and poster's members). PUT: revise it."""

    @extend_schema(
        tags=TAG,
        responses=with_errors({200: BidDetailOutputSerializer}, 404),
        description="The bid and every earlier version of it.",
    )
    def get(self, request: Request, bid_id: int) -> Response:
        return Response(_bid_detail(user=request.user, bid_id=bid_id))

    @extend_schema(
        tags=TAG,
        request=BidTermsInputSerializer,
        responses=with_errors({200: BidDetailOutputSerializer}, 400, 403, 404, 409),
        description="Replace the bid's terms while bidding is open; the old ones stay in "
        "its history.",
    )
    def put(self, request: Request, bid_id: int) -> Response:
        data = validated(BidTermsInputSerializer, request.data)
        # The service reads the bid once, locked and visibility-checked (404 if hidden).
        bid = services.bid_revise(actor=request.user, bid=bid_id, **_terms(data))
        return Response(_bid_detail_of(bid))


class BidWithdrawApi(APIView):
    @extend_schema(
        tags=TAG,
        request=None,
        responses=with_errors({200: BidDetailOutputSerializer}, 403, 404, 409),
        description="The bidder takes the bid back (and may bid again while bidding is open).",
    )
    def post(self, request: Request, bid_id: int) -> Response:
        bid = services.bid_withdraw(actor=request.user, bid=bid_id)
        return Response(_bid_detail_of(bid))


class BidShortlistApi(APIView):
    @extend_schema(
        tags=TAG,
        request=None,
        responses=with_errors({200: BidDetailOutputSerializer}, 403, 404, 409),
        description="A poster's member marks the bid for a closer look.",
    )
    def post(self, request: Request, bid_id: int) -> Response:
        bid = selectors.bid_get_for_user(user=request.user, bid_id=bid_id)
        services.bid_shortlist(actor=request.user, bid=bid)
        return Response(_bid_detail(user=request.user, bid_id=bid_id))


class BidRejectApi(APIView):
    @extend_schema(
        tags=TAG,
        request=BidRejectInputSerializer,
        responses=with_errors({200: BidDetailOutputSerializer}, 400, 403, 404, 409),
        description="The poster's owners and admins decline the bid; the bidder is told.",
    )
    def post(self, request: Request, bid_id: int) -> Response:
        bid = selectors.bid_get_for_user(user=request.user, bid_id=bid_id)
        data = validated(BidRejectInputSerializer, request.data)
        services.bid_reject(actor=request.user, bid=bid, note=data["note"])
        return Response(_bid_detail(user=request.user, bid_id=bid_id))
