"""Payment pages (joined into the frontend namespace)."""

from django.urls import URLPattern, path

from frontend.views import payments

urlpatterns: list[URLPattern] = [
    path("contracts/<int:contract_id>/fund/", payments.escrow_fund_page, name="escrow_fund"),
    path("me/earnings/", payments.earnings, name="earnings"),
]
