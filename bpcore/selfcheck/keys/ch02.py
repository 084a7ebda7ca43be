r"""Answer keys of chapter 2, neurons, layers and the forward pass (ids ``ch02.*``).

* ``ch02.line_distance`` -- derive: the distance from the origin to the decision line
  :math:`w\cdot x + b = 0` for ``w = (3, -4)``, ``b = 2``.
* ``ch02.dense_forward`` -- implement: a sigmoid layer's forward pass ``dense_forward(X, W, b)`` for a
  batch, ``X (n, n_in)``, ``W (n_in, n_out)``, ``b (n_out,)`` -> ``(n, n_out)``.
* ``ch02.xor_single_neuron`` -- explore: the most XOR corners one neuron can put on the right side.
* ``ch02.n_parameters`` -- the number of trainable numbers of ``Network([2, 16, 1])``.
"""
from __future__ import annotations

import numpy as np

from bpcore.activations import sigmoid
from bpcore.lessons.ch02 import best_single_neuron
from bpcore.network import Network
from bpcore.selfcheck.keytypes import FunctionKey, NumberKey, Wrong, args

W_LINE, B_LINE = np.array([3.0, -4.0]), 2.0


def _sigmoid_layer(X, W, b):
    """The reference: a one-layer bpcore network with exactly these weights."""
    W = np.asarray(W, dtype=float)
    net = Network([W.shape[0], W.shape[1]], output="sigmoid")
    net.layers[0].W[...] = W
    net.layers[0].b[...] = b
    return net.forward(X)


def _layer_inputs() -> dict:
    rng = np.random.default_rng(202)
    return {
        "4 samples, 2 inputs, 3 units": args(rng.normal(size=(4, 2)), rng.normal(size=(2, 3)), rng.normal(size=3)),
        "5 samples, 3 inputs, 1 unit": args(rng.normal(size=(5, 3)), rng.normal(size=(3, 1)), rng.normal(size=1)),
        "1 sample, 4 inputs, 2 units": args(rng.normal(size=(1, 4)), rng.normal(size=(4, 2)), rng.normal(size=2)),
        "large |z|": args(np.array([[1.0, -1.0], [2.0, 0.5]]), np.array([[-800.0], [300.0]]),
                                              np.array([0.0])),
    }


def _n_params(weights: bool = True, biases: bool = True) -> int:
    net = Network([2, 16, 1])
    return int(sum((layer.W.size if weights else 0) + (layer.b.size if biases else 0) for layer in net.layers))


KEYS = {
    "ch02.line_distance": NumberKey(
        lambda: abs(B_LINE) / float(np.linalg.norm(W_LINE)),
        wrong={
            "that divides by |w1| + |w2|, not by the length of w": lambda: abs(B_LINE) / float(np.abs(W_LINE).sum()),
            "that divides by the squared length of w": lambda: abs(B_LINE) / float(W_LINE @ W_LINE),
            "that is |b| itself: it still has to be divided by the length of w": lambda: abs(B_LINE),
        },
    ),
    "ch02.dense_forward": FunctionKey(
        reference=_sigmoid_layer,
        inputs=_layer_inputs,
        wrong={
            "the activation is missing: that is z = XW + b, not a = sigmoid(z)": lambda X, W, b: X @ W + b,
            "the bias is added after the sigmoid: it belongs inside, a = sigmoid(XW + b)":
                lambda X, W, b: sigmoid(X @ W) + b,
            "the bias is missing": Wrong(lambda X, W, b: sigmoid(X @ W), hint="z = XW + b"),
        },
    ),
    "ch02.xor_single_neuron": NumberKey(
        lambda: best_single_neuron("XOR"),
        wrong={
            "no single line gets all four XOR corners right (chapter 1 shows why)": 4,
            "you can do better: a line can cut off one corner and leave the other three together": 2,
        },
    ),
    "ch02.n_parameters": NumberKey(
        _n_params,
        wrong={
            "the biases are missing from the count": lambda: _n_params(biases=False),
            "the weights are missing from the count": lambda: _n_params(weights=False),
            "that counts the units, not the weights and biases": 2 + 16 + 1,
        },
    ),
}
