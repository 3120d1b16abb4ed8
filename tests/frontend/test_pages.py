"""The web app's pages: who may see them, what they show, and that forms go through services."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from accounts.models import (
    Invitation,
    Membership,
    Organization,
    ProviderProfile,
    VerificationRequest,
)
from tests.accounts.factories import id_documents, licence_documents
from tests.factories import (
    InvitationFactory,
    NotificationFactory,
    OrganizationFactory,
    ProviderProfileFactory,
    SkillFactory,
    UserFactory,
    make_credit_code,
    make_id_number,
    make_org_member,
)
from tests.page_helpers import html

pytestmark = pytest.mark.django_db

PRIVATE_PAGES = [
    "/dashboard/",
    "/me/",
    "/orgs/",
    "/orgs/new/",
    "/provider/",
    "/verify/",
    "/notifications/",
    "/orgs/changjiang/settings/",
    "/orgs/changjiang/verify/",
    "/invitations/some-token/",
]


# --- anonymous visitors ---------------------------------------------------------------------


def test_home_shows_real_counts_and_the_skill_categories(client: Client) -> None:
    OrganizationFactory.create_batch(2)
    ProviderProfileFactory(headline="工业视觉检测与机器人集成")
    skill = SkillFactory(name_zh="测试技能甲", name_en="Test skill A")

    response = client.get("/", HTTP_ACCEPT_LANGUAGE="zh-hans")

    assert response.status_code == 200
    page = html(response)
    assert f'data-stat="organizations">{Organization.objects.count()}<' in page
    assert f'data-stat="providers">{ProviderProfile.objects.count()}<' in page
    assert skill.category.name_zh in page
    assert "工业视觉检测与机器人集成" in page
    assert "众包" in page


@pytest.mark.parametrize("path", PRIVATE_PAGES)
def test_private_pages_send_anonymous_visitors_to_sign_in(client: Client, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_public_organization_and_provider_pages_need_no_account(client: Client, org) -> None:
    profile = ProviderProfileFactory(headline="Machine vision for quality inspection")
    assert client.get(f"/orgs/{org.slug}/").status_code == 200
    response = client.get(f"/providers/{profile.pk}/")
    assert response.status_code == 200
    assert "Machine vision for quality inspection" in html(response)
    assert client.get("/orgs/no-such-org/").status_code == 404
    assert client.get("/providers/999999/").status_code == 404


def test_user_text_is_escaped(client: Client, user) -> None:
    organization = OrganizationFactory(
        slug="xss", owner=user, description='<script>alert("x")</script>'
    )
    page = html(client.get(f"/orgs/{organization.slug}/"))
    assert '<script>alert("x")</script>' not in page
    assert "&lt;script&gt;" in page


# --- signed-in pages ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    ["/dashboard/", "/me/", "/orgs/", "/orgs/new/", "/provider/", "/verify/", "/notifications/"],
)
def test_own_pages_render_for_a_signed_in_user(owner_client: Client, org, path: str) -> None:
    response = owner_client.get(path)
    assert response.status_code == 200
    assert "data-bell" in html(response)


def test_dashboard_lists_organizations_roles_and_next_steps(
    owner_client: Client, org, user
) -> None:
    NotificationFactory(recipient=user, title="您的投标已中标")
    page = html(owner_client.get("/dashboard/", HTTP_ACCEPT_LANGUAGE="zh-hans"))
    assert org.name in page
    assert 'data-status="owner"' in page
    assert "您的投标已中标" in page
    assert reverse("frontend:verify_person") in page  # next step: verify your real name
    assert reverse("frontend:provider_edit") in page  # next step: set up a provider profile


def test_owner_sees_settings_and_verification_of_their_organization(owner_client, org) -> None:
    assert owner_client.get(f"/orgs/{org.slug}/settings/").status_code == 200
    assert owner_client.get(f"/orgs/{org.slug}/verify/").status_code == 200


# --- organizations ----------------------------------------------------------------------------


def test_creating_an_organization_makes_the_creator_its_owner(owner_client, user) -> None:
    response = owner_client.post(
        "/orgs/new/",
        {"name": "渝北区科技服务中心", "kind": "government", "region": "500112", "website": ""},
    )
    organization = Organization.objects.get(name="渝北区科技服务中心")
    assert response.status_code == 302
    assert response["Location"] == f"/orgs/{organization.slug}/settings/"
    assert Membership.objects.get(organization=organization).user == user


def test_creating_an_organization_with_bad_input_shows_errors_and_writes_nothing(
    owner_client,
) -> None:
    response = owner_client.post("/orgs/new/", {"name": "", "kind": "castle"})
    assert response.status_code == 200
    assert 'class="field has-error' in html(response)
    assert not Organization.objects.exists()


def test_member_of_one_organization_cannot_manage_another(client_for, org) -> None:
    """A member of org A gets 404 on org B's settings and forms; nothing changes in B."""
    outsider = UserFactory()
    OrganizationFactory(slug="org-a", owner=outsider)
    colleague = UserFactory()
    colleague_membership = make_org_member(colleague, org)
    client = client_for(outsider)

    assert client.get(f"/orgs/{org.slug}/settings/").status_code == 404
    assert client.get(f"/orgs/{org.slug}/verify/").status_code == 404
    assert client.get(f"/orgs/{org.slug}/provider/").status_code == 404
    invite = client.post(
        f"/orgs/{org.slug}/invitations/", {"email": "mallory@example.com", "role": "owner"}
    )
    role = client.post(
        f"/orgs/{org.slug}/members/{colleague_membership.pk}/role/",
        {f"m{colleague_membership.pk}-role": "owner"},
    )
    remove = client.post(f"/orgs/{org.slug}/members/{colleague_membership.pk}/remove/")

    assert (invite.status_code, role.status_code, remove.status_code) == (404, 404, 404)
    assert not Invitation.objects.filter(organization=org).exists()
    colleague_membership.refresh_from_db()
    assert colleague_membership.role == Membership.Role.MEMBER


