"""Avatars and logos; favourite tasks and providers (only mine); inviting a provider to a task
from their profile through the tasks invitation service."""

from __future__ import annotations

import pytest
from django.db import connection

from accounts.models import Membership, Notification, ProviderFavourite
from accounts.services import provider_favourite_add, user_avatar_set
from marketplace.errors import Conflict
from tasks.models import Task, TaskFavourite, TaskInvitation
from tasks.services import task_favourite_add, task_invite_provider
from tests.accounts.concurrency import run_concurrently
from tests.accounts.factories import (
    OrganizationFactory,
    ProviderProfileFactory,
    UserFactory,
    make_org_member,
)
from tests.api_helpers import API, assert_error, client_for
from tests.profiles.helpers import pdf_file, png, text_as_png
from tests.tasks.factories import TaskFactory, task_owner

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("celery_eager")]


# --- avatars and logos -------------------------------------------------------------------------


def test_api_my_avatar_is_a_square_served_image_and_can_be_removed():
    user = UserFactory()
    client = client_for(user)

    response = client.put(f"{API}/me/avatar/", {"file": png(size=(800, 400))}, format="multipart")

    assert response.status_code == 200, response.content
    url = response.json()["avatar_url"]
    served = client_for(None).get(url)
    assert served.status_code == 200
    assert served["Content-Type"] == "image/jpeg"
    assert served["X-Content-Type-Options"] == "nosniff"
    assert "immutable" in served["Cache-Control"]
    user.refresh_from_db()
    assert client_for(user).get(f"{API}/me/").json()["avatar_url"] == url
    # A wrong name under the same person is not served.
    assert client_for(None).get(url.rsplit("/", 1)[0] + "/other.jpg").status_code == 404

    removed = client.delete(f"{API}/me/avatar/")
    assert removed.json()["avatar_url"] == ""
    assert client_for(None).get(url).status_code == 404


@pytest.mark.parametrize("upload", [pdf_file, text_as_png], ids=["pdf", "text-named-png"])
def test_api_an_avatar_must_be_an_image(upload):
    user = UserFactory()

    response = client_for(user).put(f"{API}/me/avatar/", {"file": upload()}, format="multipart")

    assert_error(response, 400)
    user.refresh_from_db()
    assert not user.avatar


def test_api_an_oversized_avatar_is_refused(settings):
    settings.MARKETPLACE = {**settings.MARKETPLACE, "AVATAR_MAX_BYTES": 1024}
    user = UserFactory()

    response = client_for(user).put(f"{API}/me/avatar/", {"file": png()}, format="multipart")

    assert_error(response, 400)


def test_api_an_organization_logo_is_set_by_its_managers_only():
    owner = UserFactory()
    organization = OrganizationFactory(owner=owner)
    member, outsider = UserFactory(), UserFactory()
    make_org_member(member, organization)
    url = f"{API}/organizations/{organization.pk}/logo/"

    assert_error(client_for(member).put(url, {"file": png()}, format="multipart"), 403)
    assert_error(client_for(outsider).put(url, {"file": png()}, format="multipart"), 403)
    organization.refresh_from_db()
    assert not organization.logo

    response = client_for(owner).put(url, {"file": png()}, format="multipart")
    assert response.status_code == 200
    assert response.json()["logo_url"].startswith(f"/pictures/o/{organization.pk}/")
    assert_error(client_for(outsider).delete(url), 403)


def test_a_firm_provider_shows_its_logo_and_a_person_their_avatar():
    person = ProviderProfileFactory()
    firm = ProviderProfileFactory(firm=True)
    user_avatar_set(user=person.user, upload=png())
    from accounts.services import organization_logo_set

    owner = Membership.objects.get(organization=firm.organization, role="owner").user
    organization_logo_set(actor=owner, organization=firm.organization, upload=png())

    viewer = client_for(UserFactory())
    person_data = viewer.get(f"{API}/provider-profiles/{person.pk}/").json()
    firm_data = viewer.get(f"{API}/provider-profiles/{firm.pk}/").json()
    assert person_data["picture_url"].startswith(f"/pictures/u/{person.user.pk}/")
    assert firm_data["picture_url"].startswith(f"/pictures/o/{firm.organization.pk}/")


# --- favourites ---------------------------------------------------------------------------------


def test_api_favourite_tasks_and_providers_are_mine_alone():
    me, other = UserFactory(), UserFactory()
    task = TaskFactory()
    provider = ProviderProfileFactory()
    mine = client_for(me)

    assert mine.put(f"{API}/tasks/{task.pk}/favourite/").json() == {"favourite": True}
    assert mine.put(f"{API}/tasks/{task.pk}/favourite/").status_code == 200  # idempotent
    assert mine.put(f"{API}/provider-profiles/{provider.pk}/favourite/").status_code == 200

    tasks = mine.get(f"{API}/favourites/tasks/").json()
    providers = mine.get(f"{API}/favourites/providers/").json()
    assert [f["task"]["id"] for f in tasks["results"]] == [task.pk]
    assert [f["provider"]["id"] for f in providers["results"]] == [provider.pk]
    assert client_for(other).get(f"{API}/favourites/tasks/").json()["count"] == 0
    assert client_for(other).get(f"{API}/favourites/providers/").json()["count"] == 0
    assert_error(client_for(None).get(f"{API}/favourites/tasks/"), 401)
    assert_error(client_for(None).put(f"{API}/tasks/{task.pk}/favourite/"), 401)

    # Another user removing "my" star removes only theirs (there is none): mine stays.
    client_for(other).delete(f"{API}/tasks/{task.pk}/favourite/")
    assert TaskFavourite.objects.filter(user=me).count() == 1
    assert mine.delete(f"{API}/tasks/{task.pk}/favourite/").json() == {"favourite": False}
    assert not TaskFavourite.objects.exists()


