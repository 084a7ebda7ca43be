"""Notebook set-up shared by every chapter: live in JupyterLab, static in the book.

The book build (``python -m bpcore.tools.build``) sets the environment variable
``BPCORE_BOOK=1``; kernels started by myst-nb inherit it.  In that mode plotly
figures are emitted as ``text/html`` that calls the ``plotly.min.js`` the book
serves itself (myst-nb drops plotly's own JSON mime type, and the book must not
load anything from a CDN).  Outside the book nothing changes: JupyterLab keeps
plotly's normal ``plotly_mimetype`` renderer.
"""

from __future__ import annotations

import os
import sys
from typing import Any

import plotly.io as pio
from plotly.io._base_renderers import ExternalRenderer, MimetypeRenderer

BOOK_ENV_VAR = "BPCORE_BOOK"
BOOK_RENDERER = "bpcore_book"
BROWSER_RENDERER = "bpcore_browser"
PLOTLY_MIME = "application/vnd.plotly.v1+json"


def in_browser() -> bool:
    """Return True under Pyodide (the live book in JupyterLite): Python compiled to WebAssembly."""
    return sys.platform == "emscripten"


def is_book_build() -> bool:
    """Return True when the code runs inside the Jupyter Book build (``BPCORE_BOOK=1``)."""
    return os.environ.get(BOOK_ENV_VAR, "") == "1"


class BookHtmlRenderer(MimetypeRenderer):
    """Plotly renderer for the static book: a ``<div>`` plus a ``Plotly.newPlot`` script.

    ``plotly.js`` itself is not inlined (it is served once from the book's
    ``_static/plotly.min.js``) and animations do not auto-play, so a figure with
    frames opens on its first frame and its slider works without a kernel.  The figure
    is wrapped in ``role="figure"`` with its text alternative
    (:func:`bpcore.figures.describe`) as ``aria-label``.
    """

    def to_mimebundle(self, fig_dict: dict[str, Any]) -> dict[str, str]:
        from html import escape

        from bpcore.figures import describe

        body = pio.to_html(
            fig_dict,
            include_plotlyjs=False,
            full_html=False,
            auto_play=False,
            validate=False,
        )
        label = escape(describe(fig_dict), quote=True)   # the figure's text alternative
        return {"text/html": f'<div class="bpcore-figure" role="figure" aria-label="{label}">{body}</div>'}


class BrowserRenderer(ExternalRenderer):
    """Plotly renderer for the live book (Pyodide): displays plotly's JSON mime type itself.

    plotly's own ``fig.show()`` and auto-display insist on ``nbformat``, which has no Pyodide build; an
    "external" renderer skips that check and hands the same mime bundle to JupyterLite's plotly extension.
    """

    def render(self, fig_dict: dict[str, Any]) -> None:
        from IPython.display import display

        display({PLOTLY_MIME: fig_dict}, raw=True)


def setup_notebook() -> None:
    """Prepare plotly output for where the notebook runs.

    In a book build this registers and selects :class:`BookHtmlRenderer`; in the browser (Pyodide)
    :class:`BrowserRenderer`; otherwise plotly's renderer is left as it is (``plotly_mimetype`` in
    JupyterLab).  Calling it twice is harmless.
    """
    if is_book_build():
        pio.renderers[BOOK_RENDERER] = BookHtmlRenderer()
        pio.renderers.default = BOOK_RENDERER
    elif in_browser():
        pio.renderers[BROWSER_RENDERER] = BrowserRenderer()
        pio.renderers.default = BROWSER_RENDERER
