"""The negotiation over REST: everything the websocket does, for API clients, pages without
JavaScript and moments when Redis is down (the sockets then catch up by sequence number)."""

from __future__ import annotations

from typing import Any

from django.http import FileResponse
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from bids import selectors as bid_selectors
from bids.models import NegotiationMessage, Offer, Side
from bids.negotiation import selectors, services
from bids.negotiation.services import Posted
from marketplace.api import (
    AnyAcceptNegotiation,
    FenField,
    Pagination,
    StrictIntegerField,
    paginate,
    paginated,
    validated,
    with_errors,
)
from marketplace.errors import NotFound
from marketplace.files import file_download
from marketplace.terms import MilestoneTerms

TAG = ["negotiation"]


# --- outputs --------------------------------------------------------------------------------------


class OfferMilestoneOutputSerializer(serializers.Serializer):
    title = serializers.CharField()
    amount = serializers.IntegerField(help_text="In minor units (fen).")
    amount_display = serializers.CharField()
    due_days = serializers.IntegerField()
    description = serializers.CharField()


class OfferOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    side = serializers.ChoiceField(choices=Side.choices)
    made_by = serializers.CharField()
    amount = serializers.IntegerField(help_text="In minor units (fen).")
    currency = serializers.CharField()
    amount_display = serializers.CharField()
    duration_days = serializers.IntegerField()
    milestones = OfferMilestoneOutputSerializer(many=True)
    note = serializers.CharField()
    status = serializers.ChoiceField(choices=Offer.Status.choices)
    status_display = serializers.CharField()
    created_at = serializers.CharField()
    responded_at = serializers.CharField(allow_null=True)


class MessageFileOutputSerializer(serializers.Serializer):
    name = serializers.CharField()
    size = serializers.IntegerField()
    content_type = serializers.CharField()
    url = serializers.CharField(help_text="Download it here (the thread's two sides only).")


class MessageOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    thread = serializers.IntegerField()
    seq = serializers.IntegerField(help_text="Numbered 1, 2, 3... within the thread.")
    kind = serializers.ChoiceField(choices=NegotiationMessage.Kind.choices)
    side = serializers.ChoiceField(choices=Side.choices)
    sender_id = serializers.IntegerField()
    sender = serializers.CharField()
    client_id = serializers.CharField()
    body = serializers.CharField()
    offer = OfferOutputSerializer(allow_null=True)
    file = MessageFileOutputSerializer(allow_null=True)
    hidden = serializers.BooleanField(
        help_text="A moderator hid it: body, file and offer note are withheld from the two sides."
    )
    hidden_reason = serializers.CharField(help_text="The moderator's reason; empty if shown.")
    created_at = serializers.CharField()


class PostedOutputSerializer(serializers.Serializer):
    created = serializers.BooleanField(
        help_text="False when this client_id was already stored: the earlier message is returned."
    )
    message = MessageOutputSerializer()


class TermsOutputSerializer(serializers.Serializer):
    amount = serializers.IntegerField(help_text="In minor units (fen).")
    currency = serializers.CharField()
    amount_display = serializers.CharField()
    duration_days = serializers.IntegerField()
    revision = serializers.IntegerField()
    agreed_offer = serializers.IntegerField(
        allow_null=True, help_text="The accepted offer these terms came from, if any."
    )
    milestones = OfferMilestoneOutputSerializer(many=True)


class ThreadOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    bid = serializers.IntegerField()
    task = serializers.IntegerField()
    task_title = serializers.CharField()
    poster = serializers.CharField()
    provider = serializers.CharField()
    last_seq = serializers.IntegerField()
    read_to = serializers.IntegerField(help_text="Your read marker.")
    unread = serializers.IntegerField(help_text="Messages from others after your read marker.")
    last_message_at = serializers.CharField(allow_null=True)
    side = serializers.CharField(help_text="Your side: poster or provider.")
    can_write = serializers.BooleanField(help_text="False once the bid is no longer live.")
    can_accept = serializers.BooleanField()
    terms = TermsOutputSerializer(help_text="The bid's current terms (what an award uses).")
    latest_offer = OfferOutputSerializer(allow_null=True)
    websocket = serializers.CharField(help_text="The path of the live socket of this thread.")


class ThreadListItemOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    bid = serializers.IntegerField(source="bid_id")
    task = serializers.IntegerField(source="bid.task_id")
    task_title = serializers.CharField(source="bid.task.title")
    poster = serializers.CharField(source="bid.task.organization.name")
    provider = serializers.CharField(source="bid.provider.display_name")
    bid_status = serializers.CharField(source="bid.status")
    last_seq = serializers.IntegerField()
    read_to = serializers.IntegerField(help_text="Your read marker.")
    unread = serializers.IntegerField(help_text="Messages from others after your read marker.")
    last_message_at = serializers.DateTimeField(allow_null=True)


class ReadOutputSerializer(serializers.Serializer):
    read_to = serializers.IntegerField()


class MessagePageOutputSerializer(serializers.Serializer):
    messages = MessageOutputSerializer(many=True)
    more = serializers.BooleanField(help_text="Ask again after the last seq for the rest.")
    last_seq = serializers.IntegerField()


def thread_data(*, user: Any, thread_id: int) -> dict[str, Any]:
    thread, capabilities = selectors.thread_get_for_user(user=user, thread_id=thread_id)
    inbox = selectors.threads_for_user(user=user).filter(pk=thread.pk).first()
    latest = selectors.offer_latest(thread=thread)
    bid = thread.bid
    return {
        "id": thread.pk,
        "bid": bid.pk,
        "task": bid.task_id,
        "task_title": bid.task.title,
        "poster": bid.task.organization.name,
        "provider": bid.provider.display_name,
        "last_seq": thread.last_seq,
        "read_to": getattr(inbox, "read_to", 0),
        "unread": getattr(inbox, "unread", 0),
        "last_message_at": thread.last_message_at.isoformat() if thread.last_message_at else None,
        "side": capabilities.side,
        "can_write": capabilities.negotiate,
        "can_accept": capabilities.accept_offer,
        "terms": selectors.bid_terms_payload(bid),
        "latest_offer": selectors.offer_payload(latest) if latest else None,
        "websocket": f"/ws/negotiations/{thread.pk}/",
    }


def _posted(posted: Posted) -> Response:
    data = {"created": posted.created, "message": selectors.message_payload(posted.message)}
    return Response(
        PostedOutputSerializer(data).data,
        status=status.HTTP_201_CREATED if posted.created else status.HTTP_200_OK,
    )


# --- inputs ---------------------------------------------------------------------------------------

CLIENT_ID_HELP = (
    "Your id for this message (a UUID; letters, digits, - and _). Sent again, the message is "
    "stored once and the first copy is returned."
)


class MessageInputSerializer(serializers.Serializer):
    body = serializers.CharField(max_length=services.BODY_MAX)
    client_id = serializers.CharField(
        max_length=64, required=False, allow_blank=True, default="", help_text=CLIENT_ID_HELP
    )


class FileInputSerializer(serializers.Serializer):
    file = serializers.FileField()
    body = serializers.CharField(
        max_length=services.BODY_MAX, required=False, allow_blank=True, default=""
    )
    client_id = serializers.CharField(
        max_length=64, required=False, allow_blank=True, default="", help_text=CLIENT_ID_HELP
    )


class OfferMilestoneInputSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=120)
    amount = FenField()
    due_days = StrictIntegerField(help_text="Due this many days after the start.")
    description = serializers.CharField(
        max_length=2000, required=False, allow_blank=True, default=""
    )


class OfferInputSerializer(serializers.Serializer):
    amount = FenField(help_text="The whole price in fen; the milestones must add up to it.")
    duration_days = StrictIntegerField()
    milestones = serializers.ListField(child=OfferMilestoneInputSerializer(), max_length=50)
    note = serializers.CharField(
        max_length=services.NOTE_MAX, required=False, allow_blank=True, default=""
    )
    client_id = serializers.CharField(
        max_length=64, required=False, allow_blank=True, default="", help_text=CLIENT_ID_HELP
    )


class OfferAnswerInputSerializer(serializers.Serializer):
    note = serializers.CharField(
        max_length=services.NOTE_MAX, required=False, allow_blank=True, default=""
    )


class ReadInputSerializer(serializers.Serializer):
    seq = StrictIntegerField(min_value=0, help_text="The last message you have read.")


