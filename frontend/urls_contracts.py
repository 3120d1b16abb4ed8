"""Pages of the contracts part of the web app (joined into the frontend namespace)."""

from django.urls import URLPattern, path

from frontend.views import contracts, disputes

urlpatterns: list[URLPattern] = [
    path("contracts/", contracts.contract_list, name="my_contracts"),
    path("contracts/<int:contract_id>/", contracts.contract_detail, name="contract_detail"),
    path(
        "contracts/<int:contract_id>/milestones/<int:milestone_id>/deliver/",
        contracts.milestone_deliver,
        name="milestone_deliver",
    ),
    path(
        "contracts/<int:contract_id>/milestones/<int:milestone_id>/accept/",
        contracts.milestone_accept,
        name="milestone_accept",
    ),
    path(
        "contracts/<int:contract_id>/milestones/<int:milestone_id>/changes/",
        contracts.milestone_request_changes,
        name="milestone_request_changes",
    ),
    path(
        "contracts/<int:contract_id>/milestones/<int:milestone_id>/dispute/",
        disputes.dispute_open,
        name="dispute_open",
    ),
    path("disputes/<int:dispute_id>/", disputes.dispute_detail, name="dispute_detail"),
    path("disputes/<int:dispute_id>/respond/", disputes.dispute_respond, name="dispute_respond"),
    path(
        "disputes/<int:dispute_id>/evidence/",
        disputes.dispute_evidence_add,
        name="dispute_evidence_add",
    ),
    path("disputes/<int:dispute_id>/appeal/", disputes.dispute_appeal, name="dispute_appeal"),
    path(
        "disputes/files/<int:evidence_id>/",
        disputes.dispute_evidence_file,
        name="dispute_evidence_file",
    ),
    path("contracts/<int:contract_id>/review/", contracts.contract_review, name="contract_review"),
    path(
        "contracts/files/<int:file_id>/",
        contracts.delivery_file_download,
        name="delivery_file",
    ),
]
