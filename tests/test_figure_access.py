"""Figures for every reader: text alternatives (figures.describe), theme colours (figures.THEMES) and
their hand-over to the book's pages (bpcore.tools.build.write_themes_js)."""
from __future__ import annotations

import json

import plotly.graph_objects as go
import pytest
from plotly.subplots import make_subplots

from bpcore import figures as F
from bpcore.notebook import BookHtmlRenderer
from bpcore.tools.build import write_themes_js


def contrast(a: str, b: str) -> float:
    def lum(c: str) -> float:
        ch = [int(c[i:i + 2], 16) / 255 for i in (1, 3, 5)]
        ch = [v / 12.92 if v <= 0.03928 else ((v + 0.055) / 1.055) ** 2.4 for v in ch]
        return 0.2126 * ch[0] + 0.7152 * ch[1] + 0.0722 * ch[2]
    hi, lo = sorted([lum(a), lum(b)], reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def loss_figure(title: str) -> go.Figure:
    """Training and validation loss curves as the training panel draws them."""
    fig = go.Figure(F.loss_curves_traces())
    for trace, y in zip(fig.data, ([1.0, 0.5, 0.25], [1.1, 0.6, 0.4])):
        trace.update(x=[1, 2, 3], y=y)
    F.style(fig, title)
    fig.update_xaxes(title_text="epoch")
    fig.update_yaxes(title_text="loss")
    return fig


def test_describe_reads_title_axes_and_series() -> None:
    fig = loss_figure("Loss <b>falls</b>")
    assert F.describe(fig) == "Loss falls. Axes: x: epoch, y: loss. Series: training loss, validation loss."


def test_describe_names_panels_and_prefers_the_authors_alt() -> None:
    fig = make_subplots(rows=1, cols=2, subplot_titles=("left panel", "right panel"))
    fig.add_scatter(x=[0, 1], y=[0, 1], name="a", row=1, col=1)
    fig.update_layout(title="Two")
    assert F.describe(fig) == "Two. Panels: left panel; right panel. Series: a."
    fig.update_layout(meta={"alt": "What the author wrote."})
    assert F.describe(fig) == "What the author wrote."


def test_book_renderer_wraps_the_figure_with_its_alternative() -> None:
    fig = loss_figure('Loss "quoted"')
    html = BookHtmlRenderer().to_mimebundle(fig.to_plotly_json())["text/html"]
    assert html.startswith('<div class="bpcore-figure" role="figure" aria-label="Loss &quot;quoted&quot;. Axes:')
    assert "Plotly.newPlot" in html and html.endswith("</div>")


@pytest.mark.parametrize("mode", sorted(F.THEMES))
def test_theme_fonts_are_readable_on_their_page(mode: str) -> None:
    theme = F.THEMES[mode]
    assert contrast(theme["font"], theme["page"]) >= 7.0
    assert contrast(theme["line"], theme["page"]) >= 3.0   # non-text contrast (WCAG 1.4.11)


def test_themes_reach_the_page_as_json(tmp_path) -> None:
    text = write_themes_js(tmp_path).read_text()
    assert text.splitlines()[0].startswith("//")
    payload = text[text.index("=") + 1:].strip().rstrip(";")
    assert json.loads(payload) == F.THEMES


def test_series_differ_in_line_style_too() -> None:
    fig = go.Figure(F.gradient_norms_traces(3))   # one line per layer, as the training panel draws them
    assert len({t.line.dash for t in fig.data}) == 3 and len({t.line.color for t in fig.data}) == 3
