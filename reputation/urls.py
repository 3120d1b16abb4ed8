from django.urls import path

from reputation import api

app_name = "reputation-api"

urlpatterns = [
    path("me/credit/", api.MyCreditApi.as_view(), name="my-credit"),
]
