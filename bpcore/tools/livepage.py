"""Driving a chapter of the live book (JupyterLite in ``_build/html/lite``) from Playwright.

Shared by ``tests/browser/test_live.py`` and ``benchmarks/bench_lite.py``.  The lite app exposes itself as
``window.jupyterapp`` (``exposeAppInBrowser`` in :data:`bpcore.tools.lite.LITE_CONFIG`), so a notebook is run up
to a given cell through JupyterLab's own commands.
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
#: the live panel of the notebook's active cell: the cell run last, or the one a twin's launch link named
ACTIVE_PANEL = ".jp-Cell.jp-mod-active .bpcore-panel"
STATUS = f"() => {{ const s = document.querySelector('{ACTIVE_PANEL} .bpcore-status'); return s ? s.innerText : ''; }}"
READOUT = f"() => document.querySelector('{ACTIVE_PANEL} .widget-readout').innerText.trim()"
ACTIVE_CELL = "() => window.jupyterapp?.shell?.currentWidget?.content?.activeCellIndex"
IDLE = ("() => window.jupyterapp && [...document.querySelectorAll('.jp-StatusBar-TextItem')]"
        ".some(e => /\\| Idle/.test(e.textContent))")


def shows_a_panel(cell: dict[str, Any]) -> bool:
    """The executed code ``cell`` (a notebook's JSON) shows a live panel: a widget whose plain-text form is a VBox."""
    return cell["cell_type"] == "code" and any(WIDGET_VIEW in o.get("data", {}) and
                                               "".join(o["data"].get("text/plain", "")).startswith("VBox(")
                                               for o in cell.get("outputs", []))


def first_panel_cell(notebook: Path) -> int:
    """Index, in the book's (executed) notebook, of the cell that shows its first live panel."""
    nb = json.loads(notebook.read_text(encoding="utf-8"))
    for i, cell in enumerate(nb["cells"]):
        if shows_a_panel(cell):
            return i
    raise ValueError(f"{notebook.name} shows no live panel")


def run_to_first_panel(page: Any, cell: int, timeout: float = 180_000) -> None:
    """Wait for the kernel, run the install cell and every cell up to the book's cell ``cell`` (the lite copy has
    the install cell in front: index + 1), wait until the panel has drawn, and bring it into view."""
    page.wait_for_function(IDLE, timeout=timeout)
    page.evaluate("""(cell) => { const nb = window.jupyterapp.shell.currentWidget.content;
        nb.activeCellIndex = cell; return window.jupyterapp.commands.execute('notebook:run-all-above')
          .then(() => window.jupyterapp.commands.execute('notebook:run-cell')); }""", cell + 1)
    wait_for_active_panel(page, cell, timeout)
    page.evaluate("(c) => window.jupyterapp.shell.currentWidget.content.scrollToItem(c, 'center')", cell + 1)


def wait_for_active_panel(page: Any, cell: int, timeout: float = 180_000) -> None:
    """Wait until the book's cell ``cell`` (``cell + 1`` in the lite copy) is the active cell and its live panel
    has drawn: after :func:`run_to_first_panel`, or after a static twin's launch link, which runs the chapter up
    to the twin's cell by itself (``bpcore/tools/lite_assets/chapter_launch.js``)."""
    page.wait_for_function(f"(c) => ({ACTIVE_CELL})() === c", arg=cell + 1, timeout=timeout)
    page.wait_for_selector(f"{ACTIVE_PANEL} .js-plotly-plot .main-svg", state="attached", timeout=timeout)
    page.wait_for_function(f"() => ({STATUS})() !== ''", timeout=timeout)


def press_first_slider(page: Any, key: str = "ArrowRight", timeout: float = 60_000) -> None:
    """Focus the active cell's panel's first slider handle, press ``key`` and wait until the status line changed."""
    before = page.evaluate(STATUS)
    page.locator(f"{ACTIVE_PANEL} .noUi-handle").first.focus()
    page.keyboard.press(key)
    page.wait_for_function(f"(old) => ({STATUS})() !== old", arg=before, timeout=timeout)
