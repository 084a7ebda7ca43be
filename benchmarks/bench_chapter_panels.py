"""Kernel-side latency of each chapter's first live panel: control change -> figure update sent.

For every chapter notebook in ``book/``, runs its code cells in an IPython shell (live mode, no
browser) until a cell has created a :class:`bpcore.widgets.Panel`, then moves that panel's first
control one step at a time to values it has not shown yet (a reader's key presses; a panel's cache
cannot help), and times the whole handler
(update function + messages to the figure).  Prints one line per chapter and how each update would be
drawn in the browser (without / with a full re-plot, see ``bpcore.widgets.LiveFigure``).

    python benchmarks/bench_chapter_panels.py [--repeats 20] [--only 04 09]

Targets on the 2-core machine: median <= 40 ms, p95 <= 80 ms per panel.
"""
from __future__ import annotations

import argparse
import os
import time
from pathlib import Path

import nbformat
import numpy as np

BOOK = Path(__file__).resolve().parents[1] / "book"


def first_panel(notebook: Path):
    """Run ``notebook``'s code cells until one creates a Panel; return ``(panel, cells run, seconds)``."""
    from IPython.core.interactiveshell import InteractiveShell
    from IPython.utils.capture import capture_output

    from bpcore import widgets

    made: list = []
    original = widgets.Panel.__init__

    def recording_init(self, *args, **kwargs):
        original(self, *args, **kwargs)
        made.append(self)

    widgets.Panel.__init__ = recording_init
    shell = InteractiveShell.instance()
    shell.reset(new_session=False)
    cwd = os.getcwd()
    os.chdir(notebook.parent)
    start = time.perf_counter()
    try:
        cells = [c for c in nbformat.read(notebook, as_version=4).cells if c.cell_type == "code"]
        for n, cell in enumerate(cells, 1):
            with capture_output():  # the chapter's own printing is not this benchmark's output
                result = shell.run_cell(cell.source, silent=True)
            if not result.success and not made:
                error = result.error_in_exec or result.error_before_exec
                raise RuntimeError(f"{notebook.name}: cell {n} failed: {error}")
            if made:
                return made[0], n, time.perf_counter() - start
        return None, len(cells), time.perf_counter() - start
    finally:
        widgets.Panel.__init__ = original
        os.chdir(cwd)


def one_step(control, value, direction: int):
    """The value one key press away from ``value`` (``direction`` +1 or -1), or None past the range's end."""
    from bpcore import widgets as W
    if isinstance(control, W.LogSlider):
        new = float(f"{value * 10 ** (direction / control.steps_per_decade):.3g}")
        return new if control.min <= new <= control.max else None
    if isinstance(control, (W.Slider, W.IntSlider)):
        new = round(value + direction * control.step, 10)
        return new if control.min <= new <= control.max else None
    if isinstance(control, W.Dropdown):
        options = list(control.options)
        k = options.index(value) + direction
        return options[k] if 0 <= k < len(options) else None
    if isinstance(control, W.Checkbox):
        return (not value) if (direction > 0) == (not value) else None
    raise TypeError(f"unknown control {type(control).__name__}")


def key_press_values(control, start, n: int) -> list:
    """Up to ``n`` values a reader reaches by key presses from ``start``: up to the range's end, then down
    from ``start``.  Every value is new, so a panel that caches results cannot skip the work."""
    values, seen = [], {start}
    for direction in (+1, -1):
        value = start
        while len(values) < n:
            value = one_step(control, value, direction)
            if value is None:
                break
            if value not in seen:
                values.append(value)
                seen.add(value)
    return values


def measure(panel, repeats: int) -> tuple[list[float], dict[str, int], str]:
    panel.widget  # builds the live figure and draws the first values
    name, control = next(iter(panel.controls.items()))
    widget = panel._inputs[name]
    before = dict(panel.redraws)
    times = []
    for target in key_press_values(control, control.coerce(widget.value), repeats):
        t0 = time.perf_counter()
        widget.value = target  # what the front end does on a key press
        times.append((time.perf_counter() - t0) * 1e3)
        if panel.error:
            raise RuntimeError(f"panel error after {name}={target!r}: {panel.error}")
    return times, {k: panel.redraws[k] - before[k] for k in before}, name


def main(repeats: int = 20, only: list[str] | None = None) -> dict[str, float]:
    os.environ.pop("BPCORE_BOOK", None)
    results = {}
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores; {repeats} steps per panel")
    print(f"{'chapter':28s} {'control':14s} {'median':>8s} {'p95':>8s}  steps  redraws free/full  (setup)")
    for notebook in sorted(BOOK.glob("[0-9][0-9]_*.ipynb")):
        if only and notebook.name[:2] not in only:
            continue
        panel, cells, setup_s = first_panel(notebook)
        if panel is None:
            print(f"{notebook.stem:28s} no panel")
            continue
        times, redraws, name = measure(panel, repeats)
        median, p95 = float(np.median(times)), float(np.percentile(times, 95))
        results[notebook.stem] = median
        print(f"{notebook.stem:28s} {name:14s} {median:6.1f}ms {p95:6.1f}ms  {len(times):5d}  "
              f"{redraws['free']:4d}/{redraws['full']:<4d}           ({cells} cells, {setup_s:.0f} s)")
    if results:
        worst = max(results, key=results.get)
        print(f"worst median: {results[worst]:.1f} ms ({worst}); all chapters' medians <= 40 ms: "
              f"{all(v <= 40 for v in results.values())}")
    return results


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=20)
    parser.add_argument("--only", nargs="*", help="chapter numbers, e.g. 04 09")
    args = parser.parse_args()
    main(args.repeats, args.only)
