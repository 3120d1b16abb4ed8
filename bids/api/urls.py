from django.urls import path

from bids.api import negotiation, views

app_name = "bids-api"

urlpatterns = [
    path(
        "tasks/<int:task_id>/eligibility/",
        views.TaskBidEligibilityApi.as_view(),
        name="task-eligibility",
    ),
    path(
        "tasks/<int:task_id>/bid-summary/",
        views.TaskBidSummaryApi.as_view(),
        name="task-bid-summary",
    ),
    path("tasks/<int:task_id>/bids/", views.TaskBidCollectionApi.as_view(), name="task-bids"),
    path("bids/mine/", views.BidMineListApi.as_view(), name="bid-mine"),
    path("bids/<int:bid_id>/", views.BidDetailApi.as_view(), name="bid-detail"),
    path("bids/<int:bid_id>/withdraw/", views.BidWithdrawApi.as_view(), name="bid-withdraw"),
    path("bids/<int:bid_id>/shortlist/", views.BidShortlistApi.as_view(), name="bid-shortlist"),
    path("bids/<int:bid_id>/reject/", views.BidRejectApi.as_view(), name="bid-reject"),
    # Negotiation: one thread per bid, its messages, files and offers.
    path("bids/<int:bid_id>/thread/", negotiation.BidThreadApi.as_view(), name="bid-thread"),
    path("threads/", negotiation.ThreadListApi.as_view(), name="thread-list"),
    path("threads/<int:thread_id>/", negotiation.ThreadDetailApi.as_view(), name="thread-detail"),
    path(
        "threads/<int:thread_id>/messages/",
        negotiation.ThreadMessagesApi.as_view(),
        name="thread-messages",
    ),
    path(
        "threads/<int:thread_id>/files/", negotiation.ThreadFilesApi.as_view(), name="thread-files"
    ),
    path(
        "threads/<int:thread_id>/offers/",
        negotiation.ThreadOffersApi.as_view(),
        name="thread-offers",
    ),
    path("threads/<int:thread_id>/read/", negotiation.ThreadReadApi.as_view(), name="thread-read"),
    path(
        "offers/<int:offer_id>/accept/", negotiation.OfferAcceptApi.as_view(), name="offer-accept"
    ),
    path(
        "offers/<int:offer_id>/decline/",
        negotiation.OfferDeclineApi.as_view(),
        name="offer-decline",
    ),
    path(
        "negotiation-files/<int:message_id>/",
        negotiation.NegotiationFileApi.as_view(),
        name="negotiation-file",
    ),
]
