"""Writing, publishing, editing, attaching files to and cancelling tasks."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import zipfile
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone, translation

from accounts.models import Membership, Notification, Organization
from bids.models import Bid
from marketplace.audit import audit_trail
from marketplace.errors import InvalidTransition, NotAllowed, ValidationFailed
from marketplace.terms import MilestoneTerms
from tasks.models import NdaAcceptance, Task, TaskAttachment
from tasks.services import (
    nda_text,
    posting,
    task_attachment_add,
    task_attachment_remove,
    task_cancel,
    task_create,
    task_nda_accept,
    task_submit,
    task_update,
)
from tests.accounts.concurrency import run_concurrently
from tests.accounts.factories import OrganizationFactory, SkillFactory, UserFactory, make_org_member
from tests.bids.factories import BidFactory, bid_operator
from tests.tasks.factories import TaskFactory, task_owner

pytestmark = pytest.mark.django_db


def _valid(**overrides):
    skills = {SkillFactory(slug="industrial-design").pk: 5, SkillFactory(slug="3d-modelling").pk: 3}
    fields = {
        "kind": Task.Kind.PRODUCT_DESIGN,
        "title": "智能门锁外观设计",
        "summary": "为出口欧洲的智能门锁做外观与 CMF 设计。",
        "description": "## 需求\n三套概念方案，一套深化方案与手板。",
        "budget_min": 30_000_00,
        "budget_max": 50_000_00,
        "bid_deadline": timezone.now() + dt.timedelta(days=7),
        "delivery_deadline": timezone.localdate() + dt.timedelta(days=60),
        "region": "500103",
        "skills": skills,
        "milestones": [
            MilestoneTerms(title="概念设计", share_bps=4000, due_days=20),
            MilestoneTerms(title="深化设计与手板", share_bps=6000, due_days=50),
        ],
    }
    fields.update(overrides)
    return fields


@pytest.fixture
def poster():
    user = UserFactory()
    return user, OrganizationFactory(owner=user)


def test_a_member_writes_a_draft_with_skills_and_a_milestone_plan(poster):
    user, org = poster
    task = task_create(actor=user, organization=org, **_valid())

    assert task.status == Task.Status.DRAFT
    assert task.created_by == user
    assert task.skill_weights.count() == 2
    assert [(m.title, m.share_bps) for m in task.milestone_plan.all()] == [
        ("概念设计", 4000),
        ("深化设计与手板", 6000),
    ]
    assert audit_trail(task).filter(action="task.create", actor=user).exists()


def test_a_plain_member_may_write_tasks_too(poster):
    _owner, org = poster
    member = UserFactory()
    make_org_member(member, org, Membership.Role.MEMBER)
    assert task_create(actor=member, organization=org, **_valid()).pk


def test_nobody_posts_for_an_organization_they_do_not_belong_to(poster):
    _user, org = poster
    with pytest.raises(NotAllowed):
        task_create(actor=UserFactory(), organization=org, **_valid())
    assert not Task.objects.exists()


def test_micro_firms_bid_rather_than_post():
    user = UserFactory()
    firm = OrganizationFactory(owner=user, kind=Organization.Kind.MICROFIRM)
    with pytest.raises(NotAllowed):
        task_create(actor=user, organization=firm, **_valid())


@pytest.mark.parametrize(
    ("currency", "overrides", "field", "message"),
    [
        ("CNY", {"budget_min": 9_00}, "budget_min", "The budget must be at least CN¥10.00."),
        ("EUR", {"budget_min": 9_00}, "budget_min", "The budget must be at least €10.00."),
        (
            "HKD",
            {"budget_max": 100_000_000_01},
            "budget_max",
            "The budget cannot exceed HK$100,000,000.00.",
        ),
    ],
)
def test_the_budget_limits_are_told_in_the_tasks_currency(
    poster, currency, overrides, field, message
):
    user, org = poster
    with translation.override("en"), pytest.raises(ValidationFailed) as excinfo:
        task_create(actor=user, organization=org, **_valid(currency=currency, **overrides))
    assert [str(m) for m in excinfo.value.fields[field]] == [message]
    assert not Task.objects.exists()


def test_a_suspended_member_cannot_post(poster):
    user, org = poster
    user.suspended_at = timezone.now()
    user.save()
    with pytest.raises(NotAllowed) as excinfo:
        task_create(actor=user, organization=org, **_valid())
    assert excinfo.value.code == "suspended"


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"budget_min": -100}, "budget_min"),
        ({"budget_min": 0}, "budget_min"),
        ({"budget_max": 100_000_000_01}, "budget_max"),
        ({"budget_min": 50_000_00, "budget_max": 40_000_00}, "budget_max"),
        ({"budget_min": 100.5}, "budget_min"),
        ({"bid_deadline": timezone.now() - dt.timedelta(days=1)}, "bid_deadline"),
        ({"bid_deadline": timezone.now() + dt.timedelta(minutes=10)}, "bid_deadline"),
        ({"bid_deadline": timezone.now() + dt.timedelta(days=400)}, "bid_deadline"),
        ({"delivery_deadline": timezone.localdate()}, "delivery_deadline"),
        ({"kind": "magic"}, "kind"),
        ({"title": "   "}, "title"),
        ({"title": "长" * 121}, "title"),
        ({"description": "短"}, "description"),
        ({"region": "999999"}, "region"),
        ({"visibility": "everyone"}, "visibility"),
        ({"ip_terms": "custom", "ip_terms_custom": ""}, "ip_terms_custom"),
        ({"skills": {}}, "skills"),
        ({"skills": {987654: 3}}, "skills"),
        ({"skills": {1: 9}}, "skills"),
        ({"milestones": []}, "milestones"),
        ({"milestones": [MilestoneTerms(title="全部", share_bps=9000, due_days=30)]}, "milestones"),
        (
            {
                "milestones": [
                    MilestoneTerms(title="一", share_bps=5000, due_days=40),
                    MilestoneTerms(title="二", share_bps=5000, due_days=20),
                ]
            },
            "milestones",
        ),
    ],
)
def test_bad_input_is_refused_with_the_field_named_and_nothing_written(poster, overrides, field):
    user, org = poster
    if field == "skills" and overrides["skills"] == {1: 9}:
        overrides = {"skills": {SkillFactory(slug="industrial-design").pk: 9}}
    with pytest.raises(ValidationFailed) as excinfo:
        task_create(actor=user, organization=org, **_valid(**overrides))
    assert field in excinfo.value.fields
    assert not Task.objects.exists()


def test_script_in_text_is_kept_as_text_for_the_renderer_to_escape(poster):
    user, org = poster
    task = task_create(
        actor=user,
        organization=org,
        **_valid(
            title="<script>alert(1)</script>门锁",
            description="<img src=x onerror=alert(1)> 需求说明足够长的描述",
        ),
    )
    assert task.title == "<script>alert(1)</script>门锁"


def test_an_enterprise_task_opens_at_once(poster, django_capture_on_commit_callbacks):
    user, org = poster
    task = task_create(actor=user, organization=org, **_valid())
    with django_capture_on_commit_callbacks():
        task = task_submit(actor=user, task=task)
    assert task.status == Task.Status.OPEN
    assert task.published_at is not None


def test_a_government_units_task_waits_for_moderation():
    user = UserFactory()
    gov = OrganizationFactory(owner=user, kind=Organization.Kind.GOVERNMENT)
    task = task_create(actor=user, organization=gov, **_valid(kind=Task.Kind.PUBLIC_SERVICE))
    task = task_submit(actor=user, task=task)
    assert task.status == Task.Status.PENDING_REVIEW
    assert task.published_at is None


def test_a_flagged_draft_waits_for_moderation(poster):
    user, org = poster
    task = task_create(actor=user, organization=org, **_valid())
    Task.objects.filter(pk=task.pk).update(flagged_for_review=True)
    assert task_submit(actor=user, task=task).status == Task.Status.PENDING_REVIEW


def test_a_published_task_cannot_be_submitted_again(poster):
    user, org = poster
    task = task_submit(actor=user, task=task_create(actor=user, organization=org, **_valid()))
    with pytest.raises(InvalidTransition):
        task_submit(actor=user, task=task)


def test_only_drafts_are_edited():
    task = TaskFactory()
    with pytest.raises(InvalidTransition) as excinfo:
        task_update(actor=task_owner(task), task=task, title="新的标题")
    assert excinfo.value.status_code == 409
    task.refresh_from_db()
    assert task.title != "新的标题"


def test_editing_a_draft_revalidates_the_whole_task(poster):
    user, org = poster
    task = task_create(actor=user, organization=org, **_valid())
    with pytest.raises(ValidationFailed):
        task_update(actor=user, task=task, budget_max=1_000_00)
    task_update(actor=user, task=task, title="智能门锁外观与结构设计", budget_max=60_000_00)
    task.refresh_from_db()
    assert (task.title, task.budget_max) == ("智能门锁外观与结构设计", 60_000_00)


def test_another_organizations_member_cannot_edit_a_draft(poster):
    user, org = poster
    task = task_create(actor=user, organization=org, **_valid())
    outsider = UserFactory()
    OrganizationFactory(owner=outsider)
    with pytest.raises(NotAllowed):
        task_update(actor=outsider, task=task, title="被篡改")
    task.refresh_from_db()
    assert task.title == "智能门锁外观设计"


# --- attachments -----------------------------------------------------------------------------


def _pdf(size: int = 2000) -> bytes:
    return b"%PDF-1.7\n" + b"0" * size


def _docx() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("name", "content", "content_type"),
    [
        ("需求说明.pdf", _pdf(), "application/pdf"),
        ("drawing.PNG", b"\x89PNG\r\n\x1a\n" + b"\0" * 100, "image/png"),
        (
            "spec.docx",
            _docx(),
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        ),
        ("notes.md", "# 说明\n中文内容".encode(), "text/plain"),
        ("旧文档.txt", "GBK 编码的说明".encode("gb18030"), "text/plain"),
        ("part.step", b"ISO-10303-21;\nHEADER;", "model/step"),
    ],
)
def test_allowed_files_are_stored_with_their_detected_type_and_hash(name, content, content_type):
    task = TaskFactory(status=Task.Status.DRAFT)
    attachment = task_attachment_add(
        actor=task_owner(task), task=task, upload=SimpleUploadedFile(name, content)
    )
    assert attachment.content_type == content_type
    assert attachment.sha256 == hashlib.sha256(content).hexdigest()
    assert attachment.original_name == name
    assert attachment.file.read() == content
    assert name not in attachment.file.name  # stored under its hash, not the user's name


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("report.pdf", b"MZ\x90\x00" + b"\0" * 200),  # a Windows executable in disguise
        ("report.pdf", b"\x7fELF" + b"\0" * 200),
        ("run.sh", b"#!/bin/sh\nrm -rf /\n"),
        ("setup.js", b"WScript.Echo('hi')"),  # text, but a script extension
        ("photo.pdf", b"\x89PNG\r\n\x1a\n" + b"\0" * 100),  # content and name disagree
        ("data.bin", bytes(range(256)) * 4),
        ("empty.pdf", b""),
    ],
)
def test_disguised_or_unknown_files_are_refused_and_nothing_is_stored(name, content):
    task = TaskFactory(status=Task.Status.DRAFT)
    with pytest.raises(ValidationFailed):
        task_attachment_add(
            actor=task_owner(task), task=task, upload=SimpleUploadedFile(name, content)
        )
    assert not TaskAttachment.objects.exists()


def test_oversized_files_are_refused_before_they_are_read(settings):
    settings.MARKETPLACE = {**settings.MARKETPLACE, "ATTACHMENT_MAX_BYTES": 1024}
    task = TaskFactory(status=Task.Status.DRAFT)
    with pytest.raises(ValidationFailed) as excinfo:
        task_attachment_add(
            actor=task_owner(task), task=task, upload=SimpleUploadedFile("big.pdf", _pdf(4096))
        )
    assert "big.pdf" in str(excinfo.value)
    assert not TaskAttachment.objects.exists()


def test_an_outsider_cannot_attach_files_to_someone_elses_task():
    task = TaskFactory(status=Task.Status.DRAFT)
    with pytest.raises(NotAllowed):
        task_attachment_add(
            actor=UserFactory(), task=task, upload=SimpleUploadedFile("a.pdf", _pdf())
        )
    assert not TaskAttachment.objects.exists()


def _attached(task: Task) -> TaskAttachment:
    upload = SimpleUploadedFile("需求说明.pdf", _pdf(), content_type="application/pdf")
    return task_attachment_add(actor=task_owner(task), task=task, upload=upload)


def test_removing_an_attachment_deletes_its_file_once_the_removal_commits(
    django_capture_on_commit_callbacks,
):
    task = TaskFactory(status=Task.Status.DRAFT, published_at=None)
    attachment = _attached(task)
    attachment_id, path = attachment.pk, Path(attachment.file.path)
    assert path.exists()

    with django_capture_on_commit_callbacks() as callbacks:
        task_attachment_remove(actor=task_owner(task), attachment=attachment)
    assert path.exists()  # not before the commit
    for callback in callbacks:
        callback()

    assert not path.exists()
    assert not TaskAttachment.objects.filter(pk=attachment_id).exists()


def test_a_rolled_back_removal_keeps_the_attachment_and_its_file(
    django_capture_on_commit_callbacks,
):
    task = TaskFactory(status=Task.Status.DRAFT, published_at=None)
    attachment = _attached(task)
    attachment_id, path = attachment.pk, Path(attachment.file.path)

    def remove_then_fail() -> None:
        with transaction.atomic():
            task_attachment_remove(actor=task_owner(task), attachment=attachment)
            raise RuntimeError("the request failed after the removal")

    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
    ):
        remove_then_fail()

    assert callbacks == []
    assert path.exists()
    assert TaskAttachment.objects.filter(pk=attachment_id).exists()


# --- NDA and cancellation --------------------------------------------------------------------


def test_accepting_an_nda_is_recorded_once_with_the_terms_seen():
    task = TaskFactory(nda_required=True)
    user = UserFactory()
    first = task_nda_accept(user=user, task=task, language="en")
    again = task_nda_accept(user=user, task=task, language="zh-hans")
    assert first.pk == again.pk
    assert first.terms_sha256 == hashlib.sha256(nda_text("en").encode()).hexdigest()


def test_a_failed_nda_acceptance_writes_nothing(monkeypatch):
    task = TaskFactory(nda_required=True)
    user = UserFactory()

    def audit_fails(**kwargs):
        raise RuntimeError("audit store down")

    monkeypatch.setattr(posting, "audit_record", audit_fails)
    with pytest.raises(RuntimeError):
        task_nda_accept(user=user, task=task)
    assert not NdaAcceptance.objects.filter(task=task, user=user).exists()


@pytest.mark.django_db(transaction=True)
def test_a_double_click_on_accept_records_one_acceptance_and_one_audit_row():
    task = TaskFactory(nda_required=True)
    user = UserFactory()
    results = run_concurrently(*[lambda: task_nda_accept(user=user, task=task)] * 2)
    assert not any(isinstance(r, Exception) for r in results), results
    assert results[0].pk == results[1].pk
    assert NdaAcceptance.objects.filter(task=task, user=user).count() == 1
    assert audit_trail(task).filter(action="task.nda_accept").count() == 1


def test_the_nda_reads_in_chinese_which_governs_and_in_english():
    assert "以中文文本为准" in nda_text("zh-hans")
    assert "Chinese text of this agreement governs" in nda_text("en")
    assert nda_text("fr") == nda_text("zh-hans")


def test_cancelling_closes_live_bids_and_tells_their_bidders(
    celery_eager, django_capture_on_commit_callbacks
):
    task = TaskFactory()
    live, withdrawn = BidFactory(task=task), BidFactory(task=task, status=Bid.Status.WITHDRAWN)
    with django_capture_on_commit_callbacks(execute=True):
        task_cancel(actor=task_owner(task), task=task, reason="预算调整，项目暂停")
    task.refresh_from_db()
    live.refresh_from_db()
    withdrawn.refresh_from_db()
    assert task.status == Task.Status.CANCELLED
    assert live.status == Bid.Status.REJECTED
    assert live.decision_note == "预算调整，项目暂停"
    assert withdrawn.status == Bid.Status.WITHDRAWN
    note = Notification.objects.get(recipient=bid_operator(live))
    assert note.kind == "task_cancelled"


def test_a_cancel_needs_a_reason_and_the_right_person():
    task = TaskFactory()
    with pytest.raises(ValidationFailed):
        task_cancel(actor=task_owner(task), task=task, reason="  ")
    member = UserFactory()
    make_org_member(member, task.organization, Membership.Role.MEMBER)
    with pytest.raises(NotAllowed):
        task_cancel(actor=member, task=task, reason="不想做了")
    task.refresh_from_db()
    assert task.status == Task.Status.OPEN


def test_an_awarded_task_cannot_be_cancelled():
    task = TaskFactory(status=Task.Status.AWARDED)
    with pytest.raises(InvalidTransition):
        task_cancel(actor=task_owner(task), task=task, reason="改变主意")
