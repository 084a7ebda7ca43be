"""The live book (JupyterLite in ``_build/html/lite``): what a reader of the HTML book waits for.

Serves the built book on 127.0.0.1 (bpcore.tools.staticserver) and, in Debian's Chromium with every other
host blocked, for each chapter: launches its notebook in JupyterLite, runs it up to its first live panel and
times launch -> panel drawn, cold (empty browser cache) and warm (the same browser context again), then presses
the first slider ``--presses`` times (alternating direction) and times key press -> status line redrawn.
Also prints the size of the lite site and of a chapter page's own downloads, and the floor under every launch:
Pyodide alone (the site's own copy, started in a plain book page: core, then numpy, then IPython, which the
kernel imports) and an empty notebook in the lite app (kernel idle, then ``1 + 1`` printed).

    python benchmarks/bench_lite.py [--presses 6] [--only 03 08 11]

Targets (issue 12): cold <= 20 s, warm <= 8 s, key press -> redraw median <= 300 ms, lite site <= 60 MB.
"""
from __future__ import annotations

import argparse
import os
import time
from pathlib import Path

import numpy as np

from bpcore.tools.chromium import launch
from bpcore.tools.livepage import IDLE, first_panel_cell, press_first_slider, run_to_first_panel
from bpcore.tools.staticserver import serve_directory

REPO = Path(__file__).resolve().parents[1]
COLD_S, WARM_S, PRESS_MS, SIZE_MB = 20.0, 8.0, 300.0, 60.0   # issue 12's targets
HTML = REPO / "_build" / "html"


def folder_mb(path: Path) -> float:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file()) / 1e6


def open_chapter(context, url: str, name: str, cell: int) -> tuple[object, float, float]:
    """Open the chapter live; return the page, the seconds to the kernel's first "Idle" (the app, Pyodide and the
    packages the kernel loads as it starts) and the seconds to the first panel drawn."""
    page = context.new_page()
    start = time.perf_counter()
    page.goto(f"{url}/lite/lab/index.html?path={name}.ipynb")
    page.wait_for_function(IDLE, timeout=300_000)
    kernel = time.perf_counter() - start
    run_to_first_panel(page, cell, timeout=300_000)
    return page, kernel, time.perf_counter() - start


def key_presses(page, presses: int) -> list[float]:
    times = []
    for i in range(presses):
        start = time.perf_counter()
        try:
            press_first_slider(page, "ArrowRight" if i % 2 == 0 else "ArrowLeft", timeout=20_000)
        except Exception:
            continue   # a step at the end of the range changes nothing
        page.wait_for_function("() => new Promise(r => requestAnimationFrame(() => r(true)))")  # painted
        times.append((time.perf_counter() - start) * 1000)
    return times


def page_weight(context, url: str, name: str) -> tuple[float, int]:
    """A chapter page's downloaded bytes (MB) and how many of its requests went to the lite site."""
    page = context.new_page()
    sizes: list[int] = []
    lite: list[str] = []
    page.on("response", lambda r: sizes.append(len(r.body())) if r.ok else None)
    page.on("request", lambda r: "/lite/" in r.url and lite.append(r.url))
    page.goto(f"{url}/book/{name}.html", wait_until="load")
    page.wait_for_timeout(3000)
    page.close()
    return sum(sizes) / 1e6, len(lite)


PYODIDE_ALONE = """async (index) => {
    const t0 = performance.now(), marks = {};
    await new Promise((ok, fail) => { const s = document.createElement('script');
        s.src = index + 'pyodide.js'; s.onload = ok; s.onerror = fail; document.head.appendChild(s); });
    const py = await loadPyodide({indexURL: index});
    marks.core = performance.now() - t0;
    await py.loadPackage(['numpy']); py.runPython('import numpy');
    marks.numpy = performance.now() - t0;
    await py.loadPackage(['ipython']); py.runPython('import IPython');
    marks.ipython = performance.now() - t0;
    return marks; }"""


def pyodide_alone(context, url: str) -> dict[str, float]:
    """Seconds until the site's Pyodide is up, has imported numpy, and has imported IPython, started in a plain
    page of the book (no JupyterLite): what any launch pays before the app and the chapter."""
    page = context.new_page()
    page.goto(f"{url}/book/index.html", wait_until="load")
    marks = page.evaluate(PYODIDE_ALONE, f"{url}/lite/static/pyodide/")
    page.close()
    return {k: v / 1000 for k, v in marks.items()}


