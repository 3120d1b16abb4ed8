"""Factories shared by the whole test suite. Accounts' live in tests/accounts/factories.py."""

from tests.accounts.factories import (
    DEFAULT_PASSWORD,
    InvitationFactory,
    MembershipFactory,
    NotificationFactory,
    OrganizationFactory,
    OrganizationVerificationRequestFactory,
    PersonVerificationRequestFactory,
    ProviderProfileFactory,
    SkillCategoryFactory,
    SkillFactory,
    UserFactory,
    grant,
    make_credit_code,
    make_id_number,
    make_org_member,
)

__all__ = [
    "DEFAULT_PASSWORD",
    "InvitationFactory",
    "MembershipFactory",
    "NotificationFactory",
    "OrganizationFactory",
    "OrganizationVerificationRequestFactory",
    "PersonVerificationRequestFactory",
    "ProviderProfileFactory",
    "SkillCategoryFactory",
    "SkillFactory",
    "UserFactory",
    "grant",
    "make_credit_code",
    "make_id_number",
    "make_org_member",
]