class MessagesQuerySerializer(serializers.Serializer):
    after = serializers.IntegerField(min_value=0, required=False, default=0)
    limit = serializers.IntegerField(
        min_value=1, max_value=selectors.PAGE_MAX, required=False, default=100
    )


# --- views ----------------------------------------------------------------------------------------


class BidThreadApi(APIView):
    @extend_schema(
        tags=TAG,
        responses=with_errors({200: ThreadOutputSerializer}, 404),
        description="The bid's negotiation thread (its two sides only); 404 until one is opened.",
    )
    def get(self, request: Request, bid_id: int) -> Response:
        bid = bid_selectors.bid_get_for_user(user=request.user, bid_id=bid_id)
        thread = selectors.thread_of_bid(bid=bid)
        if thread is None:
            raise NotFound(_("This bid has no negotiation yet."), code="no_thread")
        return Response(
            ThreadOutputSerializer(thread_data(user=request.user, thread_id=thread.pk)).data
        )

    @extend_schema(
        tags=TAG,
        request=None,
        responses=with_errors(
            {200: ThreadOutputSerializer, 201: ThreadOutputSerializer}, 403, 404, 409
        ),
        description="Open the bid's one thread (either side, while the bid is live); an "
        "existing thread is returned with 200.",
    )
    def post(self, request: Request, bid_id: int) -> Response:
        bid = bid_selectors.bid_get_for_user(user=request.user, bid_id=bid_id)
        thread, created = services.thread_open(actor=request.user, bid=bid)
        return Response(
            ThreadOutputSerializer(thread_data(user=request.user, thread_id=thread.pk)).data,
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )


class ThreadListApi(APIView):
    pagination_class = Pagination

    @extend_schema(
        tags=TAG,
        responses=with_errors({200: ThreadListItemOutputSerializer(many=True)}, 403),
        description="Your inbox: every negotiation you speak in, most recent first, with "
        "your unread count.",
    )
    def get(self, request: Request) -> Response:
        threads = selectors.threads_for_user(user=request.user)
        paginator, page = paginate(view=self, request=request, queryset=threads)
        return paginated(paginator, ThreadListItemOutputSerializer(page, many=True).data)


class ThreadDetailApi(APIView):
    @extend_schema(
        tags=TAG,
        responses=with_errors({200: ThreadOutputSerializer}, 404),
        description="One negotiation: the bid's current terms, the latest offer, your unread "
        "count.",
    )
    def get(self, request: Request, thread_id: int) -> Response:
        return Response(
            ThreadOutputSerializer(thread_data(user=request.user, thread_id=thread_id)).data
        )


class ThreadMessagesApi(APIView):
    @extend_schema(
        tags=TAG,
        parameters=[MessagesQuerySerializer],
        responses=with_errors({200: MessagePageOutputSerializer}, 400, 404),
        description="The messages numbered after `after`, in order: what a reconnecting client "
        "missed. At most `limit` (200); `more` says whether to ask again.",
    )
    def get(self, request: Request, thread_id: int) -> Response:
        thread, _capabilities = selectors.thread_get_for_user(
            user=request.user, thread_id=thread_id
        )
        query = validated(MessagesQuerySerializer, request.query_params.dict())
        found = selectors.messages_after(
            thread=thread, after=query["after"], limit=query["limit"] + 1
        )
        data = {
            "messages": [selectors.message_payload(m) for m in found[: query["limit"]]],
            "more": len(found) > query["limit"],
            "last_seq": thread.last_seq,
        }
        return Response(MessagePageOutputSerializer(data).data)

    @extend_schema(
        tags=TAG,
        request=MessageInputSerializer,
        responses=with_errors(
            {201: PostedOutputSerializer, 200: PostedOutputSerializer}, 400, 404, 409, 429
        ),
        description="Post a message (stored, numbered, then broadcast to the thread's sockets). "
        "The same client_id again returns the stored message with 200.",
    )
    def post(self, request: Request, thread_id: int) -> Response:
        thread, _capabilities = selectors.thread_get_for_user(
            user=request.user, thread_id=thread_id
        )
        data = validated(MessageInputSerializer, request.data)
        return _posted(
            services.message_post(
                actor=request.user, thread=thread, body=data["body"], client_id=data["client_id"]
            )
        )


