"""What a reader waits for in JupyterLab: key press on each chapter's first live panel -> plot redrawn.

For every chapter notebook (a copy up to its first panel, so the book's files are not touched and the
cells a reader has not reached yet do not run) this opens JupyterLab in Debian's Chromium, runs all
cells, focuses the first control of the chapter's first panel (a slider handle, or a drop-down list)
and steps it ``--presses`` times, alternating direction (arrow keys on a slider; the neighbouring
option of a list).
The latency of one press is the time from the key-down event to the animation frame that paints the
last change of that update to the panel's plot (the same measure as ``tests/browser/test_jupyterlab.py``).
Prints one line per chapter: median and maximum, and how many presses were drawn by a full re-plot
(``plotly_afterplot``) rather than without one (``plotly_animated``).

    python benchmarks/bench_browser_panels.py [--presses 6] [--only 04 09]

The target in the book's issue tracker: median <= 150 ms for the training panel's key press (the
browser test measures that panel).  This benchmark reports every chapter against the same figure.
"""
from __future__ import annotations

import argparse
import os
import shutil
import tempfile
import time
from pathlib import Path

import numpy as np

from bpcore.tools import labserver
from bpcore.tools.chromium import launch

BOOK = Path(__file__).resolve().parents[1] / "book"

# Watch the first panel's plot: paints after DOM changes, redraw events, key presses.
WATCH = """() => {
  const panel = document.querySelector('.bpcore-panel');
  const gd = panel.querySelector('.js-plotly-plot');
  window.__bp = {painted: [], full: [], free: [], keys: []};
  new MutationObserver(() => requestAnimationFrame(() => window.__bp.painted.push(performance.now())))
      .observe(gd, {attributes: true, childList: true, subtree: true});
  gd.on('plotly_afterplot', () => window.__bp.full.push(performance.now()));
  gd.on('plotly_animated', () => window.__bp.free.push(performance.now()));
  document.addEventListener('keydown', () => window.__bp.keys.push(performance.now()), true);
}"""
LAST_PRESS = """() => { const b = window.__bp; const k = b.keys[b.keys.length - 1];
  const p = b.painted.filter(x => x > k);
  return {latency: p.length ? p[p.length - 1] - k : null, full: b.full.filter(x => x > k).length,
          free: b.free.filter(x => x > k).length}; }"""
STATUS = "() => { const s = document.querySelector('.bpcore-panel .bpcore-status'); return s ? s.innerText : ''; }"


def wait_idle(page, timeout: float = 300_000) -> None:
    page.wait_for_function("""() => [...document.querySelectorAll('.jp-StatusBar-TextItem')]
        .some(e => /Python 3 \\(ipykernel\\) \\| Idle/.test(e.textContent))""", timeout=timeout)


def first_control(page):
    """The first panel's first control (a slider handle or a drop-down list) and whether it is a list."""
    panel = page.locator(".bpcore-panel").first
    control = panel.locator(".widget-slider .noUi-handle, .widget-dropdown select").first
    return control, control.evaluate("e => e.tagName === 'SELECT'")


def step(page, control, is_select: bool, i: int) -> None:
    """Move the control one step (right/next on even ``i``, back on odd): an arrow key on a slider; on a
    drop-down list, picking the neighbouring option (the moment of picking counts as the key press)."""
    if not is_select:
        control.focus()
        page.keyboard.press("ArrowRight" if i % 2 == 0 else "ArrowLeft")
        return
    index = control.evaluate("e => e.selectedIndex") + (1 if i % 2 == 0 else -1)
    page.evaluate("() => window.__bp.keys.push(performance.now())")
    control.select_option(index=index)


