"""The contract pages: my contracts, the contract with its milestones and deliveries, the
delivery, decision and review forms, file downloads. Bad input is a clear error and writes
nothing; everything goes through tasks.services."""

from __future__ import annotations

import datetime as dt
import hashlib

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import Membership
from contracts.models import Contract, Delivery, DeliveryFile, Milestone, Review
from contracts.services import milestone_auto_accept, milestone_request_changes, review_submit
from tests.accounts.factories import UserFactory, make_org_member
from tests.frontend.contracts_setup import (
    PDF_BODY,
    awarded_contract,
    complete,
    deliver,
    english,
    fund,
    milestone,
    pdf,
    poster_owner,
    provider_user,
)
from tests.page_helpers import html as page

pytestmark = pytest.mark.django_db

SCORES = {"rating": 5, "quality": 4, "communication": 5, "timeliness": 4}


def url(contract: Contract, suffix: str = "") -> str:
    return f"/contracts/{contract.pk}/{suffix}"


def deliver_url(contract: Contract, position: int) -> str:
    return url(contract, f"milestones/{milestone(contract, position).pk}/deliver/")


def accept_url(contract: Contract, position: int) -> str:
    return url(contract, f"milestones/{milestone(contract, position).pk}/accept/")


def changes_url(contract: Contract, position: int) -> str:
    return url(contract, f"milestones/{milestone(contract, position).pk}/changes/")


def nothing_written(before: tuple[int, int, int]) -> bool:
    return (Delivery.objects.count(), DeliveryFile.objects.count(), Review.objects.count()) == (
        before
    )


def counts() -> tuple[int, int, int]:
    return Delivery.objects.count(), DeliveryFile.objects.count(), Review.objects.count()


@pytest.fixture
def funded() -> Contract:
    return fund(awarded_contract(title="冲压件表面缺陷检测方案"))


@pytest.fixture
def in_review(funded: Contract) -> Contract:
    deliver(funded, 1)
    return funded


# --- my contracts -----------------------------------------------------------------------------


def test_my_contracts_show_task_counterparty_amount_progress_status_and_next_step(funded):
    deliver(funded, 1)
    provider_page = page(english(provider_user(funded)).get("/contracts/"))
    poster_page = page(english(poster_owner(funded)).get("/contracts/"))

    assert "冲压件表面缺陷检测方案" in provider_page
    assert f"Poster: {funded.organization.name}" in provider_page
    assert f"Provider: {funded.provider.display_name}" in poster_page
    assert "¥50,000.00" in provider_page  # CN¥ in English
    assert "0/2 milestones accepted" in poster_page
    assert 'data-status="active"' in poster_page
    # Each side is told what it waits for, and what waits for it.
    assert "Deliver milestone 2" in provider_page
    assert "Review the delivery of milestone 1" in poster_page
    assert f'href="/contracts/{funded.pk}/#milestone-1"' in poster_page


def test_a_plain_member_of_the_poster_is_not_asked_to_decide(in_review):
    member = UserFactory()
    make_org_member(member, in_review.organization, Membership.Role.MEMBER)
    html = page(english(member).get("/contracts/"))
    assert "awaits a decision by your organization" in html
    assert "Review the delivery of milestone 1" not in html


def test_the_tabs_split_current_and_completed_contracts(funded):
    done = complete(
        fund(awarded_contract(organization=funded.organization, provider=funded.provider))
    )
    client = english(poster_owner(funded))
    current = page(client.get("/contracts/"))
    completed = page(client.get("/contracts/?status=completed"))
    assert funded.task.title in current
    assert done.task.title not in current
    assert done.task.title in completed
    assert funded.task.title not in completed
    assert "2/2 milestones accepted" in completed
    assert "Leave your review" in completed


def test_no_contracts_yet_is_an_explained_empty_state():
    html = page(english(UserFactory()).get("/contracts/"))
    assert "No contracts yet" in html
    assert "when a poster awards a bid" in html


def test_the_list_takes_the_same_number_of_queries_for_one_or_many_contracts(funded):
    owner = poster_owner(funded)
    client = english(owner)
    client.get("/contracts/")  # warm up sessions and the site cache
    with CaptureQueriesContext(connection) as one:
        client.get("/contracts/")
    for _ in range(4):
        deliver(
            fund(awarded_contract(organization=funded.organization)),
            1,
        )
    with CaptureQueriesContext(connection) as five:
        response = client.get("/contracts/")
    assert page(response).count("data-contract=") == 5
    assert len(five) == len(one)


