"""Kernel-side latency of the default training panel: control change -> figure update sent.

Measures the whole handler (retrain + decision-boundary grid + FigureWidget updates, which serialise
and send the messages) by setting the learning rate programmatically, as a slider change would.
Also reports the training alone and the update without training, and the static twin's HTML size.

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

from bpcore.widgets import TrainingSetup, training_panel, training_update


def percentiles(samples_ms: list[float]) -> str:
    a = np.array(samples_ms)
    return f"median {np.median(a):6.1f} ms · p95 {np.percentile(a, 95):6.1f} ms · max {a.max():6.1f} ms"


def main(repeats: int = 40) -> dict[str, float]:
    p = training_panel("moons", controls=("lr", "epochs"))
    p.widget  # build the live FigureWidget once (first build loads plotly's front end: seconds)
    values = np.geomspace(0.01, 3.0, repeats)
    handler, handler_cpu, training, build = [], [], [], []
    for lr in values:
        t0, c0 = time.perf_counter(), time.process_time()
        p.set(lr=float(lr))
        handler.append((time.perf_counter() - t0) * 1e3)
        handler_cpu.append((time.process_time() - c0) * 1e3)
        assert p.error is None, p.error
        setup = TrainingSetup(lr=float(lr))
        t0 = time.perf_counter()
        setup.run()
        training.append((time.perf_counter() - t0) * 1e3)
        t0 = time.perf_counter()
        training_update(setup)
        build.append((time.perf_counter() - t0) * 1e3 - training[-1])
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    print(f"handler (retrain + compute + FigureWidget update): {percentiles(handler)}")
    print(f"  the same, CPU time of this process:             {percentiles(handler_cpu)}")
    print(f"  of which training ({TrainingSetup().epochs} epochs):      {percentiles(training)}")
    print(f"  update data without training (approx.):         {percentiles(build)}")
    t0 = time.perf_counter()
    html = p.static_html()
    print(f"static twin over lr: {len(p.static_figure().frames)} frames, {len(html) / 1e6:.3f} MB HTML, "
          f"built in {time.perf_counter() - t0:.1f} s")
    return {"median_ms": float(np.median(handler)), "p95_ms": float(np.percentile(handler, 95)),
            "median_cpu_ms": float(np.median(handler_cpu)),
            "twin_mb": len(html) / 1e6}


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=40)
    main(parser.parse_args().repeats)