class ThreadFilesApi(APIView):
    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(
        tags=TAG,
        request={"multipart/form-data": FileInputSerializer},
        responses=with_errors(
            {201: PostedOutputSerializer, 200: PostedOutputSerializer}, 400, 404, 409, 429
        ),
        description="Post a file, checked by its content like every upload (PDF, images, "
        "office documents, archives, drawings; 10 MB).",
    )
    def post(self, request: Request, thread_id: int) -> Response:
        thread, _capabilities = selectors.thread_get_for_user(
            user=request.user, thread_id=thread_id
        )
        data = validated(FileInputSerializer, request.data)
        return _posted(
            services.message_file_post(
                actor=request.user,
                thread=thread,
                upload=data["file"],
                body=data["body"],
                client_id=data["client_id"],
            )
        )


class ThreadOffersApi(APIView):
    @extend_schema(
        tags=TAG,
        request=OfferInputSerializer,
        responses=with_errors(
            {201: PostedOutputSerializer, 200: PostedOutputSerializer}, 400, 404, 409, 429
        ),
        description="Make an offer or a counter-offer (amount, days, milestones in fen). It "
        "becomes the thread's one open offer; an earlier open one is superseded.",
    )
    def post(self, request: Request, thread_id: int) -> Response:
        thread, _capabilities = selectors.thread_get_for_user(
            user=request.user, thread_id=thread_id
        )
        data = validated(OfferInputSerializer, request.data)
        return _posted(
            services.offer_make(
                actor=request.user,
                thread=thread,
                amount=data["amount"],
                duration_days=data["duration_days"],
                milestones=[
                    MilestoneTerms(
                        title=m["title"],
                        amount=m["amount"],
                        due_days=m["due_days"],
                        description=m["description"],
                    )
                    for m in data["milestones"]
                ],
                note=data["note"],
                client_id=data["client_id"],
            )
        )


class ThreadReadApi(APIView):
    @extend_schema(
        tags=TAG,
        request=ReadInputSerializer,
        responses=with_errors({200: ReadOutputSerializer}, 400, 404),
        description="Move your read marker forward (unread counts are per person).",
    )
    def post(self, request: Request, thread_id: int) -> Response:
        thread, _capabilities = selectors.thread_get_for_user(
            user=request.user, thread_id=thread_id
        )
        data = validated(ReadInputSerializer, request.data)
        seq = services.thread_mark_read(actor=request.user, thread=thread, seq=data["seq"])
        return Response(ReadOutputSerializer({"read_to": seq}).data)


class OfferAcceptApi(APIView):
    @extend_schema(
        tags=TAG,
        request=None,
        responses=with_errors({201: PostedOutputSerializer}, 403, 404, 409),
        description="Accept the other side's latest offer: its terms become the bid's, and the "
        "award makes the contract from them. A superseded or answered offer is refused (409, "
        "code stale_offer).",
    )
    def post(self, request: Request, offer_id: int) -> Response:
        offer = selectors.offer_get_for_user(user=request.user, offer_id=offer_id)
        return _posted(services.offer_accept(actor=request.user, offer=offer))


class OfferDeclineApi(APIView):
    @extend_schema(
        tags=TAG,
        request=OfferAnswerInputSerializer,
        responses=with_errors({201: PostedOutputSerializer}, 400, 403, 404, 409),
        description="Decline the other side's latest offer; the bid's terms stay.",
    )
    def post(self, request: Request, offer_id: int) -> Response:
        offer = selectors.offer_get_for_user(user=request.user, offer_id=offer_id)
        data = validated(OfferAnswerInputSerializer, request.data)
        return _posted(services.offer_decline(actor=request.user, offer=offer, note=data["note"]))


class NegotiationFileApi(APIView):
    content_negotiation_class = AnyAcceptNegotiation

    @extend_schema(
        tags=TAG,
        responses=with_errors(
            {
                (200, "application/octet-stream"): OpenApiResponse(
                    OpenApiTypes.BINARY,
                    description="The file under its original name, with the content type "
                    "detected from its content.",
                )
            },
            404,
        ),
        description="Download a file posted in a negotiation (its two sides only).",
    )
    def get(self, request: Request, message_id: int) -> FileResponse:
        message = selectors.negotiation_file_get_for_user(user=request.user, message_id=message_id)
        return file_download(
            stored=message.file, name=message.file_name, content_type=message.file_content_type
        )
