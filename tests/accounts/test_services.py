"""The accounts services: what each one allows, refuses, writes and records."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.conf import settings
from django.core import mail
from django.utils import timezone

from accounts import crypto, services
from accounts.models import (
    Invitation,
    Membership,
    Notification,
    Organization,
    ProviderProfile,
    ProviderSkill,
    User,
    VerificationRequest,
)
from accounts.tasks import send_invitation_email
from marketplace.audit import audit_trail
from marketplace.errors import Conflict, InvalidTransition, NotAllowed, NotFound, ValidationFailed
from marketplace.models import AuditEvent
from tests.accounts.concurrency import run_concurrently
from tests.accounts.factories import (
    InvitationFactory,
    OrganizationFactory,
    OrganizationVerificationRequestFactory,
    PersonVerificationRequestFactory,
    ProviderProfileFactory,
    SkillCategoryFactory,
    SkillFactory,
    UserFactory,
    id_documents,
    licence_documents,
    make_credit_code,
    make_id_number,
    make_org_member,
)

pytestmark = pytest.mark.django_db

REVIEW_PERM = "accounts.change_verificationrequest"


def actions(target) -> list[str]:
    return list(audit_trail(target).values_list("action", flat=True))


@pytest.fixture
def reviewer():
    return UserFactory(staff=True, perms=[REVIEW_PERM])


@pytest.fixture
def org_with_roles():
    """An enterprise with an owner, an admin and a plain member."""
    owner, admin, member = UserFactory(), UserFactory(), UserFactory()
    org = OrganizationFactory(owner=owner)
    make_org_member(admin, org, Membership.Role.ADMIN)
    make_org_member(member, org, Membership.Role.MEMBER)
    return org, owner, admin, member


# --- organization_create / organization_update ---------------------------------------------------


class TestOrganizationCreate:
    def test_creator_becomes_the_only_owner_and_the_creation_is_audited(self, user) -> None:
        org = services.organization_create(
            actor=user, name="Acme Robotics", kind=Organization.Kind.ENTERPRISE, region="500106"
        )
        membership = Membership.objects.get(organization=org)
        assert membership.user == user
        assert membership.role == Membership.Role.OWNER
        assert org.created_by == user
        assert org.slug == "acme-robotics"
        assert actions(org) == ["organization.created"]

    def test_a_chinese_name_gets_an_ascii_slug(self, user) -> None:
        org = services.organization_create(
            actor=user, name="重庆智造科技有限公司", kind=Organization.Kind.MICROFIRM
        )
        assert re.fullmatch(r"org-[0-9a-f]{6}", org.slug)
        assert org.slug.isascii()

    def test_two_organizations_with_the_same_name_get_different_slugs(self, user) -> None:
        first = services.organization_create(actor=user, name="Acme", kind="enterprise")
        second = services.organization_create(actor=user, name="Acme", kind="enterprise")
        assert first.slug == "acme"
        assert second.slug.startswith("acme-")
        assert second.slug != first.slug

    def test_a_suspended_user_cannot_create_one_and_nothing_is_written(self) -> None:
        suspended = UserFactory(suspended=True)
        with pytest.raises(NotAllowed) as exc:
            services.organization_create(actor=suspended, name="Acme", kind="enterprise")
        assert exc.value.code == "suspended"
        assert Organization.objects.count() == 0
        assert Membership.objects.count() == 0

    def test_bad_input_names_every_bad_field_and_writes_nothing(self, user) -> None:
        with pytest.raises(ValidationFailed) as exc:
            services.organization_create(
                actor=user, name="  ", kind="cartel", region="999999", website="ftp://x"
            )
        assert set(exc.value.fields) == {"name", "kind", "region", "website"}
        assert Organization.objects.count() == 0
        assert AuditEvent.objects.count() == 0


class TestOrganizationUpdate:
    def test_an_owner_changes_the_details_and_the_change_is_audited(self, org_with_roles) -> None:
        org, owner, _admin, _member = org_with_roles
        services.organization_update(
            actor=owner, organization=org, name="New name", website="https://example.com"
        )
        org.refresh_from_db()
        assert (org.name, org.website) == ("New name", "https://example.com")
        event = audit_trail(org).get(action="organization.updated")
        assert event.actor == owner
        assert event.data["after"] == {"name": "New name", "website": "https://example.com"}

    def test_an_admin_may_change_the_details(self, org_with_roles) -> None:
        org, _owner, admin, _member = org_with_roles
        services.organization_update(actor=admin, organization=org, description="We build.")
        org.refresh_from_db()
        assert org.description == "We build."

    def test_a_plain_member_is_refused_with_a_clear_message(self, org_with_roles) -> None:
        org, _owner, _admin, member = org_with_roles
        with pytest.raises(NotAllowed) as exc:
            services.organization_update(actor=member, organization=org, name="Hijacked")
        assert "owners and admins" in str(exc.value.message)
        org.refresh_from_db()
        assert org.name != "Hijacked"

    def test_a_member_of_another_organization_is_refused_and_nothing_changes(
        self, org_with_roles
    ) -> None:
        org, *_ = org_with_roles
        stranger = UserFactory()
        OrganizationFactory(owner=stranger)
        before = org.name
        with pytest.raises(NotAllowed) as exc:
            services.organization_update(actor=stranger, organization=org, name="Hijacked")
        assert "not a member" in str(exc.value.message)
        org.refresh_from_db()
        assert org.name == before
        assert actions(org) == []

    def test_kind_may_change_before_verification(self, org_with_roles) -> None:
        org, owner, *_ = org_with_roles
        services.organization_update(actor=owner, organization=org, kind="government")
        org.refresh_from_db()
        assert org.kind == Organization.Kind.GOVERNMENT

    def test_kind_cannot_change_after_verification(self, user) -> None:
        org = OrganizationFactory(owner=user, verified=True)
        with pytest.raises(ValidationFailed) as exc:
            services.organization_update(actor=user, organization=org, kind="government")
        assert "kind" in exc.value.fields
        org.refresh_from_db()
        assert org.kind == Organization.Kind.ENTERPRISE

    def test_a_micro_firm_with_a_provider_profile_stays_a_micro_firm(self) -> None:
        profile = ProviderProfileFactory(firm=True)
        firm = profile.organization
        owner = firm.memberships.get().user
        firm.verified_at = None
        firm.save()
        with pytest.raises(ValidationFailed):
            services.organization_update(actor=owner, organization=firm, kind="enterprise")

    def test_sending_the_same_values_writes_no_audit_row(self, org_with_roles) -> None:
        org, owner, *_ = org_with_roles
        services.organization_update(actor=owner, organization=org, name=org.name)
        assert actions(org) == []


# --- invitations ---------------------------------------------------------------------------------


class TestInvitationCreate:
    def test_the_invitee_is_emailed_the_accept_link_after_commit(
        self, org_with_roles, django_capture_on_commit_callbacks
    ) -> None:
        org, owner, *_ = org_with_roles
        with django_capture_on_commit_callbacks(execute=True) as callbacks:
            invitation = services.invitation_create(
                actor=owner, organization=org, email="New.Person@Example.com", role="member"
            )
            assert mail.outbox == []  # nothing leaves before the commit
        assert len(callbacks) == 1
        assert invitation.email == "new.person@example.com"
        assert invitation.expires_at > timezone.now() + dt.timedelta(days=13)
        assert len(mail.outbox) == 1
        message = mail.outbox[0]
        assert message.to == ["new.person@example.com"]
        assert f"{settings.SITE_URL}/invitations/{invitation.token}/" in message.body
        assert org.name in message.subject
        invitation.refresh_from_db()
        assert invitation.emailed_at is not None
        assert actions(invitation) == ["invitation.created"]

    def test_running_the_email_task_again_sends_nothing_twice(
        self, org_with_roles, django_capture_on_commit_callbacks
    ) -> None:
        org, owner, *_ = org_with_roles
        with django_capture_on_commit_callbacks(execute=True):
            invitation = services.invitation_create(
                actor=owner, organization=org, email="a@example.com", role="member"
            )
        assert send_invitation_email.delay(invitation.pk).get() is False
        assert len(mail.outbox) == 1

    def test_a_revoked_invitation_is_not_emailed_when_the_task_runs_late(
        self, org_with_roles, django_capture_on_commit_callbacks
    ) -> None:
        org, owner, *_ = org_with_roles
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            invitation = services.invitation_create(
                actor=owner, organization=org, email="late@example.com", role="member"
            )
        services.invitation_revoke(actor=owner, invitation=invitation)
        for callback in callbacks:
            callback()
        assert mail.outbox == []

    def test_a_plain_member_cannot_invite(self, org_with_roles) -> None:
        org, _owner, _admin, member = org_with_roles
        with pytest.raises(NotAllowed):
            services.invitation_create(
                actor=member, organization=org, email="x@example.com", role="member"
            )
        assert Invitation.objects.count() == 0

    def test_an_admin_cannot_invite_an_owner(self, org_with_roles) -> None:
        org, _owner, admin, _member = org_with_roles
        with pytest.raises(NotAllowed):
            services.invitation_create(
                actor=admin, organization=org, email="x@example.com", role="owner"
            )
        services.invitation_create(
            actor=admin, organization=org, email="x@example.com", role="admin"
        )

    def test_an_existing_member_is_refused_whatever_the_case_of_the_email(
        self, org_with_roles
    ) -> None:
        org, owner, _admin, member = org_with_roles
        with pytest.raises(Conflict) as exc:
            services.invitation_create(
                actor=owner, organization=org, email=member.email.upper(), role="member"
            )
        assert "email" in exc.value.fields
        assert Invitation.objects.count() == 0

    def test_a_second_pending_invitation_to_the_same_email_is_refused(self, org_with_roles) -> None:
        org, owner, admin, _member = org_with_roles
        services.invitation_create(
            actor=owner, organization=org, email="dup@example.com", role="member"
        )
        with pytest.raises(Conflict):
            services.invitation_create(
                actor=admin, organization=org, email="DUP@example.com", role="admin"
            )
        assert Invitation.objects.count() == 1

    def test_an_expired_invitation_is_closed_and_replaced(self, org_with_roles) -> None:
        org, owner, *_ = org_with_roles
        old = InvitationFactory(
            organization=org,
            email="again@example.com",
            expires_at=timezone.now() - dt.timedelta(days=1),
        )
        new = services.invitation_create(
            actor=owner, organization=org, email="again@example.com", role="member"
        )
        old.refresh_from_db()
        assert old.revoked_at is not None
        assert new.is_pending

    def test_a_malformed_email_or_role_is_a_field_error(self, org_with_roles) -> None:
        org, owner, *_ = org_with_roles
        with pytest.raises(ValidationFailed) as exc:
            services.invitation_create(actor=owner, organization=org, email="nope", role="king")
        assert set(exc.value.fields) == {"email", "role"}


class TestInvitationAccept:
    def test_the_invitee_joins_with_the_invited_role_and_the_inviter_is_told(
        self, org_with_roles
    ) -> None:
        org, owner, *_ = org_with_roles
        invitee = UserFactory(email="joiner@example.com")
        invitation = InvitationFactory(
            organization=org, email="Joiner@Example.com", role="admin", invited_by=owner
        )
        membership = services.invitation_accept(user=invitee, token=invitation.token)
        assert (membership.user, membership.organization, membership.role) == (
            invitee,
            org,
            Membership.Role.ADMIN,
        )
        invitation.refresh_from_db()
        assert invitation.accepted_by == invitee
        assert invitation.accepted_at is not None
        assert actions(invitation) == ["invitation.accepted"]
        assert Notification.objects.filter(recipient=owner, kind="invitation.accepted").exists()

    def test_a_second_click_returns_the_same_single_membership(self, org_with_roles) -> None:
        org, *_ = org_with_roles
        invitee = UserFactory()
        invitation = InvitationFactory(organization=org, email=invitee.email)
        first = services.invitation_accept(user=invitee, token=invitation.token)
        second = services.invitation_accept(user=invitee, token=invitation.token)
        assert first.pk == second.pk
        assert Membership.objects.filter(user=invitee, organization=org).count() == 1

    def test_someone_else_cannot_use_an_accepted_invitation(self, org_with_roles) -> None:
        org, *_ = org_with_roles
        invitee = UserFactory()
        invitation = InvitationFactory(organization=org, email=invitee.email)
        services.invitation_accept(user=invitee, token=invitation.token)
        with pytest.raises(InvalidTransition):
            services.invitation_accept(user=UserFactory(), token=invitation.token)

    def test_a_user_with_another_email_is_refused(self, org_with_roles) -> None:
        org, *_ = org_with_roles
        invitation = InvitationFactory(organization=org, email="intended@example.com")
        with pytest.raises(NotAllowed) as exc:
            services.invitation_accept(user=UserFactory(), token=invitation.token)
        assert exc.value.code == "email_mismatch"
        assert Membership.objects.filter(organization=org).count() == 3
        assert Invitation.objects.get(pk=invitation.pk).accepted_at is None

    def test_an_unverified_email_must_be_confirmed_first(self, org_with_roles) -> None:
        org, *_ = org_with_roles
        invitee = UserFactory(email_verified=False)
        invitation = InvitationFactory(organization=org, email=invitee.email)
        with pytest.raises(NotAllowed) as exc:
            services.invitation_accept(user=invitee, token=invitation.token)
        assert exc.value.code == "email_unverified"
        assert not Membership.objects.filter(user=invitee).exists()

    def test_an_expired_invitation_cannot_be_accepted(self, org_with_roles) -> None:
        org, *_ = org_with_roles
        invitee = UserFactory()
        invitation = InvitationFactory(
            organization=org,
            email=invitee.email,
            expires_at=timezone.now() - dt.timedelta(minutes=1),
        )
        with pytest.raises(InvalidTransition) as exc:
            services.invitation_accept(user=invitee, token=invitation.token)
        assert exc.value.code == "invitation_expired"

    def test_a_revoked_invitation_cannot_be_accepted(self, org_with_roles) -> None:
        org, *_ = org_with_roles
        invitee = UserFactory()
        invitation = InvitationFactory(
            organization=org, email=invitee.email, revoked_at=timezone.now()
        )
        with pytest.raises(InvalidTransition) as exc:
            services.invitation_accept(user=invitee, token=invitation.token)
        assert exc.value.code == "invitation_revoked"

    def test_an_unknown_token_is_not_found(self, user) -> None:
        with pytest.raises(NotFound):
            services.invitation_accept(user=user, token="no-such-token")


class TestInvitationRevoke:
    def test_an_admin_withdraws_a_pending_invitation(self, org_with_roles) -> None:
        org, _owner, admin, _member = org_with_roles
        invitation = InvitationFactory(organization=org)
        services.invitation_revoke(actor=admin, invitation=invitation)
        invitation.refresh_from_db()
        assert invitation.revoked_at is not None
        assert actions(invitation) == ["invitation.revoked"]

    def test_a_plain_member_cannot_withdraw(self, org_with_roles) -> None:
        org, _owner, _admin, member = org_with_roles
        invitation = InvitationFactory(organization=org)
        with pytest.raises(NotAllowed):
            services.invitation_revoke(actor=member, invitation=invitation)

    def test_an_accepted_invitation_cannot_be_withdrawn(self, org_with_roles) -> None:
        org, owner, *_ = org_with_roles
        invitation = InvitationFactory(organization=org, accepted_at=timezone.now())
        with pytest.raises(InvalidTransition):
            services.invitation_revoke(actor=owner, invitation=invitation)

    def test_staff_with_the_permission_may_withdraw_any_invitation(self, org_with_roles) -> None:
        org, *_ = org_with_roles
        staff = UserFactory(staff=True, perms=["accounts.change_invitation"])
        invitation = InvitationFactory(organization=org)
        services.invitation_revoke(actor=staff, invitation=invitation)
        invitation.refresh_from_db()
        assert invitation.revoked_at is not None


# --- memberships ---------------------------------------------------------------------------------


class TestMembershipSetRole:
    def test_an_owner_promotes_a_member_to_admin(self, org_with_roles) -> None:
        org, owner, _admin, member = org_with_roles
        membership = Membership.objects.get(user=member, organization=org)
        services.membership_set_role(actor=owner, membership=membership, role="admin")
        membership.refresh_from_db()
        assert membership.role == Membership.Role.ADMIN
        assert actions(membership) == ["membership.role_changed"]
        assert Notification.objects.filter(recipient=member).exists()

    def test_an_admin_cannot_make_an_owner(self, org_with_roles) -> None:
        org, _owner, admin, member = org_with_roles
        membership = Membership.objects.get(user=member, organization=org)
        with pytest.raises(NotAllowed):
            services.membership_set_role(actor=admin, membership=membership, role="owner")
        membership.refresh_from_db()
        assert membership.role == Membership.Role.MEMBER

    def test_an_admin_cannot_demote_an_owner(self, org_with_roles) -> None:
        org, owner, admin, _member = org_with_roles
        membership = Membership.objects.get(user=owner, organization=org)
        with pytest.raises(NotAllowed):
            services.membership_set_role(actor=admin, membership=membership, role="member")

    def test_a_plain_member_cannot_change_roles(self, org_with_roles) -> None:
        org, _owner, admin, member = org_with_roles
        membership = Membership.objects.get(user=admin, organization=org)
        with pytest.raises(NotAllowed):
            services.membership_set_role(actor=member, membership=membership, role="member")

    def test_the_last_owner_cannot_step_down(self, org_with_roles) -> None:
        org, owner, *_ = org_with_roles
        membership = Membership.objects.get(user=owner, organization=org)
        with pytest.raises(InvalidTransition) as exc:
            services.membership_set_role(actor=owner, membership=membership, role="admin")
        assert exc.value.code == "last_owner"
        membership.refresh_from_db()
        assert membership.role == Membership.Role.OWNER

    def test_an_owner_may_step_down_once_there_is_another_owner(self, org_with_roles) -> None:
        org, owner, admin, _member = org_with_roles
        admin_membership = Membership.objects.get(user=admin, organization=org)
        services.membership_set_role(actor=owner, membership=admin_membership, role="owner")
        own = Membership.objects.get(user=owner, organization=org)
        services.membership_set_role(actor=owner, membership=own, role="member")
        assert set(org.memberships.filter(role="owner").values_list("user", flat=True)) == {
            admin.pk
        }

    def test_an_unknown_role_is_a_field_error(self, org_with_roles) -> None:
        org, owner, _admin, member = org_with_roles
        membership = Membership.objects.get(user=member, organization=org)
        with pytest.raises(ValidationFailed) as exc:
            services.membership_set_role(actor=owner, membership=membership, role="emperor")
        assert "role" in exc.value.fields


class TestMembershipRemove:
    def test_an_admin_removes_a_member(self, org_with_roles) -> None:
        org, _owner, admin, member = org_with_roles
        membership = Membership.objects.get(user=member, organization=org)
        services.membership_remove(actor=admin, membership=membership)
        assert not Membership.objects.filter(user=member, organization=org).exists()
        assert "membership.removed" in actions(org)
        assert Notification.objects.filter(recipient=member, kind="membership.removed").exists()

    def test_an_admin_cannot_remove_an_owner(self, org_with_roles) -> None:
        org, owner, admin, _member = org_with_roles
        with pytest.raises(NotAllowed):
            services.membership_remove(
                actor=admin, membership=Membership.objects.get(user=owner, organization=org)
            )

    def test_a_member_cannot_remove_someone_else(self, org_with_roles) -> None:
        org, _owner, admin, member = org_with_roles
        with pytest.raises(NotAllowed):
            services.membership_remove(
                actor=member, membership=Membership.objects.get(user=admin, organization=org)
            )
        assert Membership.objects.filter(user=admin, organization=org).exists()

    def test_a_member_may_leave(self, org_with_roles) -> None:
        org, _owner, _admin, member = org_with_roles
        services.membership_remove(
            actor=member, membership=Membership.objects.get(user=member, organization=org)
        )
        assert not Membership.objects.filter(user=member, organization=org).exists()
        assert "membership.left" in actions(org)

    def test_the_last_owner_cannot_leave(self, org_with_roles) -> None:
        org, owner, *_ = org_with_roles
        with pytest.raises(InvalidTransition):
            services.membership_remove(
                actor=owner, membership=Membership.objects.get(user=owner, organization=org)
            )
        assert Membership.objects.filter(user=owner, organization=org).exists()

    def test_removing_twice_is_harmless(self, org_with_roles) -> None:
        org, owner, _admin, member = org_with_roles
        membership = Membership.objects.get(user=member, organization=org)
        services.membership_remove(actor=owner, membership=membership)
        services.membership_remove(actor=owner, membership=membership)
        assert actions(org).count("membership.removed") == 1


# --- provider profiles ---------------------------------------------------------------------------


class TestProviderProfileSave:
    def test_saving_twice_updates_the_one_individual_profile(self, user) -> None:
        first = services.provider_profile_save(actor=user, headline="Vision engineer")
        second = services.provider_profile_save(
            actor=user, headline="Senior vision engineer", day_rate=200_000, region="500112"
        )
        assert first.pk == second.pk
        assert ProviderProfile.objects.filter(user=user).count() == 1
        second.refresh_from_db()
        assert (second.headline, second.day_rate, second.region) == (
            "Senior vision engineer",
            200_000,
            "500112",
        )
        assert sorted(actions(second)) == ["provider_profile.created", "provider_profile.updated"]

    def test_a_micro_firm_owner_saves_the_firm_profile(self, user) -> None:
        firm = OrganizationFactory(kind=Organization.Kind.MICROFIRM, owner=user)
        profile = services.provider_profile_save(
            actor=user, organization=firm, headline="Two-person design studio"
        )
        assert profile.organization == firm
        assert profile.user is None

    def test_a_plain_member_of_a_micro_firm_cannot_save_its_profile(self, user) -> None:
        firm = OrganizationFactory(kind=Organization.Kind.MICROFIRM, owner=UserFactory())
        make_org_member(user, firm, Membership.Role.MEMBER)
        with pytest.raises(NotAllowed):
            services.provider_profile_save(actor=user, organization=firm, headline="Mine now")
        assert ProviderProfile.objects.count() == 0

    def test_an_enterprise_cannot_have_a_provider_profile(self, user) -> None:
        enterprise = OrganizationFactory(owner=user)
        with pytest.raises(ValidationFailed) as exc:
            services.provider_profile_save(actor=user, organization=enterprise, headline="x")
        assert "organization" in exc.value.fields

    def test_bad_values_name_their_fields_and_nothing_is_written(self, user) -> None:
        with pytest.raises(ValidationFailed) as exc:
            services.provider_profile_save(
                actor=user,
                headline="",
                day_rate=-1,
                currency="BTC",
                region="nowhere",
                availability="sometimes",
                years_experience=71,
            )
        assert set(exc.value.fields) == {
            "headline",
            "day_rate",
            "currency",
            "region",
            "availability",
            "years_experience",
        }
        assert ProviderProfile.objects.count() == 0

    def test_a_float_day_rate_is_refused(self, user) -> None:
        with pytest.raises(ValidationFailed) as exc:
            services.provider_profile_save(actor=user, headline="x", day_rate=1500.5)  # type: ignore[arg-type]
        assert "day_rate" in exc.value.fields


class TestProviderSkillsSet:
    @pytest.fixture
    def skills(self):
        category = SkillCategoryFactory()
        return [SkillFactory(category=category) for _ in range(4)]

    def test_the_set_is_replaced(self, user, skills) -> None:
        profile = ProviderProfileFactory(user=user, skills={skills[0]: 1, skills[1]: 2})
        services.provider_skills_set(
            actor=user, profile=profile, skills={skills[1].pk: 4, skills[2].pk: 3}
        )
        assert dict(
            ProviderSkill.objects.filter(profile=profile).values_list("skill", "level")
        ) == {
            skills[1].pk: 4,
            skills[2].pk: 3,
        }
        assert actions(profile) == ["provider_profile.skills_set"]

    def test_unknown_skills_and_bad_levels_are_refused_and_nothing_changes(
        self, user, skills
    ) -> None:
        profile = ProviderProfileFactory(user=user, skills={skills[0]: 2})
        with pytest.raises(ValidationFailed) as exc:
            services.provider_skills_set(
                actor=user, profile=profile, skills={skills[1].pk: 5, 987_654_321: 2}
            )
        messages = " ".join(str(m) for m in exc.value.fields["skills"])
        assert "987654321" in messages
        assert "level" in messages
        assert list(
            ProviderSkill.objects.filter(profile=profile).values_list("skill", "level")
        ) == [(skills[0].pk, 2)]

    def test_at_most_thirty_skills(self, user) -> None:
        category = SkillCategoryFactory()
        many = [SkillFactory(category=category) for _ in range(31)]
        profile = ProviderProfileFactory(user=user)
        with pytest.raises(ValidationFailed):
            services.provider_skills_set(
                actor=user, profile=profile, skills={s.pk: 2 for s in many}
            )
        services.provider_skills_set(
            actor=user, profile=profile, skills={s.pk: 2 for s in many[:30]}
        )
        assert ProviderSkill.objects.filter(profile=profile).count() == 30

    def test_another_user_cannot_change_my_skills(self, user, other_user, skills) -> None:
        profile = ProviderProfileFactory(user=user)
        with pytest.raises(NotAllowed):
            services.provider_skills_set(
                actor=other_user, profile=profile, skills={skills[0].pk: 4}
            )
        assert not ProviderSkill.objects.filter(profile=profile).exists()

    def test_a_firm_admin_may_set_the_firm_skills(self, user, skills) -> None:
        profile = ProviderProfileFactory(firm=True)
        make_org_member(user, profile.organization, Membership.Role.ADMIN)
        services.provider_skills_set(actor=user, profile=profile, skills={skills[0].pk: 3})
        assert ProviderSkill.objects.get(profile=profile).level == 3


# --- verification --------------------------------------------------------------------------------


class TestVerificationSubmitPerson:
    def test_the_id_number_is_stored_encrypted_masked_and_digested_only(self, user) -> None:
        number = make_id_number(1)
        request = services.verification_submit_person(
            user=user, legal_name="张三", id_number=number, documents=id_documents()
        )
        row = VerificationRequest.objects.filter(pk=request.pk).values().get()
        assert number not in repr(row)
        assert crypto.decrypt(request.id_number_encrypted) == number
        assert request.id_number_masked == number[:2] + "*" * 12 + number[-4:]
        assert request.id_number_digest == crypto.digest(number)
        event = audit_trail(request).get()
        assert number not in repr(event.data)

    def test_an_invalid_id_number_is_a_field_error_and_nothing_is_written(self, user) -> None:
        number = make_id_number(1)
        wrong = number[:-1] + ("0" if number[-1] != "0" else "1")
        with pytest.raises(ValidationFailed) as exc:
            services.verification_submit_person(
                user=user, legal_name="张三", id_number=wrong, documents=id_documents()
            )
        assert list(exc.value.fields) == ["id_number"]
        assert VerificationRequest.objects.count() == 0

    def test_a_second_pending_request_is_refused(self, user) -> None:
        services.verification_submit_person(
            user=user, legal_name="张三", id_number=make_id_number(1), documents=id_documents()
        )
        with pytest.raises(Conflict):
            services.verification_submit_person(
                user=user, legal_name="张三", id_number=make_id_number(2), documents=id_documents()
            )
        assert VerificationRequest.objects.count() == 1

    def test_an_already_verified_person_is_refused(self) -> None:
        verified = UserFactory(real_name_verified=True)
        with pytest.raises(Conflict):
            services.verification_submit_person(
                user=verified,
                legal_name="张三",
                id_number=make_id_number(1),
                documents=id_documents(),
            )

    def test_an_id_number_verified_for_someone_else_is_refused_without_saying_whose(
        self, reviewer
    ) -> None:
        holder = UserFactory(name="Secret Holder", email="holder@example.com")
        number = make_id_number(7)
        request = services.verification_submit_person(
            user=holder, legal_name="王五", id_number=number, documents=id_documents()
        )
        services.verification_approve(reviewer=reviewer, request=request)
        intruder = UserFactory()
        with pytest.raises(Conflict) as exc:
            services.verification_submit_person(
                user=intruder, legal_name="王五", id_number=number, documents=id_documents()
            )
        text = str(exc.value.message) + repr(exc.value.fields)
        assert "holder" not in text.lower()
        assert "王五" not in text
        assert not VerificationRequest.objects.filter(submitted_by=intruder).exists()

    def test_rotating_the_secret_key_keeps_a_verified_id_number_taken_and_readable(
        self, reviewer, settings
    ) -> None:
        number = make_id_number(8)
        first = services.verification_submit_person(
            user=UserFactory(), legal_name="赵六", id_number=number, documents=id_documents()
        )
        services.verification_approve(reviewer=reviewer, request=first)

        settings.SECRET_KEY = "rotated-" + "x" * 60
        with pytest.raises(Conflict) as exc:
            services.verification_submit_person(
                user=UserFactory(), legal_name="赵六", id_number=number, documents=id_documents()
            )
        assert exc.value.code == "id_number_taken"
        first.refresh_from_db()
        assert crypto.decrypt(first.id_number_encrypted) == number

    def test_the_digest_is_keyed_by_its_own_setting(self, settings) -> None:
        number = make_id_number(9)
        before = crypto.digest(number)
        settings.FIELD_DIGEST_KEY = "another-digest-key-" + "y" * 40
        assert crypto.digest(number) != before


class TestVerificationSubmitOrganization:
    def test_an_owner_submits_a_valid_code(self, user) -> None:
        org = OrganizationFactory(owner=user)
        request = services.verification_submit_organization(
            actor=user,
            organization=org,
            legal_name="重庆某科技有限公司",
            credit_code="91350100m000100y43",
            documents=licence_documents(),
        )
        assert request.credit_code == "91350100M000100Y43"
        assert request.status == VerificationRequest.Status.PENDING

    def test_a_plain_member_cannot_submit(self, user) -> None:
        org = OrganizationFactory(owner=UserFactory())
        make_org_member(user, org)
        with pytest.raises(NotAllowed):
            services.verification_submit_organization(
                actor=user,
                organization=org,
                legal_name="X",
                credit_code=make_credit_code(1),
                documents=licence_documents(),
            )
        assert VerificationRequest.objects.count() == 0

    def test_an_invalid_code_is_a_field_error_and_nothing_is_written(self, user) -> None:
        org = OrganizationFactory(owner=user)
        with pytest.raises(ValidationFailed) as exc:
            services.verification_submit_organization(
                actor=user,
                organization=org,
                legal_name="X",
                credit_code="91350100M000100Y44",
                documents=licence_documents(),
            )
        assert list(exc.value.fields) == ["credit_code"]
        assert VerificationRequest.objects.count() == 0

    def test_a_code_verified_for_another_organization_is_refused(self, user) -> None:
        taken = OrganizationFactory(verified=True)
        org = OrganizationFactory(owner=user)
        with pytest.raises(Conflict) as exc:
            services.verification_submit_organization(
                actor=user,
                organization=org,
                legal_name="X",
                credit_code=taken.credit_code,
                documents=licence_documents(),
            )
        assert taken.name not in str(exc.value.message)

    def test_an_already_verified_organization_is_refused(self, user) -> None:
        org = OrganizationFactory(owner=user, verified=True)
        with pytest.raises(Conflict):
            services.verification_submit_organization(
                actor=user,
                organization=org,
                legal_name="X",
                credit_code=make_credit_code(99),
                documents=licence_documents(),
            )


class TestVerificationReview:
    def test_approving_a_person_verifies_them_and_tells_them_in_their_language(
        self, reviewer
    ) -> None:
        person = UserFactory(language="en")
        request = PersonVerificationRequestFactory(submitted_by=person, legal_name="Li Si")
        services.verification_approve(reviewer=reviewer, request=request)
        person.refresh_from_db()
        request.refresh_from_db()
        assert person.real_name_verified_at is not None
        assert person.verified_real_name == "Li Si"
        assert request.status == VerificationRequest.Status.APPROVED
        assert request.reviewed_by == reviewer
        note = Notification.objects.get(recipient=person)
        assert note.title == "Your real name is now verified"
        assert actions(request) == ["verification.approved"]

    def test_approving_an_organization_sets_its_code_and_keeps_its_name(self, reviewer) -> None:
        request = OrganizationVerificationRequestFactory(legal_name="重庆法定名称有限公司")
        org = request.organization
        services.verification_approve(reviewer=reviewer, request=request)
        org.refresh_from_db()
        assert org.verified_at is not None
        assert org.credit_code == request.credit_code
        assert org.name != "重庆法定名称有限公司"

    def test_a_request_is_decided_only_once(self, reviewer) -> None:
        request = PersonVerificationRequestFactory()
        services.verification_approve(reviewer=reviewer, request=request)
        with pytest.raises(InvalidTransition):
            services.verification_reject(reviewer=reviewer, request=request, reason="late")
        assert Notification.objects.filter(recipient=request.submitted_by).count() == 1

    def test_rejection_needs_a_reason_and_lets_the_person_submit_again(self, reviewer) -> None:
        request = PersonVerificationRequestFactory()
        with pytest.raises(ValidationFailed):
            services.verification_reject(reviewer=reviewer, request=request, reason="  ")
        services.verification_reject(reviewer=reviewer, request=request, reason="Blurry photo")
        request.refresh_from_db()
        assert request.status == VerificationRequest.Status.REJECTED
        assert request.decision_note == "Blurry photo"
        assert "Blurry photo" in Notification.objects.get(recipient=request.submitted_by).body
        services.verification_submit_person(
            user=request.submitted_by,
            legal_name="李四",
            id_number=make_id_number(3),
            documents=id_documents(),
        )

    def test_only_staff_with_the_permission_review(self) -> None:
        request = PersonVerificationRequestFactory()
        for outsider in (UserFactory(), UserFactory(staff=True)):
            with pytest.raises(NotAllowed):
                services.verification_approve(reviewer=outsider, request=request)
        request.refresh_from_db()
        assert request.status == VerificationRequest.Status.PENDING

    def test_one_id_number_cannot_verify_two_people(self, reviewer) -> None:
        number = make_id_number(11)
        first = PersonVerificationRequestFactory(id_number=number)
        second = PersonVerificationRequestFactory(id_number=number)
        services.verification_approve(reviewer=reviewer, request=first)
        with pytest.raises(Conflict):
            services.verification_approve(reviewer=reviewer, request=second)
        second.refresh_from_db()
        assert second.status == VerificationRequest.Status.PENDING
        assert second.submitted_by.real_name_verified_at is None


# --- users ---------------------------------------------------------------------------------------


class TestUserSuspension:
    @pytest.fixture
    def staff(self):
        return UserFactory(staff=True, perms=["accounts.change_user"])

    def test_a_suspended_user_is_told_and_can_no_longer_act(self, staff, user) -> None:
        services.user_suspend(actor=staff, user=user, reason="Fraudulent bids")
        user.refresh_from_db()
        assert user.is_suspended
        assert user.suspension_reason == "Fraudulent bids"
        assert actions(user) == ["user.suspended"]
        assert Notification.objects.filter(recipient=user, kind="account.suspended").exists()
        with pytest.raises(NotAllowed):
            services.organization_create(actor=user, name="Shell", kind="enterprise")

    def test_lifting_the_suspension_restores_the_user(self, staff) -> None:
        suspended = UserFactory(suspended=True)
        services.user_unsuspend(actor=staff, user=suspended)
        suspended.refresh_from_db()
        assert not suspended.is_suspended
        services.organization_create(actor=suspended, name="Fresh start", kind="enterprise")

    def test_non_staff_and_self_suspension_are_refused(self, staff, user) -> None:
        with pytest.raises(NotAllowed):
            services.user_suspend(actor=user, user=staff, reason="revenge")
        with pytest.raises(NotAllowed):
            services.user_suspend(actor=staff, user=staff, reason="oops")
        assert not User.objects.filter(suspended_at__isnull=False).exists()

    def test_a_reason_is_required(self, staff, user) -> None:
        with pytest.raises(ValidationFailed) as exc:
            services.user_suspend(actor=staff, user=user, reason="")
        assert "reason" in exc.value.fields

    def test_suspending_twice_is_an_invalid_transition(self, staff) -> None:
        suspended = UserFactory(suspended=True)
        with pytest.raises(InvalidTransition):
            services.user_suspend(actor=staff, user=suspended, reason="again")

    def test_suspended_staff_cannot_suspend_anyone(self, staff, user) -> None:
        staff.suspended_at = timezone.now()
        staff.save(update_fields=["suspended_at"])
        with pytest.raises(NotAllowed):
            services.user_suspend(actor=staff, user=user, reason="Spam")
        user.refresh_from_db()
        assert not user.is_suspended


# --- races (real PostgreSQL row locks, one connection per thread) --------------------------------


@pytest.mark.django_db(transaction=True)
class TestRaces:
    def test_a_double_click_on_accept_yields_one_membership(self) -> None:
        org = OrganizationFactory(owner=UserFactory())
        invitee = UserFactory()
        invitation = InvitationFactory(organization=org, email=invitee.email)

        def accept() -> Membership:
            return services.invitation_accept(user=invitee, token=invitation.token)

        results = run_concurrently(accept, accept, accept)
        assert all(isinstance(r, Membership) for r in results), results
        assert len({r.pk for r in results}) == 1
        assert Membership.objects.filter(user=invitee, organization=org).count() == 1
        assert actions(invitation) == ["invitation.accepted"]

    def test_two_owners_demoting_each_other_at_once_leave_one_owner(self) -> None:
        first, second = UserFactory(), UserFactory()
        org = OrganizationFactory(owner=first)
        make_org_member(second, org, Membership.Role.OWNER)
        first_membership = Membership.objects.get(user=first, organization=org)
        second_membership = Membership.objects.get(user=second, organization=org)

        results = run_concurrently(
            lambda: services.membership_set_role(
                actor=first, membership=second_membership, role="member"
            ),
            lambda: services.membership_set_role(
                actor=second, membership=first_membership, role="member"
            ),
        )
        errors = [r for r in results if isinstance(r, Exception)]
        assert len(errors) == 1, results
        assert isinstance(errors[0], (InvalidTransition, NotAllowed))
        assert org.memberships.filter(role=Membership.Role.OWNER).count() == 1

    def test_two_organizations_racing_for_one_credit_code_verify_only_one(self) -> None:
        reviewer = UserFactory(staff=True, perms=[REVIEW_PERM])
        code = make_credit_code(4242)
        requests = [OrganizationVerificationRequestFactory(credit_code=code) for _ in range(2)]

        results = run_concurrently(
            *[
                (lambda r=r: services.verification_approve(reviewer=reviewer, request=r))
                for r in requests
            ]
        )
        assert sum(isinstance(r, Conflict) for r in results) == 1, results
        assert Organization.objects.filter(credit_code=code).count() == 1


# --- a user's own profile ----------------------------------------------------------------------


def test_a_user_updates_their_own_name_and_language() -> None:
    from accounts.services import user_profile_update

    user = UserFactory(language="zh-hans")
    user_profile_update(user=user, name="  陈伟  ", language="en")
    user.refresh_from_db()
    assert (user.name, user.language) == ("陈伟", "en")
    assert audit_trail(user).filter(action="user.profile_update").exists()


@pytest.mark.parametrize(("name", "language"), [("", "en"), ("x" * 81, "en"), ("陈伟", "fr")])
def test_a_bad_profile_update_changes_nothing(name: str, language: str) -> None:
    from accounts.services import user_profile_update

    user = UserFactory(name="原名", language="zh-hans")
    with pytest.raises(ValidationFailed):
        user_profile_update(user=user, name=name, language=language)
    user.refresh_from_db()
    assert (user.name, user.language) == ("原名", "zh-hans")
