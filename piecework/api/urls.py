from django.urls import path

from piecework.api import views

app_name = "piecework-api"

urlpatterns = [
    path("piecework/", views.PieceworkCollectionApi.as_view(), name="piecework-list"),
    path("piecework/deliveries/mine/", views.MyDeliveriesApi.as_view(), name="my-deliveries"),
    path("piecework/<int:task_id>/", views.PieceworkDetailApi.as_view(), name="piecework-detail"),
    path(
        "piecework/<int:task_id>/submit/",
        views.PieceworkSubmitApi.as_view(),
        name="piecework-submit",
    ),
    path("piecework/<int:task_id>/fund/", views.PieceworkFundApi.as_view(), name="piecework-fund"),
    path(
        "piecework/<int:task_id>/claims/",
        views.PieceworkClaimsApi.as_view(),
        name="piecework-claims",
    ),
    path(
        "piecework/<int:task_id>/deliveries/",
        views.PieceworkDeliveriesApi.as_view(),
        name="piecework-deliveries",
    ),
    path(
        "piecework/<int:task_id>/close/", views.PieceworkCloseApi.as_view(), name="piecework-close"
    ),
    path(
        "piecework/deliveries/<int:delivery_id>/accept/",
        views.UnitAcceptApi.as_view(),
        name="unit-accept",
    ),
    path(
        "piecework/deliveries/<int:delivery_id>/reject/",
        views.UnitRejectApi.as_view(),
        name="unit-reject",
    ),
]
