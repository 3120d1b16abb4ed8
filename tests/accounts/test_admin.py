"""The back office: reviewers decide verification requests and suspend users through actions that
call the services; the full ID number never appears."""

from __future__ import annotations

import pytest
from django.contrib import messages
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.test import Client
from django.urls import reverse

from accounts import crypto
from accounts.models import Invitation, Notification, User, VerificationRequest
from marketplace.audit import audit_trail
from tests.accounts.factories import (
    InvitationFactory,
    NotificationFactory,
    OrganizationFactory,
    OrganizationVerificationRequestFactory,
    PersonVerificationRequestFactory,
    ProviderProfileFactory,
    SkillFactory,
    UserFactory,
    make_id_number,
)

pytestmark = pytest.mark.django_db

REVIEWER_PERMS = [
    "accounts.view_verificationrequest",
    "accounts.change_verificationrequest",
]
CHANGELIST = "admin:accounts_verificationrequest_changelist"


@pytest.fixture
def reviewer() -> User:
    return UserFactory(staff=True, perms=REVIEWER_PERMS)


@pytest.fixture
def reviewer_client(reviewer) -> Client:
    client = Client()
    client.force_login(reviewer)
    return client


def run_action(client: Client, changelist: str, action: str, objects, **extra) -> object:
    data = {"action": action, ACTION_CHECKBOX_NAME: [o.pk for o in objects], "index": 0, **extra}
    return client.post(reverse(changelist), data)


