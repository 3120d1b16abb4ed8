from django.urls import path

from frontend import urls_contests, urls_contracts, urls_payments, urls_piecework, urls_tasks
from frontend.views import (
    credit_list,
    me,
    organizations,
    pages,
    portfolio,
    profiles,
    providers,
    search,
    verification,
)

app_name = "frontend"

urlpatterns = [
    path("", pages.home, name="home"),
    path("dashboard/", pages.dashboard, name="dashboard"),
    path("me/", me.profile, name="profile"),
    path("notifications/", me.notifications, name="notifications"),
    path("notifications/read/", me.notifications_mark_all_read, name="notifications_read"),
    path(
        "notifications/<int:notification_id>/open/",
        me.notification_open,
        name="notification_open",
    ),
    path(
        "notifications/preferences/",
        me.notification_preferences,
        name="notification_preferences",
    ),
    path("orgs/", organizations.org_list, name="org_list"),
    path("orgs/new/", organizations.org_create, name="org_create"),
    path("orgs/<slug:slug>/", organizations.org_detail, name="org_detail"),
    path("orgs/<slug:slug>/settings/", organizations.org_settings, name="org_settings"),
    path("orgs/<slug:slug>/invitations/", organizations.org_invite, name="org_invite"),
    path(
        "orgs/<slug:slug>/invitations/<int:invitation_id>/revoke/",
        organizations.org_invitation_revoke,
        name="org_invitation_revoke",
    ),
    path(
        "orgs/<slug:slug>/members/<int:membership_id>/role/",
        organizations.org_member_role,
        name="org_member_role",
    ),
    path(
        "orgs/<slug:slug>/members/<int:membership_id>/remove/",
        organizations.org_member_remove,
        name="org_member_remove",
    ),
    path("orgs/<slug:slug>/provider/", providers.org_provider_edit, name="org_provider_edit"),
    path("orgs/<slug:slug>/verify/", verification.verify_organization, name="verify_organization"),
    path("invitations/<str:token>/", organizations.invitation_accept, name="invitation_accept"),
    path("provider/", providers.provider_edit, name="provider_edit"),
    path("search/", search.task_search, name="search"),
    path("search/saved/", search.saved_searches, name="saved_searches"),
    path(
        "search/saved/<int:saved_search_id>/delete/",
        search.saved_search_delete,
        name="saved_search_delete",
    ),
    path("providers/", search.provider_directory, name="provider_directory"),
    path("tasks/<int:task_id>/matches/", search.task_matches, name="task_matches"),
    path("providers/<int:profile_id>/", providers.provider_detail, name="provider_detail"),
    path("verify/", verification.verify_person, name="verify_person"),
    # The credit red/black list (诚信红黑榜)
    path("credit-list/", credit_list.credit_list_public, name="credit_list"),
    path("me/credit-list/", credit_list.credit_list_mine, name="credit_list_mine"),
    path(
        "me/credit-list/<int:entry_id>/appeal/",
        credit_list.credit_list_appeal,
        name="credit_list_appeal",
    ),
    # Pictures, favourites, portfolios and inviting from a profile
    path("me/avatar/", profiles.my_avatar, name="my_avatar"),
    path("orgs/<slug:slug>/logo/", profiles.org_logo, name="org_logo"),
    path("me/favourites/", profiles.favourites, name="favourites"),
    path("tasks/<int:task_id>/favourite/", profiles.task_favourite, name="task_favourite"),
    path(
        "providers/<int:profile_id>/favourite/",
        profiles.provider_favourite,
        name="provider_favourite",
    ),
    path("providers/<int:profile_id>/invite/", profiles.provider_invite, name="provider_invite"),
    path(
        "providers/<int:profile_id>/portfolio/",
        portfolio.portfolio_manage,
        name="portfolio_manage",
    ),
    path("portfolio/<int:entry_id>/", portfolio.portfolio_entry_edit, name="portfolio_entry_edit"),
    path(
        "portfolio/<int:entry_id>/delete/",
        portfolio.portfolio_entry_delete,
        name="portfolio_entry_delete",
    ),
    path(
        "portfolio/<int:entry_id>/move/",
        portfolio.portfolio_entry_move,
        name="portfolio_entry_move",
    ),
    path(
        "portfolio/<int:entry_id>/files/", portfolio.portfolio_file_add, name="portfolio_file_add"
    ),
    path(
        "portfolio-files/<int:file_id>/remove/",
        portfolio.portfolio_file_remove,
        name="portfolio_file_remove",
    ),
]

# Tasks, bids and contracts pages live in their own modules, in the same namespace.
urlpatterns += [*urls_tasks.urlpatterns, *urls_contracts.urlpatterns]
urlpatterns += urls_payments.urlpatterns
urlpatterns += urls_contests.urlpatterns
urlpatterns += urls_piecework.urlpatterns
