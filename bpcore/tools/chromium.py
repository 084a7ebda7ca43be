"""How the book's tools and tests start Debian's Chromium, headless and offline, through Playwright.

``playwright install`` cannot download browsers here, so the system Chromium is used. Without the
background-networking flags it keeps trying Google's hosts, which a closed network refuses.

    with sync_playwright() as pw:
        browser = launch(pw)
"""
from __future__ import annotations

from typing import Any

CHROMIUM_PATH = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",                      # as root (containers, CI) Chromium's sandbox cannot start
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


def launch(playwright: Any, path: str = CHROMIUM_PATH) -> Any:
    """A headless Chromium browser from a ``sync_playwright()`` handle (the system binary at ``path``)."""
    return playwright.chromium.launch(executable_path=path, args=CHROMIUM_ARGS)
