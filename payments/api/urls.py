from django.urls import path

from payments.api import payouts, receipts, views, vouchers

app_name = "payments-api"

urlpatterns = [
    path(
        "contracts/<int:contract_id>/fund/",
        views.EscrowFundApi.as_view(),
        name="contract-fund",
    ),
    path("receipts/", receipts.ReceiptListApi.as_view(), name="receipt-list"),
    path("receipts/export/", receipts.ReceiptCsvApi.as_view(), name="receipt-csv"),
    path("receipts/<int:receipt_id>/", receipts.ReceiptDetailApi.as_view(), name="receipt-detail"),
    path(
        "contracts/<int:contract_id>/funding/",
        payouts.FundingStateApi.as_view(),
        name="contract-funding",
    ),
    path(
        "providers/<int:provider_id>/payout-account/",
        payouts.PayoutAccountApi.as_view(),
        name="payout-account",
    ),
    path(
        "providers/<int:provider_id>/payout-account/link/",
        payouts.PayoutLinkApi.as_view(),
        name="payout-account-link",
    ),
    path(
        "providers/<int:provider_id>/payout-account/sandbox-activate/",
        payouts.PayoutSandboxActivateApi.as_view(),
        name="payout-account-sandbox-activate",
    ),
    path(
        "organizations/<int:organization_id>/vouchers/",
        vouchers.OrganizationVoucherListApi.as_view(),
        name="organization-vouchers",
    ),
    path(
        "voucher-programmes/",
        vouchers.ProgrammeListApi.as_view(),
        name="voucher-programmes",
    ),
    path(
        "voucher-programmes/<int:programme_id>/vouchers/",
        vouchers.VoucherIssueApi.as_view(),
        name="voucher-issue",
    ),
    path(
        "voucher-programmes/<int:programme_id>/report/",
        vouchers.ProgrammeReportApi.as_view(),
        name="voucher-programme-report",
    ),
    path(
        "voucher-programmes/<int:programme_id>/claims.csv",
        vouchers.ProgrammeClaimsCsvApi.as_view(),
        name="voucher-programme-claims-csv",
    ),
]