class TestVerificationReview:
    def test_the_queue_shows_the_masked_number_only(self, reviewer_client) -> None:
        number = make_id_number(31)
        request = PersonVerificationRequestFactory(id_number=number)
        response = reviewer_client.get(reverse(CHANGELIST))
        page = response.content.decode()
        assert response.status_code == 200
        # The queue's five columns leave the numbers to the request's own page.
        assert request.legal_name in page
        assert number not in page
        detail = reviewer_client.get(
            reverse("admin:accounts_verificationrequest_change", args=[request.pk])
        ).content.decode()
        assert request.id_number_masked in detail
        assert number not in detail
        assert request.id_number_encrypted not in detail
        assert request.id_number_digest not in detail

    def test_the_queue_filters_by_status_and_subject(self, reviewer_client) -> None:
        person = PersonVerificationRequestFactory(legal_name="Person Pending")
        organization = OrganizationVerificationRequestFactory(legal_name="Org Pending")
        PersonVerificationRequestFactory(legal_name="Already Rejected", status="rejected")
        response = reviewer_client.get(
            reverse(CHANGELIST) + "?status__exact=pending&subject__exact=organization"
        )
        listed = {r.pk for r in response.context["cl"].result_list}
        assert listed == {organization.pk}
        assert person.pk not in listed

    def test_approving_through_the_action_verifies_the_person(
        self, reviewer, reviewer_client
    ) -> None:
        request = PersonVerificationRequestFactory(legal_name="李四")
        response = run_action(reviewer_client, CHANGELIST, "approve_requests", [request])
        assert response.status_code == 302
        request.refresh_from_db()
        assert request.status == VerificationRequest.Status.APPROVED
        assert request.reviewed_by == reviewer
        request.submitted_by.refresh_from_db()
        assert request.submitted_by.verified_real_name == "李四"
        assert [e.action for e in audit_trail(request)] == ["verification.approved"]

    def test_approving_an_organization_through_the_action_verifies_it(
        self, reviewer_client
    ) -> None:
        request = OrganizationVerificationRequestFactory()
        run_action(reviewer_client, CHANGELIST, "approve_requests", [request])
        request.organization.refresh_from_db()
        assert request.organization.verified_at is not None
        assert request.organization.credit_code == request.credit_code

    def test_an_already_decided_request_is_reported_and_the_others_go_on(
        self, reviewer_client
    ) -> None:
        decided = PersonVerificationRequestFactory(status="rejected", decision_note="old")
        pending = PersonVerificationRequestFactory()
        # The queue opens on waiting requests; the decided one is selected from "All".
        data = {"action": "approve_requests", ACTION_CHECKBOX_NAME: [decided.pk, pending.pk]}
        response = reviewer_client.post(reverse(CHANGELIST) + "?status__exact=all", data)
        follow = reviewer_client.get(response["Location"])
        levels = sorted(m.level for m in follow.context["messages"])
        assert levels == [messages.SUCCESS, messages.ERROR]
        decided.refresh_from_db()
        pending.refresh_from_db()
        assert decided.status == "rejected"
        assert pending.status == "approved"

    def test_rejecting_asks_for_a_reason_first(self, reviewer_client) -> None:
        request = PersonVerificationRequestFactory()
        response = run_action(reviewer_client, CHANGELIST, "reject_requests", [request])
        assert response.status_code == 200
        assert "admin/marketplace/reason_action.html" in [t.name for t in response.templates]
        assert "reason" in response.context["form"].fields
        request.refresh_from_db()
        assert request.status == VerificationRequest.Status.PENDING

    def test_an_empty_reason_shows_the_form_again_and_nothing_changes(
        self, reviewer_client
    ) -> None:
        request = PersonVerificationRequestFactory()
        response = reviewer_client.post(
            reverse(CHANGELIST),
            {"action": "reject_requests", ACTION_CHECKBOX_NAME: [request.pk], "apply": "1"},
        )
        assert response.status_code == 200
        assert response.context["form"].errors["reason"]
        request.refresh_from_db()
        assert request.status == VerificationRequest.Status.PENDING

    def test_rejecting_with_a_reason_records_it_and_tells_the_submitter(
        self, reviewer_client
    ) -> None:
        request = PersonVerificationRequestFactory()
        response = reviewer_client.post(
            reverse(CHANGELIST),
            {
                "action": "reject_requests",
                ACTION_CHECKBOX_NAME: [request.pk],
                "apply": "1",
                "reason": "The name does not match the ID card.",
            },
        )
        assert response.status_code == 302
        request.refresh_from_db()
        assert request.status == VerificationRequest.Status.REJECTED
        assert request.decision_note == "The name does not match the ID card."
        assert Notification.objects.filter(
            recipient=request.submitted_by, kind="verification.rejected"
        ).exists()

    def test_staff_who_may_only_view_cannot_decide(self) -> None:
        viewer = UserFactory(staff=True, perms=["accounts.view_verificationrequest"])
        client = Client()
        client.force_login(viewer)
        request = PersonVerificationRequestFactory()
        response = client.get(reverse(CHANGELIST))
        assert "approve_requests" not in response.content.decode()
        run_action(client, CHANGELIST, "approve_requests", [request])
        request.refresh_from_db()
        assert request.status == VerificationRequest.Status.PENDING

    def test_requests_cannot_be_added_edited_or_deleted_in_the_admin(self, reviewer_client) -> None:
        request = PersonVerificationRequestFactory()
        assert (
            reviewer_client.get(reverse("admin:accounts_verificationrequest_add")).status_code
            == 403
        )
        change_url = reverse("admin:accounts_verificationrequest_change", args=[request.pk])
        reviewer_client.post(change_url, {"legal_name": "Forged", "status": "approved"})
        request.refresh_from_db()
        assert (request.legal_name, request.status) != ("Forged", "approved")
        assert request.status == VerificationRequest.Status.PENDING
        assert crypto.decrypt(request.id_number_encrypted)