def test_the_contract_page_takes_the_same_number_of_queries_however_many_rounds(in_review):
    client = english(poster_owner(in_review))
    client.get(url(in_review))
    with CaptureQueriesContext(connection) as one_round:
        client.get(url(in_review))
    for n in range(2):
        milestone_request_changes(
            actor=poster_owner(in_review), milestone=milestone(in_review, 1), feedback=f"意见{n}"
        )
        deliver(in_review, 1, note=f"第{n + 2}轮")
    deliver(in_review, 2)
    with CaptureQueriesContext(connection) as four_rounds:
        response = client.get(url(in_review))
    assert "Show 2 earlier rounds" in page(response)
    assert len(four_rounds) == len(one_round)


def test_the_dashboard_links_to_contracts_and_says_what_waits(in_review):
    html = page(english(poster_owner(in_review)).get("/dashboard/"))
    assert 'href="/contracts/"' in html
    assert "1 waiting for you" in html
    assert "Review the delivery of milestone 1" in html


# --- the contract page ------------------------------------------------------------------------


def test_awaiting_funding_is_explained_to_both_sides_without_a_payment_button():
    contract = awarded_contract()
    for user in (poster_owner(contract), provider_user(contract)):
        html = page(english(user).get(url(contract)))
        assert "Waiting for escrow funding" in html
        assert "The poster funds the escrow to start work" in html
        # No form on the contract but the poster's Fund escrow step (payments, #7).
        forms = html.count('action="/contracts/')
        assert forms == (1 if user == poster_owner(contract) else 0)
        assert forms == html.count(f'action="/contracts/{contract.pk}/fund/"')
        assert "/deliver/" not in html
    provider_html = page(english(provider_user(contract)).get(url(contract)))
    assert "Please do not start work yet" in provider_html
    poster_html = page(english(poster_owner(contract)).get(url(contract)))
    assert "Your organization funds CN¥50,000.00 into escrow" in poster_html


def test_the_contract_page_shows_parties_terms_and_milestones(funded):
    html = page(english(poster_owner(funded)).get(url(funded)))
    assert funded.organization.name in html
    assert funded.provider.display_name in html
    assert f'href="/providers/{funded.provider.pk}/"' in html
    assert f'href="/orgs/{funded.organization.slug}/"' in html
    assert "CN¥50,000.00" in html
    assert "40 days" in html
    assert "Results transfer to the poster on acceptance" in html
    assert "方案设计" in html
    assert "实施与验证" in html
    due = (timezone.localdate() + dt.timedelta(days=10)).strftime("%Y-%m-%d")
    assert f"Due {due}" in html
    assert "Changes used: 0 of 3" in html


def test_the_provider_delivers_a_milestone_with_files_recorded_as_evidence(funded):
    body = PDF_BODY + b"design"
    client = english(provider_user(funded))
    response = client.post(
        deliver_url(funded, 1),
        {
            "note": "方案报告已上传，请验收。",
            "attachments": [pdf("方案报告.pdf", body), pdf("附录.pdf")],
        },
    )
    assert response.status_code == 302
    assert response["Location"] == f"/contracts/{funded.pk}/#milestone-1"
    delivery = Delivery.objects.get()
    assert delivery.note == "方案报告已上传，请验收。"
    assert delivery.files.count() == 2
    stored = delivery.files.get(original_name="方案报告.pdf")
    digest = hashlib.sha256(body).hexdigest()
    assert stored.sha256 == digest
    assert milestone(funded, 1).status == Milestone.Status.SUBMITTED

    html = page(client.get(url(funded)))
    assert "Milestone 1 is delivered (round 1)" in html
    assert "方案报告.pdf" in html
    assert f'title="{digest}"' in html  # the full fingerprint
    assert f"{digest[:12]}…{digest[-6:]}" in html  # shown shortened
    assert f'href="/contracts/files/{stored.pk}/"' in html
    assert (
        stored.received_at.astimezone(timezone.get_current_timezone()).strftime("%Y-%m-%d %H:%M:%S")
        in html
    )
    assert "If the poster does not decide, it is accepted automatically on" in html


