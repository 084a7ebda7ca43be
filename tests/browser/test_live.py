"""The live book: chapters launched from the built HTML book run in JupyterLite (Pyodide), offline.

For the chain rule, MSE vs cross-entropy and vanishing gradients: open the chapter page, follow its
"Run live in your browser" link, run the notebook up to its first live panel, step the panel's first
slider by keyboard, read the redrawn figure back and compare it with the same panel recomputed here in
CPython (a tolerance for Pyodide's numpy 2.0.2 build).  No request may leave 127.0.0.1, no console error.
Also: an ordinary chapter page loads nothing of the lite site until the reader asks.
"""
from __future__ import annotations

import json
import time
from pathlib import Path

import numpy as np
import pytest
from plotly_data import DECODE_JS

from bpcore.tools.livepage import READOUT, STATUS, first_panel_cell, press_first_slider, run_to_first_panel

pytestmark = pytest.mark.browser

REPO = Path(__file__).resolve().parents[2]
SCREENSHOTS = REPO / "_build" / "screenshots"
CHAPTERS = ["03_chain_rule", "08_mse_vs_cross_entropy", "11_vanishing_gradients"]
READ_FIGURE = """() => {
  const gd = document.querySelector('.bpcore-panel .js-plotly-plot');
  const decode = """ + DECODE_JS + """;
  return gd.data.map(t => ({x: decode(t.x), y: decode(t.y), z: decode(t.z)}));
}"""


def cpython_panel(name: str, upto: int):
    """Run the chapter's code cells up to its first panel here (CPython, JupyterLab mode); return the panel."""
    nb = json.loads((REPO / "book" / f"{name}.ipynb").read_text())
    namespace: dict = {}
    code_cells = [c for c in nb["cells"][:upto + 1] if c["cell_type"] == "code"]
    for cell in code_cells[:-1]:
        exec(compile("".join(cell["source"]), name, "exec"), namespace)
    *body, last = "".join(code_cells[-1]["source"]).rstrip().splitlines()
    exec(compile("\n".join(body), name, "exec"), namespace)
    return eval(last, namespace)


def assert_same_numbers(shown: list, want: np.ndarray, what: str) -> None:
    """Pyodide's numpy 2.0.2 and this numpy differ in the last bits of exp/tanh.  The first 10 points of a
    series (e.g. the first epochs of a loss curve) must agree to 1e-6; later points of a long, unstable training
    run may drift apart by rounding amplified over the epochs (seen: 0.4% after 35 epochs at lr=1), so they get
    1% (and an accuracy two points of 200, 0.01, seen at epoch 41).  A wrong formula or a wrong slider value
    changes the very first points."""
    got = np.array(shown, dtype=float)
    assert got.shape == want.shape, f"{what}: shape {got.shape}, expected {want.shape}"
    if want.size == 0:
        return
    flat_got, flat_want = got.reshape(len(got), -1), want.reshape(len(want), -1)
    np.testing.assert_allclose(flat_got[:10], flat_want[:10], rtol=1e-6, atol=1e-9, err_msg=what)
    np.testing.assert_allclose(flat_got, flat_want, rtol=1e-2, atol=0.02, err_msg=what)


@pytest.fixture(scope="module")
def chapter_page(book_url):
    return lambda name: f"{book_url}/book/{name}.html"


def test_a_chapter_page_loads_no_lite_asset_until_asked(chapter_page, offline_page):
    page = offline_page.page
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    page.goto(chapter_page("08_mse_vs_cross_entropy"), wait_until="load")
    page.wait_for_timeout(3000)   # scripts run, figures drawn, lazy loads (MathJax parts) done
    assert not [u for u in requests if "/lite/" in u or "pyodide" in u.lower() or "jupyterlite" in u.lower()]
    header = page.locator("a.btn-live-launch-button")
    assert header.count() == 1 and "Run live in your browser" in header.inner_text()
    assert page.locator(".bp-live-launch a").count() >= 1   # beside the static twins
    assert header.get_attribute("href") == "../lite/lab/index.html?path=08_mse_vs_cross_entropy.ipynb"
    offline_page.assert_clean()


@pytest.mark.parametrize("name", CHAPTERS)
def test_chapter_runs_live_in_the_browser(name, chapter_page, offline_page):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page = offline_page.page
    cell = first_panel_cell(REPO / "book" / f"{name}.ipynb")
    page.goto(chapter_page(name))
    start = time.perf_counter()
    with page.context.expect_page() as opened:
        page.locator(".bp-live-launch a").first.click()
    lite_page = opened.value
    lite_page.on("console", lambda m: m.type == "error" and offline_page.console_errors.append(m.text))
    lite_page.on("pageerror", lambda e: offline_page.page_errors.append(str(e)))
    try:
        run_to_first_panel(lite_page, cell)
        print(f"{name}: first live panel drawn {time.perf_counter() - start:.1f} s after the launch")
        p = cpython_panel(name, cell)
        p.widget   # builds the CPython twin of the live widget
        lite_page.locator(".bpcore-panel").first.scroll_into_view_if_needed()
        before_status, before = lite_page.evaluate(STATUS), lite_page.evaluate(READOUT)
        press_first_slider(lite_page)
        assert lite_page.evaluate(READOUT) != before and lite_page.evaluate(STATUS) != before_status
        lite_page.wait_for_timeout(500)   # the last restyle of this update
        value = lite_page.evaluate(READOUT)
        control = next(iter(p.controls))
        p.set(**{control: p.controls[control].coerce(float(value))})
        assert lite_page.evaluate(STATUS) == p.status_text, "status line differs from CPython's"
        shown = lite_page.evaluate(READ_FIGURE)
        for i, trace in enumerate(p.figure_widget.data):
            for key in ("x", "y", "z"):
                want = getattr(trace, key, None)
                if want is None or shown[i][key] is None:
                    continue
                try:
                    want_arr = np.array(want, dtype=float)
                except (TypeError, ValueError):
                    continue   # categorical axes
                assert_same_numbers(shown[i][key], want_arr, f"{name}: trace {i} {key} after the key press "
                                                             f"({control}={value})")
        lite_page.screenshot(path=str(SCREENSHOTS / f"live_{name}.png"))
        # the way back to the book's version: the install cell's link leads to this chapter's page
        back = lite_page.locator(".jp-Cell").first.locator(".jp-OutputArea a")
        assert back.inner_text() == "Back to this chapter in the book"
        assert back.get_attribute("href") == chapter_page(name)
    except Exception:
        lite_page.screenshot(path=str(SCREENSHOTS / f"live_{name}_failure.png"))
        raise
    offline_page.assert_clean()
