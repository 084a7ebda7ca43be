"""Shared fixtures for the real-browser tests (Debian Chromium driven by Python Playwright).

Fixtures
--------
``chromium``       (session) a launched headless :class:`playwright.sync_api.Browser`.
``offline_page``   (function) an :class:`OfflinePage`: a fresh context + page on which every
                   request to a host other than 127.0.0.1 is blocked and recorded, with
                   console errors, uncaught page errors and failed local responses recorded.
                   Call ``offline_page.assert_clean()`` at the end of a test.

``serve_static``   (session) the function :func:`serve_directory`: ``with serve_static(root) as
                   url:`` serves a folder over HTTP on 127.0.0.1 (random free port) in a thread.
``book_url``       (session) the base URL of the built book, ``_build/html`` (built first if missing),
                   served by :func:`serve_directory`; creates ``_build/screenshots/``.

A JupyterLab server for these tests: :func:`bpcore.tools.labserver.jupyterlab`.

``playwright install`` cannot download browsers here and is never called: the system
Chromium at ``/usr/bin/chromium`` is used.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import pytest

from bpcore.tools.chromium import CHROMIUM_PATH, launch
from bpcore.tools.staticserver import serve_directory

REPO_ROOT = Path(__file__).resolve().parents[2]
HTML_DIR = REPO_ROOT / "_build" / "html"
SCREENSHOT_DIR = REPO_ROOT / "_build" / "screenshots"
LOCAL_HOSTS = {"127.0.0.1"}
LOCAL_SCHEMES = {"data", "blob", "about"}


@dataclass
class OfflinePage:
    """A Playwright page with everything that should not happen recorded."""

    page: object  # playwright.sync_api.Page
    outside_requests: list[str] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    failed_responses: list[str] = field(default_factory=list)

    def assert_clean(self) -> None:
        """Fail if the page tried the network, logged an error or got a 4xx/5xx locally."""
        assert not self.outside_requests, f"requests outside 127.0.0.1: {self.outside_requests}"
        assert not self.console_errors, f"console errors: {self.console_errors}"
        assert not self.page_errors, f"uncaught page errors: {self.page_errors}"
        assert not self.failed_responses, f"failed local requests: {self.failed_responses}"


def _is_local(url: str) -> bool:
    parsed = urlparse(url)
    return parsed.scheme in LOCAL_SCHEMES or parsed.hostname in LOCAL_HOSTS


@pytest.fixture(scope="session")
def serve_static() -> object:
    """The :func:`serve_directory` context manager, as a fixture (conftest is not importable)."""
    return serve_directory


@pytest.fixture(scope="session")
def book_url() -> Iterator[str]:
    """Base URL of ``_build/html`` served on 127.0.0.1; builds the book first if needed."""
    from bpcore.tools import build
    if not (HTML_DIR / "index.html").is_file():
        assert build.main([]) == 0, "the book build failed"
    SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
    with serve_directory(HTML_DIR) as url:
        yield url


@pytest.fixture(scope="session")
def chromium() -> Iterator[object]:
    """Launch the system Chromium headless once per test session."""
    from playwright import (
        sync_api,  # a missing Playwright must fail the run, not skip it
    )
    if not Path(CHROMIUM_PATH).exists():
        pytest.fail(f"Chromium not found at {CHROMIUM_PATH}")
    with sync_api.sync_playwright() as pw:
        browser = launch(pw)
        yield browser
        browser.close()


@pytest.fixture()
def make_offline_page(chromium: object) -> Iterator[Callable[..., OfflinePage]]:
    """``make_offline_page(**context_options)``: a new page in a new browser context (Playwright's options,
    e.g. a phone's ``viewport``) that may only talk to 127.0.0.1; see :class:`OfflinePage`. Closed after the test."""
    contexts = []

    def make(**options: Any) -> OfflinePage:
        context = chromium.new_context(**options)
        contexts.append(context)
        page = context.new_page()
        record = OfflinePage(page=page)

        def route(route: object) -> None:
            url = route.request.url
            if _is_local(url):
                route.continue_()
            else:
                record.outside_requests.append(url)
                route.abort()

        context.route("**/*", route)
        page.on("console", lambda msg: msg.type == "error" and record.console_errors.append(
            f"{msg.text} @ {msg.location.get('url', '')}"))
        page.on("pageerror", lambda err: record.page_errors.append(str(err)))
        page.on("response", lambda resp: resp.status >= 400 and _is_local(resp.url)
                and record.failed_responses.append(f"{resp.status} {resp.url}"))
        return record

    try:
        yield make
    finally:
        for context in contexts:
            context.close()


@pytest.fixture()
def offline_page(make_offline_page: Callable[..., OfflinePage]) -> OfflinePage:
    """A new page (1280x900) that may only talk to 127.0.0.1; see :class:`OfflinePage`."""
    return make_offline_page(viewport={"width": 1280, "height": 900})
