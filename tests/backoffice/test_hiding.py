"""Moderators hide a reported negotiation message or provider profile, and show it again.

A hidden message: the two sides see "hidden by a moderator: <reason>" in place of its text and
file on the page, in the API and in a socket's replay, and cannot download its file; mediators
and the dispute timeline keep the original. A hidden profile: out of the directory, search (the
index drops it) and recommendations, its page 404 for others while its owner sees the reason and
how to appeal, and it cannot bid. Both are audit-logged, close their reports, and are refused to
non-moderators.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from rest_framework.test import APIClient

from accounts.models import ProviderProfile
from accounts.services import provider_profile_hide, provider_profile_show
from bids.models import NegotiationMessage
from bids.moderation import negotiation_message_hide, negotiation_message_show
from bids.negotiation import selectors as negotiation_selectors
from bids.negotiation import services as negotiation
from bids.selectors import bid_eligibility
from disputes.selectors import dispute_timeline
from marketplace.audit import audit_trail
from marketplace.errors import InvalidTransition, NotAllowed, NotFound, ValidationFailed
from tasks import services as task_services
from tasks.apps import MODERATOR_GROUP
from tasks.models import Report, Task
from tests.accounts.factories import ProviderProfileFactory, UserFactory
from tests.bids.factories import BidFactory, bid_operator
from tests.page_helpers import html, signed_in
from tests.tasks.factories import TaskFactory, task_owner

pytestmark = pytest.mark.django_db

REASON = "含有侮辱性言论"


def moderator_user() -> Any:
    user = UserFactory(staff=True)
    user.groups.add(Group.objects.get(name=MODERATOR_GROUP))
    return user


def staff_in(role: str) -> Any:
    user = UserFactory(staff=True)
    group, _created = Group.objects.get_or_create(name=role)
    user.groups.add(group)
    return user


@pytest.fixture
def moderator() -> Any:
    return moderator_user()


@pytest.fixture
def room() -> dict[str, Any]:
    bid = BidFactory(amount=60_000_00)
    poster = task_owner(bid.task)
    bidder = bid_operator(bid)
    thread, _created = negotiation.thread_open(actor=bidder, bid=bid)
    rude = negotiation.message_post(actor=bidder, thread=thread, body="你们这些人都是骗子").message
    pdf = SimpleUploadedFile("骂人.pdf", b"%PDF-1.7\n% rude\n", "application/pdf")
    attached = negotiation.message_file_post(
        actor=bidder, thread=thread, upload=pdf, body="附件里说得更清楚"
    ).message
    polite = negotiation.message_post(actor=poster, thread=thread, body="请注意措辞").message
    return {
        "bid": bid,
        "poster": poster,
        "bidder": bidder,
        "thread": thread,
        "rude": rude,
        "file": attached,
        "polite": polite,
    }


def reported(kind: str, object_id: int, reporter: Any) -> Report:
    return task_services.report_file(
        reporter=reporter, kind=kind, object_id=object_id, reason="abuse", details=""
    )


# --- messages -----------------------------------------------------------------------------------


def test_a_moderator_hides_a_reported_message_from_the_report_page(room, moderator) -> None:
    report = reported("message", room["rude"].pk, room["poster"])
    client = signed_in(moderator)
    page = client.get(reverse("admin:tasks_report_change", args=[report.pk]))
    assert reverse("admin:tasks_report_hide_one", args=[report.pk]) in html(page)
    hide = reverse("admin:tasks_report_hide_one", args=[report.pk])
    assert client.post(hide, {"reason": ""}).status_code == 400  # a reason is required
    assert NegotiationMessage.objects.get(pk=room["rude"].pk).hidden_at is None
    assert client.post(hide, {"reason": REASON}).status_code == 302
    message = NegotiationMessage.objects.get(pk=room["rude"].pk)
    assert (message.hidden_by, message.hidden_reason) == (moderator, REASON)
    assert message.body == "你们这些人都是骗子"  # kept whole: evidence
    report.refresh_from_db()
    assert (report.status, report.decided_by) == (Report.Status.ACTIONED, moderator)
    assert audit_trail(message).filter(action="negotiation.message_hidden").count() == 1


def test_the_two_sides_see_the_reason_in_place_of_text_and_file(room, moderator) -> None:
    for message in (room["rude"], room["file"]):
        negotiation_message_hide(moderator=moderator, message=message, reason=REASON)
    for user in (room["poster"], room["bidder"]):
        for language, notice in (
            ("en", "Hidden by a moderator: "),
            ("zh-hans", "已被管理员隐藏："),
        ):
            page = html(
                signed_in(user, language=language).get(
                    reverse("frontend:negotiation", args=[room["bid"].pk])
                )
            )
            assert notice + REASON in page
            assert "你们这些人都是骗子" not in page
            assert "附件里说得更清楚" not in page
            assert "骂人.pdf" not in page
            assert "请注意措辞" in page  # the rest of the thread stays
        # The file itself is gone for them, on the page's link and in the API.
        assert (
            signed_in(user).get(reverse("frontend:negotiation_file", args=[room["file"].pk]))
        ).status_code == 404
        api = APIClient()
        api.force_authenticate(user)
        assert api.get(f"/api/v1/negotiation-files/{room['file'].pk}/").status_code == 404
        listed = api.get(f"/api/v1/threads/{room['thread'].pk}/messages/").json()
        by_seq = {m["seq"]: m for m in listed["messages"]}
        rude, attached = by_seq[room["rude"].seq], by_seq[room["file"].seq]
        assert (rude["hidden"], rude["hidden_reason"], rude["body"]) == (True, REASON, "")
        assert (attached["file"], attached["body"]) == (None, "")
        assert by_seq[room["polite"].seq]["hidden"] is False
        assert by_seq[room["polite"].seq]["body"] == "请注意措辞"


def test_showing_a_message_again_restores_it_for_the_two_sides(room, moderator) -> None:
    negotiation_message_hide(moderator=moderator, message=room["file"], reason=REASON)
    negotiation_message_show(moderator=moderator, message=room["file"])
    payload = negotiation_selectors.message_payload(
        NegotiationMessage.objects.get(pk=room["file"].pk)
    )
    assert payload["hidden"] is False
    assert payload["file"]["name"] == "骂人.pdf"
    response = signed_in(room["poster"]).get(
        reverse("frontend:negotiation_file", args=[room["file"].pk])
    )
    assert response.status_code == 200
    actions = list(audit_trail(room["file"]).values_list("action", flat=True))
    assert "negotiation.message_hidden" in actions
    assert "negotiation.message_shown" in actions
    with pytest.raises(InvalidTransition):
        negotiation_message_show(moderator=moderator, message=room["file"])


def test_hiding_twice_without_a_reason_or_as_a_non_moderator_is_refused(room, moderator) -> None:
    with pytest.raises(ValidationFailed):
        negotiation_message_hide(moderator=moderator, message=room["rude"], reason="  ")
    for user in (
        room["poster"],
        UserFactory(staff=True),
        staff_in("mediator"),
        staff_in("finance"),
    ):
        with pytest.raises(NotAllowed):
            negotiation_message_hide(moderator=user, message=room["rude"], reason=REASON)
    assert NegotiationMessage.objects.get(pk=room["rude"].pk).hidden_at is None
    negotiation_message_hide(moderator=moderator, message=room["rude"], reason=REASON)
    with pytest.raises(InvalidTransition):
        negotiation_message_hide(moderator=moderator, message=room["rude"], reason=REASON)


def test_hiding_from_the_messages_own_admin_page_closes_its_reports(room, moderator) -> None:
    report = reported("message", room["rude"].pk, room["poster"])
    client = signed_in(moderator)
    changelist = client.get(reverse("admin:bids_negotiationmessage_changelist"))
    # A moderator sees reported (or hidden) messages only, not every negotiation.
    assert [m.pk for m in changelist.context["cl"].result_list] == [room["rude"].pk]
    change = client.get(reverse("admin:bids_negotiationmessage_change", args=[room["rude"].pk]))
    assert change.status_code == 200
    hide = reverse("admin:bids_negotiationmessage_hide_detail", args=[room["rude"].pk])
    assert hide in html(change)
    assert client.get(
        reverse("admin:bids_negotiationmessage_change", args=[room["polite"].pk])
    ).status_code in (302, 404)
    assert client.post(hide, {"reason": REASON}).status_code == 302
    report.refresh_from_db()
    assert report.status == Report.Status.ACTIONED
    show = reverse("admin:bids_negotiationmessage_show_detail", args=[room["rude"].pk])
    assert client.post(show, {"confirm": "1"}).status_code == 302
    assert NegotiationMessage.objects.get(pk=room["rude"].pk).hidden_at is None


def test_wrong_role_staff_and_non_staff_cannot_hide_through_the_admin(room, moderator) -> None:
    report = reported("message", room["rude"].pk, room["poster"])
    hides = [
        reverse("admin:tasks_report_hide_one", args=[report.pk]),
        reverse("admin:bids_negotiationmessage_hide_detail", args=[room["rude"].pk]),
    ]
    for user in (staff_in("mediator"), staff_in("finance"), UserFactory(staff=True)):
        for url in hides:
            response = signed_in(user).post(url, {"reason": REASON})
            assert response.status_code in (302, 403, 404), url
            if response.status_code == 302:
                assert "/admin/login/" in response["Location"], url
    for url in hides:
        response = signed_in(room["poster"]).post(url, {"reason": REASON})
        assert response.status_code == 302
        assert "/admin/login/" in response["Location"]
    assert NegotiationMessage.objects.get(pk=room["rude"].pk).hidden_at is None


def test_mediators_and_the_dispute_timeline_keep_the_original(settings) -> None:
    from bids.models import NegotiationThread
    from tests.disputes.setup import funded_contract, open_dispute
    from tests.frontend.contracts_setup import poster_owner

    settings.PAYMENTS_GATEWAY = "sandbox"
    contract = funded_contract()
    bid = contract.bid
    # The award closed the negotiation, so the thread and message are written as they were.
    thread, _created = NegotiationThread.objects.get_or_create(
        bid=bid, defaults={"opened_by": poster_owner(contract)}
    )
    message = NegotiationMessage.objects.create(
        thread=thread, seq=thread.last_seq + 1, sender=poster_owner(contract), side="poster",
        body="不付钱又怎样",
    )  # fmt: skip
    negotiation_message_hide(moderator=moderator_user(), message=message, reason=REASON)
    dispute = open_dispute(contract)
    items = [i for i in dispute_timeline(dispute=dispute) if i.key == f"message:{message.pk}"]
    assert len(items) == 1
    assert items[0].body == "不付钱又怎样"
    assert REASON in str(items[0].title)


def test_a_moderator_may_report_hide_through_the_api(room, moderator) -> None:
    report = reported("message", room["rude"].pk, room["poster"])
    api = APIClient()
    api.force_authenticate(room["bidder"])
    url = f"/api/v1/moderation/reports/{report.pk}/hide/"
    assert api.post(url, {"reason": REASON}, format="json").status_code == 403
    api.force_authenticate(moderator)
    assert api.post(url, {"reason": ""}, format="json").status_code == 400
    assert api.post(url, {"reason": REASON}, format="json").status_code == 200
    assert NegotiationMessage.objects.get(pk=room["rude"].pk).hidden_at is not None


# --- profiles -----------------------------------------------------------------------------------


def test_a_hidden_profile_is_gone_for_others_and_its_owner_sees_why(moderator) -> None:
    profile = ProviderProfileFactory()
    report = reported("profile", profile.pk, UserFactory())
    client = signed_in(moderator)
    hide = reverse("admin:tasks_report_hide_one", args=[report.pk])
    assert client.post(hide, {"reason": "冒用他人资质"}).status_code == 302
    profile.refresh_from_db()
    assert (profile.hidden_by, profile.hidden_reason) == (moderator, "冒用他人资质")
    report.refresh_from_db()
    assert report.status == Report.Status.ACTIONED
    assert audit_trail(profile).filter(action="provider.hidden").count() == 1

    url = reverse("frontend:provider_detail", args=[profile.pk])
    assert signed_in(UserFactory()).get(url).status_code == 404
    stranger_api = APIClient()
    stranger_api.force_authenticate(UserFactory())
    assert stranger_api.get(f"/api/v1/provider-profiles/{profile.pk}/").status_code == 404
    for language, notice in (
        ("en", "A moderator has hidden this profile."),
        ("zh-hans", "管理员已隐藏此档案。"),
    ):
        page = signed_in(profile.user, language=language).get(url)
        assert page.status_code == 200
        text = html(page)
        assert notice in text
        assert "冒用他人资质" in text
        assert "mailto:moderation@" in text
    owner_api = APIClient()
    owner_api.force_authenticate(profile.user)
    mine = owner_api.get(f"/api/v1/provider-profiles/{profile.pk}/").json()
    assert (mine["hidden"], mine["hidden_reason"]) == (True, "冒用他人资质")
    from accounts.models import Notification

    assert Notification.objects.filter(recipient=profile.user, kind="provider.hidden").exists()


def test_a_hidden_profile_cannot_bid_until_it_is_shown_again(moderator) -> None:
    task = TaskFactory(status=Task.Status.OPEN)
    profile = ProviderProfileFactory()
    assert bid_eligibility(user=profile.user, task=task, provider=profile).allowed
    provider_profile_hide(moderator=moderator, profile=profile, reason="虚假资质")
    profile.refresh_from_db()
    refused = bid_eligibility(user=profile.user, task=task, provider=profile)
    assert (refused.allowed, refused.code) == (False, "profile_hidden")
    assert "虚假资质" in str(refused.reason)
    provider_profile_show(moderator=moderator, profile=profile)
    profile.refresh_from_db()
    assert bid_eligibility(user=profile.user, task=task, provider=profile).allowed
    assert (
        signed_in(UserFactory())
        .get(reverse("frontend:provider_detail", args=[profile.pk]))
        .status_code
        == 200
    )
    assert audit_trail(profile).filter(action="provider.shown").count() == 1


def test_only_moderators_hide_or_show_a_profile_and_a_reason_is_required(moderator) -> None:
    profile = ProviderProfileFactory()
    with pytest.raises(ValidationFailed):
        provider_profile_hide(moderator=moderator, profile=profile, reason="")
    for user in (profile.user, UserFactory(staff=True), staff_in("mediator"), staff_in("finance")):
        with pytest.raises(NotAllowed):
            provider_profile_hide(moderator=user, profile=profile, reason="x")
    assert ProviderProfile.objects.get(pk=profile.pk).hidden_at is None
    provider_profile_hide(moderator=moderator, profile=profile, reason="x")
    with pytest.raises(InvalidTransition):
        provider_profile_hide(moderator=moderator, profile=profile, reason="x")
    with pytest.raises(NotAllowed):
        provider_profile_show(moderator=staff_in("mediator"), profile=profile)


def test_the_profiles_own_admin_page_hides_and_shows_it(moderator) -> None:
    profile = ProviderProfileFactory()
    client = signed_in(moderator)
    change = html(client.get(reverse("admin:accounts_providerprofile_change", args=[profile.pk])))
    hide = reverse("admin:accounts_providerprofile_hide_detail", args=[profile.pk])
    show = reverse("admin:accounts_providerprofile_show_detail", args=[profile.pk])
    assert hide in change
    assert show not in change
    for user in (staff_in("mediator"), staff_in("finance"), UserFactory(staff=True)):
        response = signed_in(user).post(hide, {"reason": "x"})
        assert response.status_code in (302, 403), response.status_code
        if response.status_code == 302:
            assert "/admin/login/" in response["Location"]
    assert ProviderProfile.objects.get(pk=profile.pk).hidden_at is None
    assert client.post(hide, {"reason": "广告骚扰"}).status_code == 302
    assert ProviderProfile.objects.get(pk=profile.pk).hidden_at is not None
    change = html(client.get(reverse("admin:accounts_providerprofile_change", args=[profile.pk])))
    assert show in change
    assert hide not in change
    assert client.post(show, {"confirm": "1"}).status_code == 302
    assert ProviderProfile.objects.get(pk=profile.pk).hidden_at is None


def test_a_report_on_a_profile_or_message_can_no_longer_be_refused_as_not_hideable(
    room, moderator
) -> None:
    with pytest.raises(NotFound):
        reported("message", room["rude"].pk, UserFactory())  # a stranger cannot see it
