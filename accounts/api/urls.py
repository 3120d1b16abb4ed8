from django.urls import path

from accounts.api import (
    auth,
    credit_list,
    invitations,
    notifications,
    organizations,
    portfolio,
    providers,
    verification,
    views,
)

app_name = "accounts-api"

urlpatterns = [
    path("me/", views.MeApi.as_view(), name="me"),
    path("auth/token/", auth.TokenApi.as_view(), name="token"),
    # Organizations and members
    path(
        "organizations/",
        organizations.OrganizationCollectionApi.as_view(),
        name="organization-list",
    ),
    path(
        "organizations/<int:organization_id>/",
        organizations.OrganizationDetailApi.as_view(),
        name="organization-detail",
    ),
    path(
        "organizations/<int:organization_id>/members/",
        organizations.MemberListApi.as_view(),
        name="member-list",
    ),
    path(
        "memberships/<int:membership_id>/",
        organizations.MembershipApi.as_view(),
        name="membership-detail",
    ),
    # Invitations
    path(
        "organizations/<int:organization_id>/invitations/",
        invitations.InvitationCollectionApi.as_view(),
        name="invitation-list",
    ),
    path(
        "invitations/<int:invitation_id>/",
        invitations.InvitationApi.as_view(),
        name="invitation-detail",
    ),
    path(
        "invitations/token/<str:token>/",
        invitations.InvitationPreviewApi.as_view(),
        name="invitation-preview",
    ),
    path(
        "invitations/token/<str:token>/accept/",
        invitations.InvitationAcceptApi.as_view(),
        name="invitation-accept",
    ),
    # Provider profiles and skills
    path("skills/", providers.SkillTaxonomyApi.as_view(), name="skill-taxonomy"),
    path("regions/", providers.RegionListApi.as_view(), name="region-list"),
    path("provider-profiles/me/", providers.ProviderProfileMineApi.as_view(), name="provider-me"),
    path(
        "provider-profiles/operated/",
        providers.ProviderProfileOperatedListApi.as_view(),
        name="provider-operated",
    ),
    path(
        "provider-profiles/<int:profile_id>/",
        providers.ProviderProfileDetailApi.as_view(),
        name="provider-detail",
    ),
    path(
        "provider-profiles/<int:profile_id>/skills/",
        providers.ProviderSkillsSetApi.as_view(),
        name="provider-skills",
    ),
    # Portfolio entries (案例), pictures and favourite providers
    path(
        "provider-profiles/<int:profile_id>/portfolio/",
        portfolio.PortfolioCollectionApi.as_view(),
        name="portfolio-collection",
    ),
    path(
        "provider-profiles/<int:profile_id>/portfolio/order/",
        portfolio.PortfolioOrderApi.as_view(),
        name="portfolio-order",
    ),
    path(
        "portfolio/<int:entry_id>/",
        portfolio.PortfolioEntryDetailApi.as_view(),
        name="portfolio-entry",
    ),
    path(
        "portfolio/<int:entry_id>/files/",
        portfolio.PortfolioFileCollectionApi.as_view(),
        name="portfolio-files",
    ),
    path(
        "portfolio-files/<int:file_id>/",
        portfolio.PortfolioFileDeleteApi.as_view(),
        name="portfolio-file",
    ),
    path("me/avatar/", portfolio.MyAvatarApi.as_view(), name="my-avatar"),
    path(
        "organizations/<int:organization_id>/logo/",
        portfolio.OrganizationLogoApi.as_view(),
        name="organization-logo",
    ),
    path(
        "favourites/providers/",
        portfolio.ProviderFavouriteListApi.as_view(),
        name="favourite-providers",
    ),
    path(
        "provider-profiles/<int:profile_id>/favourite/",
        portfolio.ProviderFavouriteApi.as_view(),
        name="provider-favourite",
    ),
    # Real-name verification
    path(
        "verification-requests/",
        verification.VerificationRequestListApi.as_view(),
        name="verification-list",
    ),
    path(
        "verification-requests/person/",
        verification.VerificationPersonSubmitApi.as_view(),
        name="verification-person",
    ),
    path(
        "verification-requests/organization/",
        verification.VerificationOrganizationSubmitApi.as_view(),
        name="verification-organization",
    ),
    # The credit red/black list (诚信红黑榜)
    path("credit-list/", credit_list.CreditListPublicApi.as_view(), name="credit-list"),
    path("credit-list/mine/", credit_list.CreditListMineApi.as_view(), name="credit-list-mine"),
    path(
        "credit-list/<int:entry_id>/appeals/",
        credit_list.CreditListAppealApi.as_view(),
        name="credit-list-appeal",
    ),
    # Notifications
    path("notifications/", notifications.NotificationListApi.as_view(), name="notification-list"),
    path(
        "notifications/preferences/",
        notifications.NotificationPreferencesApi.as_view(),
        name="notification-preferences",
    ),
    path(
        "notifications/unread-count/",
        notifications.NotificationUnreadCountApi.as_view(),
        name="notification-unread-count",
    ),
    path(
        "notifications/read/",
        notifications.NotificationMarkReadApi.as_view(),
        name="notification-read",
    ),
]
