"""The credit red/black list (诚信红黑榜): moderators list parties with a reason, evidence, a
start and an expiry; the listed party appeals; a moderator decides; a public page lists what
applies now."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.contrib.auth.models import Group
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts import selectors, services
from accounts.apps import MODERATOR_GROUP, moderator_group_ensure
from accounts.models import CreditListAppeal, CreditListEntry
from marketplace.errors import Conflict, InvalidTransition, NotAllowed, ValidationFailed
from marketplace.models import AuditEvent
from tests.accounts.concurrency import run_concurrently
from tests.accounts.factories import OrganizationFactory, UserFactory, make_org_member
from tests.api_helpers import API, assert_error, client_for
from tests.page_helpers import html, signed_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def moderator() -> Any:
    moderator_group_ensure()
    user = UserFactory(staff=True)
    user.groups.add(Group.objects.get(name=MODERATOR_GROUP))
    return user


def listing(
    moderator: Any, *, kind: str = "black", days: int = 30, **party: Any
) -> CreditListEntry:
    now = timezone.now()
    return services.credit_list_add(
        actor=moderator,
        kind=kind,
        reason="中标后无故放弃合同。",
        evidence="合同 #12 的沟通记录。",
        starts_at=now - dt.timedelta(days=1),
        expires_at=now + dt.timedelta(days=days),
        **party,
    )


def expire(entry: CreditListEntry) -> None:
    """Move the entry's window into the past (as if its expiry had come)."""
    now = timezone.now()
    CreditListEntry.objects.filter(pk=entry.pk).update(
        starts_at=now - dt.timedelta(days=10), expires_at=now - dt.timedelta(minutes=1)
    )


# --- listing ------------------------------------------------------------------------------------


def test_a_moderator_lists_a_person_with_an_audit_row_and_the_person_is_told(moderator) -> None:
    person = UserFactory()
    entry = listing(moderator, user=person)
    assert entry.is_active()
    assert selectors.black_list_entry_for(user=person) == entry
    assert AuditEvent.objects.filter(action="credit_list.black_listed").count() == 1
    assert person.notifications.filter(kind="credit_list.black").exists()


@pytest.mark.parametrize(
    ("party", "starts", "expires", "field"),
    [
        ("none", -1, 30, "user"),
        ("both", -1, 30, "user"),
        ("user", 5, 2, "expires_at"),
        ("user", -10, -1, "expires_at"),
        ("user", 0, 3000, "expires_at"),
    ],
    ids=["no-party", "two-parties", "expires-before-start", "already-expired", "too-long"],
)
def test_bad_entries_are_field_errors_and_nothing_is_written(
    moderator, party, starts, expires, field
) -> None:
    now = timezone.now()
    parties = {
        "none": {},
        "both": {"user": UserFactory(), "organization": OrganizationFactory()},
        "user": {"user": UserFactory()},
    }[party]
    with pytest.raises(ValidationFailed) as exc:
        services.credit_list_add(
            actor=moderator,
            kind="black",
            reason="x",
            evidence="y",
            starts_at=now + dt.timedelta(days=starts),
            expires_at=now + dt.timedelta(days=expires),
            **parties,
        )
    assert field in exc.value.fields
    assert CreditListEntry.objects.count() == 0


def test_a_reason_and_evidence_are_required(moderator) -> None:
    now = timezone.now()
    with pytest.raises(ValidationFailed) as exc:
        services.credit_list_add(
            actor=moderator, kind="purple", reason=" ", evidence="", user=UserFactory(),
            starts_at=now, expires_at=now + dt.timedelta(days=1),
        )  # fmt: skip
    assert set(exc.value.fields) >= {"kind", "reason", "evidence"}


def test_only_moderators_list_parties() -> None:
    for actor in (UserFactory(), UserFactory(staff=True)):
        with pytest.raises(NotAllowed):
            listing(actor, user=UserFactory())
    assert CreditListEntry.objects.count() == 0


def test_an_expired_or_lifted_entry_no_longer_applies(moderator) -> None:
    person, firm = UserFactory(), OrganizationFactory()
    expired = listing(moderator, user=person)
    lifted = listing(moderator, organization=firm)
    expire(expired)
    services.credit_list_lift(actor=moderator, entry=lifted, reason="核实有误。")
    assert selectors.black_list_entry_for(user=person) is None
    assert selectors.black_list_entry_for(organization=firm) is None
    assert list(selectors.credit_list_active()) == []
    with pytest.raises(InvalidTransition):
        services.credit_list_lift(actor=moderator, entry=lifted, reason="again")


