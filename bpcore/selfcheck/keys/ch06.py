r"""Answer keys of chapter 6, *A worked example, every number*.

* ``ch06.hidden_delta_swapped`` -- :math:`\delta^1_1` of the hand example (MSE loss) when the target is
  swapped to :math:`y = (0, 1)`, computed by hand (four significant digits are enough).
* ``ch06.hidden_delta`` -- a function ``hidden_delta(delta_next, W_next, a)``: the error signals of a
  sigmoid hidden layer for a batch, :math:`\delta^l = (\delta^{l+1} (W^{l+1})^\top)\odot a^l(1-a^l)`.
"""
from __future__ import annotations

import numpy as np

from bpcore.activations import Sigmoid, sigmoid
from bpcore.lessons.ch06 import hand_example
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


def _hidden_delta(delta_next: Array, W_next: Array, a: Array) -> Array:
    r""":math:`\delta^l = (\delta^{l+1} (W^{l+1})^\top) \odot a(1-a)`, the reference (as in Network.backward_pass)."""
    return _SIG.backward(None, a, delta_next @ W_next.T)


def _hidden_inputs() -> dict[str, object]:
    net, X, Y = hand_example()
    tr = net.trace(X, Y, loss="mse")
    rng = np.random.default_rng(606)
    a_batch = sigmoid(rng.normal(0.0, 1.5, size=(3, 4)))
    return {
        "the hand example (1 sample, 2 units, 2 next units)": args(tr.layers[1].delta, net.layers[1].W, tr.layers[0].a),
        "a batch of 3 samples, 4 units feeding 2": args(rng.normal(0.0, 0.2, size=(3, 2)),
                                                        rng.normal(0.0, 1.0, size=(4, 2)), a_batch),
        "saturated units (a close to 0 and 1)": args(np.array([[0.3, -0.2]]), np.array([[1.0, 2.0], [-1.0, 0.5]]),
                                                     np.array([[1e-9, 1.0 - 1e-9]])),
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
    "ch06.hidden_delta": FunctionKey(
        reference=_hidden_delta,
        inputs=_hidden_inputs,
        wrong={
            "the sigma'(z) factor is missing": lambda d, W, a: d @ W.T,
            "sigma' was applied to a as if it were z": Wrong(lambda d, W, a: (d @ W.T) * sigmoid(a) * (1 - sigmoid(a)),
                                                             hint="a is already sigma(z): use a(1 - a)"),
            "only the factor a, not a(1 - a)": lambda d, W, a: (d @ W.T) * a,
        },
    ),
}
