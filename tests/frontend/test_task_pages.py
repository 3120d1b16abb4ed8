"""The task pages: browsing, posting in steps, the draft's page (files, invitations, publish),
the task page as each viewer sees it, and bad input that must show an error and write nothing."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import Membership, Organization, Skill, User
from tasks import services as task_services
from tasks.models import NdaAcceptance, Task, TaskAttachment, TaskInvitation
from tests.accounts.factories import (
    OrganizationFactory,
    ProviderProfileFactory,
    UserFactory,
    make_org_member,
)
from tests.bids.factories import BidFactory
from tests.page_helpers import html, signed_in
from tests.tasks.factories import TaskFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def poster() -> User:
    return UserFactory(name="刘洋")


@pytest.fixture
def enterprise(poster) -> Organization:
    return OrganizationFactory(name="山城智能家电有限公司", owner=poster, verified=True)


@pytest.fixture
def client(poster) -> Client:
    return signed_in(poster)


def skill(slug: str = "machine-vision") -> Skill:
    return Skill.objects.get(slug=slug)


def task_data(
    organization: Organization | None,
    *,
    skills: dict[str, int] | None = None,
    plan: list[tuple[str, str, str]] | None = None,
    **overrides: Any,
) -> dict[str, Any]:
    """A complete POST of the stepped form, as a browser sends it."""
    deadline = timezone.localtime(timezone.now() + dt.timedelta(days=14))
    data: dict[str, Any] = {
        "kind": "rd_solution",
        "title": "冲压件表面缺陷机器视觉检测",
        "summary": "为冲压件表面缺陷检测设计机器视觉方案，并在试验线上验证。",
        "description": "## 需求\n检测划伤、凹坑与油污，节拍 6 秒。\n\n## 交付\n方案与验证报告。",
        "budget_min": "50000",
        "budget_max": "80,000.50",
        "bid_deadline": deadline.strftime("%Y-%m-%dT%H:%M"),
        "delivery_deadline": (timezone.localdate() + dt.timedelta(days=120)).isoformat(),
        "region": "500112",
        "visibility": "public",
        "ip_terms": "transfer",
        "ip_terms_custom": "",
    }
    if organization is not None:
        data["organization"] = organization.pk
    for slug, weight in (skills if skills is not None else {"machine-vision": 5}).items():
        data[f"skill_{skill(slug).pk}"] = weight
    rows = (
        plan if plan is not None else [("方案设计", "33.33", "30"), ("实施与验证", "66.67", "90")]
    )
    data.update(
        {
            "plan-TOTAL_FORMS": len(rows),
            "plan-INITIAL_FORMS": 0,
            "plan-MIN_NUM_FORMS": 1,
            "plan-MAX_NUM_FORMS": 20,
        }
    )
    for i, (title, share, days) in enumerate(rows):
        data.update(
            {f"plan-{i}-title": title, f"plan-{i}-share": share, f"plan-{i}-due_days": days}
        )
    data.update(overrides)
    return data


# --- browse -----------------------------------------------------------------------------------


def test_browse_lists_open_tasks_with_their_bid_counts_and_links() -> None:
    task = TaskFactory(title="白车身焊缝视觉检测", skills={"machine-vision": 5})
    BidFactory.create_batch(2, task=task)
    TaskFactory(title="A draft nobody else sees", status=Task.Status.DRAFT, published_at=None)
    TaskFactory(title="Invited providers only", visibility=Task.Visibility.INVITED)

    page = html(Client().get("/tasks/", HTTP_ACCEPT_LANGUAGE="en"))

    assert "白车身焊缝视觉检测" in page
    assert f'href="/tasks/{task.pk}/"' in page
    assert "2 bids" in page
    assert "closes in" in page
    assert "CN¥50,000.00" in page
    assert "A draft nobody else sees" not in page
    assert "Invited providers only" not in page


def test_browse_filters_by_keyword_kind_skill_region_and_budget() -> None:
    vision = TaskFactory(title="焊缝视觉检测", budget_min=50_000_00, budget_max=80_000_00)
    TaskFactory(
        title="养老服务平台运营",
        kind=Task.Kind.PUBLIC_SERVICE,
        skills={"data-analytics": 3},
        region="500101",
        budget_min=400_000_00,
        budget_max=600_000_00,
    )

    def titles(query: str) -> str:
        return html(Client().get("/tasks/?" + query))

    assert "养老服务平台运营" not in titles("q=焊缝")
    assert "焊缝视觉检测" in titles("q=焊缝")
    assert "焊缝视觉检测" not in titles("kind=public_service")
    assert "焊缝视觉检测" in titles("skill=machine-vision")
    assert "养老服务平台运营" not in titles("skill=machine-vision")
    assert "焊缝视觉检测" in titles(f"region={vision.region}")
    assert "焊缝视觉检测" not in titles("budget_from=100000")
    assert "养老服务平台运营" in titles("budget_from=100000")
    assert "养老服务平台运营" not in titles("budget_to=100000")
    assert "养老服务平台运营" in titles("budget_from=１０００００")  # full-width digits


def test_browse_says_so_when_nothing_matches_and_rejects_a_malformed_budget() -> None:
    TaskFactory(title="焊缝视觉检测")
    page = html(Client().get("/tasks/?q=不存在的关键词", HTTP_ACCEPT_LANGUAGE="en"))
    assert "No task matches these filters" in page
    page = html(Client().get("/tasks/?budget_from=abc", HTTP_ACCEPT_LANGUAGE="en"))
    assert 'data-field="budget_from"' in page
    assert "焊缝视觉检测" in page  # the other filters still list


def test_browse_runs_a_fixed_number_of_queries(django_assert_max_num_queries) -> None:
    for _ in range(8):
        BidFactory(task=TaskFactory())
    with django_assert_max_num_queries(12):
        response = Client().get("/tasks/")
    assert response.status_code == 200


def test_the_home_page_cards_link_to_the_task() -> None:
    task = TaskFactory(title="新能源电池包热失控预警")
    page = html(Client().get("/"))
    assert "新能源电池包热失控预警" in page
    assert f'href="/tasks/{task.pk}/"' in page


def test_htmx_filtering_returns_only_the_results() -> None:
    TaskFactory(title="焊缝视觉检测")
    response = Client().get("/tasks/?q=焊缝", HTTP_HX_REQUEST="true")
    page = html(response)
    assert "焊缝视觉检测" in page
    assert "<html" not in page


# --- posting ----------------------------------------------------------------------------------


def test_posting_creates_a_draft_with_skills_budget_in_fen_and_shares_in_basis_points(
    client, enterprise
) -> None:
    response = client.post("/tasks/new/", task_data(enterprise))

    task = Task.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/tasks/{task.pk}/"
    assert task.status == Task.Status.DRAFT
    assert (task.budget_min, task.budget_max) == (50_000_00, 80_000_50)
    assert [(m.title, m.share_bps, m.due_days) for m in task.milestone_plan.all()] == [
        ("方案设计", 3333, 30),
        ("实施与验证", 6667, 90),
    ]
    assert [(ts.skill.slug, ts.weight) for ts in task.skill_weights.all()] == [
        ("machine-vision", 5)
    ]
    assert (
        timezone.localtime(task.bid_deadline).strftime("%Y-%m-%dT%H:%M")
        == (task_data(enterprise)["bid_deadline"])
    )


def test_the_form_is_one_page_of_sections_with_the_stepper_as_an_enhancement(
    client, enterprise
) -> None:
    page = html(client.get("/tasks/new/"))
    for step in ("1", "2", "3", "4"):
        assert f'data-step="{step}"' in page
    assert "data-stepper-nav hidden" in page  # shown by tasks.js only
    assert 'name="plan-TOTAL_FORMS"' in page
    assert "<template data-formset-template>" in page
    assert 'type="datetime-local"' in page
    assert "/static/frontend/js/tasks.js" in page
    assert "onclick" not in page
    assert 'style="' not in page


def test_someone_without_a_posting_organization_is_told_to_create_one() -> None:
    provider = ProviderProfileFactory().user
    firm_owner = UserFactory()
    OrganizationFactory(owner=firm_owner, kind=Organization.Kind.MICROFIRM)
    for user in (provider, firm_owner):
        page = html(signed_in(user).get("/tasks/new/"))
        assert reverse("frontend:org_create") in page
        assert 'name="title"' not in page
        response = signed_in(user).post("/tasks/new/", task_data(None))
        assert response.status_code == 200
    assert not Task.objects.exists()


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"budget_min": "-500"}, "budget_min"),
        ({"budget_min": "5"}, "budget_min"),
        ({"budget_max": "999999999999"}, "budget_max"),
        ({"budget_min": "12.345"}, "budget_min"),
        ({"budget_min": "abc"}, "budget_min"),
        ({"budget_min": "90000", "budget_max": "80000"}, "budget_max"),
        ({"title": ""}, "title"),
        ({"title": "x" * 121}, "title"),
        ({"description": "too short"}, "description"),
        ({"kind": "castle"}, "kind"),
        ({"region": "999999"}, "region"),
        ({"ip_terms": "custom", "ip_terms_custom": ""}, "ip_terms_custom"),
    ],
)
def test_bad_task_input_shows_a_field_error_and_writes_nothing(
    client, enterprise, overrides, field
) -> None:
    response = client.post("/tasks/new/", task_data(enterprise, **overrides))
    assert response.status_code == 400
    page = html(response)
    assert 'class="field has-error' in page
    assert f'data-field="{field}"' in page
    assert not Task.objects.exists()


def test_deadlines_in_the_past_are_refused(client, enterprise) -> None:
    past = timezone.localtime(timezone.now() - dt.timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    yesterday = (timezone.localdate() - dt.timedelta(days=1)).isoformat()
    response = client.post(
        "/tasks/new/", task_data(enterprise, bid_deadline=past, delivery_deadline=yesterday)
    )
    page = html(response)
    assert response.status_code == 400
    assert 'data-field="bid_deadline"' in page
    assert "has-error" in page.split('data-field="bid_deadline"')[0][-80:]
    assert not Task.objects.exists()


@pytest.mark.parametrize(
    "plan",
    [
        [("方案设计", "40", "30"), ("实施与验证", "50", "90")],  # 90%
        [("方案设计", "40.005", "30"), ("实施与验证", "59.995", "90")],  # three decimals
        [("方案设计", "60", "30"), ("实施与验证", "60", "90")],  # 120%
        [("方案设计", "0", "30"), ("实施与验证", "100", "90")],
        [("实施与验证", "60", "90"), ("方案设计", "40", "30")],  # out of order
    ],
)
def test_a_milestone_plan_that_does_not_add_up_is_an_error_and_writes_nothing(
    client, enterprise, plan
) -> None:
    response = client.post("/tasks/new/", task_data(enterprise, plan=plan))
    assert response.status_code == 400
    page = html(response)
    assert "plan-fieldset has-error" in page or "formset-row has-error" in page
    assert not Task.objects.exists()


def test_no_skill_or_no_milestone_is_an_error(client, enterprise) -> None:
    response = client.post("/tasks/new/", task_data(enterprise, skills={}, plan=[]))
    page = html(response)
    assert response.status_code == 400
    assert "skills-fieldset has-error" in page
    assert "plan-fieldset has-error" in page
    assert not Task.objects.exists()


def test_blank_and_removed_plan_rows_are_ignored(client, enterprise) -> None:
    data = task_data(
        enterprise,
        plan=[
            ("方案设计", "40", "30"),
            ("", "", ""),
            ("Dropped", "10", "40"),
            ("交付", "60", "90"),
        ],
    )
    data["plan-2-DELETE"] = "on"
    response = client.post("/tasks/new/", data)
    assert response.status_code == 302
    task = Task.objects.get()
    assert [m.title for m in task.milestone_plan.all()] == ["方案设计", "交付"]


def test_script_in_the_text_is_escaped_and_sanitised(client, enterprise) -> None:
    data = task_data(
        enterprise,
        title="<script>alert('t')</script> 视觉检测",
        summary='<img src=x onerror="alert(1)"> 摘要',
        description=(
            "## 需求\n<script>alert('d')</script>\n"
            '<a href="javascript:alert(2)">click</a> [md](javascript:alert(3)) '
            '<b onmouseover="alert(4)">bold</b> [ok](https://example.com/spec)\n'
            '<iframe src="https://evil.example"></iframe>'
        ),
    )
    assert client.post("/tasks/new/", data).status_code == 302
    task = Task.objects.get()
    for viewer in (client, Client()):
        if viewer is not client:
            task.status = Task.Status.OPEN
            task.published_at = timezone.now()
            task.save()
        page = html(viewer.get(f"/tasks/{task.pk}/"))
        assert "<script>alert" not in page
        assert "&lt;script&gt;alert(&#x27;t&#x27;)&lt;/script&gt;" in page
        assert "javascript:" not in page
        assert 'onerror="alert(1)"' not in page
        assert "onmouseover" not in page
        assert "<iframe" not in page
        assert "<h2>需求</h2>" in page
        assert 'href="https://example.com/spec" rel="nofollow noopener"' in page


def test_editing_a_draft_prefills_and_saves_it(client, enterprise) -> None:
    client.post("/tasks/new/", task_data(enterprise))
    task = Task.objects.get()
    page = html(client.get(f"/tasks/{task.pk}/edit/"))
    assert 'value="33.33"' in page
    assert 'value="80000.50"' in page
    assert 'name="organization"' not in page

    data = task_data(None, title="修订后的标题", plan=[("一次交付", "100", "60")])
    response = client.post(f"/tasks/{task.pk}/edit/", data)
    assert response.status_code == 302
    task.refresh_from_db()
    assert task.title == "修订后的标题"
    assert [(m.title, m.share_bps) for m in task.milestone_plan.all()] == [("一次交付", 10000)]


def test_a_published_task_cannot_be_edited(client, enterprise) -> None:
    task = TaskFactory(organization=enterprise, title="Published")
    response = client.post(f"/tasks/{task.pk}/edit/", task_data(None, title="Changed"))
    assert response.status_code == 302
    assert response["Location"] == f"/tasks/{task.pk}/"
    task.refresh_from_db()
    assert task.title == "Published"


# --- the draft's page: files, invitations, publishing -------------------------------------------


@pytest.fixture
def draft(enterprise) -> Task:
    return TaskFactory(organization=enterprise, status=Task.Status.DRAFT, published_at=None)


def test_the_draft_page_offers_edit_files_invitations_and_publish(client, draft) -> None:
    page = html(client.get(f"/tasks/{draft.pk}/"))
    assert reverse("frontend:task_edit", args=[draft.pk]) in page
    assert reverse("frontend:task_publish", args=[draft.pk]) in page
    assert reverse("frontend:task_file_add", args=[draft.pk]) in page
    assert 'enctype="multipart/form-data"' in page
    assert reverse("frontend:task_invite", args=[draft.pk]) in page


def test_publishing_an_enterprise_task_opens_it(client, draft, celery_eager) -> None:
    response = client.post(f"/tasks/{draft.pk}/publish/", follow=True)
    draft.refresh_from_db()
    assert draft.status == Task.Status.OPEN
    assert "alert-success" in html(response)


def test_a_government_units_task_goes_to_review_and_says_so(celery_eager) -> None:
    official = UserFactory()
    unit = OrganizationFactory(owner=official, kind=Organization.Kind.GOVERNMENT, verified=True)
    task = TaskFactory(organization=unit, status=Task.Status.DRAFT, published_at=None)
    client = signed_in(official)
    page = html(client.get(f"/tasks/{task.pk}/", HTTP_ACCEPT_LANGUAGE="en"))
    assert "reviewed by a moderator" in page
    response = client.post(f"/tasks/{task.pk}/publish/", follow=True, HTTP_ACCEPT_LANGUAGE="en")
    task.refresh_from_db()
    assert task.status == Task.Status.PENDING_REVIEW
    assert "Sent for review" in html(response)


def test_a_sent_back_task_shows_the_moderators_note(client, draft) -> None:
    draft.moderation_note = "请补充验收标准"
    draft.save()
    assert "请补充验收标准" in html(client.get(f"/tasks/{draft.pk}/"))


def test_publishing_with_a_past_bid_deadline_is_refused_with_the_reason(client, draft) -> None:
    Task.objects.filter(pk=draft.pk).update(bid_deadline=timezone.now() - dt.timedelta(hours=1))
    response = client.post(f"/tasks/{draft.pk}/publish/", follow=True)
    draft.refresh_from_db()
    assert draft.status == Task.Status.DRAFT
    assert "alert-error" in html(response)


def test_an_attachment_is_uploaded_and_downloaded_as_a_file(client, draft) -> None:
    upload = SimpleUploadedFile("需求说明.pdf", b"%PDF-1.4\n%test\n", "application/pdf")
    response = client.post(f"/tasks/{draft.pk}/files/", {"file": upload, "confidential": "on"})
    assert response.status_code == 302
    attachment = TaskAttachment.objects.get()
    assert attachment.confidential is True
    download = client.get(f"/tasks/{draft.pk}/files/{attachment.pk}/")
    assert download.status_code == 200
    assert download["Content-Type"] == "application/pdf"
    assert download["X-Content-Type-Options"] == "nosniff"
    assert download["Content-Disposition"].startswith("attachment")
    assert b"".join(download.streaming_content) == b"%PDF-1.4\n%test\n"


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("report.pdf", b"MZ\x90\x00 executable", "is not a document"),
        ("notes.txt", b"%PDF-1.4 but named txt", "does not contain what its name says"),
        ("empty.pdf", b"", "is empty"),
    ],
)
def test_disguised_or_empty_files_are_refused_with_the_reason(
    client, draft, name, content, message
) -> None:
    upload = SimpleUploadedFile(name, content, "application/pdf")
    response = client.post(f"/tasks/{draft.pk}/files/", {"file": upload}, HTTP_ACCEPT_LANGUAGE="en")
    page = html(response)
    assert response.status_code == 400
    file_field = page.split('data-field="file"')[1].split("</div>\n</div>")[0]
    assert message in file_field
    assert not TaskAttachment.objects.exists()


def test_an_oversized_file_is_refused(client, draft, settings) -> None:
    settings.MARKETPLACE = {**settings.MARKETPLACE, "ATTACHMENT_MAX_BYTES": 1024}
    upload = SimpleUploadedFile("big.txt", b"a" * 4096, "text/plain")
    response = client.post(f"/tasks/{draft.pk}/files/", {"file": upload}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    assert "files may be at most" in html(response)
    assert not TaskAttachment.objects.exists()


def test_a_confidential_file_stays_behind_the_nda(enterprise, poster) -> None:
    task = TaskFactory(
        organization=enterprise,
        nda_required=True,
        description="## 保密需求\n电池包热失控特征数据。",
    )

    secret = task_services.task_attachment_add(
        actor=poster,
        task=task,
        upload=SimpleUploadedFile("drawing.txt", "机密图纸".encode(), "text/plain"),
        confidential=True,
    )
    provider = signed_in(ProviderProfileFactory().user)
    page = html(provider.get(f"/tasks/{task.pk}/"))
    assert "drawing.txt" not in page
    assert "电池包热失控特征数据" not in page  # the description is gated
    assert provider.get(f"/tasks/{task.pk}/files/{secret.pk}/").status_code == 404

    assert provider.post(f"/tasks/{task.pk}/nda/").status_code == 302
    assert NdaAcceptance.objects.filter(task=task).count() == 1
    page = html(provider.get(f"/tasks/{task.pk}/"))
    assert "drawing.txt" in page
    assert "电池包热失控特征数据" in page
    assert provider.get(f"/tasks/{task.pk}/files/{secret.pk}/").status_code == 200


def test_an_invitation_only_task_hides_its_details_from_the_uninvited(enterprise) -> None:
    task = TaskFactory(organization=enterprise, visibility=Task.Visibility.INVITED)
    stranger = signed_in(ProviderProfileFactory().user)
    page = html(stranger.get(f"/tasks/{task.pk}/"))
    assert 'data-eligibility="invitation_required"' in page
    assert "<h2>需求</h2>" not in page


def test_the_poster_finds_and_invites_a_provider(client, draft) -> None:
    profile = ProviderProfileFactory(user=UserFactory(name="王芳"), headline="结构设计与仿真")
    results = html(client.get(f"/tasks/{draft.pk}/invitations/?q=王芳", HTTP_HX_REQUEST="true"))
    assert "王芳" in results
    assert f'name="provider" value="{profile.pk}"' in results
    by_number = html(client.get(f"/tasks/{draft.pk}/invitations/?q={profile.pk}"))
    assert "王芳" in by_number

    response = client.post(f"/tasks/{draft.pk}/invitations/", {"provider": profile.pk})
    assert response.status_code == 302
    assert TaskInvitation.objects.filter(task=draft, provider=profile).exists()
    assert "王芳" in html(client.get(f"/tasks/{draft.pk}/"))
    again = client.post(f"/tasks/{draft.pk}/invitations/", {"provider": profile.pk}, follow=True)
    assert "alert-error" in html(again)
    assert TaskInvitation.objects.count() == 1


def test_the_poster_removes_a_file_from_a_draft(client, draft, poster) -> None:
    attachment = task_services.task_attachment_add(
        actor=poster,
        task=draft,
        upload=SimpleUploadedFile("old.txt", b"old brief text", "text/plain"),
    )
    response = client.post(f"/tasks/{draft.pk}/files/{attachment.pk}/remove/")
    assert response.status_code == 302
    assert not TaskAttachment.objects.exists()


# --- the task page as each side sees it ---------------------------------------------------------


def test_the_task_page_shows_everything_about_the_task(enterprise) -> None:
    task = TaskFactory(
        organization=enterprise,
        ip_terms=Task.IpTerms.CUSTOM,
        ip_terms_custom="成果归双方共有",
        skills={"machine-vision": 5, "embedded-development": 2},
    )
    page = html(Client().get(f"/tasks/{task.pk}/", HTTP_ACCEPT_LANGUAGE="en"))
    assert task.title in page
    assert 'data-status="open"' in page
    assert "CN¥50,000.00" in page
    assert "CN¥80,000.00" in page
    assert "成果归双方共有" in page
    assert "weight 5 of 5" in page
    assert "weight 2 of 5" in page
    assert "40%" in page
    assert "60%" in page
    assert enterprise.name in page
    assert "badge-verified" in page
    assert "<h2>需求</h2>" in page
    assert "Sign in" in page


def test_a_provider_sees_a_bid_button_or_the_reason_they_cannot_bid() -> None:
    open_task = TaskFactory()
    verified_only = TaskFactory(visibility=Task.Visibility.VERIFIED)
    provider = signed_in(ProviderProfileFactory().user)

    page = html(provider.get(f"/tasks/{open_task.pk}/"))
    assert "data-bid-button" in page
    assert reverse("frontend:task_bid", args=[open_task.pk]) in page

    page = html(provider.get(f"/tasks/{verified_only.pk}/"))
    assert 'data-eligibility="verification_required"' in page
    assert reverse("frontend:verify_person") in page

    no_profile = signed_in(UserFactory())
    page = html(no_profile.get(f"/tasks/{open_task.pk}/"))
    assert 'data-eligibility="no_provider_profile"' in page


def test_the_poster_sees_compare_and_cancel_and_cancels_with_a_reason(
    client, enterprise, celery_eager
) -> None:
    task = TaskFactory(organization=enterprise)
    bid = BidFactory(task=task)
    page = html(client.get(f"/tasks/{task.pk}/"))
    assert reverse("frontend:task_bids", args=[task.pk]) in page
    assert reverse("frontend:task_cancel", args=[task.pk]) in page

    empty = client.post(f"/tasks/{task.pk}/cancel/", {"reason": ""})
    assert empty.status_code == 400
    task.refresh_from_db()
    assert task.status == Task.Status.OPEN

    response = client.post(f"/tasks/{task.pk}/cancel/", {"reason": "项目预算取消"})
    assert response.status_code == 302
    task.refresh_from_db()
    bid.refresh_from_db()
    assert task.status == Task.Status.CANCELLED
    assert bid.status == "rejected"


def test_a_plain_member_may_not_cancel_someone_elses_task(enterprise) -> None:
    task = TaskFactory(organization=enterprise)
    member = UserFactory()
    make_org_member(member, enterprise, Membership.Role.MEMBER)
    page = html(signed_in(member).get(f"/tasks/{task.pk}/"))
    assert reverse("frontend:task_cancel", args=[task.pk]) not in page


# --- my organizations' tasks --------------------------------------------------------------------


def test_my_tasks_lists_every_state_with_the_next_step(client, enterprise) -> None:
    draft = TaskFactory(organization=enterprise, status=Task.Status.DRAFT, title="草稿任务")
    review = TaskFactory(organization=enterprise, status=Task.Status.PENDING_REVIEW, title="审核中")
    live = TaskFactory(organization=enterprise, title="投标中的任务")
    TaskFactory(title="Someone else's task")

    page = html(client.get("/tasks/mine/"))
    assert "草稿任务" in page
    assert "审核中" in page
    assert "投标中的任务" in page
    assert "Someone else's task" not in page
    assert reverse("frontend:task_edit", args=[draft.pk]) in page
    assert reverse("frontend:task_bids", args=[live.pk]) in page
    assert 'data-status="pending_review"' in page

    drafts = html(client.get("/tasks/mine/?status=draft"))
    assert "草稿任务" in drafts
    assert "投标中的任务" not in drafts
    assert review.title not in drafts
