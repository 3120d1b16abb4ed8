"""The accounts REST API under /api/v1/: permissions, error bodies, nothing written on bad input,
and list endpoints whose query count does not grow with the number of rows."""

from __future__ import annotations

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.urls import reverse
from rest_framework.test import APIClient

from accounts.models import (
    Invitation,
    Membership,
    Organization,
    ProviderProfile,
    ProviderSkill,
    User,
    VerificationRequest,
)
from tests.accounts.factories import (
    DEFAULT_PASSWORD,
    InvitationFactory,
    NotificationFactory,
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


def url(name: str, **kwargs: object) -> str:
    return reverse(f"accounts-api:{name}", kwargs=kwargs)


def client_for(user: User) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def error(response) -> dict:
    body = response.json()
    assert set(body) == {"error"}, body
    return body["error"]


@pytest.fixture
def org(user) -> Organization:
    """An enterprise owned by `user`."""
    return OrganizationFactory(owner=user, name="Acme")


# --- me ------------------------------------------------------------------------------------------


def test_me_describes_the_signed_in_user(api, user) -> None:
    NotificationFactory(recipient=user)
    body = api.get(url("me")).json()
    assert body["email"] == user.email
    assert body["unread_notifications"] == 1
    assert body["is_suspended"] is False


def test_me_needs_a_signed_in_user(anonymous_api) -> None:
    response = anonymous_api.get(url("me"))
    assert response.status_code in (401, 403)
    assert error(response)["code"] == "not_authenticated"


# --- organizations -------------------------------------------------------------------------------


class TestOrganizations:
    def test_create_makes_the_caller_owner(self, api, user) -> None:
        response = api.post(
            url("organization-list"),
            {"name": "重庆智造", "kind": "enterprise", "region": "500106"},
        )
        assert response.status_code == 201, response.json()
        body = response.json()
        assert body["my_role"] == "owner"
        assert body["slug"].startswith("org-")
        assert Membership.objects.get(organization_id=body["id"]).user == user

    def test_create_with_bad_input_is_a_400_with_field_errors_and_writes_nothing(self, api) -> None:
        response = api.post(
            url("organization-list"), {"name": "", "kind": "cartel", "website": "not a url"}
        )
        assert response.status_code == 400
        fields = error(response)["fields"]
        assert {"name", "kind", "website"} <= set(fields)
        assert Organization.objects.count() == 0

    def test_create_with_an_unknown_region_is_a_400_from_the_service(self, api) -> None:
        response = api.post(
            url("organization-list"), {"name": "Acme", "kind": "enterprise", "region": "999999"}
        )
        assert response.status_code == 400
        assert list(error(response)["fields"]) == ["region"]
        assert Organization.objects.count() == 0

    def test_list_shows_only_my_organizations_with_my_role_in_fixed_queries(
        self, api, user, django_assert_num_queries
    ) -> None:
        for _ in range(4):
            OrganizationFactory(owner=user)
        admin_of = OrganizationFactory(owner=UserFactory())
        make_org_member(user, admin_of, Membership.Role.ADMIN)
        OrganizationFactory(owner=UserFactory())  # not mine
        with django_assert_num_queries(2):  # count + page
            response = api.get(url("organization-list"))
        body = response.json()
        assert body["count"] == 5
        roles = {item["id"]: item["my_role"] for item in body["results"]}
        assert roles[admin_of.pk] == "admin"
        assert sorted(roles.values()) == ["admin", "owner", "owner", "owner", "owner"]

    def test_anyone_signed_in_sees_public_fields_but_not_the_members(self, org) -> None:
        stranger = client_for(UserFactory())
        body = stranger.get(url("organization-detail", organization_id=org.pk)).json()
        assert body["name"] == "Acme"
        assert body["my_role"] is None
        assert body["members"] is None

    def test_members_see_the_member_list_and_managers_see_emails(self, api, org, user) -> None:
        member = UserFactory()
        make_org_member(member, org)
        body = api.get(url("organization-detail", organization_id=org.pk)).json()
        assert {m["user"]["id"] for m in body["members"]} == {user.pk, member.pk}
        assert all(m["email"] for m in body["members"])
        as_member = client_for(member).get(url("organization-detail", organization_id=org.pk))
        assert all(m["email"] is None for m in as_member.json()["members"])

    def test_an_unknown_organization_is_a_404(self, api) -> None:
        response = api.get(url("organization-detail", organization_id=999_999))
        assert response.status_code == 404
        assert error(response)["code"] == "not_found"

    def test_the_owner_updates_only_the_fields_sent(self, api, org) -> None:
        response = api.patch(
            url("organization-detail", organization_id=org.pk), {"description": "We build."}
        )
        assert response.status_code == 200, response.json()
        org.refresh_from_db()
        assert (org.name, org.description) == ("Acme", "We build.")

    def test_a_plain_member_cannot_update_and_nothing_changes(self, org) -> None:
        member = UserFactory()
        make_org_member(member, org)
        response = client_for(member).patch(
            url("organization-detail", organization_id=org.pk), {"name": "Hijacked"}
        )
        assert response.status_code == 403
        assert error(response)["code"] == "not_allowed"
        org.refresh_from_db()
        assert org.name == "Acme"

    def test_a_member_of_another_organization_cannot_update_this_one(self, org) -> None:
        intruder = UserFactory()
        OrganizationFactory(owner=intruder)
        response = client_for(intruder).patch(
            url("organization-detail", organization_id=org.pk),
            {"name": "Hijacked", "website": "https://evil.example"},
        )
        assert response.status_code in (403, 404)
        org.refresh_from_db()
        assert (org.name, org.website) == ("Acme", "")

    def test_bad_update_input_is_a_400_and_nothing_changes(self, api, org) -> None:
        response = api.patch(
            url("organization-detail", organization_id=org.pk),
            {"name": "Renamed", "website": "javascript:alert(1)"},
        )
        assert response.status_code == 400
        assert "website" in error(response)["fields"]
        org.refresh_from_db()
        assert org.name == "Acme"


class TestMembers:
    def test_members_list_is_for_members_only(self, org) -> None:
        response = client_for(UserFactory()).get(url("member-list", organization_id=org.pk))
        assert response.status_code == 403

    def test_members_list_takes_a_fixed_number_of_queries(
        self, api, org, django_assert_num_queries
    ) -> None:
        for _ in range(6):
            make_org_member(UserFactory(), org)
        # organization, my memberships (once: member and manager checks), count, page
        with django_assert_num_queries(4):
            response = api.get(url("member-list", organization_id=org.pk))
        assert response.json()["count"] == 7

    def test_the_owner_promotes_a_member(self, api, org) -> None:
        membership = make_org_member(UserFactory(), org)
        response = api.patch(
            url("membership-detail", membership_id=membership.pk), {"role": "admin"}
        )
        assert response.status_code == 200, response.json()
        assert response.json()["role"] == "admin"

    def test_a_plain_member_cannot_change_roles(self, org) -> None:
        member = UserFactory()
        make_org_member(member, org)
        other = make_org_member(UserFactory(), org)
        response = client_for(member).patch(
            url("membership-detail", membership_id=other.pk), {"role": "admin"}
        )
        assert response.status_code == 403
        other.refresh_from_db()
        assert other.role == Membership.Role.MEMBER

    def test_a_membership_of_another_organization_is_a_404(self, api) -> None:
        foreign = make_org_member(UserFactory(), OrganizationFactory(owner=UserFactory()))
        target = url("membership-detail", membership_id=foreign.pk)
        for response in (api.patch(target, {"role": "member"}), api.delete(target)):
            assert response.status_code == 404
        assert Membership.objects.filter(pk=foreign.pk).exists()

    def test_an_invalid_role_is_a_400(self, api, org) -> None:
        membership = make_org_member(UserFactory(), org)
        response = api.patch(url("membership-detail", membership_id=membership.pk), {"role": "god"})
        assert response.status_code == 400
        assert "role" in error(response)["fields"]

    def test_a_member_leaves(self, org) -> None:
        member = UserFactory()
        membership = make_org_member(member, org)
        response = client_for(member).delete(url("membership-detail", membership_id=membership.pk))
        assert response.status_code == 204
        assert not Membership.objects.filter(pk=membership.pk).exists()

    def test_the_last_owner_cannot_leave(self, api, org, user) -> None:
        own = Membership.objects.get(user=user, organization=org)
        response = api.delete(url("membership-detail", membership_id=own.pk))
        assert response.status_code == 409
        assert error(response)["code"] == "last_owner"


# --- invitations ---------------------------------------------------------------------------------


class TestInvitations:
    def test_a_manager_invites_and_the_invitee_gets_the_link(
        self, api, org, django_capture_on_commit_callbacks
    ) -> None:
        with django_capture_on_commit_callbacks(execute=True):
            response = api.post(
                url("invitation-list", organization_id=org.pk),
                {"email": "Friend@Example.com", "role": "admin"},
            )
        assert response.status_code == 201, response.json()
        body = response.json()
        assert "token" not in body
        assert body["status"] == "pending"
        invitation = Invitation.objects.get()
        assert len(mail.outbox) == 1
        assert f"/invitations/{invitation.token}/" in mail.outbox[0].body

    def test_a_plain_member_cannot_invite(self, org) -> None:
        member = UserFactory()
        make_org_member(member, org)
        response = client_for(member).post(
            url("invitation-list", organization_id=org.pk), {"email": "x@example.com"}
        )
        assert response.status_code == 403
        assert Invitation.objects.count() == 0

    def test_a_bad_email_is_a_400_and_nothing_is_written(self, api, org) -> None:
        response = api.post(
            url("invitation-list", organization_id=org.pk), {"email": "not-an-email"}
        )
        assert response.status_code == 400
        assert "email" in error(response)["fields"]
        assert Invitation.objects.count() == 0

    def test_a_second_invitation_to_the_same_address_is_a_409(self, api, org) -> None:
        InvitationFactory(organization=org, email="twice@example.com")
        response = api.post(
            url("invitation-list", organization_id=org.pk), {"email": "TWICE@example.com"}
        )
        assert response.status_code == 409
        assert Invitation.objects.count() == 1

    def test_managers_list_pending_invitations_in_fixed_queries(
        self, api, org, django_assert_num_queries
    ) -> None:
        inviter = UserFactory()
        for _ in range(5):
            InvitationFactory(organization=org, invited_by=inviter)
        InvitationFactory(organization=org, revoked_at="2020-01-01T00:00:00Z")
        # organization, manager check, count, page (with the inviter joined)
        with django_assert_num_queries(4):
            response = api.get(url("invitation-list", organization_id=org.pk))
        body = response.json()
        assert body["count"] == 5
        assert all("token" not in item for item in body["results"])

    def test_plain_members_cannot_list_invitations(self, org) -> None:
        member = UserFactory()
        make_org_member(member, org)
        response = client_for(member).get(url("invitation-list", organization_id=org.pk))
        assert response.status_code == 403

    def test_revoking_another_organizations_invitation_is_a_404(self, api) -> None:
        foreign = InvitationFactory(organization=OrganizationFactory(owner=UserFactory()))
        response = api.delete(url("invitation-detail", invitation_id=foreign.pk))
        assert response.status_code == 404
        foreign.refresh_from_db()
        assert foreign.revoked_at is None

    def test_the_invitee_previews_and_accepts(self, org) -> None:
        invitee = UserFactory()
        invitation = InvitationFactory(organization=org, email=invitee.email, role="admin")
        client = client_for(invitee)
        preview = client.get(url("invitation-preview", token=invitation.token)).json()
        assert preview["organization"]["name"] == "Acme"
        assert preview["status"] == "pending"
        response = client.post(url("invitation-accept", token=invitation.token))
        assert response.status_code == 200, response.json()
        assert response.json()["role"] == "admin"
        assert Membership.objects.filter(user=invitee, organization=org).exists()

    def test_accepting_someone_elses_invitation_is_a_403(self, org, user) -> None:
        invitation = InvitationFactory(organization=org, email="someone@example.com")
        response = client_for(UserFactory()).post(url("invitation-accept", token=invitation.token))
        assert response.status_code == 403
        assert error(response)["code"] == "email_mismatch"

    def test_an_unknown_token_is_a_404(self, api) -> None:
        assert api.get(url("invitation-preview", token="nope")).status_code == 404
        assert api.post(url("invitation-accept", token="nope")).status_code == 404


# --- provider profiles and skills ----------------------------------------------------------------


class TestProviders:
    def test_the_skills_taxonomy_is_public(self, anonymous_api, django_assert_num_queries) -> None:
        with django_assert_num_queries(1):
            response = anonymous_api.get(url("skill-taxonomy"))
        assert response.status_code == 200
        categories = response.json()["results"]
        assert categories
        assert all(c["skills"] for c in categories)
        assert {"id", "slug", "name", "name_zh", "name_en"} <= set(categories[0]["skills"][0])

    def test_saving_my_profile_creates_then_updates_it(self, api, user) -> None:
        assert api.get(url("provider-me")).status_code == 404
        response = api.put(url("provider-me"), {"headline": "Vision engineer"})
        assert response.status_code == 200, response.json()
        response = api.put(
            url("provider-me"),
            {"headline": "Senior vision engineer", "day_rate": 150000, "region": "500103"},
        )
        body = response.json()
        assert body["headline"] == "Senior vision engineer"
        assert body["day_rate"] == 150000
        assert body["day_rate_display"]
        assert ProviderProfile.objects.filter(user=user).count() == 1
        assert api.get(url("provider-me")).json()["id"] == body["id"]

    def test_a_negative_day_rate_is_a_400_and_nothing_is_written(self, api) -> None:
        response = api.put(url("provider-me"), {"headline": "x", "day_rate": -5})
        assert response.status_code == 400
        assert "day_rate" in error(response)["fields"]
        assert ProviderProfile.objects.count() == 0

    def test_a_micro_firm_profile_needs_its_owner_or_admin(self, user) -> None:
        firm = OrganizationFactory(kind=Organization.Kind.MICROFIRM, owner=UserFactory())
        make_org_member(user, firm)
        response = client_for(user).put(
            url("provider-me"), {"organization_id": firm.pk, "headline": "Mine now"}
        )
        assert response.status_code == 403
        assert ProviderProfile.objects.count() == 0

    def test_anyone_signed_in_sees_a_public_profile(self) -> None:
        profile = ProviderProfileFactory(skills={SkillFactory(): 4})
        response = client_for(UserFactory()).get(url("provider-detail", profile_id=profile.pk))
        assert response.status_code == 200
        assert response.json()["skills"][0]["level"] == 4

    def test_a_suspended_persons_profile_is_hidden(self) -> None:
        profile = ProviderProfileFactory(user=UserFactory(suspended=True))
        response = client_for(UserFactory()).get(url("provider-detail", profile_id=profile.pk))
        assert response.status_code == 404

    def test_setting_skills_replaces_them(self, api, user) -> None:
        category = SkillCategoryFactory()
        a, b = SkillFactory(category=category), SkillFactory(category=category)
        profile = ProviderProfileFactory(user=user, skills={a: 1})
        response = api.put(
            url("provider-skills", profile_id=profile.pk),
            {"skills": [{"skill": b.pk, "level": 3}]},
        )
        assert response.status_code == 200, response.json()
        assert [(s["id"], s["level"]) for s in response.json()["skills"]] == [(b.pk, 3)]

    def test_setting_someone_elses_skills_is_a_403_and_nothing_changes(self, api) -> None:
        skill = SkillFactory()
        profile = ProviderProfileFactory(skills={skill: 2})
        response = api.put(
            url("provider-skills", profile_id=profile.pk),
            {"skills": [{"skill": skill.pk, "level": 4}]},
        )
        assert response.status_code == 403
        assert ProviderSkill.objects.get(profile=profile).level == 2

    def test_an_unknown_skill_or_bad_level_is_a_400_and_nothing_changes(self, api, user) -> None:
        skill = SkillFactory()
        profile = ProviderProfileFactory(user=user, skills={skill: 2})
        for payload in (
            {"skills": [{"skill": 987654321, "level": 2}]},
            {"skills": [{"skill": skill.pk, "level": 9}]},
            {"skills": [{"skill": skill.pk, "level": 1}, {"skill": skill.pk, "level": 2}]},
        ):
            response = api.put(url("provider-skills", profile_id=profile.pk), payload)
            assert response.status_code == 400, payload
            assert any(key.startswith("skills") for key in error(response)["fields"])
        assert ProviderSkill.objects.get(profile=profile).level == 2

    def test_listing_the_profiles_i_operate_takes_fixed_queries(
        self, api, user, django_assert_num_queries
    ) -> None:
        ProviderProfileFactory(user=user, skills={SkillFactory(): 2, SkillFactory(): 3})
        for _ in range(3):
            firm_profile = ProviderProfileFactory(firm=True, skills={SkillFactory(): 1})
            make_org_member(user, firm_profile.organization, Membership.Role.ADMIN)
        # The page's count, profiles with user/org joined, skills prefetched.
        with django_assert_num_queries(3):
            response = api.get(url("provider-operated"))
        assert response.json()["count"] == 4
        assert len(response.json()["results"]) == 4


# --- verification --------------------------------------------------------------------------------


class TestVerification:
    def test_a_person_submits_and_only_the_masked_number_comes_back(self, api) -> None:
        number = make_id_number(21)
        response = api.post(
            url("verification-person"),
            {"legal_name": "张三", "id_number": number, **id_documents()},
            format="multipart",
        )
        assert response.status_code == 201, response.json()
        assert number not in response.content.decode()
        assert response.json()["id_number_masked"].endswith(number[-4:])
        listed = api.get(url("verification-list"))
        assert number not in listed.content.decode()

    def test_an_invalid_id_number_is_a_400_field_error_and_nothing_is_written(self, api) -> None:
        response = api.post(
            url("verification-person"),
            {"legal_name": "张三", "id_number": "123456789012345678", **id_documents()},
            format="multipart",
        )
        assert response.status_code == 400
        assert list(error(response)["fields"]) == ["id_number"]
        assert VerificationRequest.objects.count() == 0

    def test_an_invalid_credit_code_is_a_400_field_error_and_nothing_is_written(
        self, api, org
    ) -> None:
        wrong_check = "91350100M000100Y44"
        for code in (wrong_check, "91350100I000100Y43", "913501"):
            response = api.post(
                url("verification-organization"),
                {
                    "organization_id": org.pk,
                    "legal_name": "Acme 有限公司",
                    "credit_code": code,
                    **licence_documents(),
                },
                format="multipart",
            )
            assert response.status_code == 400, code
            fields = error(response)["fields"]
            assert list(fields) == ["credit_code"]
            assert fields["credit_code"][0]
        assert VerificationRequest.objects.count() == 0

    def test_a_valid_credit_code_is_accepted_for_review(self, api, org) -> None:
        response = api.post(
            url("verification-organization"),
            {
                "organization_id": org.pk,
                "legal_name": "Acme 有限公司",
                "credit_code": make_credit_code(5),
                **licence_documents(),
            },
            format="multipart",
        )
        assert response.status_code == 201, response.json()
        assert response.json()["organization"]["id"] == org.pk

    def test_a_plain_member_cannot_submit_for_the_organization(self, org) -> None:
        member = UserFactory()
        make_org_member(member, org)
        response = client_for(member).post(
            url("verification-organization"),
            {
                "organization_id": org.pk,
                "legal_name": "Acme",
                "credit_code": make_credit_code(6),
                **licence_documents(),
            },
            format="multipart",
        )
        assert response.status_code == 403
        assert VerificationRequest.objects.count() == 0

    def test_an_unknown_organization_is_a_404(self, api) -> None:
        response = api.post(
            url("verification-organization"),
            {
                "organization_id": 999_999,
                "legal_name": "X",
                "credit_code": make_credit_code(7),
                **licence_documents(),
            },
            format="multipart",
        )
        assert response.status_code == 404

    def test_a_second_pending_request_is_a_409(self, api, user) -> None:
        PersonVerificationRequestFactory(submitted_by=user)
        response = api.post(
            url("verification-person"),
            {"legal_name": "张三", "id_number": make_id_number(1), **id_documents()},
            format="multipart",
        )
        assert response.status_code == 409
        assert VerificationRequest.objects.count() == 1

    def test_my_requests_are_listed_in_fixed_queries_and_never_others(
        self, api, user, django_assert_num_queries
    ) -> None:
        PersonVerificationRequestFactory(submitted_by=user, status="rejected")
        PersonVerificationRequestFactory(submitted_by=user)
        for _ in range(3):
            OrganizationVerificationRequestFactory(submitted_by=user)
        PersonVerificationRequestFactory()  # someone else's
        # The page's count, the requests with their organizations, their documents.
        with django_assert_num_queries(3):
            response = api.get(url("verification-list"))
        assert response.json()["count"] == 5


# --- notifications -------------------------------------------------------------------------------


class TestNotificationsApi:
    def test_i_list_only_my_notifications_in_fixed_queries(
        self, api, user, other_user, django_assert_num_queries
    ) -> None:
        for _ in range(5):
            NotificationFactory(recipient=user)
        NotificationFactory(recipient=other_user)
        with django_assert_num_queries(2):
            response = api.get(url("notification-list"))
        assert response.json()["count"] == 5

    def test_the_unread_filter_and_count(self, api, user) -> None:
        NotificationFactory(recipient=user)
        NotificationFactory(recipient=user, read_at="2024-01-01T00:00:00Z")
        assert api.get(url("notification-list") + "?unread=1").json()["count"] == 1
        assert api.get(url("notification-unread-count")).json() == {"unread": 1}

    def test_marking_read_touches_only_my_notifications(self, api, user, other_user) -> None:
        mine = NotificationFactory(recipient=user)
        theirs = NotificationFactory(recipient=other_user)
        response = api.post(url("notification-read"), {"ids": [mine.pk, theirs.pk]}, format="json")
        assert response.json() == {"marked": 1}
        theirs.refresh_from_db()
        assert theirs.read_at is None

    def test_marking_all_read(self, api, user) -> None:
        for _ in range(3):
            NotificationFactory(recipient=user)
        assert api.post(url("notification-read"), {}, format="json").json() == {"marked": 3}

    def test_bad_ids_are_a_400(self, api) -> None:
        response = api.post(url("notification-read"), {"ids": ["x"]}, format="json")
        assert response.status_code == 400


# --- the schema ----------------------------------------------------------------------------------


def test_the_openapi_schema_describes_the_accounts_endpoints(api) -> None:
    response = api.get(reverse("api-schema") + "?format=json")
    assert response.status_code == 200
    paths = response.json()["paths"]
    for path in (
        "/api/v1/organizations/",
        "/api/v1/organizations/{organization_id}/",
        "/api/v1/memberships/{membership_id}/",
        "/api/v1/invitations/token/{token}/accept/",
        "/api/v1/provider-profiles/me/",
        "/api/v1/verification-requests/organization/",
        "/api/v1/notifications/read/",
        "/api/v1/skills/",
    ):
        assert path in paths, path


# --- sign-up through allauth ---------------------------------------------------------------------


class TestSignupDuplicateEmail:
    """allauth's sign-up view with an address that already has an account."""

    def signup(self, client, email: str):
        return client.post(
            reverse("account_signup"),
            {
                "email": email,
                "name": "Second Person",
                "role": "poster",
                "password1": DEFAULT_PASSWORD,
                "password2": DEFAULT_PASSWORD,
            },
        )

    @pytest.mark.parametrize("email", ["taken@example.com", "Taken@EXAMPLE.com"])
    def test_a_duplicate_email_is_a_form_error_and_no_user_is_created(self, client, email) -> None:
        UserFactory(email="taken@example.com")
        response = self.signup(client, email)
        assert response.status_code == 200
        assert response.context["form"].errors["email"]
        assert User.objects.count() == 1
        assert EmailAddress.objects.count() == 1

    @pytest.mark.parametrize("email", ["taken@example.com", "Taken@EXAMPLE.com"])
    def test_with_enumeration_prevention_on_no_user_is_created_and_the_owner_is_told(
        self, client, settings, email
    ) -> None:
        settings.ACCOUNT_PREVENT_ENUMERATION = True
        UserFactory(email="taken@example.com")
        response = self.signup(client, email)
        assert response.status_code == 302  # the same page a new address gets: nothing leaks
        assert User.objects.count() == 1
        assert [m.to for m in mail.outbox] == [["taken@example.com"]]
