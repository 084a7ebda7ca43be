"""The live training panel in a real JupyterLab, driven by Chromium through Playwright.

A throw-away notebook (written by the test into a temporary directory, so chapters do not matter)
shows ``training_panel``.  The test moves the learning-rate slider by keyboard and by a mouse drag,
reads the redrawn plotly figure back from the page and compares it with the same training run
recomputed here with bpcore; 30 rapid key presses must end with the figure of the final value.
Switching JupyterLab's theme to dark and back re-colours the live figure (``bpcore.widgets.theme``).
Every request that is not to 127.0.0.1 is blocked and recorded (none may happen): the
``offline_page`` fixture of ``tests/browser/conftest.py`` does it.  The key press ->
redraw latency (median of 10 presses) is printed; screenshots go to ``_build/screenshots/``.
"""
from __future__ import annotations

import json
import re
import shutil
import tempfile
from pathlib import Path

import numpy as np
import pytest
from plotly_data import DECODE_JS

from bpcore import figures as F
from bpcore.tools import labserver
from bpcore.widgets.bundle import LAB_BUNDLE
from bpcore.experiments import TrainingSetup

pytestmark = pytest.mark.browser

REPO = Path(__file__).resolve().parents[2]
SCREENSHOTS = REPO / "_build" / "screenshots"
EPOCHS = 60
PANEL_CODE = f'from bpcore.widgets import training_panel\np = training_panel("moons", controls=("lr",), lr=0.3, epochs={EPOCHS})\np'

# Plotly's figure data as plain JSON: typed arrays and {dtype, bdata, shape} objects become lists.
READ_FIGURE = """() => {
  const gd = document.querySelector('.js-plotly-plot');
  const decode = """ + DECODE_JS + """;
  return {traces: gd.data.map(t => ({x: decode(t.x), y: decode(t.y)})),
          image: gd.layout.images[0].source,
          drawn: [...document.querySelectorAll('.js-plotly-plot image')].map(e => e.getAttribute('href')),
          markers: [...document.querySelectorAll('.js-plotly-plot .scatterlayer .trace')]
                     .map(t => t.querySelectorAll('path.point').length),
          ranges: ['xaxis', 'yaxis', 'xaxis2', 'yaxis2', 'xaxis3', 'yaxis3'].map(a => gd._fullLayout[a].range)};
}"""

STATUS = ".bpcore-status"


def write_notebook(folder: Path) -> Path:
    nb = {"cells": [{"cell_type": "code", "execution_count": None, "metadata": {}, "outputs": [],
                     "source": PANEL_CODE}],
          "metadata": {"kernelspec": {"display_name": "Python 3 (ipykernel)", "language": "python",
                                      "name": "python3"}},
          "nbformat": 4, "nbformat_minor": 5}
    path = folder / "panel.ipynb"
    path.write_text(json.dumps(nb))
    return path


@pytest.fixture(scope="module")
def jupyterlab():
    """A JupyterLab server on 127.0.0.1 serving a temporary notebook; yields ``(base URL, token)``."""
    root = Path(tempfile.mkdtemp(prefix="bp-notebooks-"))
    write_notebook(root)
    try:
        with labserver.jupyterlab(root) as server:
            yield server
    finally:
        shutil.rmtree(root, ignore_errors=True)


def expected_figure(lr: float) -> tuple[dict[int, dict[str, np.ndarray]], dict]:
    """The same run, recomputed here: trace index -> expected x/y (figure layout of training_figure),
    and the expected layout (the decision boundary's picture, the axis ranges)."""
    net, hist, (X_tr, X_val, _, _) = TrainingSetup(data="moons", lr=lr, epochs=EPOCHS).run()
    image = F.decision_boundary_image(net, F.grid_bounds(np.vstack([X_tr, X_val])), 50)
    x_range, y_range = F.image_extent(image)
    epochs = np.arange(1, EPOCHS + 1)
    traces = {0: {"x": X_tr[:, 0], "y": X_tr[:, 1]}, 1: {"x": X_val[:, 0], "y": X_val[:, 1]},
              2: {"x": epochs, "y": hist.train_loss}, 3: {"x": epochs, "y": hist.val_loss},
              5: {"x": epochs, "y": hist.grad_norms[:, 0]}, 6: {"x": epochs, "y": hist.grad_norms[:, 1]}}
    ranges = [x_range, y_range, [1, EPOCHS], F.log_axis_range(hist.train_loss, hist.val_loss),
              [1, EPOCHS], F.log_axis_range(hist.grad_norms)]
    return traces, {"image": image["source"], "ranges": ranges}


def shown_lr(page) -> float:
    text = page.locator(STATUS).last.inner_text()
    match = re.match(r"lr=([0-9.e+-]+) · ", text)
    assert match, f"status line {text!r}"
    return float(match.group(1))