def test_a_plain_member_may_not_open_the_settings(client_for, org) -> None:
    member = UserFactory()
    make_org_member(member, org)
    client = client_for(member)
    assert client.get(f"/orgs/{org.slug}/settings/").status_code == 403
    response = client.post(
        f"/orgs/{org.slug}/invitations/", {"email": "x@example.com", "role": "member"}
    )
    assert response.status_code == 403
    assert not Invitation.objects.exists()


def test_owner_invites_changes_a_role_and_removes_a_member(owner_client, org, celery_eager) -> None:
    response = owner_client.post(
        f"/orgs/{org.slug}/invitations/", {"email": "Wang.Fang@Example.com", "role": "admin"}
    )
    assert response.status_code == 302
    invitation = Invitation.objects.get(organization=org)
    assert (invitation.email, invitation.role) == ("wang.fang@example.com", "admin")

    member = make_org_member(UserFactory(), org)
    response = owner_client.post(
        f"/orgs/{org.slug}/members/{member.pk}/role/", {f"m{member.pk}-role": "admin"}
    )
    assert response.status_code == 302
    member.refresh_from_db()
    assert member.role == Membership.Role.ADMIN

    response = owner_client.post(f"/orgs/{org.slug}/members/{member.pk}/remove/")
    assert response.status_code == 302
    assert not Membership.objects.filter(pk=member.pk).exists()

    owner_client.post(f"/orgs/{org.slug}/invitations/{invitation.pk}/revoke/")
    invitation.refresh_from_db()
    assert invitation.revoked_at is not None