def test_the_poster_sees_the_review_deadline_and_can_decide(in_review):
    html = page(english(poster_owner(in_review)).get(url(in_review)))
    due = milestone(in_review, 1).review_due_at
    local = timezone.localtime(due)
    assert f"Review by {local.strftime('%Y-%m-%d %H:%M')}" in html
    assert f"accepted automatically on {local.strftime('%Y-%m-%d')}" in html
    assert f'action="{accept_url(in_review, 1)}"' in html
    assert f'action="{changes_url(in_review, 1)}"' in html
    assert "3 rounds of changes left on this milestone." in html


def test_delivering_before_the_escrow_is_funded_is_refused():
    contract = awarded_contract()
    client = english(provider_user(contract))
    before = counts()
    response = client.post(deliver_url(contract, 1), {"note": "提前交付", "attachments": pdf()})
    assert response.status_code == 302
    assert nothing_written(before)
    html = page(client.get(response["Location"]))
    assert "Wait until the escrow for this milestone is funded." in html


def test_an_oversized_file_is_refused_with_a_clear_error(funded, settings):
    settings.MARKETPLACE = {**settings.MARKETPLACE, "ATTACHMENT_MAX_BYTES": 64}
    before = counts()
    response = english(provider_user(funded)).post(
        deliver_url(funded, 1), {"note": "超大文件", "attachments": pdf(body=PDF_BODY + b"x" * 200)}
    )
    assert response.status_code == 400
    html = page(response)
    assert "report.pdf is 244\xa0bytes; files may be at most 64\xa0bytes." in html
    assert 'data-field="attachments"' in html
    assert "has-error" in html
    assert "超大文件" in html  # the note is kept
    assert "choose them again" in html
    assert nothing_written(before)
    assert milestone(funded, 1).status == Milestone.Status.FUNDED


def test_an_executable_disguised_as_a_pdf_is_refused(funded):
    before = counts()
    response = english(provider_user(funded)).post(
        deliver_url(funded, 1),
        {"note": "报告", "attachments": pdf("report.pdf", b"MZ\x90\x00\x03" + b"\x00" * 64)},
    )
    assert response.status_code == 400
    assert "report.pdf is not a document, image, archive or drawing we accept." in page(response)
    assert nothing_written(before)


def test_a_file_whose_content_contradicts_its_name_is_refused(funded):
    response = english(provider_user(funded)).post(
        deliver_url(funded, 1), {"note": "报告", "attachments": pdf("drawing.png")}
    )
    assert response.status_code == 400
    assert "drawing.png does not contain what its name says" in page(response)
    assert not Delivery.objects.exists()


@pytest.mark.parametrize("note", ["", "   ", "x"])
def test_an_empty_note_is_refused(funded, note):
    response = english(provider_user(funded)).post(
        deliver_url(funded, 1), {"note": note, "attachments": pdf()}
    )
    assert response.status_code == 400
    assert "Write a short note about the work." in page(response)
    assert not Delivery.objects.exists()


def test_more_than_ten_files_are_refused(funded):
    files = [pdf(f"part-{n}.pdf") for n in range(11)]
    response = english(provider_user(funded)).post(
        deliver_url(funded, 1), {"note": "十一个文件", "attachments": files}
    )
    assert response.status_code == 400
    assert "Deliver at most 10 files at once." in page(response)
    assert not Delivery.objects.exists()


def test_delivering_a_milestone_already_in_review_is_refused(in_review):
    before = counts()
    client = english(provider_user(in_review))
    response = client.post(deliver_url(in_review, 1), {"note": "再交一次", "attachments": pdf()})
    assert response.status_code == 302
    assert nothing_written(before)
    assert "Milestone" in page(client.get(response["Location"]))


def test_asking_for_changes_needs_feedback(in_review):
    before = counts()
    response = english(poster_owner(in_review)).post(changes_url(in_review, 1), {"feedback": "  "})
    assert response.status_code == 400
    html = page(response)
    assert "Write what needs to change." in html
    assert '<details class="decide-option" open>' in html  # the form stays open
    assert nothing_written(before)
    m = milestone(in_review, 1)
    assert (m.status, m.change_rounds) == (Milestone.Status.SUBMITTED, 0)


