"""Pages of the piece-work part of the web app (joined into the frontend namespace)."""

from django.urls import URLPattern, path

from frontend.views import piecework

urlpatterns: list[URLPattern] = [
    path("piecework/new/", piecework.piecework_create, name="piecework_create"),
    path("piecework/deliveries/", piecework.my_unit_deliveries, name="piecework_deliveries"),
    path("tasks/<int:task_id>/piecework/", piecework.piecework_detail, name="piecework_detail"),
    path(
        "tasks/<int:task_id>/piecework/do/<slug:action>/",
        piecework.piecework_action,
        name="piecework_action",
    ),
    path(
        "tasks/<int:task_id>/piecework/review/",
        piecework.piecework_review,
        name="piecework_review",
    ),
]