def test_htmx_role_change_returns_the_member_row(owner_client, org) -> None:
    member = make_org_member(UserFactory(name="王芳"), org)
    response = owner_client.post(
        f"/orgs/{org.slug}/members/{member.pk}/role/",
        {f"m{member.pk}-role": "admin"},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    page = html(response)
    assert page.strip().startswith(f'<tr id="member-{member.pk}"')
    assert 'data-status="admin"' in page


def test_the_last_owner_cannot_leave_and_sees_why(owner_client, org, user) -> None:
    own = Membership.objects.get(user=user, organization=org)
    response = owner_client.post(f"/orgs/{org.slug}/members/{own.pk}/remove/", follow=True)
    assert Membership.objects.filter(pk=own.pk).exists()
    assert 'class="alert alert-error' in html(response)


def test_invalid_invitation_email_is_a_form_error(owner_client, org) -> None:
    response = owner_client.post(
        f"/orgs/{org.slug}/invitations/", {"email": "not-an-email", "role": "member"}
    )
    assert response.status_code == 400
    assert 'data-field="email"' in html(response)
    assert not Invitation.objects.exists()


def test_an_invitee_accepts_their_invitation(client_for, org) -> None:
    invitee = UserFactory(email="invitee@example.com")
    invitation = InvitationFactory(organization=org, email="invitee@example.com", role="member")
    client = client_for(invitee)
    page = html(client.get(f"/invitations/{invitation.token}/"))
    assert org.name in page
    response = client.post(f"/invitations/{invitation.token}/")
    assert response.status_code == 302
    assert Membership.objects.filter(user=invitee, organization=org, role="member").exists()


def test_an_unknown_invitation_token_is_404(owner_client) -> None:
    assert owner_client.get("/invitations/nope/").status_code == 404


# --- verification ---------------------------------------------------------------------------


def test_invalid_credit_code_on_organization_verification_writes_nothing(owner_client, org) -> None:
    valid = make_credit_code(7)
    typo = valid[:-1] + ("0" if valid[-1] != "0" else "1")
    response = owner_client.post(
        f"/orgs/{org.slug}/verify/", {"legal_name": org.name, "credit_code": typo}
    )
    assert response.status_code == 400
    assert 'data-field="credit_code"' in html(response)
    assert 'class="field has-error' in html(response)
    assert not VerificationRequest.objects.exists()


def test_valid_organization_verification_is_submitted(owner_client, org) -> None:
    response = owner_client.post(
        f"/orgs/{org.slug}/verify/",
        {"legal_name": org.name, "credit_code": make_credit_code(8), **licence_documents()},
    )
    assert response.status_code == 302
    request = VerificationRequest.objects.get(organization=org)
    assert request.status == VerificationRequest.Status.PENDING
    assert 'data-status="pending"' in html(owner_client.get(f"/orgs/{org.slug}/verify/"))


def test_person_verification_shows_the_id_number_only_masked(owner_client) -> None:
    number = make_id_number(42)
    response = owner_client.post(
        "/verify/", {"legal_name": "李明", "id_number": number, **id_documents()}
    )
    assert response.status_code == 302
    page = html(owner_client.get("/verify/"))
    request = VerificationRequest.objects.get()
    assert number not in page
    assert request.id_number_masked in page


def test_bad_id_number_is_not_echoed_back(owner_client) -> None:
    bad = make_id_number(43)[:-1] + "Y"
    response = owner_client.post("/verify/", {"legal_name": "李明", "id_number": bad})
    assert response.status_code == 400
    assert bad not in html(response)
    assert not VerificationRequest.objects.exists()


# --- provider profile -----------------------------------------------------------------------


def test_provider_profile_saves_the_day_rate_in_fen_and_the_skills(owner_client, user) -> None:
    skill = SkillFactory(name_zh="机器视觉", name_en="Machine vision")
    response = owner_client.post(
        "/provider/",
        {
            "headline": "Machine vision for quality inspection",
            "bio": "",
            "day_rate": "1500.5",
            "currency": "CNY",
            "region": "500112",
            "availability": "available",
            "years_experience": "8",
            f"skill_{skill.pk}": "4",
        },
    )
    profile = ProviderProfile.objects.get(user=user)
    assert response.status_code == 302
    assert profile.day_rate == 150050
    assert list(profile.skill_levels.values_list("skill_id", "level")) == [(skill.pk, 4)]
    page = html(Client().get(f"/providers/{profile.pk}/", HTTP_ACCEPT_LANGUAGE="zh-hans"))
    assert "¥1,500.50" in page


def test_provider_profile_rejects_a_malformed_day_rate(owner_client, user) -> None:
    response = owner_client.post(
        "/provider/",
        {
            "headline": "x",
            "day_rate": "12.345",
            "currency": "CNY",
            "availability": "available",
            "years_experience": "1",
        },
    )
    assert response.status_code == 200
    assert 'data-field="day_rate"' in html(response)
    assert not ProviderProfile.objects.filter(user=user).exists()


def test_micro_firm_owner_edits_the_firm_profile(owner_client, user) -> None:
    firm = OrganizationFactory(slug="firm", kind=Organization.Kind.MICROFIRM, owner=user)
    response = owner_client.post(
        "/orgs/firm/provider/",
        {
            "headline": "Small-batch vision systems",
            "day_rate": "",
            "currency": "CNY",
            "availability": "limited",
            "years_experience": "3",
        },
    )
    assert response.status_code == 302
    assert ProviderProfile.objects.get(organization=firm).day_rate is None


def test_enterprise_has_no_provider_profile_page(owner_client, org) -> None:
    assert owner_client.get(f"/orgs/{org.slug}/provider/").status_code == 404


# --- notifications and language -------------------------------------------------------------


def test_mark_all_notifications_read(owner_client, user) -> None:
    NotificationFactory.create_batch(3, recipient=user)
    other = NotificationFactory()
    response = owner_client.post("/notifications/read/")
    assert response.status_code == 302
    assert not user.notifications.filter(read_at__isnull=True).exists()
    other.refresh_from_db()
    assert other.read_at is None


def test_language_switch_sets_the_language(owner_client) -> None:
    owner_client.post("/i18n/setlang/", {"language": "zh-hans", "next": "/dashboard/"})
    page = html(owner_client.get("/dashboard/"))
    assert "工作台" in page
    assert "入门" in page  # the onboarding checklist's title

    response = owner_client.post("/i18n/setlang/", {"language": "en", "next": "/dashboard/"})
    assert response["Location"] == "/dashboard/"
    page = html(owner_client.get("/dashboard/"))
    assert "Dashboard" in page
    assert "Getting started" in page
    assert "工作台" not in page


def test_saving_the_profile_language_switches_the_ui(owner_client, user) -> None:
    response = owner_client.post("/me/", {"name": "Li Ming", "language": "en"})
    assert response.status_code == 302
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    user.refresh_from_db()
    assert (user.name, user.language) == ("Li Ming", "en")
    assert "Profile and language" in html(owner_client.get("/me/"))


def test_sign_in_page_uses_the_site_layout(client: Client) -> None:
    """allauth's pages render in the site's layout (frontend/templates/allauth/layouts/)."""
    page = html(client.get(reverse("account_login")))
    assert 'class="site-header"' in page, (
        "allauth's own layout won: marketplace/settings.py must list frontend/templates in "
        "TEMPLATES DIRS so that frontend's allauth/layouts/*.html override allauth's"
    )
    assert 'class="card entrance-card"' in page


def test_the_header_language_switch_also_saves_the_choice_to_the_account(
    owner_client, user
) -> None:
    """The choice survives the next sign-in, which applies user.language (accounts.adapters)."""
    page = html(owner_client.get("/dashboard/"))
    assert f'action="{reverse("frontend:set_language")}"' in page
    response = owner_client.post(
        reverse("frontend:set_language"), {"language": "en", "next": "/dashboard/"}
    )
    assert response.status_code == 302
    assert response["Location"] == "/dashboard/"
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    user.refresh_from_db()
    assert user.language == "en"


def test_an_anonymous_language_switch_sets_only_the_cookie(client: Client) -> None:
    response = client.post(reverse("frontend:set_language"), {"language": "en", "next": "/"})
    assert response.status_code == 302
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    # A GET of the POST-only switch leads to a page instead of a blank 405.
    assert client.get(reverse("frontend:set_language")).status_code == 302


def test_settings_list_owners_first_then_admins_then_members(owner_client, org, user) -> None:
    make_org_member(UserFactory(name="Aaron Admin"), org, Membership.Role.ADMIN)
    make_org_member(UserFactory(name="Abby Member"), org, Membership.Role.MEMBER)
    page = html(owner_client.get(f"/orgs/{org.slug}/settings/"))
    table = page[page.index('id="members"') :]
    owner, admin, member = (table.index(n) for n in (user.name, "Aaron Admin", "Abby Member"))
    assert owner < admin < member
