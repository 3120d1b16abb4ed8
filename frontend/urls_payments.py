"""Payment pages (joined into the frontend namespace)."""

from django.urls import URLPattern, path

from frontend.views import payments, receipts

urlpatterns: list[URLPattern] = [
    path("contracts/<int:contract_id>/fund/", payments.escrow_fund_page, name="escrow_fund"),
    path("me/earnings/", payments.earnings, name="earnings"),
    path("me/receipts/", receipts.my_receipts, name="my_receipts"),
    path("me/receipts.csv", receipts.my_receipts_csv, name="my_receipts_csv"),
    path("orgs/<slug:slug>/receipts/", receipts.org_receipts, name="org_receipts"),
    path("orgs/<slug:slug>/receipts.csv", receipts.org_receipts_csv, name="org_receipts_csv"),
]
