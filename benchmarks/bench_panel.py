"""Kernel-side latency of the default training panel: control change -> figure update sent.

Measures the whole handler (retrain + decision-boundary grid + FigureWidget updates, which serialise
and send the messages) by setting the learning rate programmatically, as a slider change would.
Also reports the training alone and the update without training, and the static twin's HTML size.

Two scenarios: a sweep over the whole learning-rate range (every few steps an axis range changes and
the browser re-plots the figure), and slider steps back and forth between neighbouring values, as a
reader's key presses make (drawn without re-plotting: see ``bpcore.widgets.LiveFigure``).  For each,
the count of updates the browser draws with and without a full re-plot is printed.

    python benchmarks/bench_panel.py [--repeats 40]

Targets on the 2-core machine: median <= 40 ms, p95 <= 80 ms.  Wall-clock times suffer when other
processes share the CPUs, so the CPU time of this process (``time.process_time``) is reported too,
along with the load average.
"""
from __future__ import annotations

import argparse
import os
import time

import numpy as np

from bpcore.experiments import TrainingSetup
from bpcore.widgets import training_panel, training_update


def percentiles(samples_ms: list[float]) -> str:
    a = np.array(samples_ms)
    return f"median {np.median(a):6.1f} ms · p95 {np.percentile(a, 95):6.1f} ms · max {a.max():6.1f} ms"


def measure(p, values) -> tuple[list[float], list[float], dict[str, int]]:
    """Set the learning rate to each of ``values``; wall and CPU milliseconds per update, redraw counts."""
    wall, cpu = [], []
    before = dict(p.redraws)
    for lr in values:
        t0, c0 = time.perf_counter(), time.process_time()
        p.set(lr=float(lr))
        wall.append((time.perf_counter() - t0) * 1e3)
        cpu.append((time.process_time() - c0) * 1e3)
        assert p.error is None, p.error
    return wall, cpu, {k: p.redraws[k] - before[k] for k in before}


def main(repeats: int = 40) -> dict[str, float]:
    p = training_panel("moons", controls=("lr", "epochs"))
    p.widget  # build the live FigureWidget once (first build loads plotly's front end: seconds)
    sweep, sweep_cpu, sweep_redraws = measure(p, np.geomspace(0.01, 3.0, repeats))
    steps = [0.398 if i % 2 == 0 else 0.316 for i in range(repeats)]  # one key press each way, as in the browser test
    handler, handler_cpu, step_redraws = measure(p, steps)
    training, build = [], []
    for lr in np.geomspace(0.01, 3.0, repeats):
        setup = TrainingSetup(lr=float(lr))
        t0 = time.perf_counter()
        setup.run()
        training.append((time.perf_counter() - t0) * 1e3)
        t0 = time.perf_counter()
        training_update(setup)
        build.append((time.perf_counter() - t0) * 1e3 - training[-1])
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    print(f"slider steps, handler (retrain + compute + FigureWidget update): {percentiles(handler)}")
    print(f"  the same, CPU time of this process:                            {percentiles(handler_cpu)}")
    print(f"  drawn in the browser without / with a full re-plot: {step_redraws['free']} / {step_redraws['full']}")
    print(f"sweep 0.01..3, handler:                                          {percentiles(sweep)}")
    print(f"  drawn in the browser without / with a full re-plot: {sweep_redraws['free']} / {sweep_redraws['full']}")
    print(f"of which training ({TrainingSetup().epochs} epochs):                           {percentiles(training)}")
    print(f"update data without training (approx.):                         {percentiles(build)}")
    t0 = time.perf_counter()
    html = p.static_html()
    print(f"static twin over lr: {len(p.static_figure().frames)} frames, {len(html) / 1e6:.3f} MB HTML, "
          f"built in {time.perf_counter() - t0:.1f} s")
    return {"median_ms": float(np.median(handler)), "p95_ms": float(np.percentile(handler, 95)),
            "median_cpu_ms": float(np.median(handler_cpu)), "sweep_median_ms": float(np.median(sweep)),
            "twin_mb": len(html) / 1e6}


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=40)
    main(parser.parse_args().repeats)
