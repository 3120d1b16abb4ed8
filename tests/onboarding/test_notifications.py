"""Notifications as a kind and phrases: read in the reader's language, grouped, opened, emailed
by choice."""

from __future__ import annotations

import pytest
from django.core import mail
from django.test import Client
from django.utils import translation
from django.utils.translation import gettext_noop

from accounts.models import Notification, NotificationEmailOptOut
from accounts.notifying import Message, send
from marketplace.money import Money
from marketplace.notifications import raw, render_phrase, t
from tests.accounts.factories import NotificationFactory, UserFactory

pytestmark = pytest.mark.django_db


def new_bid(user, *, title: str = "机器视觉方案", n: int = 1) -> None:
    send(
        [user],
        Message(
            "bid_new",
            t(
                gettext_noop("New bid from %(bidder)s on %(title)s"),
                {"bidder": "李明", "title": title},
            ),
            t(gettext_noop("%(amount)s, %(days)d days."), {"amount": Money(60_000_00), "days": 30}),
            f"/tasks/{n}/bids/",
        ),
        f"test-bid:{title}:{n}:{user.pk}:{Notification.objects.count()}",
    )


def test_a_notification_sent_in_chinese_reads_in_english_after_the_switch(celery_eager) -> None:
    user = UserFactory(language="zh-hans")
    new_bid(user)
    notification = Notification.objects.get(recipient=user)
    assert notification.title == "李明 对“机器视觉方案”提交了新投标"  # as sent, in Chinese
    with translation.override("zh-hans"):
        assert notification.shown_title == notification.title
        assert notification.shown_body.startswith("¥60,000.00")
    with translation.override("en"):
        assert notification.shown_title == "New bid from 李明 on 机器视觉方案"
        assert notification.shown_body == "CN¥60,000.00, 30 days."

    client = Client()
    client.force_login(user)
    client.cookies["django_language"] = "en"
    page = client.get("/notifications/").content.decode()
    assert "New bid from 李明 on 机器视觉方案" in page
    api = client.get("/api/v1/notifications/", headers={"accept-language": "en"}).json()
    assert api["results"][0]["title"] == "New bid from 李明 on 机器视觉方案"


def test_old_rows_without_phrases_keep_their_stored_text() -> None:
    old = NotificationFactory(title="旧的通知", body="正文", params={})
    with translation.override("en"):
        assert old.shown_title == "旧的通知"
        assert old.shown_body == "正文"


def test_a_raw_phrase_is_never_translated_and_a_broken_one_never_raises() -> None:
    assert render_phrase(raw("Open").to_json()) == "Open"
    assert render_phrase({"msgid": "%(missing)s on %(title)s", "args": {"title": "x"}}) != ""
    assert render_phrase(None) == ""


def test_opening_a_notification_marks_it_and_its_group_read_and_goes_to_its_page() -> None:
    user = UserFactory()
    for _ in range(3):
        new_bid(user)
    other_page = NotificationFactory(recipient=user, url="/contracts/", group_key="x|/contracts/")
    first = Notification.objects.filter(recipient=user, kind="bid_new").first()
    client = Client()
    client.force_login(user)
    response = client.get(f"/notifications/{first.pk}/open/")
    assert response.status_code == 302
    assert response["Location"] == "/tasks/1/bids/"
    assert not Notification.objects.filter(recipient=user, kind="bid_new", read_at=None).exists()
    other_page.refresh_from_db()
    assert other_page.read_at is None


def test_nobody_opens_another_users_notification() -> None:
    owner, stranger = UserFactory(), UserFactory()
    new_bid(owner)
    notification = Notification.objects.get(recipient=owner)
    client = Client()
    client.force_login(stranger)
    assert client.get(f"/notifications/{notification.pk}/open/").status_code == 404
    notification.refresh_from_db()
    assert notification.read_at is None


def test_similar_unread_notifications_group_on_the_list() -> None:
    user = UserFactory()
    for _ in range(3):
        new_bid(user, title="检测方案")
    new_bid(user, title="另一个任务", n=2)
    client = Client()
    client.force_login(user)
    client.cookies["django_language"] = "en"
    page = client.get("/notifications/").content.decode()
    assert "3 new bids on 检测方案" in page
    assert page.count("data-notification=") == 2
    assert 'data-group-count="3"' in page


def test_a_kind_turned_off_is_not_emailed_but_still_in_the_app(celery_eager) -> None:
    user = UserFactory()
    client = Client()
    client.force_login(user)
    page = client.get("/notifications/preferences/").content.decode()
    assert 'value="bid_new"' in page
    response = client.post("/notifications/preferences/", {"email": ["bid_awarded"]})
    assert response.status_code == 302
    assert NotificationEmailOptOut.objects.filter(user=user, kind="bid_new").exists()
    mail.outbox = []
    new_bid(user)
    assert Notification.objects.filter(recipient=user, kind="bid_new").exists()
    assert mail.outbox == []


def test_the_email_preferences_api_refuses_an_unknown_kind_and_writes_nothing() -> None:
    user = UserFactory()
    client = Client()
    client.force_login(user)
    rows = client.get("/api/v1/notifications/preferences/").json()["kinds"]
    assert rows
    assert all(row["email"] for row in rows)
    bad = client.put(
        "/api/v1/notifications/preferences/",
        {"emailed_kinds": ["no_such_kind"]},
        content_type="application/json",
    )
    assert bad.status_code == 400
    assert not NotificationEmailOptOut.objects.filter(user=user).exists()
    ok = client.put(
        "/api/v1/notifications/preferences/",
        {"emailed_kinds": ["bid_new"]},
        content_type="application/json",
    )
    assert ok.status_code == 200
    emailed = {row["kind"] for row in ok.json()["kinds"] if row["email"]}
    assert emailed == {"bid_new"}
