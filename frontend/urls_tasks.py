"""Pages of the tasks part of the web app (joined into the frontend namespace)."""

from django.urls import URLPattern, path

from frontend.views import me

urlpatterns: list[URLPattern] = [
    # The header's language switch (saves the choice to the account, then Django's set_language).
    path("language/", me.set_language, name="set_language"),
]