def empty_notebook(context, url: str) -> tuple[float, float]:
    """The lite app with a new, empty notebook: seconds to the kernel's first "Idle", and to ``1 + 1`` printed."""
    page = context.new_page()
    start = time.perf_counter()
    page.goto(f"{url}/lite/lab/index.html")
    page.wait_for_function("() => window.jupyterapp && window.jupyterapp.commands.hasCommand('notebook:create-new')",
                           timeout=120_000)
    page.evaluate("() => window.jupyterapp.commands.execute('notebook:create-new', {kernelName: 'python'})")
    page.wait_for_function(IDLE, timeout=300_000)
    idle = time.perf_counter() - start
    page.evaluate("""() => { window.jupyterapp.shell.currentWidget.content.activeCell.model.sharedModel.setSource('1 + 1');
        return window.jupyterapp.commands.execute('notebook:run-cell'); }""")
    page.wait_for_function("() => [...document.querySelectorAll('.jp-OutputArea-output')].some(e => e.innerText.trim() === '2')",
                           timeout=120_000)
    done = time.perf_counter() - start
    page.close()
    return idle, done


def offline_context(browser):
    """A fresh browser context (empty cache) that may only talk to 127.0.0.1."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.route("**/*", lambda r: r.continue_() if "127.0.0.1" in r.request.url else r.abort())
    return context


def floor(browser, url: str) -> None:
    """Print the launch's floor (cold, then warm in the same browser context): see the module docstring."""
    context = offline_context(browser)
    try:
        for run in ("cold", "warm"):
            alone = pyodide_alone(context, url)
            print(f"floor, {run}: Pyodide alone {alone['core']:.1f} s, with numpy {alone['numpy']:.1f} s, "
                  f"with IPython {alone['ipython']:.1f} s", flush=True)
        for run in ("cold", "warm"):
            idle, done = empty_notebook(context, url)
            print(f"floor, {run}: an empty notebook in the lite app: kernel idle {idle:.1f} s, 1 + 1 printed {done:.1f} s",
                  flush=True)
    finally:
        context.close()


def main(presses: int = 6, only: list[str] | None = None) -> None:
    from playwright.sync_api import sync_playwright
    chapters = [p.stem for p in sorted((REPO / "book").glob("[0-9][0-9]_*.ipynb")) if not only or p.name[:2] in only]
    lite = HTML / "lite"
    maps = list(lite.rglob("*.map"))
    size = folder_mb(lite)
    print(f"lite site {size:.1f} MB ({len(maps)} source maps); load average {os.getloadavg()[0]:.1f} "
          f"on {os.cpu_count()} cores")
    rows: list[tuple[float, float, float]] = []
    with serve_directory(HTML) as url, sync_playwright() as pw:
        browser = launch(pw)
        weight, lite_requests = page_weight(browser.new_context(), url, chapters[0])
        print(f"chapter page {chapters[0]}: {weight:.2f} MB downloaded, {lite_requests} requests to the lite site")
        floor(browser, url)
        print(f"{'chapter':28s} {'cold':>7s} {'warm':>7s} {'median':>8s} {'max':>8s}  presses  "
              f"(kernel ready cold/warm: the rest is running the chapter's cells)")
        for name in chapters:
            try:
                cell = first_panel_cell(REPO / "book" / f"{name}.ipynb")
            except ValueError:
                print(f"{name:28s} no live panel")
                continue
            context = offline_context(browser)
            try:
                page, kernel_cold, cold = open_chapter(context, url, name, cell)
                page.close()
                page, kernel_warm, warm = open_chapter(context, url, name, cell)
                lat = key_presses(page, presses)
            except Exception as exc:
                print(f"{name:28s} not measured: {type(exc).__name__}: {str(exc).splitlines()[0][:100]}")
                continue
            finally:
                context.close()
            med = f"{np.median(lat):6.0f}ms {max(lat):6.0f}ms" if lat else "   no press redrew"
            print(f"{name:28s} {cold:6.1f}s {warm:6.1f}s {med}  {len(lat):7d}  "
                  f"({kernel_cold:.1f} s / {kernel_warm:.1f} s)", flush=True)
            rows.append((cold, warm, float(np.median(lat)) if lat else float("inf")))
    met = [sum(r[k] <= limit for r in rows) for k, limit in enumerate((COLD_S, WARM_S, PRESS_MS))]
    print(f"targets, of {len(rows)} chapters: cold <= {COLD_S:g} s: {met[0]}, warm <= {WARM_S:g} s: {met[1]}, "
          f"key press median <= {PRESS_MS:g} ms: {met[2]}; lite site <= {SIZE_MB:g} MB: "
          f"{'met' if size <= SIZE_MB and not maps else 'NOT met'}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--presses", type=int, default=6)
    parser.add_argument("--only", nargs="*", help="chapter numbers, e.g. 03 08")
    args = parser.parse_args()
    main(args.presses, args.only)