def wait_for_status(page, lr: float, timeout: float = 20_000) -> None:
    """Wait until the status line reports the learning rate ``lr`` (the panel has drawn it)."""
    page.wait_for_function("""([sel, want]) => { const s = document.querySelectorAll(sel);
        const m = s.length && /^lr=([0-9.e+-]+) ·/.exec(s[s.length - 1].innerText);
        return m && parseFloat(m[1]) === want; }""", arg=[STATUS, lr], timeout=timeout)


def readout(page) -> float:
    """The slider's readout (3 significant digits: the value the panel uses)."""
    return float(page.locator(".widget-readout").first.inner_text().strip())


def check_figure(page) -> float:
    """Compare the figure drawn in the page with a recomputation for the learning rate it reports."""
    lr = shown_lr(page)
    shown = page.evaluate(READ_FIGURE)
    traces, layout = expected_figure(lr)
    for i, expected in traces.items():
        for key, values in expected.items():
            assert shown["traces"][i][key] is not None, f"trace {i} lost its {key}"
            np.testing.assert_allclose(np.array(shown["traces"][i][key], dtype=float), values, rtol=1e-6, atol=1e-7,
                                       err_msg=f"trace {i}, {key}, lr={lr}")
    n_train, n_val = len(traces[0]["x"]), len(traces[1]["x"])
    assert shown["markers"][:2] == [n_train, n_val], f"data points drawn per trace: {shown['markers']}"
    assert shown["image"] == layout["image"], f"the decision boundary's picture is not the one of lr={lr}"
    assert shown["drawn"] == [layout["image"]], "the page does not draw (only) that picture"
    shown_ranges, wanted = np.array(shown["ranges"], dtype=float), np.array(layout["ranges"], dtype=float)
    np.testing.assert_allclose(shown_ranges[[0, 1, 2, 4]], wanted[[0, 1, 2, 4]], rtol=1e-6,
                               err_msg=f"linear axis ranges, lr={lr}")
    for (lo, hi), (want_lo, want_hi) in zip(shown_ranges[[3, 5]], wanted[[3, 5]]):  # log axes: sticky
        assert lo <= want_lo and want_hi <= hi and (hi - lo) - (want_hi - want_lo) <= 1, \
            f"log axis range {[lo, hi]} for data in {[want_lo, want_hi]}, lr={lr} (figures.sticky_log_range)"
    return lr


def wait_idle(page) -> None:
    page.wait_for_function("""() => [...document.querySelectorAll('.jp-StatusBar-TextItem')]
        .some(e => /Python 3 \\(ipykernel\\) \\| Idle/.test(e.textContent))""", timeout=60_000)


def test_training_panel_in_jupyterlab(jupyterlab, offline_page):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    try:
        drive_the_panel(*jupyterlab, offline_page)
    except Exception:
        offline_page.page.screenshot(path=str(SCREENSHOTS / "jupyterlab_panel_failure.png"))
        raise
    offline_page.assert_clean()  # no request outside 127.0.0.1, no console or page error, no failed request