class TestUserAdmin:
    @pytest.fixture
    def staff_client(self) -> Client:
        staff = UserFactory(
            staff=True, perms=["accounts.view_user", "accounts.change_user", "accounts.add_user"]
        )
        client = Client()
        client.force_login(staff)
        return client

    def test_suspending_asks_for_a_reason_then_calls_the_service(self, staff_client) -> None:
        target = UserFactory()
        changelist = "admin:accounts_user_changelist"
        first = run_action(staff_client, changelist, "suspend_users", [target])
        assert first.status_code == 200
        target.refresh_from_db()
        assert not target.is_suspended
        staff_client.post(
            reverse(changelist),
            {
                "action": "suspend_users",
                ACTION_CHECKBOX_NAME: [target.pk],
                "apply": "1",
                "reason": "Posting fake tasks",
            },
        )
        target.refresh_from_db()
        assert target.is_suspended
        assert target.suspension_reason == "Posting fake tasks"
        assert [e.action for e in audit_trail(target)] == ["user.suspended"]

    def test_lifting_a_suspension_through_the_action(self, staff_client) -> None:
        target = UserFactory(suspended=True)
        run_action(staff_client, "admin:accounts_user_changelist", "unsuspend_users", [target])
        target.refresh_from_db()
        assert not target.is_suspended

    def test_the_list_searches_by_email_and_filters_suspended(self, staff_client) -> None:
        UserFactory(email="findme@example.com")
        UserFactory(suspended=True)
        found = staff_client.get(reverse("admin:accounts_user_changelist") + "?q=findme")
        assert [u.email for u in found.context["cl"].result_list] == ["findme@example.com"]
        suspended = staff_client.get(reverse("admin:accounts_user_changelist") + "?suspended=yes")
        assert all(u.is_suspended for u in suspended.context["cl"].result_list)
        assert len(suspended.context["cl"].result_list) == 1

    def test_staff_add_an_email_only_user(self, staff_client) -> None:
        response = staff_client.post(
            reverse("admin:accounts_user_add"),
            {
                "email": "New.Staffer@Example.com",
                "name": "New Staffer",
                "usable_password": "true",
                "password1": "a-long-enough-passphrase",
                "password2": "a-long-enough-passphrase",
            },
        )
        assert response.status_code == 302, response.context["adminform"].form.errors
        created = User.objects.get(email="new.staffer@example.com")
        assert created.check_password("a-long-enough-passphrase")

    def test_a_duplicate_email_in_another_case_is_refused(self, staff_client) -> None:
        UserFactory(email="exists@example.com")
        response = staff_client.post(
            reverse("admin:accounts_user_add"),
            {
                "email": "EXISTS@example.com",
                "usable_password": "true",
                "password1": "a-long-enough-passphrase",
                "password2": "a-long-enough-passphrase",
            },
        )
        assert response.status_code == 200
        assert response.context["adminform"].form.errors["email"]
        assert User.objects.filter(email__iexact="exists@example.com").count() == 1

    def test_suspension_fields_cannot_be_edited_directly(self, staff_client) -> None:
        target = UserFactory()
        page = staff_client.get(reverse("admin:accounts_user_change", args=[target.pk]))
        form = page.context["adminform"].form
        assert "suspended_at" not in form.fields
        assert "real_name_verified_at" not in form.fields


class TestOtherAdminPages:
    def test_every_accounts_admin_page_renders_for_a_superuser(self) -> None:
        superuser = UserFactory(staff=True, is_superuser=True)
        client = Client()
        client.force_login(superuser)
        owner = UserFactory()
        organization = OrganizationFactory(owner=owner)
        objects = {
            "user": owner,
            "organization": organization,
            "membership": organization.memberships.get(),
            "invitation": InvitationFactory(organization=organization),
            "skill": SkillFactory(),
            "skillcategory": SkillFactory().category,
            "providerprofile": ProviderProfileFactory(skills={SkillFactory(): 2}),
            "verificationrequest": PersonVerificationRequestFactory(),
            "notification": NotificationFactory(),
        }
        for model, obj in objects.items():
            changelist = client.get(reverse(f"admin:accounts_{model}_changelist"))
            assert changelist.status_code == 200, model
            change = client.get(reverse(f"admin:accounts_{model}_change", args=[obj.pk]))
            assert change.status_code == 200, model

    def test_invitations_are_withdrawn_through_the_service(self) -> None:
        staff = UserFactory(
            staff=True, perms=["accounts.view_invitation", "accounts.change_invitation"]
        )
        client = Client()
        client.force_login(staff)
        invitation = InvitationFactory()
        run_action(
            client, "admin:accounts_invitation_changelist", "revoke_invitations", [invitation]
        )
        invitation.refresh_from_db()
        assert invitation.revoked_at is not None
        assert [e.action for e in audit_trail(invitation)] == ["invitation.revoked"]
        assert Invitation.objects.count() == 1

    def test_the_invitation_token_is_not_shown(self) -> None:
        superuser = UserFactory(staff=True, is_superuser=True)
        client = Client()
        client.force_login(superuser)
        invitation = InvitationFactory()
        page = client.get(reverse("admin:accounts_invitation_change", args=[invitation.pk]))
        assert invitation.token not in page.content.decode()
