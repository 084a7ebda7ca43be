r"""Answer keys of chapter 5, backpropagation.

* ``ch05.layer_delta`` -- one hidden sigmoid layer's error signal
  :math:`\delta^l = (\delta^{l+1} (W^{l+1})^\top) \odot a^l(1-a^l)`, called as
  ``f(delta_next, W_next, a)`` with ``delta_next (n, k)``, ``W_next (k, k)``, ``a (n, k)``.
* ``ch05.chain_delta`` -- the hidden delta of a 1-1-1 sigmoid network, worked by hand.
* ``ch05.dw1`` -- :math:`\partial L/\partial W^1` of a 2-3-1 sigmoid network (binary cross-entropy) for the
  data in ``given("ch05.dw1")``.
"""
from __future__ import annotations

import numpy as np

from bpcore.activations import Sigmoid
from bpcore.network import Network
from bpcore.selfcheck.keytypes import ArrayKey, FunctionKey, NumberKey, args

Array = np.ndarray
_SIG = Sigmoid()


def _layer_delta(delta_next: Array, W_next: Array, a: Array) -> Array:
    """bpcore's own step: dL/da = delta_next W_next^T, then Sigmoid.backward multiplies by a(1-a).

    (The sigmoid's backward reads only the cached output ``a``, so ``z`` is not needed here.)"""
    return _SIG.backward(None, a, delta_next @ W_next.T)


def _layer_inputs() -> dict[str, object]:
    rng = np.random.default_rng(5)
    out: dict[str, object] = {}
    for label, n, k in (("4 samples, 3 units per layer", 4, 3), ("1 sample, 2 units per layer", 1, 2),
                        ("6 samples, 4 units per layer", 6, 4)):
        delta_next = rng.normal(0.0, 0.5, size=(n, k))
        W_next = rng.normal(0.0, 1.0, size=(k, k))
        a = _SIG.forward(rng.normal(0.0, 2.0, size=(n, k)))
        out[label] = args(delta_next, W_next, a)
    return out


def _chain_net() -> Network:
    """The 1-1-1 chain of the hand exercise: x = 1.5, w1 = 0.8, w2 = -1.2, zero biases, target 1."""
    net = Network([1, 1, 1], hidden="sigmoid", output="sigmoid", init="zeros")
    net.layers[0].W[...] = 0.8
    net.layers[1].W[...] = -1.2
    return net


CHAIN_X, CHAIN_Y = np.array([[1.5]]), np.array([[1.0]])


def _chain_delta(mistake: str = "") -> float:
    tr = _chain_net().trace(CHAIN_X, CHAIN_Y, loss="bce")
    t1, t2 = tr.layers
    grad_a1 = t2.delta @ _chain_net().layers[1].W.T
    if mistake == "no sigma'":
        return float(grad_a1[0, 0])
    if mistake == "next layer's sigma'":
        return float((grad_a1 * t2.a * (1 - t2.a))[0, 0])
    if mistake == "no weight":
        return float((t2.delta * t1.a * (1 - t1.a))[0, 0])
    return float(t1.delta[0, 0])


def _dw1_data() -> dict[str, Array]:
    rng = np.random.default_rng(505)
    return {"X": rng.normal(0.0, 1.0, size=(4, 2)).round(2),
            "Y": np.array([[0.0], [1.0], [1.0], [0.0]]),
            "W1": rng.normal(0.0, 1.0, size=(2, 3)).round(2), "b1": np.array([0.1, -0.2, 0.0]),
            "W2": rng.normal(0.0, 1.0, size=(3, 1)).round(2), "b2": np.array([0.05])}


def _dw1_net() -> tuple[Network, Array, Array]:
    d = _dw1_data()
    net = Network([2, 3, 1], hidden="sigmoid", output="sigmoid", seed=0)
    net.set_weights([d["W1"], d["b1"], d["W2"], d["b2"]])
    return net, d["X"], d["Y"]


def _dw1(mistake: str = "") -> Array:
    """dW1 computed by bpcore, or with one of the syllabus's slips."""
    net, X, Y = _dw1_net()
    tr = net.trace(X, Y, loss="bce")
    t1, t2 = tr.layers
    if not mistake:
        return tr.gradients[0]["W"]
    delta2 = t2.delta if mistake != "no 1/n" else t2.delta * len(X)
    grad_a1 = delta2 @ net.layers[1].W.T
    if mistake == "no sigma'":
        delta1 = grad_a1
    elif mistake == "output layer's a":
        delta1 = grad_a1 * t2.a * (1 - t2.a)        # (4, 1) broadcast against (4, 3): no error raised
    elif mistake == "sigma' of a":
        delta1 = grad_a1 * _SIG.derivative(t1.a)
    else:  # "no 1/n"
        delta1 = grad_a1 * t1.a * (1 - t1.a)
    return X.T @ delta1


KEYS = {
    "ch05.layer_delta": FunctionKey(
        reference=_layer_delta,
        inputs=_layer_inputs,
        wrong={
            "sigma' missing: the sum delta_next W_next^T still has to be multiplied by a(1-a)":
                lambda d, W, a: d @ W.T,
            "transposed W: the sum runs over the units of the NEXT layer, delta_next @ W_next.T":
                lambda d, W, a: (d @ W) * a * (1 - a),
            "the sigmoid was applied to a again: a is already sigma(z), so sigma'(z) = a(1-a)":
                lambda d, W, a: (d @ W.T) * _SIG.derivative(a),
        },
    ),
    "ch05.chain_delta": NumberKey(
        _chain_delta,
        rtol=1e-3,
        wrong={
            "sigma' missing: multiply dL/da1 by sigma'(z1) = a1(1-a1)": lambda: _chain_delta("no sigma'"),
            "that uses the output layer's a2(1-a2): the hidden delta needs the hidden layer's own a1(1-a1)":
                lambda: _chain_delta("next layer's sigma'"),
            "the weight w2 of the link is missing": lambda: _chain_delta("no weight"),
        },
    ),
    "ch05.dw1": ArrayKey(
        _dw1,
        given=_dw1_data,
        wrong={
            "sigma' missing in the hidden delta": lambda: _dw1("no sigma'"),
            "the hidden delta used the output layer's activations a2 instead of the hidden layer's a1 "
            "(NumPy broadcast (4, 1) against (4, 3) without complaint)": lambda: _dw1("output layer's a"),
            "the sigmoid was applied to a1 again: sigma'(z1) is a1(1-a1)": lambda: _dw1("sigma' of a"),
            "the 1/n of the mean loss is missing": lambda: _dw1("no 1/n"),
        },
    ),
}