def drive_the_panel(base: str, token: str, offline_page) -> None:
    page = offline_page.page
    # plotly's 5 MB front end: fetched once from the server as a file (bpcore.widgets.bundle), never sent
    # through the kernel's websocket with the figure
    bundle_fetches: list[str] = []
    big_frames: list[int] = []
    page.on("request", lambda request: bundle_fetches.append(request.url)
            if request.url.split("?")[0] == f"{base}/{LAB_BUNDLE}" else None)
    page.on("websocket", lambda ws: ws.on("framereceived", lambda payload: big_frames.append(len(payload))
                                          if len(payload) > 1_000_000 else None))
    page.goto(f"{base}/lab/tree/panel.ipynb?reset&token={token}")
    wait_idle(page)
    page.get_by_text("Run", exact=True).first.click()
    page.locator("li[data-command='runmenu:run-all']").click()
    page.wait_for_selector(".js-plotly-plot .main-svg", timeout=60_000)
    wait_for_status(page, 0.3, timeout=90_000)
    wait_for_theme(page, "light")   # the panel's ThemeProbe reported JupyterLab's theme and was applied
    wait_idle(page)
    assert check_figure(page) == 0.3
    assert bundle_fetches == [f"{base}/{LAB_BUNDLE}"], f"plotly's widget bundle fetched: {bundle_fetches}"
    assert not big_frames, f"websocket messages of {big_frames} bytes: the figure carried plotly's bundle"
    # the readout trims trailing zeros (widgets.controls.READOUT_FORMAT), as the status line does
    assert page.locator(".widget-readout").first.inner_text().strip() == "0.3"
    page.locator(".bpcore-panel").first.scroll_into_view_if_needed()
    page.screenshot(path=str(SCREENSHOTS / "jupyterlab_panel_before.png"))

    # keyboard: one step per press; latency = key down -> the animation frame that paints the last
    # change the update made to the plot's DOM (new curves, new picture).  A slider step is drawn by
    # Plotly.animate (plotly_animated) or, when an axis range changes, by a full re-plot
    # (plotly_afterplot): those events count the redraws per update.
    page.evaluate("""() => { const gd = document.querySelector('.js-plotly-plot');
        window.__bp = {painted: [], redraws: [], keys: []};
        new MutationObserver(() => requestAnimationFrame(() => window.__bp.painted.push(performance.now())))
            .observe(gd, {attributes: true, childList: true, subtree: true});
        const redrawn = () => window.__bp.redraws.push(performance.now());
        gd.on('plotly_afterplot', redrawn);
        gd.on('plotly_animated', redrawn);
        document.addEventListener('keydown', () => window.__bp.keys.push(performance.now()), true); }""")
    handle = page.locator(".noUi-handle").first
    latencies, redraws = [], []
    for i in range(10):
        key = "ArrowRight" if i % 2 == 0 else "ArrowLeft"
        before = readout(page)
        handle.focus()
        page.keyboard.press(key)
        page.wait_for_function("(old) => parseFloat(document.querySelector('.widget-readout').innerText) !== old",
                               arg=before)
        wait_for_status(page, readout(page))
        page.wait_for_timeout(150)  # let the last restyle of this update draw
        t = page.evaluate("() => { const b = window.__bp; const k = b.keys[b.keys.length - 1];"
                          " const r = b.painted.filter(x => x > k); return r.length ? r[r.length - 1] - k : null; }")
        redraws.append(page.evaluate("() => { const b = window.__bp; const k = b.keys[b.keys.length - 1];"
                                     " return b.redraws.filter(x => x > k).length; }"))
        assert t is not None, "the plot was not redrawn after a key press"
        latencies.append(t)
    check_figure(page)
    print(f"\nkey press -> redraw: median {np.median(latencies):.0f} ms, "
          f"all {[round(x) for x in latencies]}; redraws per update {redraws}")

    # mouse drag: move the handle to the right
    handle.scroll_into_view_if_needed()
    box = handle.bounding_box()
    before = readout(page)
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.mouse.down()
    for dx in range(10, 130, 10):
        page.mouse.move(box["x"] + box["width"] / 2 + dx, box["y"] + box["height"] / 2)
    page.mouse.up()
    page.wait_for_function("(old) => parseFloat(document.querySelector('.widget-readout').innerText) !== old",
                           arg=before)
    wait_for_status(page, readout(page))
    wait_idle(page)
    dragged = check_figure(page)
    assert dragged > 0.3

    # 30 rapid key presses (20 down, 10 up): the figure must end on the final value
    handle.focus()
    start = readout(page)
    for key in ["ArrowLeft"] * 20 + ["ArrowRight"] * 10:
        page.keyboard.press(key, delay=0)
    final = readout(page)
    assert final < start / 5
    wait_for_status(page, final, timeout=60_000)
    wait_idle(page)
    page.wait_for_timeout(300)
    assert shown_lr(page) == final
    check_figure(page)
    page.screenshot(path=str(SCREENSHOTS / "jupyterlab_panel_after.png"))

    # JupyterLab's theme switch: the live figure takes the dark colours without a reload, and back
    switch_theme(page, "JupyterLab Dark")
    wait_for_theme(page, "dark")
    page.locator(".bpcore-panel").first.scroll_into_view_if_needed()
    page.screenshot(path=str(SCREENSHOTS / "jupyterlab_panel_dark.png"))
    check_figure(page)
    switch_theme(page, "JupyterLab Light")
    wait_for_theme(page, "light")


def switch_theme(page, name: str) -> None:
    """Settings > Theme > ``name`` from JupyterLab's menu bar (a submenu item has no ARIA role there)."""
    def item(label: str):
        return page.locator(".lm-Menu-item").filter(
            has=page.locator(".lm-Menu-itemLabel", has_text=re.compile(f"^{re.escape(label)}$")))
    page.get_by_role("menuitem", name="Settings", exact=True).click()
    item("Theme").hover()
    item(name).click()


def wait_for_theme(page, mode: str) -> None:
    """Wait until the live figure carries ``THEMES[mode]``: its font and its axes' grid colour."""
    theme = F.THEMES[mode]
    page.wait_for_function("""([mode, font, grid]) => { const gd = document.querySelector('.js-plotly-plot');
        return gd && gd.layout.meta && gd.layout.meta.theme === mode && gd.layout.font.color === font
               && gd.layout.xaxis.gridcolor === grid && gd._fullLayout.xaxis3.gridcolor === grid; }""",
                           arg=[mode, theme["font"], theme["grid"]], timeout=20_000)
