from django.urls import path

from payments.api import receipts, views

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
]
