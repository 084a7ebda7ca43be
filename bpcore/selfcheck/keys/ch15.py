"""Answer keys of the appendix (chapter 15): the cost of a backward pass and the gallery of mistakes.

* ``ch15.backward_multiply_adds`` -- a function ``backward_multiply_adds(sizes, n)``: the multiply-adds in the
  matrix products of one backward pass of a network with layer sizes ``sizes`` on ``n`` samples, as
  :func:`bpcore.lessons.ch15.pass_cost` counts them while ``Network.backward_pass`` runs.
* ``ch15.healthy_looking`` -- how many of the gallery's loss-curve exhibits end within 10 % of the correct run.
"""
from __future__ import annotations

import numpy as np

from bpcore.network import Network
from bpcore.selfcheck.keytypes import FunctionKey, NumberKey
from bpcore.selfcheck.keytypes import args


def backward_multiply_adds_reference(sizes: list[int], n: int) -> float:
    """Counted, not computed from a formula: the engine's backward pass runs on arrays that count."""
    from bpcore.lessons.ch15 import pass_cost
    net = Network(list(sizes), hidden="tanh", output="sigmoid", seed=0)
    return float(pass_cost(net, np.zeros((int(n), sizes[0])), np.zeros((int(n), sizes[-1])), loss="bce").backward)


def _forward_multiply_adds(sizes: list[int], n: int) -> float:
    return float(n * sum(a * b for a, b in zip(sizes[:-1], sizes[1:])))


def _backward_inputs() -> dict[str, object]:
    return {"a 2-8-1 network, one sample": args([2, 8, 1], 1),
            "a 3-7-7-7-7-2 network, 10 samples": args([3, 7, 7, 7, 7, 2], 10),
            "no hidden layer (4 inputs, 3 outputs), 5 samples": args([4, 3], 5),
            "a 100-20-50 network, 32 samples": args([100, 20, 50], 32)}


def _healthy_looking() -> float:
    """How many loss-based exhibits end within 10 % of the correct run's final loss."""
    from bpcore.lessons.ch15 import GALLERY, outcome
    count = 0
    for exhibit in GALLERY.values():
        if exhibit.y_title != "printed MSE loss":
            continue
        correct, wrong = outcome(exhibit.name)
        count += abs(wrong[-1] - correct[-1]) <= 0.1 * correct[-1]
    return float(count)


KEYS = {
    "ch15.backward_multiply_adds": FunctionKey(
        reference=backward_multiply_adds_reference,
        inputs=_backward_inputs,
        wrong={
            "that is twice the forward pass: the first layer needs no error signal for a layer below it":
                lambda sizes, n: 2 * _forward_multiply_adds(sizes, n),
            "that is the forward pass's count: the backward pass also sends an error signal down, delta @ W.T":
                _forward_multiply_adds,
            "the batch size is missing: every product has n rows":
                lambda sizes, n: backward_multiply_adds_reference(sizes, n) / n,
        },
    ),
    "ch15.healthy_looking": NumberKey(
        _healthy_looking,
        atol=0.0, rtol=0.0,
        wrong={"count again: compare each dashed curve's end with the solid one's": lambda: _healthy_looking() + 1,
               "a flat line is not healthy: the loss must fall": lambda: _healthy_looking() - 1},
    ),
}
