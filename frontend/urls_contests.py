"""Pages of the contests part of the web app (joined into the frontend namespace)."""

from django.urls import URLPattern, path

from frontend.views import contests

urlpatterns: list[URLPattern] = [
    path("contests/new/", contests.contest_create, name="contest_create"),
    path("tasks/<int:task_id>/contest/", contests.contest_detail, name="contest_detail"),
    path(
        "tasks/<int:task_id>/contest/do/<slug:action>/",
        contests.contest_action,
        name="contest_action",
    ),
    path("tasks/<int:task_id>/contest/submit/", contests.contest_submit, name="contest_submit"),
    path("tasks/<int:task_id>/contest/review/", contests.contest_review, name="contest_review"),
    path(
        "tasks/<int:task_id>/contest/winners/",
        contests.contest_publicity,
        name="contest_publicity",
    ),
]