def measure_chapter(page, base: str, token: str, name: str, presses: int) -> dict:
    page.goto(f"{base}/lab/tree/{name}?reset&token={token}")
    wait_idle(page, 60_000)
    page.get_by_text("Run", exact=True).first.click()
    page.locator("li[data-command='runmenu:run-all']").click()
    page.wait_for_selector(".bpcore-panel .js-plotly-plot .main-svg", timeout=300_000)
    wait_idle(page)
    page.wait_for_timeout(500)
    page.locator(".bpcore-panel").first.scroll_into_view_if_needed()
    page.evaluate(WATCH)
    control, is_select = first_control(page)
    latencies, full, free = [], 0, 0
    for i in range(presses):
        before = page.evaluate(STATUS)
        step(page, control, is_select, i)
        try:   # the status line changes when the kernel has sent the update
            page.wait_for_function(f"(old) => ({STATUS})() !== old", arg=before, timeout=20_000)
        except Exception:
            continue  # a step at the end of a range changes nothing: not counted
        page.wait_for_timeout(250)  # let the last change of this update paint
        result = page.evaluate(LAST_PRESS)
        if result["latency"] is not None:
            latencies.append(result["latency"])
            full += result["full"] > 0
            free += result["full"] == 0 and result["free"] > 0
    return {"latencies": latencies, "full": full, "free": free}


WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"


def write_up_to_first_panel(source: Path, target: Path) -> None:
    """Copy a chapter up to and including the cell that shows its first panel (as the stored outputs say:
    a widget whose text form is the panel's ``VBox``, not a progress bar): the cells below it are what a
    reader has not reached yet, and running them would only lengthen the benchmark."""
    import nbformat
    nb = nbformat.read(source, as_version=4)
    for i, cell in enumerate(nb.cells):
        if cell.cell_type == "code" and any(WIDGET_VIEW in out.get("data", {}) and
                                            str(out["data"].get("text/plain", "")).startswith("VBox(")
                                            for out in cell.get("outputs", [])):
            nb.cells = nb.cells[:i + 1]
            break
    nbformat.write(nb, target)


def main(presses: int = 6, only: list[str] | None = None) -> dict[str, float]:
    from playwright.sync_api import sync_playwright
    notebooks = [nb for nb in sorted(BOOK.glob("[0-9][0-9]_*.ipynb")) if not only or nb.name[:2] in only]
    root = Path(tempfile.mkdtemp(prefix="bp-bench-book-"))
    for nb in notebooks:
        write_up_to_first_panel(nb, root / nb.name)
    results: dict[str, float] = {}
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores; {presses} key presses per panel")
    print(f"{'chapter':28s} {'median':>8s} {'max':>8s}  presses  drawn free/full  (notebook run)")
    try:
        with labserver.jupyterlab(root) as (base, token), sync_playwright() as pw:
            browser = launch(pw)
            page = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
            for nb in notebooks:
                start = time.perf_counter()
                try:
                    r = measure_chapter(page, base, token, nb.name, presses)
                except Exception as exc:  # one chapter's trouble is reported, the others still run
                    print(f"{nb.stem:28s} not measured: {type(exc).__name__}: {str(exc).splitlines()[0][:100]}")
                    continue
                finally:
                    labserver.shutdown_kernels(base, token)
                took = time.perf_counter() - start
                lat = r["latencies"]
                if not lat:
                    print(f"{nb.stem:28s} no press redrew the plot")
                    continue
                results[nb.stem] = float(np.median(lat))
                print(f"{nb.stem:28s} {np.median(lat):6.0f}ms {max(lat):6.0f}ms  {len(lat):7d}  "
                      f"{r['free']:9d}/{r['full']:<4d}    ({took:.0f} s)")
            browser.close()
    finally:
        shutil.rmtree(root, ignore_errors=True)
    if results:
        worst = max(results, key=results.get)
        print(f"worst median: {results[worst]:.0f} ms ({worst}); medians <= 150 ms: "
              f"{sum(v <= 150 for v in results.values())} of {len(results)} chapters")
    return results


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--presses", type=int, default=6)
    parser.add_argument("--only", nargs="*", help="chapter numbers, e.g. 04 09")
    args = parser.parse_args()
    measured = main(args.presses, args.only)
    raise SystemExit(0 if measured else 1)
