"""Pages of the tasks part of the web app (joined into the frontend namespace)."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
