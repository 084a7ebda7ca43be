"""The PDF edition: the HTML book printed by Chromium into ``_build/pdf/backprop-live.pdf``, offline.

Command line::

    python -m bpcore.tools.pdf          # builds the HTML book first if _build/html is missing

Every page of ``_toc.yml``, in order, is opened from ``_build/html`` (served on 127.0.0.1; any other
request is blocked) in Debian's Chromium (``/usr/bin/chromium``, or ``$BPCORE_CHROMIUM``) through
Playwright, in light mode, once MathJax has typeset it and every plotly figure is drawn, and printed
to A4 with the theme's print stylesheet (no sidebars).  A static twin shows its default frame; folded
solutions stay folded.  The pages are merged with pypdf, and each page's title (its chapter heading)
becomes an entry of the PDF outline (the bookmarks) pointing at its first page.
"""
from __future__ import annotations

import io
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlparse

from bpcore.tools.execute import REPO_ROOT, toc_files
from bpcore.tools.chromium import CHROMIUM_PATH, launch
from bpcore.tools.staticserver import serve_directory

if TYPE_CHECKING:
    from playwright.sync_api import PdfMargins, ViewportSize

HTML_DIR = REPO_ROOT / "_build" / "html"
PDF_PATH = REPO_ROOT / "_build" / "pdf" / "backprop-live.pdf"
TITLE = "Backprop, Live"
# Figures keep the size they were drawn at on screen: at this width the text column (608 px) is
# narrower than the printed one (about 636 px on A4 with these margins), so no figure is cut off.
VIEWPORT: ViewportSize = {"width": 640, "height": 1000}
MARGIN: PdfMargins = {"top": "14mm", "bottom": "14mm", "left": "12mm", "right": "12mm"}

READY_JS = """async () => {
  if (window.MathJax && MathJax.startup) { await MathJax.startup.promise; }
  const plots = [...document.querySelectorAll('.plotly-graph-div')];
  return plots.every(gd => gd.classList.contains('js-plotly-plot'));
}"""
HEADING_JS = """() => {
  const h = document.querySelector('main h1');
  if (!h) return document.title;
  const copy = h.cloneNode(true);
  copy.querySelectorAll('.headerlink').forEach(a => a.remove());
  return copy.textContent.replace(/\\s+/g, ' ').trim();
}"""


@dataclass
class Chapter:
    """One printed page of the toc: its name, heading and PDF bytes."""

    doc: str
    heading: str
    pdf: bytes


def print_pages(docs: list[str], html_dir: Path = HTML_DIR, chromium: str = CHROMIUM_PATH) -> list[Chapter]:
    """Print every page ``docs`` (toc names, e.g. ``book/01_welcome``) of the built book to PDF bytes."""
    from playwright.sync_api import sync_playwright

    chapters = []
    with serve_directory(html_dir) as url, sync_playwright() as pw:
        browser = launch(pw, chromium)
        context = browser.new_context(viewport=VIEWPORT)
        context.route("**/*", lambda route: route.continue_() if urlparse(route.request.url).hostname
                      in ("127.0.0.1", None) else route.abort())
        context.add_init_script("localStorage.setItem('mode', 'light'); localStorage.setItem('theme', 'light');")
        page = context.new_page()
        for doc in docs:
            page.goto(f"{url}/{doc}.html", wait_until="load")
            if not page.evaluate(READY_JS):
                page.wait_for_function(READY_JS, timeout=60_000)
            page.wait_for_timeout(400)   # the figures' restyle (bpcore-figures.js)
            chapters.append(Chapter(doc, page.evaluate(HEADING_JS),
                                    page.pdf(format="A4", print_background=True, margin=MARGIN)))
        browser.close()
    return chapters


def merge(chapters: list[Chapter], path: Path = PDF_PATH, title: str = TITLE) -> int:
    """Write the chapters into one PDF at ``path`` with one outline entry per chapter; return its page count."""
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter()
    for chapter in chapters:
        first = len(writer.pages)
        writer.append(PdfReader(io.BytesIO(chapter.pdf)), import_outline=False)
        writer.add_outline_item(title=chapter.heading, page_number=first)
    writer.add_metadata({"/Title": title})
    writer.page_mode = "/UseOutlines"
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as out:
        writer.write(out)
    return len(writer.pages)


def main(argv: list[str] | None = None) -> int:
    """Write ``_build/pdf/backprop-live.pdf`` from ``_build/html`` (built first if missing)."""
    import os

    args = sys.argv[1:] if argv is None else argv
    if args:
        print("usage: python -m bpcore.tools.pdf", file=sys.stderr)
        return 2
    if not (HTML_DIR / "index.html").is_file():
        from bpcore.tools import build
        if build.main([]) != 0:
            return 1
    start = time.perf_counter()
    chapters = print_pages(toc_files(REPO_ROOT / "_toc.yml"), chromium=os.environ.get("BPCORE_CHROMIUM", CHROMIUM_PATH))
    pages = merge(chapters)
    print(f"wrote {PDF_PATH.relative_to(REPO_ROOT)}: {pages} pages, {len(chapters)} chapters, "
          f"{time.perf_counter() - start:.0f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
