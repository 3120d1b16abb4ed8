from django.urls import path

from payments.api import views, vouchers

app_name = "payments-api"

urlpatterns = [
    path(
        "contracts/<int:contract_id>/fund/",
        views.EscrowFundApi.as_view(),
        name="contract-fund",
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
