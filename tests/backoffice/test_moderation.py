"""Moderation: the task queue and its decisions on the task's own admin page and on the public
task page, reports of tasks, questions, messages and profiles, hiding and suspending, the
dashboard's figures, and what the admin shows (money, regions, audit trail, view on site)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse
from django.utils import timezone

from accounts.models import Organization
from marketplace.audit import audit_trail
from marketplace.errors import Conflict, InvalidTransition, NotAllowed, NotFound, ValidationFailed
from tasks import services
from tasks.apps import MODERATOR_GROUP
from tasks.models import Report, Task, TaskQuestion
from tests.accounts.concurrency import run_concurrently
from tests.accounts.factories import OrganizationFactory, ProviderProfileFactory, UserFactory
from tests.page_helpers import html, signed_in
from tests.tasks.factories import TaskFactory, task_owner

pytestmark = pytest.mark.django_db


def moderator_user() -> Any:
    user = UserFactory(staff=True)
    user.groups.add(Group.objects.get(name=MODERATOR_GROUP))
    return user


@pytest.fixture
def moderator() -> Any:
    return moderator_user()


def pending_task(**kwargs: Any) -> Task:
    government = OrganizationFactory(kind=Organization.Kind.GOVERNMENT, verified=True)
    return TaskFactory(
        organization=government, status=Task.Status.PENDING_REVIEW, published_at=None, **kwargs
    )


def asked_question(task: Task) -> TaskQuestion:
    return TaskQuestion.objects.create(task=task, asked_by=UserFactory(), body="能否提供原始数据？")


# --- the moderator role -------------------------------------------------------------------------


def test_the_moderator_group_holds_moderation_reports_and_suspension_but_not_account_edits(
    moderator,
) -> None:
    assert moderator.has_perm("tasks.moderate_task")
    assert moderator.has_perm("tasks.handle_report")
    assert moderator.has_perm("accounts.suspend_user")
    assert not moderator.has_perm("accounts.change_user")  # would let them edit groups
    assert not moderator.has_perm("payments.handle_finance")


# --- the queue and the task's own admin page ----------------------------------------------------


def test_the_task_queue_opens_on_waiting_tasks_oldest_first_with_money_and_region(
    moderator,
) -> None:
    newer = pending_task(title="Newer", budget_min=10_000_00, budget_max=20_000_00, region="500112")
    older = pending_task(title="Older")
    Task.objects.filter(pk=older.pk).update(updated_at=timezone.now() - dt.timedelta(days=2))
    TaskFactory(title="Open one")
    response = signed_in(moderator, language="zh-hans").get(reverse("admin:tasks_task_changelist"))
    assert response.status_code == 200
    assert [t.pk for t in response.context["cl"].result_list] == [older.pk, newer.pk]
    page = html(response)
    assert "¥10,000.00 – ¥20,000.00" in page
    assert "渝北区" in page
    everything = signed_in(moderator).get(
        reverse("admin:tasks_task_changelist") + "?moderation=all"
    )
    assert len(everything.context["cl"].result_list) == 3


def test_a_task_page_in_the_back_office_offers_the_decisions_view_on_site_and_its_audit(
    moderator,
) -> None:
    task = pending_task()
    page = html(signed_in(moderator).get(reverse("admin:tasks_task_change", args=[task.pk])))
    assert reverse("admin:tasks_task_approve_one", args=[task.pk]) in page
    assert reverse("admin:tasks_task_send_back_one", args=[task.pk]) in page
    assert reverse("admin:tasks_task_suspend_poster_one", args=[task.pk]) in page
    assert reverse("admin:tasks_task_flag_one", args=[task.pk]) not in page  # not open
    assert "data-audit-trail" in page
    assert "/admin/r/" in page  # "view on site"
    assert task.get_absolute_url() == reverse("frontend:task_detail", args=[task.pk])


def test_approving_on_the_task_page_needs_a_post_and_opens_the_task(moderator, celery_eager):
    task = pending_task()
    client = signed_in(moderator)
    url = reverse("admin:tasks_task_approve_one", args=[task.pk])
    assert client.get(url).status_code == 200
    task.refresh_from_db()
    assert task.status == Task.Status.PENDING_REVIEW  # a link never acts
    response = client.post(url, {"confirm": "on"})
    assert response.status_code == 302
    task.refresh_from_db()
    assert task.status == Task.Status.OPEN
    trail = html(client.get(reverse("admin:tasks_task_change", args=[task.pk])))
    assert "task.moderation_approve" in trail


def test_rejecting_on_the_task_page_without_a_reason_is_a_form_error_and_writes_nothing(
    moderator, celery_eager
) -> None:
    task = pending_task()
    client = signed_in(moderator)
    url = reverse("admin:tasks_task_send_back_one", args=[task.pk])
    empty = client.post(url, {"reason": "   "})
    assert empty.status_code == 400
    task.refresh_from_db()
    assert task.status == Task.Status.PENDING_REVIEW
    done = client.post(url, {"reason": "预算与范围不符，请补充验收标准"})
    assert done.status_code == 302
    task.refresh_from_db()
    assert (task.status, task.moderation_note) == (
        Task.Status.DRAFT,
        "预算与范围不符，请补充验收标准",
    )


def test_the_poster_sees_the_reason_on_their_task_page(moderator, celery_eager) -> None:
    task = pending_task()
    services.task_moderation_send_back(moderator=moderator, task=task, reason="请补充验收标准")
    page = html(signed_in(task_owner(task)).get(reverse("frontend:task_detail", args=[task.pk])))
    assert "请补充验收标准" in page


def test_suspending_the_poster_from_the_task_page(moderator) -> None:
    task = pending_task()
    response = signed_in(moderator).post(
        reverse("admin:tasks_task_suspend_poster_one", args=[task.pk]), {"reason": "虚假需求"}
    )
    assert response.status_code == 302
    task.created_by.refresh_from_db()
    assert task.created_by.suspended_at is not None
    assert task.created_by.suspension_reason == "虚假需求"


def test_finance_staff_cannot_use_the_moderators_buttons(moderator) -> None:
    from payments.apps import FINANCE_GROUP

    finance = UserFactory(staff=True)
    finance.groups.add(Group.objects.get(name=FINANCE_GROUP))
    task = pending_task()
    url = reverse("admin:tasks_task_approve_one", args=[task.pk])
    assert signed_in(finance).post(url, {"confirm": "on"}).status_code == 403
    task.refresh_from_db()
    assert task.status == Task.Status.PENDING_REVIEW


@pytest.mark.django_db(transaction=True)
def test_two_moderators_deciding_the_same_task_at_once_give_one_decision(celery_eager) -> None:
    task = pending_task()
    first, second = moderator_user(), moderator_user()
    results = run_concurrently(
        lambda: services.task_moderation_approve(moderator=first, task=task),
        lambda: services.task_moderation_send_back(moderator=second, task=task, reason="不符"),
    )
    errors = [r for r in results if isinstance(r, Exception)]
    assert len(errors) == 1, results
    assert isinstance(errors[0], InvalidTransition)
    task.refresh_from_db()
    decisions = audit_trail(task).filter(action__startswith="task.moderation_")
    assert decisions.count() == 1
    assert task.status == (
        Task.Status.OPEN if decisions.get().action.endswith("approve") else Task.Status.DRAFT
    )


@pytest.mark.django_db(transaction=True)
def test_two_moderators_approving_at_once_open_the_task_once(celery_eager) -> None:
    task = pending_task()
    first, second = moderator_user(), moderator_user()
    results = run_concurrently(
        lambda: services.task_moderation_approve(moderator=first, task=task),
        lambda: services.task_moderation_approve(moderator=second, task=task),
    )
    assert sum(isinstance(r, InvalidTransition) for r in results) == 1, results
    assert audit_trail(task).filter(action="task.moderation_approve").count() == 1


# --- the public task page -----------------------------------------------------------------------


def test_a_moderator_gets_the_moderation_actions_on_the_public_task_page(moderator) -> None:
    task = pending_task()
    page = html(signed_in(moderator).get(reverse("frontend:task_detail", args=[task.pk])))
    assert 'data-moderate="approve"' in page
    assert 'data-moderate="send_back"' in page
    assert 'data-moderate="suspend_poster"' in page
    assert 'data-moderate="hide"' not in page
    open_task = TaskFactory()
    page = html(signed_in(moderator).get(reverse("frontend:task_detail", args=[open_task.pk])))
    assert 'data-moderate="hide"' in page
    assert 'data-moderate="approve"' not in page


def test_the_poster_and_providers_get_no_moderation_actions(celery_eager) -> None:
    task = TaskFactory()
    for user in (task_owner(task), UserFactory(), UserFactory(staff=True)):
        page = html(signed_in(user).get(reverse("frontend:task_detail", args=[task.pk])))
        assert "data-moderate=" not in page
        url = reverse("frontend:task_moderate", args=[task.pk, "hide"])
        assert signed_in(user).post(url, {"reason": "x"}).status_code == 404
    task.refresh_from_db()
    assert task.status == Task.Status.OPEN


def test_hiding_from_the_public_page_takes_the_task_out_of_the_listing(moderator, celery_eager):
    task = TaskFactory()
    client = signed_in(moderator)
    url = reverse("frontend:task_moderate", args=[task.pk, "hide"])
    assert client.post(url, {"reason": ""}).status_code == 400
    task.refresh_from_db()
    assert task.status == Task.Status.OPEN
    assert client.post(url, {"reason": "疑似重复发布"}).status_code == 302
    task.refresh_from_db()
    assert task.status == Task.Status.PENDING_REVIEW
    assert task.flagged_for_review
    stranger = signed_in(UserFactory())
    assert stranger.get(reverse("frontend:task_detail", args=[task.pk])).status_code == 404


def test_approving_from_the_public_page(moderator, celery_eager) -> None:
    task = pending_task()
    client = signed_in(moderator)
    url = reverse("frontend:task_moderate", args=[task.pk, "approve"])
    assert client.get(url).status_code == 200
    assert client.post(url).status_code == 302
    task.refresh_from_db()
    assert task.status == Task.Status.OPEN
    # Once open, approving is no longer offered: a second POST changes nothing.
    again = client.post(url)
    assert again.status_code == 302
    assert audit_trail(task).filter(action="task.moderation_approve").count() == 1


def test_an_unknown_moderation_action_is_a_404(moderator) -> None:
    task = pending_task()
    url = reverse("frontend:task_moderate", args=[task.pk, "delete"])
    assert signed_in(moderator).post(url).status_code == 404


# --- reports ------------------------------------------------------------------------------------


def test_anyone_signed_in_reports_a_task_they_see_and_once_only() -> None:
    task = TaskFactory()
    reporter = UserFactory()
    report = services.report_file(
        reporter=reporter, kind="task", object_id=task.pk, reason="fraud", details="预算虚高"
    )
    assert (report.status, report.kind, report.object_id) == ("open", "task", task.pk)
    with pytest.raises(Conflict):
        services.report_file(
            reporter=reporter, kind="task", object_id=task.pk, reason="spam", details=""
        )
    assert Report.objects.count() == 1
    assert audit_trail(report).filter(action="report.filed").exists()


def test_a_report_of_what_the_reporter_cannot_see_is_not_found() -> None:
    draft = TaskFactory(status=Task.Status.DRAFT, published_at=None)
    with pytest.raises(NotFound):
        services.report_file(
            reporter=UserFactory(), kind="task", object_id=draft.pk, reason="spam", details=""
        )
    with pytest.raises(NotFound):
        services.report_file(
            reporter=UserFactory(), kind="nonsense", object_id=1, reason="spam", details=""
        )
    assert not Report.objects.exists()


@pytest.mark.parametrize(
    ("reason", "details", "field"),
    [("bogus", "", "reason"), ("other", "", "details"), ("spam", "x" * 2001, "details")],
)
def test_bad_report_input_is_refused_with_the_field_and_writes_nothing(reason, details, field):
    task = TaskFactory()
    with pytest.raises(ValidationFailed) as caught:
        services.report_file(
            reporter=UserFactory(), kind="task", object_id=task.pk, reason=reason, details=details
        )
    assert field in caught.value.fields
    assert not Report.objects.exists()


def test_nobody_reports_their_own_content() -> None:
    task = TaskFactory()
    with pytest.raises(NotAllowed):
        services.report_file(
            reporter=task.created_by, kind="task", object_id=task.pk, reason="spam", details=""
        )


def test_reporting_through_the_page_then_the_moderator_hides_the_question(moderator) -> None:
    task = TaskFactory()
    question = asked_question(task)
    poster = task_owner(task)
    client = signed_in(poster)
    url = reverse("frontend:report", args=["question", question.pk])
    assert client.get(url).status_code == 200
    assert client.post(url, {"reason": "other", "details": ""}).status_code == 400
    assert not Report.objects.exists()
    assert client.post(url, {"reason": "privacy", "details": "索要保密数据"}).status_code == 302
    report = Report.objects.get()
    assert client.post(url, {"reason": "privacy"}).status_code == 409
    # A stranger cannot see the unanswered question, so it cannot be reported by them.
    assert signed_in(UserFactory()).get(url).status_code == 404

    admin_page = signed_in(moderator).get(reverse("admin:tasks_report_changelist"))
    assert [r.pk for r in admin_page.context["cl"].result_list] == [report.pk]
    hide = reverse("admin:tasks_report_hide_one", args=[report.pk])
    assert signed_in(moderator).post(hide, {"reason": "涉及保密数据"}).status_code == 302
    question.refresh_from_db()
    report.refresh_from_db()
    assert question.hidden_at is not None
    assert question.hidden_by == moderator
    assert (report.status, report.decided_by) == (Report.Status.ACTIONED, moderator)
    queue = signed_in(moderator).get(reverse("admin:tasks_report_changelist"))
    assert list(queue.context["cl"].result_list) == []


def test_a_profile_report_suspends_its_owner_and_closes_every_report_on_it(moderator) -> None:
    profile = ProviderProfileFactory()
    first = services.report_file(
        reporter=UserFactory(), kind="profile", object_id=profile.pk, reason="fraud", details=""
    )
    second = services.report_file(
        reporter=UserFactory(), kind="profile", object_id=profile.pk, reason="spam", details=""
    )
    services.report_suspend_owner(moderator=moderator, report=first, reason="冒用他人资质")
    profile.user.refresh_from_db()
    assert profile.user.suspended_at is not None
    second.refresh_from_db()
    assert second.status == Report.Status.ACTIONED


def test_only_moderators_decide_reports() -> None:
    task = TaskFactory()
    report = services.report_file(
        reporter=UserFactory(), kind="task", object_id=task.pk, reason="spam", details=""
    )
    for user in (UserFactory(), UserFactory(staff=True), task.created_by):
        with pytest.raises(NotAllowed):
            services.report_decide(moderator=user, report=report, outcome="dismissed")
    report.refresh_from_db()
    assert report.status == Report.Status.OPEN


@pytest.mark.django_db(transaction=True)
def test_two_moderators_deciding_one_report_at_once_give_one_decision() -> None:
    task = TaskFactory()
    report = services.report_file(
        reporter=UserFactory(), kind="task", object_id=task.pk, reason="spam", details=""
    )
    first, second = moderator_user(), moderator_user()
    results = run_concurrently(
        lambda: services.report_decide(moderator=first, report=report, outcome="dismissed"),
        lambda: services.report_decide(moderator=second, report=report, outcome="actioned"),
    )
    assert sum(isinstance(r, Conflict) for r in results) == 1, results
    assert audit_trail(report).exclude(action="report.filed").count() == 1


def test_the_reports_api(moderator, celery_eager) -> None:
    from rest_framework.test import APIClient

    task = TaskFactory()
    client = APIClient()
    assert client.post("/api/v1/reports/", {"kind": "task", "object_id": task.pk}).status_code in (
        401,
        403,
    )
    client.force_authenticate(UserFactory())
    bad = client.post("/api/v1/reports/", {"kind": "task", "object_id": task.pk, "reason": "x"})
    assert bad.status_code == 400
    made = client.post(
        "/api/v1/reports/", {"kind": "task", "object_id": task.pk, "reason": "spam"}, format="json"
    )
    assert made.status_code == 201
    assert made.json()["status"] == "open"
    again = client.post(
        "/api/v1/reports/", {"kind": "task", "object_id": task.pk, "reason": "spam"}, format="json"
    )
    assert again.status_code == 409
    hidden = client.post(
        "/api/v1/reports/", {"kind": "task", "object_id": 10**9, "reason": "spam"}, format="json"
    )
    assert hidden.status_code == 404
    assert client.get("/api/v1/moderation/reports/").status_code == 403

    staff = APIClient()
    staff.force_authenticate(moderator)
    queue = staff.get("/api/v1/moderation/reports/")
    assert queue.status_code == 200
    assert queue.json()["count"] == 1
    report_id = queue.json()["results"][0]["id"]
    wrong = staff.post(f"/api/v1/moderation/reports/{report_id}/decide/", {"outcome": "open"})
    assert wrong.status_code == 400
    decided = staff.post(
        f"/api/v1/moderation/reports/{report_id}/decide/", {"outcome": "dismissed"}, format="json"
    )
    assert decided.status_code == 200
    assert decided.json()["status"] == "dismissed"
    twice = staff.post(
        f"/api/v1/moderation/reports/{report_id}/decide/", {"outcome": "dismissed"}, format="json"
    )
    assert twice.status_code == 409
    assert staff.post("/api/v1/moderation/reports/999999/hide/", {"reason": "x"}).status_code == 404


# --- the dashboard ------------------------------------------------------------------------------


def test_the_moderators_dashboard_counts_their_queues_and_tasks_by_state(moderator) -> None:
    pending_task()
    TaskFactory()
    services.report_file(
        reporter=UserFactory(), kind="task", object_id=TaskFactory().pk, reason="spam", details=""
    )
    from django.utils import translation

    response = signed_in(moderator, language="en").get(reverse("admin:index"))
    with translation.override("en"):
        cards = {str(card.title): card for card in response.context["dashboard_cards"]}
    assert cards["Tasks waiting for review"].value == 1
    assert cards["Tasks waiting for review"].tone == "attention"
    assert cards["Reports waiting"].value == 1
    by_state = {url.rsplit("=", 1)[1]: n for _label, n, url in cards["Tasks by state"].breakdown}
    assert by_state["pending_review"] == 1
    assert by_state["open"] == 2
    assert "Escrow held" not in cards  # finance's figures are not the moderator's


def test_finance_sees_escrow_held_and_released_this_month(celery_eager) -> None:
    from payments.apps import FINANCE_GROUP
    from payments.selectors import escrow_held_total, released_between

    finance = UserFactory(staff=True)
    finance.groups.add(Group.objects.get(name=FINANCE_GROUP))
    from django.utils import translation

    response = signed_in(finance, language="en").get(reverse("admin:index"))
    with translation.override("en"):
        cards = {str(card.title): card for card in response.context["dashboard_cards"]}
    assert cards["Escrow held"].value == escrow_held_total().format("en") == "CN¥0.00"
    start = timezone.now() - dt.timedelta(days=31)
    assert cards["Released this month"].value == released_between(
        start=start, end=timezone.now()
    ).format("en")
    assert "Tasks waiting for review" not in cards