def test_asking_for_changes_sends_the_feedback_to_the_provider(in_review):
    client = english(poster_owner(in_review))
    response = client.post(changes_url(in_review, 1), {"feedback": "缺少油污检测的验证数据。"})
    assert response.status_code == 302
    m = milestone(in_review, 1)
    assert (m.status, m.change_rounds) == (Milestone.Status.CHANGES_REQUESTED, 1)
    assert m.deliveries.get().decision_note == "缺少油污检测的验证数据。"
    provider_html = page(english(provider_user(in_review)).get(url(in_review)))
    assert f"{poster_owner(in_review).display_name} asked for changes on" in provider_html
    assert "缺少油污检测的验证数据。" in provider_html
    assert "Deliver a revision (round 2)" in provider_html
    assert "Changes used: 1 of 3" in provider_html


def test_after_the_last_round_changes_are_disabled_and_refused(in_review, settings):
    owner = poster_owner(in_review)
    for round_ in range(3):
        milestone_request_changes(
            actor=owner, milestone=milestone(in_review, 1), feedback=f"第{round_ + 1}轮意见"
        )
        deliver(in_review, 1, note=f"第{round_ + 2}轮交付")
    client = english(owner)
    html = page(client.get(url(in_review)))
    assert "All 3 rounds of changes are used." in html
    assert f'action="{changes_url(in_review, 1)}"' not in html
    assert "disabled" in html
    assert "Show 3 earlier rounds" in html

    before = counts()
    response = client.post(changes_url(in_review, 1), {"feedback": "第四轮意见"})
    assert response.status_code == 302
    assert "All 3 rounds of changes are used" in page(client.get(response["Location"]))
    assert nothing_written(before)
    m = milestone(in_review, 1)
    assert (m.status, m.change_rounds) == (Milestone.Status.SUBMITTED, 3)


def test_accepting_the_last_milestone_completes_the_contract_and_opens_reviews(in_review):
    owner = poster_owner(in_review)
    client = english(owner)
    assert client.post(accept_url(in_review, 1)).status_code == 302
    assert "Milestone 1 is accepted" in page(client.get(url(in_review)))
    deliver(in_review, 2)
    response = client.post(accept_url(in_review, 2))
    assert response["Location"] == f"/contracts/{in_review.pk}/#reviews"
    in_review.refresh_from_db()
    assert in_review.status == Contract.Status.COMPLETED
    html = page(client.get(url(in_review)))
    assert "the contract is complete. Please leave a review." in html
    assert f'action="/contracts/{in_review.pk}/review/"' in html
    assert f"Accepted by {owner.display_name}" in html


def test_accepting_twice_is_a_message_not_an_error_page(in_review):
    client = english(poster_owner(in_review))
    client.post(accept_url(in_review, 1))
    response = client.post(accept_url(in_review, 1))
    assert response.status_code == 302
    assert "alert-error" in page(client.get(response["Location"]))


def test_acceptance_by_silence_is_shown_as_such(in_review):
    m = milestone(in_review, 1)
    milestone_auto_accept(milestone_id=m.pk, now=m.review_due_at + dt.timedelta(seconds=1))
    html = page(english(provider_user(in_review)).get(url(in_review)))
    assert "Accepted automatically on" in html
    assert "when the review window ended" in html


# --- reviews ----------------------------------------------------------------------------------


def review_url(contract: Contract) -> str:
    return url(contract, "review/")


def test_reviewing_before_completion_is_refused(in_review):
    client = english(poster_owner(in_review))
    response = client.post(review_url(in_review), SCORES)
    assert response.status_code == 302
    assert "Reviews open when the contract is completed." in page(client.get(response["Location"]))
    assert not Review.objects.exists()
    assert f'action="/contracts/{in_review.pk}/review/"' not in page(client.get(url(in_review)))


@pytest.mark.parametrize(
    "bad", [{"rating": 0}, {"quality": 6}, {"communication": "abc"}, {"timeliness": ""}]
)
def test_scores_outside_one_to_five_are_refused(funded, bad):
    complete(funded)
    response = english(poster_owner(funded)).post(review_url(funded), {**SCORES, **bad})
    assert response.status_code == 400
    html = page(response)
    assert "Give a score from 1 to 5." in html
    field = next(iter(bad))
    assert f'data-field="{field}"' in html
    assert not Review.objects.exists()


