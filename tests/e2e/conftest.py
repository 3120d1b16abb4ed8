"""Playwright fixtures: one Chromium per session (per xdist worker), a fresh context per test.

Starting Chromium costs about a second, and more on a busy machine; a browser context is what
isolates one test from the next (cookies, storage, cache), and the tests open theirs with
`browser.new_context(...)`. Whatever contexts a test leaves open are closed after it.

Playwright's sync API drives its event loop from a greenlet of this thread, and while it is
started that loop counts as this thread's running loop (`asyncio.get_running_loop()` returns
it). Left so for the whole session it would break every later test on this worker:
pytest-asyncio cannot run a loop inside a running one, and Django refuses ORM calls from async
context. So the loop is parked between browser tests (no running loop) and handed back by the
`browser` fixture for the length of one test.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Playwright, sync_playwright

SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture
def _allow_async_unsafe() -> Iterator[None]:
    """Playwright's sync API runs an event loop in this thread; the ORM calls made by the test
    itself (reading the outbox's user, etc.) would otherwise be refused."""
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    yield
    if previous is None:
        os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    else:
        os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


class Chromium:
    """The session's Playwright and Chromium, started on first use; relaunched if it died."""

    def __init__(self, executable_path: str) -> None:
        self.executable_path = executable_path
        self.playwright: Playwright | None = None
        self.browser: Browser | None = None
        self.loop: asyncio.AbstractEventLoop | None = None

    def attach(self) -> Browser:
        """Make Playwright's loop this thread's running loop again; the browser, alive."""
        if self.playwright is None:
            self.playwright = sync_playwright().start()
            self.loop = asyncio.get_running_loop()
        else:
            asyncio._set_running_loop(self.loop)
        if self.browser is None or not self.browser.is_connected():
            self.browser = self.playwright.chromium.launch(
                executable_path=self.executable_path, headless=True, args=CHROMIUM_ARGS
            )
        return self.browser

    def detach(self) -> None:
        """Close what the test left open, and park the loop: no running loop outside."""
        try:
            if self.browser is not None and self.browser.is_connected():
                for context in self.browser.contexts:
                    context.close()
        finally:
            asyncio._set_running_loop(None)

    def stop(self) -> None:
        if self.playwright is None:
            return
        asyncio._set_running_loop(self.loop)
        try:
            if self.browser is not None and self.browser.is_connected():
                self.browser.close()
        finally:
            self.playwright.stop()  # leaves no running loop behind
            self.playwright = None


@pytest.fixture(scope="session")
def _chromium(chromium_path: str) -> Iterator[Chromium]:
    """Debian's Chromium through Playwright, once per session; a missing browser fails every
    browser test (no skip)."""
    chromium = Chromium(chromium_path)
    yield chromium
    chromium.stop()


@pytest.fixture
def browser(_allow_async_unsafe: None, _chromium: Chromium) -> Iterator[Browser]:
    """The session's Chromium for one test; the contexts the test opens are closed after it."""
    assert asyncio._get_running_loop() is None, "a browser test inside a running event loop"
    try:
        yield _chromium.attach()
    finally:
        _chromium.detach()


@pytest.fixture
def shoot() -> Any:
    """Save a full-page screenshot to test-artifacts/screenshots/<name>.png."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    def take(page: Any, name: str) -> None:
        page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)

    return take
