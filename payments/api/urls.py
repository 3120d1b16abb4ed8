from django.urls import path

from payments.api import views

app_name = "payments-api"

urlpatterns = [
    path(
        "contracts/<int:contract_id>/fund/",
        views.EscrowFundApi.as_view(),
        name="contract-fund",
    ),
]
