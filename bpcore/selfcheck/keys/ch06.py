r"""Answer keys of chapter 6, *A worked example, every number*.

* ``ch06.hidden_delta_swapped`` -- :math:`\delta^1_1` of the hand example (MSE loss) when the target is
  swapped to :math:`y = (0, 1)`, computed by hand (four significant digits are enough).
* ``ch06.mse_output_delta`` -- a function ``mse_output_delta(a, y)``: the output error signal of sigmoid
  outputs ``a: (n, k)`` under bpcore's MSE :math:`L = \frac1{2n}\sum_{i,k}(a_{ik}-y_{ik})^2`, that is
  :math:`\delta^L = \frac1n (a-y)\odot a(1-a)`, shape ``(n, k)``; the named mistakes are the chapter's.
"""
from __future__ import annotations

import numpy as np

from bpcore.activations import Sigmoid, sigmoid
from bpcore.lessons.ch06 import hand_example
from bpcore.losses import get_loss
from bpcore.selfcheck.keytypes import FunctionKey, NumberKey, Wrong, args

Array = np.ndarray
SWAPPED_Y = np.array([[0.0, 1.0]])
_SIG = Sigmoid()


def _swapped_trace():
    net, X, _ = hand_example()
    return net, net.trace(X, SWAPPED_Y, loss="mse")


def _swapped_hidden_delta(mistake: str = "") -> float:
    """``delta^1_1`` of the hand example with the swapped target, right or with one typical slip."""
    net, tr = _swapped_trace()
    out, hid = tr.layers[1], tr.layers[0]
    W2 = net.layers[1].W
    if mistake == "original target":
        net2, X, Y = hand_example()
        return float(net2.trace(X, Y, loss="mse").layers[0].delta[0, 0])
    d2 = (out.a - SWAPPED_Y) if mistake == "no output sigma'" else out.delta
    if mistake == "column":
        s = W2[0, 0] * d2[0, 0] + W2[1, 0] * d2[0, 1]
    else:
        s = W2[0, 0] * d2[0, 0] + W2[0, 1] * d2[0, 1]
    if mistake == "no hidden sigma'":
        return float(s)
    return float(s * hid.a[0, 0] * (1 - hid.a[0, 0]))


def mse_output_delta_reference(a: Array, y: Array) -> Array:
    r""":math:`\delta^L = \partial L/\partial a \odot \sigma'(z)` with bpcore's MSE and sigmoid (as in
    :func:`bpcore.losses.output_delta`): ``a, y: (n, k)``."""
    a, y = np.asarray(a, dtype=float), np.asarray(y, dtype=float)
    return _SIG.backward(None, a, get_loss("mse").grad_a(a, y))


def _mse_output_inputs() -> dict[str, object]:
    net, X, Y = hand_example()
    rng = np.random.default_rng(606)
    return {
        "the hand example (1 sample, 2 outputs)": args(net.forward(X), Y),
        "a batch of 5 samples, 2 outputs": args(sigmoid(rng.normal(0.0, 1.5, size=(5, 2))),
                                                rng.integers(0, 2, size=(5, 2)).astype(float)),
        "8 samples, 1 output, some saturated": args(np.array([[1e-9], [0.2], [0.5], [0.5], [0.9], [1 - 1e-9],
                                                              [0.7], [0.01]]),
                                                    np.array([[1.0], [0.0], [1.0], [0.0], [1.0], [0.0], [1.0], [1.0]])),
    }


KEYS = {
    "ch06.hidden_delta_swapped": NumberKey(
        _swapped_hidden_delta,
        rtol=1e-3,
        wrong={
            "the hidden sigma'(z) factor is missing": lambda: _swapped_hidden_delta("no hidden sigma'"),
            "the weights used are a column of W2 (into an output unit), not the row leaving hidden unit 1":
                lambda: _swapped_hidden_delta("column"),
            "the output sigma'(z) factor is missing: this loss is the MSE, not the cross-entropy":
                lambda: _swapped_hidden_delta("no output sigma'"),
            "that is the value for the original target y = (1, 0)": lambda: _swapped_hidden_delta("original target"),
        },
    ),
    "ch06.mse_output_delta": FunctionKey(
        reference=mse_output_delta_reference,
        inputs=_mse_output_inputs,
        wrong={
            "the sigma'(z) factor is missing: (a - y)/n is the cross-entropy's error signal, not the MSE's":
                lambda a, y: (a - y) / len(a),
            "the sign is flipped: the error signal is a - y, what the network said minus what it should have said":
                lambda a, y: (y - a) * a * (1 - a) / len(a),
            "the 1/n of the mean over the batch is missing": lambda a, y: (a - y) * a * (1 - a),
            "sigma' was applied to a as if it were z":
                Wrong(lambda a, y: (a - y) * sigmoid(a) * (1 - sigmoid(a)) / len(a),
                      hint="a is already sigma(z): use a(1 - a)"),
        },
    ),
}
