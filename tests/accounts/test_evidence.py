"""Real-name verification evidence: uploaded with the request, checked by content, hashed,
stored privately, shown inline to verifiers only, every view logged; decided on the request's
own page in the back office."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from accounts import services
from accounts.apps import MODERATOR_GROUP, moderator_group_ensure
from accounts.models import EvidenceView, VerificationEvidence, VerificationRequest
from marketplace.errors import ValidationFailed
from marketplace.files import private_storage
from tests.accounts.factories import (
    OrganizationFactory,
    UserFactory,
    id_documents,
    licence_documents,
    make_credit_code,
    make_id_number,
    png_upload,
)
from tests.api_helpers import API, assert_error, client_for
from tests.page_helpers import html, signed_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def moderator() -> Any:
    """A verifier as the back office has them: staff in the "moderator" group."""
    moderator_group_ensure()
    user = UserFactory(staff=True)
    user.groups.add(Group.objects.get(name=MODERATOR_GROUP))
    return user


def person_request(user: Any = None) -> VerificationRequest:
    return services.verification_submit_person(
        user=user or UserFactory(),
        legal_name="张三",
        id_number=make_id_number(41),
        documents=id_documents(),
    )


def org_request() -> VerificationRequest:
    owner = UserFactory()
    org = OrganizationFactory(owner=owner)
    return services.verification_submit_organization(
        actor=owner,
        organization=org,
        legal_name=org.name,
        credit_code=make_credit_code(41),
        documents=licence_documents(),
    )


def evidence_url(evidence: VerificationEvidence) -> str:
    return reverse(
        "admin:accounts_verificationrequest_evidence", args=[evidence.request_id, evidence.pk]
    )


# --- upload ---------------------------------------------------------------------------------------


def test_a_person_uploads_both_sides_stored_privately_under_their_hash() -> None:
    front = png_upload("我的身份证正面.png")
    expected = hashlib.sha256(front.read()).hexdigest()
    front.seek(0)
    request = services.verification_submit_person(
        user=UserFactory(),
        legal_name="张三",
        id_number=make_id_number(42),
        documents={"id_front": front, "id_back": png_upload("back.png", (1, 2, 3))},
    )
    stored = {e.kind: e for e in request.evidence.all()}
    assert set(stored) == {"id_front", "id_back"}
    item = stored["id_front"]
    assert (item.sha256, item.content_type, item.original_name) == (
        expected,
        "image/png",
        "我的身份证正面.png",
    )
    # On disk under the private root, named by the hash; nothing under MEDIA_ROOT.
    path = Path(item.file.path)
    assert path.name == f"{expected}.png"
    assert str(path).startswith(str(settings.PRIVATE_MEDIA_ROOT))
    assert not str(path).startswith(str(settings.MEDIA_ROOT))
    assert hashlib.sha256(path.read_bytes()).hexdigest() == expected


def test_private_files_have_no_url() -> None:
    with pytest.raises(ValueError, match="no URL"):
        private_storage().url("verification/1/x.png")


def test_an_organization_uploads_its_business_licence() -> None:
    request = org_request()
    assert [e.kind for e in request.evidence.all()] == ["licence"]


@pytest.mark.parametrize(
    ("documents", "field"),
    [
        ({}, "id_front"),
        ({"id_front": png_upload(), "id_back": "not a file"}, "id_back"),
        (
            {
                "id_front": SimpleUploadedFile("front.png", b"MZ\x90\x00 an executable"),
                "id_back": png_upload(),
            },
            "id_front",
        ),
        (
            # A real GIF: allowed as an attachment elsewhere, not as identity evidence.
            {
                "id_front": SimpleUploadedFile("front.gif", b"GIF89a" + b"\x00" * 40),
                "id_back": png_upload(),
            },
            "id_front",
        ),
        (
            # A PNG named .pdf: the content decides, and the name must agree with it.
            {"id_front": png_upload("front.pdf"), "id_back": png_upload()},
            "id_front",
        ),
    ],
    ids=["missing", "not-a-file", "executable", "gif", "disguised"],
)
def test_a_bad_upload_is_a_field_error_and_nothing_is_written(documents, field) -> None:
    with pytest.raises(ValidationFailed) as exc:
        services.verification_submit_person(
            user=UserFactory(),
            legal_name="张三",
            id_number=make_id_number(43),
            documents=documents,
        )
    assert field in exc.value.fields
    assert VerificationRequest.objects.count() == 0
    assert VerificationEvidence.objects.count() == 0
    root = Path(settings.PRIVATE_MEDIA_ROOT)
    assert not root.exists() or not any(p.is_file() for p in root.rglob("*"))


def test_an_oversized_document_is_refused(settings) -> None:
    settings.MARKETPLACE = {**settings.MARKETPLACE, "EVIDENCE_MAX_BYTES": 100}
    with pytest.raises(ValidationFailed) as exc:
        services.verification_submit_organization(
            actor=(owner := UserFactory()),
            organization=OrganizationFactory(owner=owner),
            legal_name="X 有限公司",
            credit_code=make_credit_code(44),
            documents={"licence": SimpleUploadedFile("l.pdf", b"%PDF-1.4\n" + b"x" * 200)},
        )
    assert "licence" in exc.value.fields
    assert VerificationRequest.objects.count() == 0


def test_the_api_takes_the_documents_as_multipart_and_lists_their_hashes() -> None:
    user = UserFactory()
    api = client_for(user)
    response = api.post(
        f"{API}/verification-requests/person/",
        {"legal_name": "张三", "id_number": make_id_number(45), **id_documents()},
        format="multipart",
    )
    assert response.status_code == 201, response.content
    kinds = sorted(e["kind"] for e in response.json()["evidence"])
    assert kinds == ["id_back", "id_front"]
    assert all(len(e["sha256"]) == 64 for e in response.json()["evidence"])
    assert "url" not in response.json()["evidence"][0]


def test_the_api_refuses_a_disguised_licence_with_a_400() -> None:
    owner = UserFactory()
    org = OrganizationFactory(owner=owner)
    response = client_for(owner).post(
        f"{API}/verification-requests/organization/",
        {
            "organization_id": org.pk,
            "legal_name": org.name,
            "credit_code": make_credit_code(46),
            "licence": SimpleUploadedFile("licence.jpg", b"#!/bin/sh\nrm -rf /\n"),
        },
        format="multipart",
    )
    error = assert_error(response, 400)
    assert "licence" in error["fields"]
    assert VerificationRequest.objects.count() == 0


def test_the_verification_page_uploads_the_licence() -> None:
    owner = UserFactory()
    org = OrganizationFactory(owner=owner)
    client = signed_in(owner, language="en")
    url = reverse("frontend:verify_organization", args=[org.slug])
    page = html(client.get(url))
    assert 'enctype="multipart/form-data"' in page
    assert 'name="licence"' in page
    missing = client.post(url, {"legal_name": org.name, "credit_code": make_credit_code(47)})
    assert missing.status_code == 400
    assert VerificationRequest.objects.count() == 0
    done = client.post(
        url,
        {"legal_name": org.name, "credit_code": make_credit_code(47), **licence_documents()},
    )
    assert done.status_code == 302
    assert VerificationRequest.objects.get().evidence.get().kind == "licence"
    assert "licence.png" in html(client.get(url))


def test_the_person_page_refuses_a_bad_upload_with_a_form_error() -> None:
    client = signed_in(UserFactory(), language="en")
    response = client.post(
        reverse("frontend:verify_person"),
        {
            "legal_name": "张三",
            "id_number": make_id_number(48),
            "id_front": SimpleUploadedFile("front.png", b"MZ not an image"),
            "id_back": png_upload(),
        },
    )
    assert response.status_code == 400
    assert "front.png" in html(response)
    assert VerificationRequest.objects.count() == 0


# --- serving to verifiers only, logged ------------------------------------------------------------


def test_a_verifier_sees_the_document_uncached_and_the_view_is_logged(moderator) -> None:
    evidence = person_request().evidence.get(kind="id_front")
    client = Client()
    client.force_login(moderator)
    response = client.get(evidence_url(evidence))
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"\x89PNG")
    assert response["Content-Type"] == "image/png"
    assert "no-store" in response["Cache-Control"]
    assert response["Pragma"] == "no-cache"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Disposition"].startswith("inline")
    view = EvidenceView.objects.get()
    assert (view.viewer, view.evidence) == (moderator, evidence)
    client.get(evidence_url(evidence))
    assert EvidenceView.objects.count() == 2


def test_a_second_user_is_refused_the_evidence_and_nothing_is_logged() -> None:
    applicant = UserFactory()
    evidence = person_request(applicant).evidence.get(kind="id_front")
    for someone in (applicant, UserFactory()):
        client = Client()
        client.force_login(someone)
        response = client.get(evidence_url(evidence))
        assert response.status_code == 302  # to the back office's sign-in
        assert "login" in response["Location"]
    assert Client().get(evidence_url(evidence)).status_code == 302
    assert EvidenceView.objects.count() == 0


def test_staff_without_the_verifier_permission_get_a_403() -> None:
    evidence = org_request().evidence.get()
    finance = UserFactory(staff=True, perms=["accounts.view_verificationrequest"])
    client = Client()
    client.force_login(finance)
    assert client.get(evidence_url(evidence)).status_code == 403
    assert EvidenceView.objects.count() == 0


def test_the_evidence_of_another_request_is_not_served_under_this_one(moderator) -> None:
    first = person_request().evidence.first()
    other = org_request()
    client = Client()
    client.force_login(moderator)
    url = reverse("admin:accounts_verificationrequest_evidence", args=[other.pk, first.pk])
    assert client.get(url).status_code == 404


def test_the_view_log_is_in_the_back_office(moderator) -> None:
    evidence = person_request().evidence.get(kind="id_back")
    services.evidence_view_record(viewer=moderator, evidence=evidence)
    client = Client()
    client.force_login(moderator)
    page = html(client.get(reverse("admin:accounts_evidenceview_changelist")))
    assert moderator.email in page
    assert evidence.original_name in page


# --- deciding on the request's own page -----------------------------------------------------------


def test_the_request_page_shows_the_evidence_inline_and_the_decision_buttons(moderator) -> None:
    request = org_request()
    client = Client()
    client.force_login(moderator)
    page = html(client.get(reverse("admin:accounts_verificationrequest_change", args=[request.pk])))
    licence = request.evidence.get()
    assert f'src="{evidence_url(licence)}"' in page
    assert licence.sha256 in page
    assert reverse("admin:accounts_verificationrequest_approve_detail", args=[request.pk]) in page
    assert reverse("admin:accounts_verificationrequest_reject_detail", args=[request.pk]) in page


def test_approving_on_the_request_page_verifies_the_organization(moderator) -> None:
    request = org_request()
    client = Client()
    client.force_login(moderator)
    url = reverse("admin:accounts_verificationrequest_approve_detail", args=[request.pk])
    assert client.get(url).status_code == 200  # the confirmation, nothing decided yet
    assert VerificationRequest.objects.get(pk=request.pk).status == "pending"
    response = client.post(url)
    assert response.status_code == 302
    request.refresh_from_db()
    assert request.status == "approved"
    assert request.organization.is_verified
    # Decided: the buttons are gone from the page.
    page = html(client.get(reverse("admin:accounts_verificationrequest_change", args=[request.pk])))
    assert (
        reverse("admin:accounts_verificationrequest_approve_detail", args=[request.pk]) not in page
    )


def test_rejecting_needs_a_reason_which_the_applicant_is_shown(moderator) -> None:
    request = person_request()
    client = Client()
    client.force_login(moderator)
    url = reverse("admin:accounts_verificationrequest_reject_detail", args=[request.pk])
    empty = client.post(url, {"reason": "  "})
    assert empty.status_code == 200
    request.refresh_from_db()
    assert request.status == "pending"
    client.post(url, {"reason": "身份证背面模糊，请重新拍摄。"})
    request.refresh_from_db()
    assert (request.status, request.decision_note) == ("rejected", "身份证背面模糊，请重新拍摄。")
    page = html(signed_in(request.submitted_by).get(reverse("frontend:verify_person")))
    assert "身份证背面模糊" in page


def test_a_user_without_the_review_permission_cannot_decide() -> None:
    request = person_request()
    viewer = UserFactory(staff=True, perms=["accounts.view_verificationrequest"])
    client = Client()
    client.force_login(viewer)
    assert (
        client.post(
            reverse("admin:accounts_verificationrequest_approve_detail", args=[request.pk])
        ).status_code
        == 403
    )
    request.refresh_from_db()
    assert request.status == "pending"
