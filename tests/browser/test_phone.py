"""Every page of the built book on a 390 px wide phone: figures fit, their texts do not overlap, sliders work.

Per page (a touch screen, 390 x 844): every plotly figure, folded ones unfolded, is no wider than the
screen; within each figure the title (with its status line), subplot titles, axis titles and legend
do not overlap one another (bounding boxes) and none is cut off at the figure's edge; every slider of a
static twin has a native range input, big enough for a finger, and pressing End on it moves the figure
to its last frame; no marker series is told apart from another by colour alone.  Screenshots of every
figure go to ``_build/screenshots/phone/``.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from test_book import (  # the pages and helpers of tests/browser/test_book.py
    PAGES,
    SCREENSHOT_DIR,
    SNAPSHOT_JS,
)

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
#: a browser context for a touch screen of that size (``make_offline_page(**PHONE_CONTEXT)``)
PHONE_CONTEXT = {"viewport": PHONE, "has_touch": True, "is_mobile": True, "device_scale_factor": 2}
MIN_TOUCH_PX = 24   # WCAG 2.5.8 target size (minimum)

REVEAL_ALL_JS = """async () => {
  document.querySelectorAll('details').forEach(d => { d.open = true; });
  for (const gd of document.querySelectorAll('.js-plotly-plot')) {
    for (let el = gd; el; el = el.parentElement) {
      if (getComputedStyle(el).display === 'none') el.style.display = 'block';
    }
  }
  await new Promise(r => setTimeout(r, 300));
  await Promise.all([...document.querySelectorAll('.js-plotly-plot')].map(gd => Plotly.Plots.resize(gd)));
  window.dispatchEvent(new Event('resize'));
  await new Promise(r => setTimeout(r, 1200));
}"""

#: the header's buttons and links (the chapter's "Run live in your browser" among them) that reach outside
#: the header bar or the screen, by their text or label
HEADER_SPILL_JS = """() => {
  const bar = document.querySelector('.bd-header-article');
  if (!bar) return [];
  const b = bar.getBoundingClientRect();
  return [...bar.querySelectorAll('a, button')].filter(e => e.offsetParent !== null).filter(e => {
    const r = e.getBoundingClientRect();
    return r.top < b.top - 0.5 || r.bottom > b.bottom + 0.5 || r.left < -0.5 || r.right > window.innerWidth + 0.5;
  }).map(e => (e.innerText || e.getAttribute('aria-label') || e.title).trim());
}"""

# Per figure: its box, the page width and the boxes of the texts that must not collide.
MEASURE_JS = """() => [...document.querySelectorAll('.js-plotly-plot')].map((gd, i) => {
  const box = r => ({l: r.left, r: r.right, t: r.top, b: r.bottom});
  const texts = [];
  const add = (kind, el) => {
    const r = el.getBoundingClientRect();
    if (r.width > 0 && r.height > 0) texts.push({kind, text: el.textContent.slice(0, 60), ...box(r)});
  };
  gd.querySelectorAll('.g-gtitle text').forEach(el => add('title', el));
  gd.querySelectorAll('.g-xtitle text, .g-ytitle text, [class^="g-x"][class$="title"] text, '
                      + '[class^="g-y"][class$="title"] text').forEach(el => add('axis title', el));
  gd.querySelectorAll('.infolayer .annotation').forEach(el => add('annotation', el));
  gd.querySelectorAll('.infolayer .legend .bg').forEach(el => add('legend', el));
  gd.querySelectorAll('.colorbar .cbtitle text, .colorbar .cbtitle').forEach(el => add('colour-bar title', el));
  const unique = [];
  texts.forEach(t => { if (!unique.some(u => u.l === t.l && u.t === t.t && u.r === t.r)) unique.push(t); });
  const svg = gd.querySelector('.main-svg').getBoundingClientRect();
  return {index: i, figure: box(gd.getBoundingClientRect()), svg: box(svg), texts: unique,
          sliders: (gd.layout.sliders || []).length, layout: gd.dataset.bpLayout || '',
          screen: document.documentElement.clientWidth};
})"""


# Per figure: its marker series as drawn (plotly's resolved ``_fullData``), leaving out series that also carry
# lines (their dash style tells them apart) or text labels, and empty ones (a colour key's placeholder).
MARKERS_JS = """() => [...document.querySelectorAll('.js-plotly-plot')].map((gd, i) => ({index: i,
  series: gd._fullData.filter(t => t.type === 'scatter' && t.visible === true && t.mode === 'markers'
                              && [...(t.x || [])].some(v => v !== null && v !== undefined))
    .map(t => { const m = t.marker || {};
      const all = v => Array.isArray(v) || ArrayBuffer.isView(v) ? [...new Set(v)] : [v];
      return {name: t.name || '', axes: (t.xaxis || 'x') + (t.yaxis || 'y'),
              colours: all(m.color), symbols: all(m.symbol)}; })}))"""


def colour_only_problems(fig: dict[str, Any]) -> list[str]:
    """Marker series told apart by colour alone (see :data:`MARKERS_JS`): within one series, points
    of several colours need as many shapes; on one subplot, series of different colours need
    different shapes."""
    problems = []
    where = f"figure {fig['index']}"
    series = fig["series"]
    for s in series:
        if len(s["colours"]) > 1 and len(s["symbols"]) < len(s["colours"]):
            problems.append(f"{where}: series {s['name']!r} has {len(s['colours'])} colours "
                            f"but {len(s['symbols'])} marker shape(s)")
    for i, a in enumerate(series):
        for b in series[i + 1:]:
            if a["axes"] == b["axes"] and a["colours"] != b["colours"] and a["symbols"] == b["symbols"]:
                problems.append(f"{where}: series {a['name']!r} and {b['name']!r} differ by colour alone")
    return problems


def overlap(a: dict[str, float], b: dict[str, float]) -> float:
    """Area (px²) shared by two boxes ``{l, r, t, b}``."""
    return max(0.0, min(a["r"], b["r"]) - max(a["l"], b["l"])) * max(0.0, min(a["b"], b["b"]) - max(a["t"], b["t"]))


def figure_problems(fig: dict[str, Any]) -> list[str]:
    """What is wrong with one measured figure (see :data:`MEASURE_JS`)."""
    problems = []
    where = f"figure {fig['index']}"
    if fig["figure"]["r"] > fig["screen"] + 0.5 or fig["svg"]["r"] > fig["screen"] + 0.5 or fig["figure"]["l"] < -0.5:
        problems.append(f"{where} is wider than the screen: {fig['figure']} / {fig['svg']} vs {fig['screen']} px")
    texts = fig["texts"]
    for t in texts:
        if t["l"] < fig["svg"]["l"] - 0.5 or t["r"] > fig["svg"]["r"] + 0.5:
            problems.append(f"{where}: {t['kind']} {t['text']!r} is cut off at the figure's edge")
    for i, a in enumerate(texts):
        for b in texts[i + 1:]:
            if overlap(a, b) > 0:
                problems.append(f"{where}: {a['kind']} {a['text']!r} overlaps {b['kind']} {b['text']!r}")
    return problems


@pytest.fixture()
def phone_page(make_offline_page: Any) -> Any:
    """A touch screen 390 px wide that may only talk to 127.0.0.1, and the page errors it records."""
    phone = make_offline_page(**PHONE_CONTEXT)
    return phone.page, phone.page_errors


@pytest.mark.parametrize("doc", PAGES)
def test_page_on_a_phone(doc: str, book_url: str, phone_page: Any) -> None:
    """Figures fit a 390 px screen, their texts do not collide, and their sliders work from the keyboard."""
    page, errors = phone_page
    page.goto(f"{book_url}/{doc}.html", wait_until="load")
    page.evaluate("async () => { if (window.MathJax && MathJax.startup) await MathJax.startup.promise; }")
    shots = SCREENSHOT_DIR / "phone"
    shots.mkdir(parents=True, exist_ok=True)
    spilled = page.evaluate(HEADER_SPILL_JS)
    assert not spilled, f"header items reach outside the header bar: {spilled}"
    page.evaluate(REVEAL_ALL_JS)
    figures = page.evaluate(MEASURE_JS)
    for fig in figures:   # the figures as a reader sees them (a full page would be ~40 000 px tall)
        page.locator(".js-plotly-plot").nth(fig["index"]).screenshot(
            path=str(shots / f"{Path(doc).name}-{fig['index']}.png"))
    problems = [p for fig in figures for p in figure_problems(fig)]
    problems += [p for fig in page.evaluate(MARKERS_JS) for p in colour_only_problems(fig)]
    assert not problems, "\n".join(problems)

    twins = [fig for fig in figures if fig["sliders"]]
    for fig in twins:
        assert fig["layout"] == "narrow", f"figure {fig['index']} kept its desktop layout on a phone"
    if twins:   # one slider per page: the same script drives them all
        i = twins[0]["index"]
        inputs = page.locator(".js-plotly-plot").nth(i).locator(
            "xpath=following-sibling::div[contains(@class, 'bp-slider-keys')][1]//input[@type='range']")
        assert inputs.count() == twins[0]["sliders"], f"figure {i}: {inputs.count()} range inputs"
        box = inputs.first.bounding_box()
        assert box and box["height"] >= MIN_TOUCH_PX, f"figure {i}: slider too small for a finger: {box}"
        before = page.evaluate(SNAPSHOT_JS, i)
        last, start = int(inputs.first.get_attribute("max")), int(inputs.first.input_value())
        target = 0 if start == last else last
        inputs.first.focus()
        page.keyboard.press("Home" if target == 0 else "End")
        page.wait_for_function(
            """([i, target, before]) => { const gd = document.querySelectorAll('.plotly-graph-div')[i];
                 const {sliders, ...layout} = gd.layout;
                 return sliders[0].active === target && JSON.stringify([gd.data, layout]) !== before; }""",
            arg=[i, target, before], timeout=15_000)
    assert not errors, f"uncaught page errors: {errors}"
