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
STATUS = "() => { const s = document.querySelector('.bpcore-panel .bpcore-status'); return s ? s.innerText : ''; }"
READOUT = "() => document.querySelector('.bpcore-panel .widget-readout').innerText.trim()"
IDLE = ("() => window.jupyterapp && [...document.querySelectorAll('.jp-StatusBar-TextItem')]"
        ".some(e => /\\| Idle/.test(e.textContent))")


def first_panel_cell(notebook: Path) -> int:
    """Index, in the book's (executed) notebook, of the cell that shows its first live panel."""
    nb = json.loads(notebook.read_text(encoding="utf-8"))
    for i, cell in enumerate(nb["cells"]):
        if cell["cell_type"] == "code" and any(WIDGET_VIEW in o.get("data", {}) and
                                               "".join(o["data"].get("text/plain", "")).startswith("VBox(")
                                               for o in cell.get("outputs", [])):
            return i
    raise ValueError(f"{notebook.name} shows no live panel")


def run_to_first_panel(page: Any, cell: int, timeout: float = 180_000) -> None:
    """Wait for the kernel, run the install cell and every cell up to the book's cell ``cell`` (the lite copy has
    the install cell in front: index + 1), wait until the panel has drawn, and bring it into view."""
    page.wait_for_function(IDLE, timeout=timeout)
    page.evaluate("""(cell) => { const nb = window.jupyterapp.shell.currentWidget.content;
        nb.activeCellIndex = cell; return window.jupyterapp.commands.execute('notebook:run-all-above')
          .then(() => window.jupyterapp.commands.execute('notebook:run-cell')); }""", cell + 1)
    page.wait_for_selector(".bpcore-panel .js-plotly-plot .main-svg", state="attached", timeout=timeout)
    page.wait_for_function(f"() => ({STATUS})() !== ''", timeout=timeout)
    page.evaluate("(c) => window.jupyterapp.shell.currentWidget.content.scrollToItem(c, 'center')", cell + 1)


def press_first_slider(page: Any, key: str = "ArrowRight", timeout: float = 60_000) -> None:
    """Focus the first panel's first slider handle, press ``key`` and wait until the status line changed."""
    before = page.evaluate(STATUS)
    page.locator(".bpcore-panel .noUi-handle").first.focus()
    page.keyboard.press(key)
    page.wait_for_function(f"(old) => ({STATUS})() !== old", arg=before, timeout=timeout)
