"""Every back-office view, walked for every role: non-staff never reach one, and staff are
refused every page of a model their role holds no permission on.

The URLs are read from the admin site itself (changelists, add, change, history, delete, each
admin's detail and list actions and custom views, the site's own pages), so an admin another
app registers later is walked too, without touching this file.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from django.contrib import admin
from django.contrib.auth.models import Group, Permission
from django.urls import URLPattern, URLResolver, reverse

from accounts.models import Organization
from bids.negotiation import services as negotiation
from tasks import services as task_services
from tasks.models import Task
from tests.accounts.factories import (
    OrganizationFactory,
    PersonVerificationRequestFactory,
    ProviderProfileFactory,
    UserFactory,
)
from tests.bids.factories import BidFactory, bid_operator
from tests.frontend.contracts_setup import awarded_contract
from tests.page_helpers import signed_in
from tests.tasks.factories import TaskFactory, task_owner

pytestmark = pytest.mark.django_db

# The site's own pages every signed-in staff member may use, whatever their role.
SELF_SERVICE = {"login", "logout", "password_change", "password_change_done", "jsi18n"}
ROLES = ("moderator", "finance", "mediator")


def _walk(patterns: list[Any], prefix: str = "") -> Iterator[tuple[str, str]]:
    """(route, name) of every named pattern of the admin site."""
    for entry in patterns:
        if isinstance(entry, URLResolver):
            yield from _walk(entry.url_patterns, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern) and entry.name:
            yield prefix + str(entry.pattern), entry.name


def _model_of_name(name: str) -> Any:
    for model in admin.site._registry:
        if name.startswith(f"{model._meta.app_label}_{model._meta.model_name}_"):
            return model
    return None


def admin_urls() -> list[tuple[str, Any]]:
    """Every back-office URL with the model it belongs to (None for the site's own pages)."""
    urls: list[tuple[str, Any]] = []
    for route, name in _walk(admin.site.get_urls()):
        if name in SELF_SERVICE or name in ("view_on_site", "autocomplete"):
            continue
        model = _model_of_name(name)
        kwargs: dict[str, Any] = {}
        for _converter, key in re.findall(r"<(?:(\w+):)?(\w+)>", route):
            if key == "object_id" or key == "id":
                obj = model.objects.order_by("pk").first() if model is not None else None
                kwargs[key] = str(obj.pk) if obj is not None else MISSING
            elif key == "app_label":
                continue  # app_list: walked per app below
            else:
                kwargs[key] = "1"
        if name == "app_list":
            for label in sorted({m._meta.app_label for m in admin.site._registry}):
                urls.append((reverse("admin:app_list", kwargs={"app_label": label}), label))
            continue
        urls.append((reverse(f"admin:{name}", kwargs=kwargs), model))
    return urls


@pytest.fixture
def world(celery_eager: Any) -> None:
    """A row of the main kinds, so change pages and detail actions have an object to open."""
    government = OrganizationFactory(kind=Organization.Kind.GOVERNMENT, verified=True)
    # The first task (the one change pages and detail actions open) waits for review.
    task = TaskFactory(
        organization=government, status=Task.Status.PENDING_REVIEW, published_at=None
    )
    awarded_contract()
    profile = ProviderProfileFactory()
    PersonVerificationRequestFactory()
    reporter = UserFactory()
    task_services.report_file(
        reporter=reporter, kind="profile", object_id=profile.pk, reason="spam", details=""
    )
    # A reported negotiation message, so its admin page and hide button are walked on a row.
    bid = BidFactory()
    thread, _created = negotiation.thread_open(actor=bid_operator(bid), bid=bid)
    message = negotiation.message_post(actor=bid_operator(bid), thread=thread, body="骗子").message
    task_services.report_file(
        reporter=task_owner(bid.task), kind="message", object_id=message.pk, reason="abuse",
        details="",
    )  # fmt: skip
    assert task.pk


def _staff_in(role: str) -> Any:
    user = UserFactory(staff=True)
    group, _created = Group.objects.get_or_create(name=role)
    user.groups.add(group)
    return user


def _models_with_permission(user: Any) -> set[Any]:
    perms = Permission.objects.filter(group__user=user).select_related("content_type")
    return {p.content_type.model_class() for p in perms}


MISSING = "999999"  # the id walked for a model without rows


def _refused(response: Any, url: str = "") -> bool:
    """403/404, or sent to sign in; for an object that does not exist, Django's history page
    sends everyone back to the index before asking who they are (it shows nothing)."""
    if response.status_code in (403, 404):
        return True
    if response.status_code != 302:
        return False
    location = response["Location"]
    return "/admin/login/" in location or (MISSING in url and location == reverse("admin:index"))


def test_the_walk_covers_every_registered_admin_and_its_actions(world) -> None:
    urls = admin_urls()
    walked = {model for _url, model in urls if model is not None and not isinstance(model, str)}
    assert walked == set(admin.site._registry)
    paths = {url for url, _model in urls}
    task = Task.objects.filter(status=Task.Status.PENDING_REVIEW).get()
    # The moderators' buttons on a task's own page are among them.
    assert reverse("admin:tasks_task_approve_one", args=[task.pk]) in paths
    assert reverse("admin:tasks_task_send_back_one", args=[task.pk]) in paths


@pytest.mark.parametrize("who", ["anonymous", "member"])
def test_non_staff_are_refused_every_back_office_view(world, client, who) -> None:
    if who == "member":
        # Even holding every permission, a user who is not staff never reaches the back office.
        user = UserFactory()
        user.user_permissions.add(*Permission.objects.all())
        client.force_login(user)
    for url, _model in [(reverse("admin:index"), None), *admin_urls()]:
        for response in (client.get(url), client.post(url, {})):
            assert response.status_code == 302, url
            assert "/admin/login/" in response["Location"], url


@pytest.mark.parametrize("role", ROLES)
def test_staff_are_refused_every_view_of_models_outside_their_role(world, role) -> None:
    user = _staff_in(role)
    mine = _models_with_permission(user)
    client = signed_in(user)
    assert client.get(reverse("admin:index")).status_code == 200
    checked = 0
    for url, model in admin_urls():
        if isinstance(model, str):  # an app's list: refused unless the role has a model of it
            response = client.get(url)
            if not any(m._meta.app_label == model for m in mine):
                assert _refused(response), url
            continue
        if model is None or model in mine:
            assert client.get(url).status_code < 500, url
            continue
        assert _refused(client.get(url), url), url
        assert _refused(client.post(url, {}), url), url
        checked += 1
    assert checked > 0


def test_staff_without_a_role_are_refused_everything_but_an_empty_index(world) -> None:
    client = signed_in(UserFactory(staff=True))
    assert client.get(reverse("admin:index")).status_code == 200
    for url, model in admin_urls():
        if model is None:
            continue
        assert _refused(client.get(url), url), url


def test_the_superuser_opens_every_view_without_an_error(world) -> None:
    client = signed_in(UserFactory(staff=True, is_superuser=True))
    for url, _model in admin_urls():
        response = client.get(url)
        assert response.status_code < 500, url


def test_a_moderator_reaches_the_queues_and_finance_does_not(world) -> None:
    moderator = signed_in(_staff_in("moderator"))
    finance = signed_in(_staff_in("finance"))
    task = Task.objects.filter(status=Task.Status.PENDING_REVIEW).get()
    for name in ("admin:tasks_task_changelist", "admin:tasks_report_changelist"):
        assert moderator.get(reverse(name)).status_code == 200
        assert finance.get(reverse(name)).status_code == 403
    approve = reverse("admin:tasks_task_approve_one", args=[task.pk])
    assert moderator.get(approve).status_code == 200
    assert finance.get(approve).status_code == 403
    assert finance.post(approve, {"confirm": "1"}).status_code == 403
    task.refresh_from_db()
    assert task.status == Task.Status.PENDING_REVIEW
    # The moderator's role is not finance's: money pages are refused.
    assert moderator.get(reverse("admin:payments_carddispute_changelist")).status_code == 403


def test_only_moderators_hide_messages_and_profiles_from_any_of_their_pages(world) -> None:
    from accounts.models import ProviderProfile
    from bids.models import NegotiationMessage
    from tasks.models import Report

    message = NegotiationMessage.objects.get()
    profile = ProviderProfile.objects.filter(pk__in=Report.objects.filter(kind="profile").values(
        "object_id")).get()  # fmt: skip
    reports = {r.kind: r for r in Report.objects.all()}
    hides = [
        reverse("admin:tasks_report_hide_one", args=[reports["message"].pk]),
        reverse("admin:tasks_report_hide_one", args=[reports["profile"].pk]),
        reverse("admin:bids_negotiationmessage_hide_detail", args=[message.pk]),
        reverse("admin:accounts_providerprofile_hide_detail", args=[profile.pk]),
    ]
    refused = [_staff_in("finance"), _staff_in("mediator"), UserFactory(staff=True)]
    for user in [*refused, UserFactory()]:
        client = signed_in(user)
        for url in hides:
            assert _refused(client.get(url), url), (user, url)
            assert _refused(client.post(url, {"reason": "x"}), url), (user, url)
    message.refresh_from_db()
    profile.refresh_from_db()
    assert message.hidden_at is None
    assert profile.hidden_at is None
    moderator = signed_in(_staff_in("moderator"))
    for url in hides[:2]:
        assert moderator.get(url).status_code == 200, url
        assert moderator.post(url, {"reason": "违规内容"}).status_code == 302, url
    message.refresh_from_db()
    profile.refresh_from_db()
    assert message.hidden_at is not None
    assert profile.hidden_at is not None
