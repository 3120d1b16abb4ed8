"""Pages of the contracts part of the web app (joined into the frontend namespace)."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
