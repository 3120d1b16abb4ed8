"""Payment pages (joined into the frontend namespace)."""

from django.urls import URLPattern, path

from frontend.views import payments, payouts, receipts, vouchers

urlpatterns: list[URLPattern] = [
    path("contracts/<int:contract_id>/fund/", payments.escrow_fund_page, name="escrow_fund"),
    path("me/earnings/", payments.earnings, name="earnings"),
    path("me/receipts/", receipts.my_receipts, name="my_receipts"),
    path("me/receipts.csv", receipts.my_receipts_csv, name="my_receipts_csv"),
    path("orgs/<slug:slug>/receipts/", receipts.org_receipts, name="org_receipts"),
    path("orgs/<slug:slug>/receipts.csv", receipts.org_receipts_csv, name="org_receipts_csv"),
    path("me/payouts/", payouts.payouts, name="payouts"),
    path("me/payouts/<int:provider_id>/setup/", payouts.payouts_setup, name="payouts_setup"),
    path("me/payouts/<int:provider_id>/refresh/", payouts.payouts_refresh, name="payouts_refresh"),
    path("me/payouts/<int:provider_id>/sandbox/", payouts.payouts_sandbox, name="payouts_sandbox"),
    path("orgs/<slug:slug>/vouchers/", vouchers.org_vouchers, name="org_vouchers"),
    path("vouchers/programmes/", vouchers.programme_list, name="voucher_programmes"),
    path(
        "vouchers/programmes/<int:programme_id>/",
        vouchers.programme_detail,
        name="voucher_programme",
    ),
    path(
        "vouchers/programmes/<int:programme_id>/claims.csv",
        vouchers.programme_claims_download,
        name="voucher_programme_claims",
    ),
]
