"""The pages: managing a portfolio, the public profile with thumbnails, stars and the
Favourites page, pictures, and inviting from a profile. Every object page checks the caller."""

from __future__ import annotations

import pytest
from django.test import Client

from accounts.models import PortfolioEntry, PortfolioFile
from accounts.services import (
    portfolio_entry_create,
    portfolio_file_add,
    provider_favourite_add,
    user_avatar_set,
)
from tasks.models import Task, TaskInvitation
from tasks.services import task_favourite_add
from tests.accounts.factories import ProviderProfileFactory, UserFactory
from tests.page_helpers import html, signed_in
from tests.profiles.helpers import exe_as_png, pdf_file, png
from tests.tasks.factories import TaskFactory, task_owner

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("celery_eager")]


@pytest.fixture
def profile():
    return ProviderProfileFactory(skills={"machine-vision": 4}, headline="工业视觉检测")


@pytest.fixture
def entry(profile):
    entry = portfolio_entry_create(
        actor=profile.user, profile=profile, title="焊缝检测产线", year=2024, client="某汽车厂"
    )
    portfolio_file_add(actor=profile.user, entry=entry, upload=png())
    portfolio_file_add(actor=profile.user, entry=entry, upload=pdf_file())
    return entry


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_public_profile_shows_cases_with_thumbnails_and_documents(entry, profile, language):
    body = html(Client(HTTP_ACCEPT_LANGUAGE=language).get(f"/providers/{profile.pk}/"))

    assert "焊缝检测产线" in body
    assert "某汽车厂" in body
    image, document = entry.files.all()
    assert f"/pictures/portfolio/{image.pk}/thumb" in body
    assert f"/pictures/portfolio/{document.pk}/full" in body
    assert "report.pdf" in body


def test_the_provider_adds_a_case_from_the_portfolio_page(profile):
    client = signed_in(profile.user, language="en")
    page = client.get(f"/providers/{profile.pk}/portfolio/")
    assert page.status_code == 200

    response = client.post(
        f"/providers/{profile.pk}/portfolio/",
        {"title": "Weld seam inspection", "year": "2023", "description": "Cut rework by 40%."},
    )

    entry = PortfolioEntry.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/portfolio/{entry.pk}/"
    upload = client.post(f"/portfolio/{entry.pk}/files/", {"file": png()})
    assert upload.status_code == 302
    assert PortfolioFile.objects.filter(entry=entry).count() == 1


def test_bad_input_and_a_bad_file_show_errors_on_the_page_and_write_nothing(entry, profile):
    client = signed_in(profile.user, language="en")

    bad = client.post(f"/providers/{profile.pk}/portfolio/", {"title": "", "year": "1800"})
    assert bad.status_code == 400
    assert "This field is required" in html(bad)
    wrong = client.post(f"/portfolio/{entry.pk}/files/", {"file": exe_as_png()})
    assert wrong.status_code == 400
    assert "virus.png" in html(wrong)
    assert PortfolioEntry.objects.count() == 1
    assert PortfolioFile.objects.count() == 2


def test_another_user_cannot_reach_someone_else_s_portfolio_pages(entry, profile):
    other = signed_in(UserFactory())
    image = entry.files.first()

    assert other.get(f"/providers/{profile.pk}/portfolio/").status_code == 404
    assert other.post(f"/providers/{profile.pk}/portfolio/", {"title": "x"}).status_code == 404
    assert other.get(f"/portfolio/{entry.pk}/").status_code == 404
    assert other.post(f"/portfolio/{entry.pk}/", {"title": "Hacked"}).status_code == 404
    assert other.post(f"/portfolio/{entry.pk}/delete/").status_code == 404
    assert other.post(f"/portfolio/{entry.pk}/move/", {"direction": "up"}).status_code == 404
    assert other.post(f"/portfolio/{entry.pk}/files/", {"file": png()}).status_code == 404
    assert other.post(f"/portfolio-files/{image.pk}/remove/").status_code == 404
    entry.refresh_from_db()
    assert entry.title == "焊缝检测产线"
    assert PortfolioFile.objects.count() == 2
    # The public profile offers no editing to them.
    assert f"/providers/{profile.pk}/portfolio/" not in html(other.get(f"/providers/{profile.pk}/"))


def test_the_provider_edits_reorders_and_deletes(entry, profile):
    second = portfolio_entry_create(actor=profile.user, profile=profile, title="第二个案例")
    client = signed_in(profile.user)

    client.post(f"/portfolio/{entry.pk}/", {"title": "改名", "year": "2022"})
    client.post(f"/portfolio/{second.pk}/move/", {"direction": "up"})
    assert list(PortfolioEntry.objects.values_list("title", flat=True)) == ["第二个案例", "改名"]
    client.post(f"/portfolio-files/{entry.files.first().pk}/remove/")
    assert entry.files.count() == 1
    client.post(f"/portfolio/{entry.pk}/delete/")
    assert list(PortfolioEntry.objects.values_list("title", flat=True)) == ["第二个案例"]


