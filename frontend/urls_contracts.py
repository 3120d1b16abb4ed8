"""Pages of the contracts part of the web app (joined into the frontend namespace)."""

from django.urls import URLPattern, path

from frontend.views import contracts

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
    path("contracts/<int:contract_id>/review/", contracts.contract_review, name="contract_review"),
    path(
        "contracts/files/<int:file_id>/",
        contracts.delivery_file_download,
        name="delivery_file",
    ),
]
