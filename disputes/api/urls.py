from django.urls import path

from disputes.api import views

app_name = "disputes-api"

urlpatterns = [
    path("disputes/", views.DisputeListApi.as_view(), name="dispute-list"),
    path("disputes/<int:dispute_id>/", views.DisputeDetailApi.as_view(), name="dispute-detail"),
    path(
        "disputes/<int:dispute_id>/response/",
        views.DisputeRespondApi.as_view(),
        name="dispute-respond",
    ),
    path(
        "disputes/<int:dispute_id>/evidence/",
        views.DisputeEvidenceApi.as_view(),
        name="dispute-evidence",
    ),
    path(
        "disputes/<int:dispute_id>/appeal/", views.DisputeAppealApi.as_view(), name="dispute-appeal"
    ),
    path(
        "milestones/<int:milestone_id>/disputes/",
        views.MilestoneDisputeOpenApi.as_view(),
        name="milestone-dispute-open",
    ),
]
