"""Speed of bpcore.train against a minimal hand-written NumPy loop and against PyTorch (issue #14).

Setup: 200 points (moons), a 2-16-1 network with tanh hidden units and a sigmoid output, binary
cross-entropy, 300 full-batch epochs of plain gradient descent, float64. All three start from the same
weights and do the same arithmetic (their final losses are printed to show it). Targets:

* ``bpcore.train`` with its default settings (the call the chapters make) <= 1.3x the hand loop, which
  uses ``np.tanh``;
* ``bpcore.train`` <= 0.33x PyTorch on the CPU (float64, one thread: ``nn.Linear`` layers, ``optim.SGD``).

The runs are interleaved in one process (their order rotating from round to round) and each figure is
the median of ``--repeats`` runs. The ratios
use CPU time (``time.process_time``; every contender runs on one thread), which other processes on a
busy machine disturb far less than wall-clock time; the wall-clock ratios are printed too. A third
line gives the ratio against the hand loop using bpcore's own tanh (``expm1``-based, faster than
``np.tanh`` on this NumPy build): what bpcore's bookkeeping costs on top of the same arithmetic.
PyTorch is optional (``pip install -r benchmarks/requirements.txt``); without it that ratio is skipped.

    python benchmarks/bench_train.py [--repeats 15]
"""
from __future__ import annotations

import argparse
import os
import statistics
import time

import numpy as np

import bpcore

EPOCHS, LR = 300, 0.5
TARGET_HAND, TARGET_TORCH = 1.3, 0.33


def hand_written(X: np.ndarray, Y: np.ndarray, W1, b1, W2, b2, tanh=np.tanh) -> float:
    """The shortest honest loop: forward, stable BCE value, backward, update."""
    n = len(X)
    loss = float("nan")
    for _ in range(EPOCHS):
        A1 = tanh(X @ W1 + b1)
        Z2 = A1 @ W2 + b2
        e = np.exp(-np.abs(Z2))
        A2 = np.where(Z2 >= 0, 1 / (1 + e), e / (1 + e))
        loss = np.sum(np.maximum(Z2, 0) - Y * Z2 + np.log1p(e)) / n
        D2 = (A2 - Y) / n
        D1 = (D2 @ W2.T) * (1 - A1 * A1)
        W2 -= LR * (A1.T @ D2)
        b2 -= LR * D2.sum(axis=0)
        W1 -= LR * (X.T @ D1)
        b1 -= LR * D1.sum(axis=0)
    return float(loss)


def torch_setup():
    """``run(weights) -> final loss`` with PyTorch (float64, one thread), or None if it is not installed."""
    try:
        import torch
    except ImportError:
        return None
    torch.set_num_threads(1)
    torch.set_default_dtype(torch.float64)

    def run(X: np.ndarray, Y: np.ndarray, W1, b1, W2, b2) -> float:
        model = torch.nn.Sequential(torch.nn.Linear(2, 16), torch.nn.Tanh(), torch.nn.Linear(16, 1))
        with torch.no_grad():   # nn.Linear stores W as (out, in): bpcore's transposed
            for layer, W, b in ((model[0], W1, b1), (model[2], W2, b2)):
                layer.weight.copy_(torch.from_numpy(W.T.copy()))
                layer.bias.copy_(torch.from_numpy(b.copy()))
        opt = torch.optim.SGD(model.parameters(), lr=LR)
        loss_fn = torch.nn.BCEWithLogitsLoss()
        Xt, Yt = torch.from_numpy(X), torch.from_numpy(Y)
        loss = None
        for _ in range(EPOCHS):
            opt.zero_grad()
            loss = loss_fn(model(Xt), Yt)
            loss.backward()
            opt.step()
        return loss.item()   # the loss before the last step, like the others

    return run


def busy_fraction(interval: float = 1.0) -> float | None:
    """The fraction of all cores' time spent busy over ``interval`` seconds (``/proc/stat``), or None off Linux."""
    def sample() -> tuple[int, int]:
        with open("/proc/stat") as f:
            values = [int(v) for v in f.readline().split()[1:]]
        return sum(values), values[3] + values[4]   # total, idle + iowait
    try:
        total0, idle0 = sample()
        time.sleep(interval)
        total1, idle1 = sample()
    except OSError:
        return None
    return 1.0 - (idle1 - idle0) / max(total1 - total0, 1)


def wait_until_quiet(limit: float = 60.0, busy: float = 0.15) -> float | None:
    """Wait (at most ``limit`` seconds) until other processes leave the cores idle: a timing taken while the
    previous CI stage's browsers and servers wind down measures them, not us. Returns the last busy fraction."""
    start = time.monotonic()
    fraction = busy_fraction()
    while fraction is not None and fraction > busy and time.monotonic() - start < limit:
        fraction = busy_fraction()
    return fraction