def test_avatar_upload_from_the_profile_page_shows_in_the_header():
    user = UserFactory(name="王芳")
    client = signed_in(user, language="en")

    response = client.post("/me/avatar/", {"file": png(), "next": "/me/"})
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.avatar
    body = html(client.get("/dashboard/"))
    assert f"/pictures/u/{user.pk}/" in body

    refused = client.post("/me/avatar/", {"file": pdf_file()}, follow=True)
    assert "is not an image" in html(refused)


def test_the_bid_comparison_shows_the_bidder_s_picture():
    from tests.bids.factories import BidFactory

    bid = BidFactory()
    user_avatar_set(user=bid.provider.user, upload=png())
    client = signed_in(task_owner(bid.task))

    body = html(client.get(f"/tasks/{bid.task.pk}/bids/"))

    assert f"/pictures/u/{bid.provider.user.pk}/" in body


def test_stars_on_a_task_and_a_provider_and_the_favourites_page_is_mine_alone(profile):
    me, other = UserFactory(), UserFactory()
    task = TaskFactory(title="机器视觉方案")
    client = signed_in(me, language="en")

    assert 'aria-pressed="false"' in html(client.get(f"/tasks/{task.pk}/"))
    client.post(f"/tasks/{task.pk}/favourite/", {"favourite": "1", "next": f"/tasks/{task.pk}/"})
    assert 'aria-pressed="true"' in html(client.get(f"/tasks/{task.pk}/"))
    client.post(f"/providers/{profile.pk}/favourite/", {"favourite": "1"})

    mine = html(client.get("/me/favourites/"))
    assert "机器视觉方案" in mine
    assert "工业视觉检测" in mine
    theirs = html(signed_in(other, language="en").get("/me/favourites/"))
    assert "机器视觉方案" not in theirs
    assert "No favourite tasks yet" in theirs

    # The list page marks the starred card.
    listing = html(client.get("/tasks/"))
    assert 'aria-pressed="true"' in listing

    client.post(f"/tasks/{task.pk}/favourite/", {"favourite": "0"})
    assert "机器视觉方案" not in html(client.get("/me/favourites/"))


def test_a_star_on_an_invisible_task_is_a_404_and_next_cannot_leave_the_site():
    me = UserFactory()
    draft = TaskFactory(status=Task.Status.DRAFT)
    client = signed_in(me)
    assert client.post(f"/tasks/{draft.pk}/favourite/").status_code == 404

    task = TaskFactory()
    response = client.post(
        f"/tasks/{task.pk}/favourite/", {"favourite": "1", "next": "https://evil.example/"}
    )
    assert response["Location"] == f"/tasks/{task.pk}/"


def test_favourites_pages_need_sign_in():
    assert Client().get("/me/favourites/").status_code == 302


def test_a_poster_invites_from_the_profile_and_the_provider_is_notified(
    profile, django_capture_on_commit_callbacks
):
    from accounts.models import Notification

    task = TaskFactory(title="机器视觉方案")
    TaskFactory(organization=task.organization, status=Task.Status.COMPLETED, title="已完成任务")
    poster = task_owner(task)
    client = signed_in(poster, language="en")

    page = html(client.get(f"/providers/{profile.pk}/"))
    assert "Invite to a task" in page
    assert "机器视觉方案" in page
    assert "已完成任务" not in page  # closed tasks are not offered

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/providers/{profile.pk}/invite/", {"task": task.pk}, follow=True)
    assert "is invited to" in html(response)
    assert TaskInvitation.objects.filter(task=task, provider=profile).exists()
    assert Notification.objects.filter(recipient=profile.user, kind="task_invitation").exists()

    again = client.post(f"/providers/{profile.pk}/invite/", {"task": task.pk}, follow=True)
    assert "already invited" in html(again)
    assert TaskInvitation.objects.count() == 1


def test_inviting_to_a_closed_or_someone_else_s_task_from_a_profile_is_refused(profile):
    task = TaskFactory()
    closed = TaskFactory(organization=task.organization, status=Task.Status.AWARDED)
    others = TaskFactory()
    client = signed_in(task_owner(task), language="en")

    closed_response = client.post(
        f"/providers/{profile.pk}/invite/", {"task": closed.pk}, follow=True
    )
    assert "only possible before bidding closes" in html(closed_response)
    foreign = client.post(f"/providers/{profile.pk}/invite/", {"task": others.pk}, follow=True)
    assert "Only members of the posting organization" in html(foreign)
    assert client.post(f"/providers/{profile.pk}/invite/", {"task": "x"}).status_code == 302
    assert not TaskInvitation.objects.exists()


def test_a_provider_sees_no_invite_box_on_their_own_profile(profile):
    body = html(signed_in(profile.user, language="en").get(f"/providers/{profile.pk}/"))
    assert "Invite to a task" not in body
    assert "Manage portfolio" in body


def test_favourite_provider_star_state(profile):
    me = UserFactory()
    provider_favourite_add(user=me, profile=profile)
    task_favourite_add(user=me, task=TaskFactory())

    body = html(signed_in(me).get(f"/providers/{profile.pk}/"))

    assert 'aria-pressed="true"' in body
