"""Payment pages (joined into the frontend namespace)."""

from django.urls import URLPattern, path

from frontend.views import payments, vouchers

urlpatterns: list[URLPattern] = [
    path("contracts/<int:contract_id>/fund/", payments.escrow_fund_page, name="escrow_fund"),
    path("me/earnings/", payments.earnings, name="earnings"),
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