def test_a_task_i_cannot_see_cannot_be_starred_and_drops_out_of_my_list():
    me = UserFactory()
    draft = TaskFactory(status=Task.Status.DRAFT)
    assert_error(client_for(me).put(f"{API}/tasks/{draft.pk}/favourite/"), 404)

    task = TaskFactory()
    task_favourite_add(user=me, task=task)
    Task.objects.filter(pk=task.pk).update(status=Task.Status.DRAFT)  # no longer public

    assert client_for(me).get(f"{API}/favourites/tasks/").json()["count"] == 0


def test_a_suspended_provider_drops_out_of_my_favourites():
    me = UserFactory()
    provider = ProviderProfileFactory()
    provider_favourite_add(user=me, profile=provider)
    provider.user.suspended_at = provider.user.date_joined
    provider.user.save(update_fields=["suspended_at"])

    assert client_for(me).get(f"{API}/favourites/providers/").json()["count"] == 0


@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_stars_make_one_favourite():
    if connection.vendor != "postgresql":
        pytest.fail("this race is tested on PostgreSQL (set DATABASE_URL)")
    me = UserFactory()
    task = TaskFactory()
    provider = ProviderProfileFactory()

    results = run_concurrently(
        lambda: task_favourite_add(user=me, task=task),
        lambda: task_favourite_add(user=me, task=task),
        lambda: provider_favourite_add(user=me, profile=provider),
        lambda: provider_favourite_add(user=me, profile=provider),
    )

    assert not [r for r in results if isinstance(r, Exception)], results
    assert TaskFavourite.objects.count() == 1
    assert ProviderFavourite.objects.count() == 1


# --- inviting from a profile --------------------------------------------------------------------


@pytest.fixture
def world():
    task = TaskFactory(title="机器视觉方案")
    poster = task_owner(task)
    draft = TaskFactory(organization=task.organization, status=Task.Status.DRAFT, title="草稿")
    closed = TaskFactory(organization=task.organization, status=Task.Status.AWARDED, title="已授标")
    others = TaskFactory(title="别人的任务")
    provider = ProviderProfileFactory()
    return {
        "task": task,
        "draft": draft,
        "closed": closed,
        "others": others,
        "poster": poster,
        "provider": provider,
    }


def test_api_the_poster_sees_their_invitable_tasks_and_invites_the_provider(
    world, django_capture_on_commit_callbacks
):
    poster, provider, task = world["poster"], world["provider"], world["task"]
    url = f"{API}/provider-profiles/{provider.pk}/invitations/"

    listed = client_for(poster).get(url).json()["results"]
    assert {item["task"]["id"] for item in listed} == {task.pk, world["draft"].pk}
    assert not any(item["already_invited"] for item in listed)

    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(poster).post(url, {"task": task.pk}, format="json")
    assert response.status_code == 201, response.content
    assert response.json()["provider"]["id"] == provider.pk
    assert TaskInvitation.objects.filter(task=task, provider=provider).exists()
    notice = Notification.objects.get(recipient=provider.user, kind="task_invitation")
    assert task.title in notice.title

    again = client_for(poster).post(url, {"task": task.pk}, format="json")
    assert_error(again, 409, code="conflict")
    states = {
        i["task"]["id"]: i["already_invited"] for i in client_for(poster).get(url).json()["results"]
    }
    assert states[task.pk] is True


def test_api_inviting_to_a_closed_or_someone_else_s_task_is_refused(world):
    poster, provider = world["poster"], world["provider"]
    url = f"{API}/provider-profiles/{provider.pk}/invitations/"

    assert_error(
        client_for(poster).post(url, {"task": world["closed"].pk}, format="json"),
        409,
        code="invalid_state",
    )
    assert_error(client_for(poster).post(url, {"task": world["others"].pk}, format="json"), 403)
    stranger = UserFactory()
    assert client_for(stranger).get(url).json()["results"] == []
    assert_error(client_for(stranger).post(url, {"task": world["task"].pk}, format="json"), 403)
    assert_error(client_for(stranger).post(url, {"task": world["draft"].pk}, format="json"), 404)
    assert_error(client_for(poster).post(url, {"task": "abc"}, format="json"), 400)
    assert not TaskInvitation.objects.exists()
    assert not Notification.objects.filter(kind="task_invitation").exists()


@pytest.mark.django_db(transaction=True)
def test_two_members_inviting_at_once_make_one_invitation_and_one_clear_error():
    if connection.vendor != "postgresql":
        pytest.fail("this race is tested on PostgreSQL (set DATABASE_URL)")
    task = TaskFactory()
    owner = task_owner(task)
    colleague = UserFactory()
    make_org_member(colleague, task.organization)
    provider = ProviderProfileFactory()

    results = run_concurrently(
        lambda: task_invite_provider(actor=owner, task=task, provider=provider),
        lambda: task_invite_provider(actor=colleague, task=task, provider=provider),
    )

    assert sum(isinstance(r, TaskInvitation) for r in results) == 1
    assert sum(isinstance(r, Conflict) for r in results) == 1
    assert TaskInvitation.objects.count() == 1
