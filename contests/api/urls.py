from django.urls import path

from contests.api import views

app_name = "contests-api"

urlpatterns = [
    path("contests/", views.ContestCollectionApi.as_view(), name="contest-list"),
    path("contests/<int:task_id>/", views.ContestDetailApi.as_view(), name="contest-detail"),
    path("contests/<int:task_id>/submit/", views.ContestSubmitApi.as_view(), name="contest-submit"),
    path("contests/<int:task_id>/fund/", views.ContestFundApi.as_view(), name="contest-fund"),
    path(
        "contests/<int:task_id>/register/",
        views.ContestRegisterApi.as_view(),
        name="contest-register",
    ),
    path(
        "contests/<int:task_id>/submissions/",
        views.ContestSubmissionsApi.as_view(),
        name="contest-submissions",
    ),
    path(
        "contests/<int:task_id>/reviewers/",
        views.ContestReviewersApi.as_view(),
        name="contest-reviewers",
    ),
    path(
        "contests/<int:task_id>/reviewers/accept/",
        views.ContestReviewerAcceptApi.as_view(),
        name="contest-reviewer-accept",
    ),
    path(
        "contests/<int:task_id>/scorecards/",
        views.ContestScorecardsApi.as_view(),
        name="contest-scorecards",
    ),
    path(
        "contests/<int:task_id>/ranking/",
        views.ContestRankingApi.as_view(),
        name="contest-ranking",
    ),
    path(
        "contests/<int:task_id>/winners/",
        views.ContestWinnersApi.as_view(),
        name="contest-winners",
    ),
    path(
        "contests/<int:task_id>/objections/",
        views.ContestObjectionsApi.as_view(),
        name="contest-objections",
    ),
    path(
        "contest-objections/<int:objection_id>/decide/",
        views.ObjectionDecideApi.as_view(),
        name="contest-objection-decide",
    ),
]
