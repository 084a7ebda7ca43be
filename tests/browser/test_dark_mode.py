"""The figures follow the book's light/dark switch without a reload, with readable contrast.

On chapters with plain figures, static twins and subplots, the theme switch is flipped (``data-theme``
on ``<html>``, as pydata-sphinx-theme's button does) to dark and back to light.  Each time every figure's
layout must carry the colours of :data:`bpcore.figures.THEMES` for that mode (font, grid, slider), the
drawn tick labels must be painted in the theme's font colour, the font must have a contrast of at least
7:1 on the page's actual background, and the output card behind a figure must be transparent.
At the desktop width no figure text is cut off or overlaps another (the phone test's check).
Screenshots of the dark pages go to ``_build/screenshots/dark/``.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from test_book import SCREENSHOT_DIR
from test_phone import MEASURE_JS, figure_problems

from bpcore.figures import THEMES

pytestmark = pytest.mark.browser

DOCS = ["book/05_backprop", "book/11_vanishing_gradients", "book/14_digits"]
MIN_CONTRAST = 7.0

SET_MODE_JS = """(mode) => {
  document.documentElement.dataset.mode = mode;
  document.documentElement.dataset.theme = mode;
}"""
COLOURS_JS = """(mode) => [...document.querySelectorAll('.js-plotly-plot')].map(gd => {
  const tick = gd.querySelector('.xtick text, .ytick text');
  const card = gd.closest('.text_html');
  return {
    theme: gd.dataset.bpTheme || '',
    font: gd.layout.font.color,
    grid: gd.layout.xaxis && gd.layout.xaxis.gridcolor,
    sliders: (gd.layout.sliders || []).map(s => [s.font && s.font.color, s.bgcolor]),
    tick: tick ? getComputedStyle(tick).fill : null,
    card: card ? getComputedStyle(card).backgroundColor : null,
    page: getComputedStyle(document.body).backgroundColor,
  };
})"""


def rgb(colour: str) -> tuple[int, int, int]:
    """``#rrggbb`` or ``rgb(r, g, b)`` -> ``(r, g, b)``."""
    if colour.startswith("#"):
        return tuple(int(colour[i:i + 2], 16) for i in (1, 3, 5))  # type: ignore[return-value]
    return tuple(int(float(v)) for v in colour[colour.index("(") + 1:-1].split(",")[:3])  # type: ignore[return-value]


def contrast(a: str, b: str) -> float:
    """WCAG contrast ratio of two opaque colours."""
    def lum(c: str) -> float:
        ch = [v / 255 for v in rgb(c)]
        ch = [v / 12.92 if v <= 0.03928 else ((v + 0.055) / 1.055) ** 2.4 for v in ch]
        return 0.2126 * ch[0] + 0.7152 * ch[1] + 0.0722 * ch[2]
    hi, lo = sorted([lum(a), lum(b)], reverse=True)
    return (hi + 0.05) / (lo + 0.05)


@pytest.mark.parametrize("doc", DOCS)
def test_figures_follow_the_theme(doc: str, book_url: str, offline_page: Any) -> None:
    """Dark, then light again, on one page load: every figure takes the mode's colours."""
    page = offline_page.page
    page.goto(f"{book_url}/{doc}.html", wait_until="load")
    page.wait_for_function("() => document.querySelectorAll('.js-plotly-plot').length > 0 && "
                           "[...document.querySelectorAll('.js-plotly-plot')].every(gd => gd.dataset.bpTheme)")
    for mode in ("dark", "light"):
        page.evaluate(SET_MODE_JS, mode)
        page.wait_for_function("(mode) => [...document.querySelectorAll('.js-plotly-plot')]"
                               ".every(gd => gd.dataset.bpTheme === mode)", arg=mode, timeout=15_000)
        theme = THEMES[mode]
        figures = page.evaluate(COLOURS_JS, mode)
        assert figures
        for i, fig in enumerate(figures):
            assert fig["font"] == theme["font"], f"{mode}: figure {i} font {fig['font']}"
            assert fig["grid"] == theme["grid"], f"{mode}: figure {i} grid {fig['grid']}"
            assert all(s == [theme["font"], theme["slider"]] for s in fig["sliders"]), f"{mode}: figure {i} sliders"
            if fig["tick"]:
                assert rgb(fig["tick"]) == rgb(theme["font"]), f"{mode}: figure {i} tick labels painted {fig['tick']}"
            assert fig["card"] in (None, "rgba(0, 0, 0, 0)"), f"{mode}: figure {i} sits on a card {fig['card']}"
            assert contrast(theme["font"], fig["page"]) >= MIN_CONTRAST, f"{mode}: font on {fig['page']}"
        if mode == "dark":
            shots = SCREENSHOT_DIR / "dark"
            shots.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(shots / f"{Path(doc).name}.png"), full_page=True)
    # on a desktop too, no subplot title is cut off or runs into its neighbour (chapter 11 had one)
    problems = [p for fig in page.evaluate(MEASURE_JS) for p in figure_problems(fig)]
    assert not problems, "\n".join(problems)
    offline_page.assert_clean()
