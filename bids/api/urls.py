from django.urls import path  # noqa: F401

app_name = "bids-api"

urlpatterns: list = []