def timed(run) -> tuple[float, float, float]:
    """``(cpu seconds, wall seconds, result)`` of ``run()``."""
    cpu, wall = time.process_time(), time.perf_counter()
    result = run()
    return time.process_time() - cpu, time.perf_counter() - wall, result


def one_round(X: np.ndarray, Y: np.ndarray, torch_run, shift: int = 0) -> list[tuple[str, float, float, float]]:
    """``(name, cpu seconds, wall seconds, final loss)`` of each contender, one run each, same initial weights,
    in an order rotated by ``shift`` (so no contender always runs right after PyTorch has filled the caches)."""
    net = bpcore.Network([2, 16, 1], hidden="tanh", output="sigmoid", seed=0)
    weights = [p.copy() for p in net.parameters()]
    contenders = [
        ("bpcore", lambda: bpcore.train(net, X, Y, loss="bce", lr=LR, epochs=EPOCHS).train_loss[-1]),
        ("hand", lambda: hand_written(X, Y, *(w.copy() for w in weights))),
        ("hand_same_tanh", lambda: hand_written(X, Y, *(w.copy() for w in weights), tanh=bpcore.activations.tanh)),
    ]
    if torch_run is not None:
        contenders.append(("torch", lambda: torch_run(X, Y, *weights)))
    shift %= len(contenders)
    return [(name, *timed(run)) for name, run in contenders[shift:] + contenders[:shift]]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=15)
    parser.add_argument("--settle", type=float, default=60.0,
                        help="wait at most this many seconds for the other processes to go quiet (0: do not wait)")
    args = parser.parse_args()
    quiet = wait_until_quiet(args.settle) if args.settle > 0 else busy_fraction()
    X, y = bpcore.datasets.moons(200, noise=0.2, seed=0)
    Y = y[:, None].astype(float)
    torch_run = torch_setup()
    cpu: dict[str, list[float]] = {}
    wall: dict[str, list[float]] = {}
    losses: dict[str, float] = {}
    for repeat in range(args.repeats + 1):       # the first round warms up caches and is not counted
        for name, cpu_s, wall_s, loss in one_round(X, Y, torch_run, shift=repeat):
            losses[name] = loss
            if repeat:
                cpu.setdefault(name, []).append(cpu_s)
                wall.setdefault(name, []).append(wall_s)
    med = {name: statistics.median(t) for name, t in cpu.items()}
    med_wall = {name: statistics.median(t) for name, t in wall.items()}
    load = os.getloadavg()[0]
    print(f"{EPOCHS} full-batch epochs, 2-16-1 tanh/sigmoid, 200 points, float64; median of {args.repeats} runs; "
          f"load average {load:.1f} on {os.cpu_count()} cores (wall-clock times are noisy under load)")
    if quiet is not None:
        print(f"  cores busy before measuring: {quiet:.0%} (waited up to {args.settle:g} s for them to go quiet)")
    names = {"bpcore": "bpcore.train (defaults)", "hand": "hand loop (np.tanh)",
             "hand_same_tanh": "hand loop (bpcore's tanh)", "torch": "PyTorch (1 thread)"}
    for name, label in names.items():
        if name in med:
            print(f"  {label:27s} cpu {med[name] * 1e3:7.2f} ms ({med[name] / EPOCHS * 1e6:4.0f} us/epoch), "
                  f"wall {med_wall[name] * 1e3:7.2f} ms, final loss {losses[name]:.6f}")
    ratio = med["bpcore"] / med["hand"]
    print(f"bpcore / hand loop (np.tanh): {ratio:.2f} (wall {med_wall['bpcore'] / med_wall['hand']:.2f})  "
          f"target <= {TARGET_HAND}: {'met' if ratio <= TARGET_HAND else 'NOT met'}")
    if "torch" in med:
        ratio_t = med["bpcore"] / med["torch"]
        print(f"bpcore / PyTorch:             {ratio_t:.2f} (wall {med_wall['bpcore'] / med_wall['torch']:.2f})  "
              f"target <= {TARGET_TORCH}: {'met' if ratio_t <= TARGET_TORCH else 'NOT met'}")
    else:
        print(f"bpcore / PyTorch:             not measured (PyTorch is not installed; "
              f"pip install -r benchmarks/requirements.txt)  target <= {TARGET_TORCH}")
    print(f"bpcore / hand loop with bpcore's tanh (bookkeeping only, no target): "
          f"{med['bpcore'] / med['hand_same_tanh']:.2f}")


if __name__ == "__main__":
    main()
