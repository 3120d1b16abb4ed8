from django.urls import path

from bids.api import views

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
]
