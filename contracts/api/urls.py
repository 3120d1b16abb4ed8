from django.urls import path

from contracts.api import views as contracts

app_name = "contracts-api"

urlpatterns = [
    # The award makes the contract (the bid's URL, the contracts app's operation).
    path("bids/<int:bid_id>/award/", contracts.BidAwardApi.as_view(), name="bid-award"),
    # Contracts, milestones, deliveries, reviews
    path("contracts/", contracts.ContractListApi.as_view(), name="contract-list"),
    path(
        "contracts/<int:contract_id>/",
        contracts.ContractDetailApi.as_view(),
        name="contract-detail",
    ),
    path(
        "contracts/<int:contract_id>/reviews/",
        contracts.ContractReviewsApi.as_view(),
        name="contract-reviews",
    ),
    path(
        "milestones/<int:milestone_id>/",
        contracts.MilestoneDetailApi.as_view(),
        name="milestone-detail",
    ),
    path(
        "deliveries/<int:delivery_id>/",
        contracts.DeliveryDetailApi.as_view(),
        name="delivery-detail",
    ),
    path(
        "milestones/<int:milestone_id>/deliveries/",
        contracts.MilestoneDeliveryCreateApi.as_view(),
        name="milestone-deliveries",
    ),
    path(
        "milestones/<int:milestone_id>/accept/",
        contracts.MilestoneAcceptApi.as_view(),
        name="milestone-accept",
    ),
    path(
        "milestones/<int:milestone_id>/request-changes/",
        contracts.MilestoneRequestChangesApi.as_view(),
        name="milestone-request-changes",
    ),
    path(
        "delivery-files/<int:file_id>/download/",
        contracts.DeliveryFileDownloadApi.as_view(),
        name="delivery-file-download",
    ),
]
