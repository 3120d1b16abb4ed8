"""Talking before the award, in two real browsers (the poster's and the bidder's) against the
ASGI server (Daphne) with the Redis channel layer: a question answered on the task page, then
messages and offers appearing live in the other browser, one dropped connection whose gap is
filled after the reconnect, and a counter-offer accepted into the bid's terms.

Screenshots go to test-artifacts/screenshots/e2e-negotiation-*.png.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from accounts.hashers import Argon2idPasswordHasher
from accounts.models import User
from bids.models import Bid, NegotiationMessage
from tasks.models import TaskQuestion
from tests.accounts.factories import (
    DEFAULT_PASSWORD,
    OrganizationFactory,
    ProviderProfileFactory,
    UserFactory,
)
from tests.bids.factories import BidFactory
from tests.tasks.factories import TaskFactory
from tests.test_asgi_server import (
    BIND_ATTEMPTS,
    free_port,
    run,
    start_daphne,
    stop,
    wait_until_listening,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DESKTOP = {"width": 1280, "height": 900}
MOBILE = {"width": 390, "height": 844}
WAIT_MS = 45_000  # a busy 2-core machine can be slow to connect


@pytest.fixture(scope="session")
def collected_static(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """This checkout's static files, collected as a deployment collects them: with DEBUG off,
    WhiteNoise serves STATIC_ROOT only, and the checkout's own var/static may be stale or empty
    (a stale one once served a page without its negotiation script)."""
    root = tmp_path_factory.mktemp("static")
    run(dict(os.environ, STATIC_ROOT=str(root)), "collectstatic", "--noinput", "--verbosity", "0")
    return root


@pytest.fixture
def asgi_server(
    live_channel_layer: Any,
    celery_eager: None,
    settings: Any,
    tmp_path: Path,
    collected_static: Path,
) -> Iterator[str]:
    """Daphne in a process of its own (a fresh interpreter, not a fork that would inherit
    this worker's event loops and connections), serving marketplace.asgi on this test's
    database, this session's Redis namespace and the Redis channel layer, as `make run` does."""
    db = settings.DATABASES["default"]
    env = dict(os.environ)
    env |= {
        "DATABASE_URL": (
            f"postgres://{db['USER']}:{db['PASSWORD']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"
        ),
        # A namespace of its own inside this session's (swept with it at the end): what the
        # socket tests of this worker left in Redis (groups, channels) is not this server's.
        "CACHE_KEY_PREFIX": f"{settings.CACHE_KEY_PREFIX}-e2e{uuid.uuid4().hex[:8]}",
        "ELASTICSEARCH_INDEX_PREFIX": settings.ELASTICSEARCH_INDEX_PREFIX,
        "MEDIA_ROOT": str(settings.MEDIA_ROOT),
        "STATIC_ROOT": str(collected_static),
        "CELERY_TASK_ALWAYS_EAGER": "true",
        "DJANGO_DEBUG": "false",
    }
    for attempt in range(1, BIND_ATTEMPTS + 1):
        port = free_port()
        log = tmp_path / f"daphne-{attempt}.log"
        process = start_daphne(env, port, log)
        try:
            if wait_until_listening(process, port, log):
                yield f"http://127.0.0.1:{port}"
                return
        finally:
            stop(process)
    raise AssertionError(f"daphne found no free port in {BIND_ATTEMPTS} attempts")


def sign_in(browser: Any, base: str, user: User, viewport: dict[str, int]) -> Any:
    # The server runs the project's hashers, not the tests' fast one: give it a hash it reads.
    hasher = Argon2idPasswordHasher()
    User.objects.filter(pk=user.pk).update(password=hasher.encode(DEFAULT_PASSWORD, hasher.salt()))
    context = browser.new_context(viewport=viewport, locale="zh-CN")
    page = context.new_page()
    page.goto(base + "/accounts/login/")
    page.fill('input[name="login"]', user.email)
    page.fill('input[name="password"]', DEFAULT_PASSWORD)
    page.locator('form[action="/accounts/login/"] [type="submit"]').last.click()
    page.wait_for_url("**/dashboard/")
    return page


def live(page: Any) -> None:
    page.wait_for_selector("[data-negotiation][data-connected]", timeout=WAIT_MS)


def says(page: Any, text: str) -> None:
    page.wait_for_selector(f"[data-messages] >> text={text}", timeout=WAIT_MS)


def send(page: Any, text: str) -> None:
    page.fill("[data-message-form] textarea[name=body]", text)
    page.click("[data-message-form] [data-send]")


@pytest.fixture
def sides(db: None) -> dict[str, Any]:
    poster = UserFactory(name="陈伟", email="chen.wei@example.com")
    organization = OrganizationFactory(name="渝新汽车集团研究院", owner=poster, verified=True)
    task = TaskFactory(organization=organization, created_by=poster, title="焊缝视觉检测方案")
    bidder = UserFactory(name="李明", email="li.ming@example.com")
    provider = ProviderProfileFactory(user=bidder)
    bid = BidFactory(task=task, provider=provider, amount=118_000_00, duration_days=80)
    return {"poster": poster, "bidder": bidder, "task": task, "bid": bid}


def test_question_messages_offers_live_with_a_dropped_connection(
    asgi_server: str, browser: Any, shoot: Any, sides: dict[str, Any]
) -> None:
    base, task, bid = asgi_server, sides["task"], sides["bid"]
    bidder = sign_in(browser, base, sides["bidder"], DESKTOP)
    poster = sign_in(browser, base, sides["poster"], MOBILE)

    # --- a question, answered in public -------------------------------------------------------
    bidder.goto(f"{base}/tasks/{task.pk}/#questions")
    bidder.fill("[data-ask-form] textarea[name=body]", "节拍 52 秒是否包含上下料时间？")
    bidder.click("[data-ask-form] [type=submit]")
    bidder.wait_for_load_state()
    question = TaskQuestion.objects.get()
    poster.goto(f"{base}/tasks/{task.pk}/#q-{question.pk}")
    poster.fill(f"#answer-{question.pk}", "不包含，仅为检测时间。")
    poster.click(f"#q-{question.pk} [type=submit]")
    poster.wait_for_load_state()
    bidder.reload()
    assert "不包含，仅为检测时间。" in bidder.locator("[data-questions]").inner_text()

    # --- the bidder opens the room, the poster joins -----------------------------------------
    bidder.goto(f"{base}/bids/{bid.pk}/negotiation/")
    bidder.click("[data-open-negotiation]")
    live(bidder)
    poster.goto(f"{base}/bids/{bid.pk}/negotiation/")
    live(poster)

    send(bidder, "陈工您好，关于 MSA 的范围想确认一下。")
    says(poster, "关于 MSA 的范围想确认一下")
    send(poster, "请讲，我们需要 GR&R 小于 10%。")
    says(bidder, "GR&R 小于 10%")

    # --- the poster makes an offer (a plain form post); it appears live for the bidder -------
    poster.locator(".offer-new > summary").click()
    poster.fill("[data-offer-form] input[name=amount]", "110000")
    poster.fill("[data-offer-form] input[name=duration_days]", "80")
    poster.fill("[data-offer-form] input[name=om-0-amount]", "55000")
    poster.fill("[data-offer-form] input[name=om-1-amount]", "55000")
    poster.click("[data-offer-form] [type=submit]")
    poster.wait_for_load_state()
    live(poster)
    bidder.wait_for_selector("[data-offer-panel] [data-offer-decline]", timeout=WAIT_MS)

    # --- the bidder's connection drops; what is said meanwhile arrives after the reconnect ---
    bidder.evaluate("window.zhongbaoNegotiation.drop(4000)")
    bidder.wait_for_selector("[data-negotiation]:not([data-connected])", timeout=WAIT_MS)
    send(poster, "断线期间的第一条")
    send(poster, "断线期间的第二条")
    says(poster, "断线期间的第二条")
    assert "断线期间" not in bidder.locator("[data-messages]").inner_text()
    live(bidder)
    says(bidder, "断线期间的第二条")
    seqs = bidder.eval_on_selector_all(
        "[data-messages] [data-seq]", "els => els.map(e => +e.dataset.seq)"
    )
    stored = list(
        NegotiationMessage.objects.filter(thread__bid=bid)
        .order_by("seq")
        .values_list("seq", flat=True)
    )
    assert seqs == stored  # every message, once, in order

    # --- the bidder counters; the poster accepts over the socket -------------------------------
    bidder.locator(".offer-new > summary").click()
    bidder.fill("[data-offer-form] input[name=amount]", "114000")
    bidder.fill("[data-offer-form] input[name=om-0-amount]", "57000")
    bidder.fill("[data-offer-form] input[name=om-1-amount]", "57000")
    bidder.click("[data-offer-form] [type=submit]")
    bidder.wait_for_load_state()
    live(bidder)
    poster.wait_for_selector("[data-offer-panel] [data-offer-accept]", timeout=WAIT_MS)
    shoot(poster, "e2e-negotiation-poster-counter-offer-zh-390")
    poster.click("[data-offer-panel] [data-offer-accept] button")
    bidder.wait_for_selector("[data-messages] .chat-kind-accepted", timeout=WAIT_MS)
    poster.wait_for_function(
        "document.querySelector('[data-terms-amount]').textContent.includes('114,000')",
        timeout=WAIT_MS,
    )
    shoot(bidder, "e2e-negotiation-bidder-accepted-zh-1280")
    bid = Bid.objects.get(pk=bid.pk)
    assert bid.amount == 114_000_00
    assert bid.agreed_offer is not None
    assert bid.agreed_offer.amount == 114_000_00