def test_an_entry_that_starts_later_does_not_apply_yet(moderator) -> None:
    person = UserFactory()
    now = timezone.now()
    services.credit_list_add(
        actor=moderator, kind="black", reason="r", evidence="e", user=person,
        starts_at=now + dt.timedelta(days=2), expires_at=now + dt.timedelta(days=9),
    )  # fmt: skip
    assert selectors.black_list_entry_for(user=person) is None


# --- appeals --------------------------------------------------------------------------------------


def test_the_listed_person_appeals_once_and_an_upheld_appeal_lifts_the_entry(moderator) -> None:
    person = UserFactory()
    entry = listing(moderator, user=person)
    appeal = services.credit_appeal_file(actor=person, entry=entry, statement="我当时住院。")
    with pytest.raises(Conflict):
        services.credit_appeal_file(actor=person, entry=entry, statement="again")
    services.credit_appeal_decide(actor=moderator, appeal=appeal, uphold=True, reason="属实。")
    appeal.refresh_from_db()
    entry.refresh_from_db()
    assert appeal.status == CreditListAppeal.Status.UPHELD
    assert entry.lifted_at is not None
    assert not entry.is_active()
    assert person.notifications.filter(kind="credit_list.appeal_upheld").exists()
    with pytest.raises(InvalidTransition):
        services.credit_appeal_decide(actor=moderator, appeal=appeal, uphold=False, reason="x")


def test_a_dismissed_appeal_leaves_the_entry_in_force(moderator) -> None:
    person = UserFactory()
    entry = listing(moderator, user=person)
    appeal = services.credit_appeal_file(actor=person, entry=entry, statement="不服。")
    services.credit_appeal_decide(actor=moderator, appeal=appeal, uphold=False, reason="证据充分。")
    assert selectors.black_list_entry_for(user=person) == entry


def test_an_organization_appeals_through_its_managers_only(moderator) -> None:
    owner = UserFactory()
    firm = OrganizationFactory(owner=owner)
    member = UserFactory()
    make_org_member(member, firm)
    entry = listing(moderator, organization=firm)
    for stranger in (member, UserFactory()):
        with pytest.raises(NotAllowed):
            services.credit_appeal_file(actor=stranger, entry=entry, statement="x")
    services.credit_appeal_file(actor=owner, entry=entry, statement="我们已整改。")


def test_an_expired_entry_cannot_be_appealed(moderator) -> None:
    person = UserFactory()
    entry = listing(moderator, user=person)
    expire(entry)
    with pytest.raises(InvalidTransition):
        services.credit_appeal_file(actor=person, entry=entry, statement="x")


def test_only_moderators_decide_appeals(moderator) -> None:
    person = UserFactory()
    appeal = services.credit_appeal_file(
        actor=person, entry=listing(moderator, user=person), statement="x"
    )
    with pytest.raises(NotAllowed):
        services.credit_appeal_decide(actor=person, appeal=appeal, uphold=True, reason="me")


@pytest.mark.django_db(transaction=True)
def test_two_moderators_deciding_one_appeal_at_once_decide_it_once() -> None:
    moderator_group_ensure()
    group = Group.objects.get(name=MODERATOR_GROUP)
    first, second = UserFactory(staff=True), UserFactory(staff=True)
    for user in (first, second):
        user.groups.add(group)
    person = UserFactory()
    entry = listing(first, user=person)
    appeal = services.credit_appeal_file(actor=person, entry=entry, statement="x")
    results = run_concurrently(
        lambda: services.credit_appeal_decide(actor=first, appeal=appeal, uphold=True, reason="a"),
        lambda: services.credit_appeal_decide(
            actor=second, appeal=appeal, uphold=False, reason="b"
        ),
    )
    decided = [r for r in results if isinstance(r, CreditListAppeal)]
    refused = [r for r in results if isinstance(r, InvalidTransition)]
    assert (len(decided), len(refused)) == (1, 1), results
    appeal.refresh_from_db()
    assert appeal.status == decided[0].status
    assert (
        AuditEvent.objects.filter(action__startswith="credit_list.appeal_u").count()
        + (AuditEvent.objects.filter(action="credit_list.appeal_dismissed").count())
        == 1
    )