def test_a_missing_score_is_refused(funded):
    complete(funded)
    data = {k: v for k, v in SCORES.items() if k != "rating"}
    response = english(poster_owner(funded)).post(review_url(funded), data)
    assert response.status_code == 400
    assert not Review.objects.exists()


def test_reviewing_twice_is_refused(funded):
    complete(funded)
    client = english(poster_owner(funded))
    assert client.post(review_url(funded), {**SCORES, "comment": "很好"}).status_code == 302
    response = client.post(review_url(funded), {**SCORES, "rating": 1, "comment": "改评"})
    assert response.status_code == 302
    assert "Your side has already reviewed this contract." in page(client.get(response["Location"]))
    assert Review.objects.get().rating == 5


def test_a_colleague_cannot_review_again_for_the_same_side(funded):
    complete(funded)
    colleague = UserFactory()
    make_org_member(colleague, funded.organization, Membership.Role.ADMIN)
    english(poster_owner(funded)).post(review_url(funded), SCORES)
    response = english(colleague).post(review_url(funded), SCORES)
    assert response.status_code == 302
    assert Review.objects.count() == 1


def test_reviews_are_double_blind_until_both_sides_wrote(funded):
    complete(funded)
    poster = english(poster_owner(funded))
    provider = english(provider_user(funded))
    poster.post(review_url(funded), {**SCORES, "comment": "交付扎实，沟通顺畅。"})

    poster_html = page(poster.get(url(funded)))
    assert "Your side's review" in poster_html
    assert "交付扎实，沟通顺畅。" in poster_html
    assert "The other side's review appears here as soon as they write it." in poster_html
    provider_html = page(provider.get(url(funded)))
    assert "交付扎实，沟通顺畅。" not in provider_html  # not public yet
    assert f'action="{review_url(funded)}"' in provider_html
    assert "How was working with" in provider_html

    provider.post(review_url(funded), {**SCORES, "comment": "需求清晰，验收及时。"})
    for client in (poster, provider):
        html = page(client.get(url(funded)))
        assert "交付扎实，沟通顺畅。" in html
        assert "需求清晰，验收及时。" in html
        assert 'data-review-side="poster"' in html
        assert 'data-review-side="provider"' in html


def test_the_review_form_is_accessible_radio_stars(funded):
    complete(funded)
    html = page(english(poster_owner(funded)).get(url(funded)))
    for name in ("rating", "quality", "communication", "timeliness"):
        assert f'<fieldset class="star-field" data-field="{name}"' in html
        assert html.count(f'type="radio" name="{name}"') == 5
        assert f'for="id_review_{name}_4"' in html
    assert "4 of 5" in html
    assert "very good" in html
    assert "<legend" in html


# --- downloads and escaping -------------------------------------------------------------------


def test_a_delivered_file_downloads_as_an_attachment_that_is_never_sniffed(in_review):
    stored = DeliveryFile.objects.get()
    response = english(poster_owner(in_review)).get(f"/contracts/files/{stored.pk}/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    assert "report.pdf" in response["Content-Disposition"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in response["Content-Security-Policy"]
    assert b"".join(response.streaming_content) == PDF_BODY


def test_user_text_on_the_contract_page_is_escaped():
    contract = fund(awarded_contract(title='<script>alert("t")</script>'))
    deliver(contract, 1, note='<img src=x onerror="alert(1)">')
    milestone_request_changes(
        actor=poster_owner(contract), milestone=milestone(contract, 1), feedback="<b>改</b>"
    )
    html = page(english(provider_user(contract)).get(url(contract)))
    assert '<script>alert("t")</script>' not in html
    assert "&lt;script&gt;" in html
    assert '<img src=x onerror="alert(1)">' not in html
    assert "<b>改</b>" not in html
    assert "&lt;b&gt;改&lt;/b&gt;" in html


def test_a_review_shows_on_the_contract_for_its_author_only_until_public(funded):
    complete(funded)
    review_submit(actor=provider_user(funded), contract=funded, comment="付款及时", **SCORES)
    assert "付款及时" in page(english(provider_user(funded)).get(url(funded)))
    assert "付款及时" not in page(english(poster_owner(funded)).get(url(funded)))
