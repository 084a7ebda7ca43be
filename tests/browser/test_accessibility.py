"""axe-core on every page of the built book, in light and in dark mode: no serious or critical violation.

axe-core is the npm package (``npm install axe-core@4``), which ``tests/run_all.sh`` installs into
``tests/browser/node_modules`` (git-ignored); set ``AXE_CORE_JS`` to use another copy of ``axe.min.js``.  The page is
opened once; the dark pass flips the theme the way the book's switch does (``data-theme`` on
``<html>``), without a reload.  The node counts per mode are printed (``pytest -rP``).
"""
from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest
from test_book import PAGES  # the pages and helpers of tests/browser/test_book.py

pytestmark = pytest.mark.browser

REPO_ROOT = Path(__file__).resolve().parents[2]
AXE_JS = Path(os.environ.get("AXE_CORE_JS", Path(__file__).parent / "node_modules/axe-core/axe.min.js"))
BAD_IMPACT = ("serious", "critical")

# the theme switch of pydata-sphinx-theme sets both attributes (and remembers the choice)
SET_MODE_JS = """(mode) => {
  document.documentElement.dataset.mode = mode;
  document.documentElement.dataset.theme = mode;
}"""
RUN_AXE_JS = """async () => {
  const result = await axe.run(document, {resultTypes: ['violations']});
  return result.violations.map(v => ({id: v.id, impact: v.impact,
    nodes: v.nodes.map(n => n.target.join(' ') + ' :: ' + (n.failureSummary || '').split('\\n').slice(-1)[0])}));
}"""


def serious_violations(page: Any) -> list[dict[str, Any]]:
    """axe-core's serious and critical violations of the page as it is now."""
    if not page.evaluate("() => typeof axe !== 'undefined'"):
        page.add_script_tag(content=AXE_JS.read_text(encoding="utf-8"))
    return [v for v in page.evaluate(RUN_AXE_JS) if v["impact"] in BAD_IMPACT]


def wait_until_drawn(page: Any) -> None:
    """Wait for MathJax and for every plotly figure (and the theme script's restyle) to settle."""
    page.evaluate("async () => { if (window.MathJax && MathJax.startup) await MathJax.startup.promise; }")
    page.wait_for_function("() => [...document.querySelectorAll('.plotly-graph-div')]"
                           ".every(gd => gd.classList.contains('js-plotly-plot'))")
    page.wait_for_timeout(300)


@pytest.mark.parametrize("doc", PAGES)
def test_axe_light_and_dark(doc: str, book_url: str, offline_page: Any) -> None:
    """No serious/critical axe-core violation on the page, first in light mode, then in dark mode."""
    assert AXE_JS.is_file(), f"axe-core missing at {AXE_JS}: run `npm install --prefix tests/browser axe-core@4`"
    page = offline_page.page
    page.goto(f"{book_url}/{doc}.html", wait_until="load")
    found = {}
    for mode in ("light", "dark"):
        page.evaluate(SET_MODE_JS, mode)
        wait_until_drawn(page)
        found[mode] = serious_violations(page)
    counts = {mode: sum(len(v["nodes"]) for v in vs) for mode, vs in found.items()}
    print(f"axe {doc}: serious/critical nodes light={counts['light']} dark={counts['dark']}")
    assert counts == {"light": 0, "dark": 0}, json.dumps(found, indent=1, ensure_ascii=False)[:4000]
    offline_page.assert_clean()