# --- pages and API -----------------------------------------------------------------------------


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_the_public_page_lists_what_applies_now_in_both_languages(moderator, language) -> None:
    firm = OrganizationFactory(name="守信科技（测试）")
    listing(moderator, kind="red", organization=firm)
    gone = listing(moderator, user=UserFactory(name="已过期的人"))
    expire(gone)
    listing(moderator, user=UserFactory(name="失信的人"))
    page = html(signed_in(UserFactory(), language=language).get(reverse("frontend:credit_list")))
    assert "守信科技（测试）" in page
    assert "失信的人" in page
    assert "已过期的人" not in page
    assert ("Black list" if language == "en" else "黑榜") in page
    assert Client().get(reverse("frontend:credit_list")).status_code == 200


def test_the_api_lists_active_entries_publicly_and_mine_with_the_evidence(moderator) -> None:
    person = UserFactory()
    listing(moderator, user=person)
    listing(moderator, kind="red", user=UserFactory())
    public = client_for(None).get(f"{API}/credit-list/?kind=black")
    assert public.status_code == 200
    assert public.json()["count"] == 1
    assert "evidence" not in public.json()["results"][0]
    mine = client_for(person).get(f"{API}/credit-list/mine/").json()["results"]
    assert [e["evidence"] for e in mine] == ["合同 #12 的沟通记录。"]
    assert mine[0]["active"] is True
    assert client_for(UserFactory()).get(f"{API}/credit-list/mine/").json()["count"] == 0


def test_the_appeal_api_files_once_and_refuses_a_second_user(moderator) -> None:
    person = UserFactory()
    entry = listing(moderator, user=person)
    url = f"{API}/credit-list/{entry.pk}/appeals/"
    assert_error(client_for(UserFactory()).post(url, {"statement": "x"}), 404)
    assert_error(client_for(person).post(url, {"statement": ""}), 400)
    response = client_for(person).post(url, {"statement": "我已整改。"})
    assert response.status_code == 201, response.content
    assert response.json()["status"] == "pending"
    assert_error(client_for(person).post(url, {"statement": "again"}), 409)
    assert CreditListAppeal.objects.count() == 1


def test_the_appeal_page_files_an_appeal_and_shows_its_state(moderator) -> None:
    person = UserFactory()
    entry = listing(moderator, user=person)
    client = signed_in(person, language="en")
    page = html(client.get(reverse("frontend:credit_list_mine")))
    assert "合同 #12 的沟通记录。" in page
    url = reverse("frontend:credit_list_appeal", args=[entry.pk])
    assert url in page
    assert client.post(url, {f"e{entry.pk}-statement": ""}).status_code == 400
    response = client.post(url, {f"e{entry.pk}-statement": "我当时住院。"})
    assert response.status_code == 302
    page = html(client.get(reverse("frontend:credit_list_mine")))
    assert 'data-appeal-status="pending"' in page
    assert url not in page  # one open appeal at a time
    other = signed_in(UserFactory())
    assert other.post(url, {f"e{entry.pk}-statement": "x"}).status_code == 404


def test_moderators_decide_an_appeal_on_its_back_office_page(moderator) -> None:
    person = UserFactory()
    entry = listing(moderator, user=person)
    appeal = services.credit_appeal_file(actor=person, entry=entry, statement="x")
    client = Client()
    client.force_login(moderator)
    change = reverse("admin:accounts_creditlistappeal_change", args=[appeal.pk])
    uphold = reverse("admin:accounts_creditlistappeal_uphold_detail", args=[appeal.pk])
    assert uphold in html(client.get(change))
    client.post(uphold, {"reason": "病历属实。"})
    appeal.refresh_from_db()
    assert appeal.status == "upheld"
    assert not selectors.black_list_entry_for(user=person)


def test_moderators_add_an_entry_in_the_back_office_through_the_service(moderator) -> None:
    person = UserFactory()
    client = Client()
    client.force_login(moderator)
    now = timezone.localtime()
    response = client.post(
        reverse("admin:accounts_creditlistentry_add"),
        {
            "kind": "black",
            "user": person.pk,
            "reason": "虚假投标。",
            "evidence": "投标 #9 的材料。",
            "starts_at_0": now.strftime("%Y-%m-%d"),
            "starts_at_1": "00:00:00",
            "expires_at_0": (now + dt.timedelta(days=30)).strftime("%Y-%m-%d"),
            "expires_at_1": "00:00:00",
        },
    )
    errors = response.context["adminform"].form.errors if response.status_code == 200 else None
    assert response.status_code == 302, errors
    entry = CreditListEntry.objects.get()
    assert (entry.created_by, entry.user) == (moderator, person)
    assert AuditEvent.objects.filter(action="credit_list.black_listed").exists()
