from django.urls import path

from frontend import urls_contracts, urls_payments, urls_tasks
from frontend.views import me, organizations, pages, providers, search, verification

app_name = "frontend"

urlpatterns = [
    path("", pages.home, name="home"),
    path("dashboard/", pages.dashboard, name="dashboard"),
    path("me/", me.profile, name="profile"),
    path("notifications/", me.notifications, name="notifications"),
    path("notifications/read/", me.notifications_mark_all_read, name="notifications_read"),
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
]

# Tasks, bids and contracts pages live in their own modules, in the same namespace.
urlpatterns += [*urls_tasks.urlpatterns, *urls_contracts.urlpatterns]
urlpatterns += urls_payments.urlpatterns
