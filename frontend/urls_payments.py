"""Payment pages (joined into the frontend namespace)."""

from django.urls import URLPattern, path

from frontend.views import payments, payouts

urlpatterns: list[URLPattern] = [
    path("contracts/<int:contract_id>/fund/", payments.escrow_fund_page, name="escrow_fund"),
    path("me/earnings/", payments.earnings, name="earnings"),
    path("me/payouts/", payouts.payouts, name="payouts"),
    path("me/payouts/<int:provider_id>/setup/", payouts.payouts_setup, name="payouts_setup"),
    path("me/payouts/<int:provider_id>/refresh/", payouts.payouts_refresh, name="payouts_refresh"),
    path("me/payouts/<int:provider_id>/sandbox/", payouts.payouts_sandbox, name="payouts_sandbox"),
]
