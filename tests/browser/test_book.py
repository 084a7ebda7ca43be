"""Open every page of the built book in Chromium, offline, and check what a reader sees.

Uses ``_build/html`` as built by ``python -m bpcore.tools.build`` (built here if missing).
Per page: no request outside 127.0.0.1, no console error, math typeset by the local
MathJax (no raw TeX left in the text), every plotly figure drawn, every plotly slider
(a static twin) changes its figure when moved to its far end, the notebook download
link and the "run it live" note present. Screenshots go to ``_build/screenshots/``.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from bpcore.tools.execute import toc_files

pytestmark = pytest.mark.browser

REPO_ROOT = Path(__file__).resolve().parents[2]
HTML_DIR = REPO_ROOT / "_build" / "html"
SCREENSHOT_DIR = REPO_ROOT / "_build" / "screenshots"
PAGES = toc_files(REPO_ROOT / "_toc.yml")
# a script, stylesheet, image or frame that a page would fetch from another host
REMOTE_ASSET = re.compile(
    r"<(?:script|link|img|iframe|source)\b[^>]*\b(?:src|href)=[\"'](?:https?:)?//[^\"']*", re.IGNORECASE
)
# TeX that survived typesetting: $$, \( \[ delimiters or any \command outside code blocks.
RAW_TEX = re.compile(r"\$\$|\\[(\[]|\\[A-Za-z]{2,}")

VISIBLE_TEXT_JS = """() => {
  const main = document.querySelector('main') || document.body;
  const copy = main.cloneNode(true);
  copy.querySelectorAll('pre, code, script, style, mjx-container, .MathJax, mjx-assistive-mml')
      .forEach(el => el.remove());
  return copy.textContent;
}"""

MATH_JS = """async () => {
  const nodes = [...document.querySelectorAll('.math')];
  if (nodes.length && window.MathJax && MathJax.startup) { await MathJax.startup.promise; }
  return {
    math: nodes.length,
    typeset: nodes.filter(n => n.querySelector('mjx-container')).length,
    errors: document.querySelectorAll('mjx-merror').length,
  };
}"""

FIGURES_JS = """() => [...document.querySelectorAll('.plotly-graph-div')].map(gd => ({
  plotted: gd.classList.contains('js-plotly-plot'),
  svg: gd.querySelectorAll('.main-svg').length,
  sliders: (gd.layout && gd.layout.sliders || []).length,
}))"""

SNAPSHOT_JS = """(i) => {
  const gd = document.querySelectorAll('.plotly-graph-div')[i];
  const {sliders, ...layout} = gd.layout;
  return JSON.stringify([gd.data, layout]);
}"""


def test_built_html_loads_nothing_remote(book_url: str) -> None:
    """No page of the build references a remote script, stylesheet, image or frame."""
    remote = {
        f"{page.relative_to(HTML_DIR)}: {match}"
        for page in HTML_DIR.rglob("*.html")
        for match in REMOTE_ASSET.findall(page.read_text(encoding="utf-8", errors="replace"))
    }
    assert sorted(remote) == []


ICON = re.compile(r"<link\b[^>]*\brel=[\"']icon[\"'][^>]*\bhref=[\"']([^\"']+)[\"']", re.IGNORECASE)


def test_every_page_names_an_icon_it_serves(book_url: str) -> None:
    """Every page of the book, and the live book's app page, links its own icon: a page without one makes the
    browser ask the host's root for /favicon.ico (a 404 and a console error on most hosts; Playwright's offline
    routing hides that request, so the page tests cannot see it)."""
    pages = [HTML_DIR / f"{doc}.html" for doc in PAGES] + [HTML_DIR / "lite" / "lab" / "index.html"]
    missing = []
    for page in pages:
        found = ICON.findall(page.read_text(encoding="utf-8"))
        if not found or not (page.parent / found[0].split("?")[0]).resolve().is_file():
            missing.append(f"{page.relative_to(HTML_DIR)}: {found}")
    assert missing == []


CHANGED_JS = """([i, s, before, target]) => {
  const gd = document.querySelectorAll('.plotly-graph-div')[i];
  const {sliders, ...layout} = gd.layout;
  return sliders[s].active === target && JSON.stringify([gd.data, layout]) !== before;
}"""

# a figure folded away (hidden cell output, closed dropdown) is unfolded, as a reader would
REVEAL_JS = """(i) => {
  const gd = document.querySelectorAll('.plotly-graph-div')[i];
  for (let el = gd; el; el = el.parentElement) {
    if (el.tagName === 'DETAILS') { el.open = true; }
    if (getComputedStyle(el).display === 'none') { el.style.display = 'block'; }
  }
  return Plotly.Plots.resize(gd);
}"""


def _check_sliders(view: Any, index: int, n_sliders: int) -> None:
    """Click each slider of figure ``index`` at the far end of its rail; the figure must change.

    The far end is the last step, or the first step if the slider starts on the last one.
    """
    page = view.page
    figure = page.locator(".plotly-graph-div").nth(index)
    if not figure.is_visible():
        page.evaluate(REVEAL_JS, index)
    for s in range(n_sliders):
        before = page.evaluate(SNAPSHOT_JS, index)
        n_steps, active = page.evaluate(
            """([i, s]) => { const sl = document.querySelectorAll('.plotly-graph-div')[i].layout.sliders[s];
                             return [sl.steps.length, sl.active || 0]; }""",
            [index, s],
        )
        assert n_steps >= 2, f"figure {index}: slider {s} has {n_steps} step(s)"
        target = 0 if active == n_steps - 1 else n_steps - 1
        rail = figure.locator(".slider-container .slider-rail-touch-rect").nth(s)
        for attempt in range(3):   # re-measure and click again if the page reflowed under the mouse
            rail.scroll_into_view_if_needed()
            box = rail.bounding_box()
            assert box is not None, f"figure {index}: slider {s} is not drawn"
            if attempt:  # a click that landed but whose frame was lost: step away first, so the next one moves
                page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
                page.wait_for_timeout(500)
            x = box["x"] + (3 if target == 0 else box["width"] - 3)
            page.mouse.click(x, box["y"] + box["height"] / 2)
            try:
                page.wait_for_function(CHANGED_JS, arg=[index, s, before, target], timeout=15_000)
                break
            except PlaywrightTimeout:
                if attempt == 2:
                    raise AssertionError(f"figure {index}: moving slider {s} to step {target} did not "
                                         f"change the figure") from None


@pytest.mark.parametrize("doc", PAGES)
def test_page_offline(doc: str, book_url: str, offline_page: Any) -> None:
    """One page of the toc, opened with every outside request blocked."""
    html = HTML_DIR / f"{doc}.html"
    assert html.is_file(), f"{doc} was not built into {html}"
    page = offline_page.page
    page.goto(f"{book_url}/{doc}.html", wait_until="load")

    math = page.evaluate(MATH_JS)
    assert math["typeset"] == math["math"], f"{math['math'] - math['typeset']} formulas not typeset"
    assert math["errors"] == 0, "MathJax reported TeX errors"
    raw = RAW_TEX.findall(page.evaluate(VISIBLE_TEXT_JS))
    assert not raw, f"raw TeX visible in the text: {raw[:10]}"

    figures = page.evaluate(FIGURES_JS)
    for i, fig in enumerate(figures):
        assert fig["plotted"] and fig["svg"] > 0, f"plotly figure {i} was not drawn"

    if (REPO_ROOT / f"{doc}.ipynb").is_file():
        assert page.locator("a[href$='.ipynb']").count() > 0, "no notebook download link"
    assert page.locator(".bp-live-note").count() == 1, "the 'run it live' note is missing"
    page.screenshot(path=str(SCREENSHOT_DIR / f"{Path(doc).name}.png"), full_page=True)

    for i, fig in enumerate(figures):
        if fig["sliders"]:
            _check_sliders(offline_page, i, fig["sliders"])
    offline_page.assert_clean()
