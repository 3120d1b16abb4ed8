"""Every change to accounts' tables goes through these functions (HackSoft services).

Each runs in one transaction, checks who acts and the current state under a row lock, writes an
audit row and sends emails and broadcasts only after commit.
"""

from accounts.services.credit_list import (
    credit_appeal_decide,
    credit_appeal_file,
    credit_list_add,
    credit_list_lift,
)
from accounts.services.favourites import provider_favourite_add, provider_favourite_remove
from accounts.services.invitations import (
    invitation_accept,
    invitation_accept_url,
    invitation_create,
    invitation_revoke,
)
from accounts.services.moderation import provider_profile_hide, provider_profile_show
from accounts.services.notifications import (
    in_language_of,
    notification_email_preferences_set,
    notification_open,
    notification_payload,
    notifications_mark_read,
    notify,
)
from accounts.services.organizations import (
    membership_remove,
    membership_set_role,
    organization_create,
    organization_update,
)
from accounts.services.pictures import organization_logo_set, user_avatar_set
from accounts.services.portfolio import (
    portfolio_entry_create,
    portfolio_entry_delete,
    portfolio_entry_move,
    portfolio_entry_update,
    portfolio_file_add,
    portfolio_file_remove,
    portfolio_order_set,
)
from accounts.services.providers import provider_profile_save, provider_skills_set
from accounts.services.users import (
    SUSPEND_PERMISSIONS,
    api_token_issue,
    api_token_revoke,
    user_profile_update,
    user_suspend,
    user_unsuspend,
)
from accounts.services.verification import (
    evidence_view_record,
    verification_approve,
    verification_reject,
    verification_submit_organization,
    verification_submit_person,
)

__all__ = [
    "SUSPEND_PERMISSIONS",
    "api_token_issue",
    "api_token_revoke",
    "credit_appeal_decide",
    "credit_appeal_file",
    "credit_list_add",
    "credit_list_lift",
    "evidence_view_record",
    "in_language_of",
    "invitation_accept",
    "invitation_accept_url",
    "invitation_create",
    "invitation_revoke",
    "membership_remove",
    "membership_set_role",
    "notification_email_preferences_set",
    "notification_open",
    "notification_payload",
    "notifications_mark_read",
    "notify",
    "organization_create",
    "organization_logo_set",
    "organization_update",
    "portfolio_entry_create",
    "portfolio_entry_delete",
    "portfolio_entry_move",
    "portfolio_entry_update",
    "portfolio_file_add",
    "portfolio_file_remove",
    "portfolio_order_set",
    "provider_favourite_add",
    "provider_favourite_remove",
    "provider_profile_hide",
    "provider_profile_save",
    "provider_profile_show",
    "provider_skills_set",
    "user_avatar_set",
    "user_profile_update",
    "user_suspend",
    "user_unsuspend",
    "verification_approve",
    "verification_reject",
    "verification_submit_organization",
    "verification_submit_person",
]
