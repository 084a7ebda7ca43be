"""Chapter 2: the neuron and hand-set-network helpers of bpcore.lessons.ch02."""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import bpcore
from bpcore.activations import sigmoid
from bpcore.lessons.ch02 import (CORNERS, NEURON_ACTIVATIONS, best_single_neuron, corners_right, hidden_unit,
                                 network_views_figure, network_views_update, neuron, neuron_figure,
                                 neuron_update, truth_table)

pytestmark = pytest.mark.ch02

weights = st.floats(min_value=-5.0, max_value=5.0, allow_nan=False)


def test_truth_tables():
    assert CORNERS.tolist() == [[0, 0], [0, 1], [1, 0], [1, 1]]
    assert truth_table("AND").tolist() == [0, 0, 0, 1]
    assert truth_table("OR").tolist() == [0, 1, 1, 1]
    assert truth_table("NAND").tolist() == [1, 1, 1, 0]
    assert truth_table("XOR").tolist() == bpcore.datasets.xor(4, noise=0.0)[1].tolist()
    with pytest.raises(ValueError, match="unknown truth table"):
        truth_table("XNOR")


@settings(max_examples=100, deadline=None)
@given(weights, weights, weights)
def test_every_activation_keeps_the_decision_line(w1, w2, b):
    """class 1 <=> z >= 0, whichever activation: step at 0, sigmoid at 1/2, tanh at 0."""
    z, a_sig = neuron(CORNERS, (w1, w2), b, "sigmoid")
    assert np.allclose(z, CORNERS @ np.array([w1, w2]) + b)
    assert np.array_equal(neuron(CORNERS, (w1, w2), b, "step")[1] == 1.0, z >= 0)
    away = np.abs(z) > 1e-12          # sigma(z) rounds to exactly 1/2 for |z| below ~1e-16
    assert np.array_equal((a_sig >= 0.5)[away], (z >= 0)[away])
    assert np.array_equal((neuron(CORNERS, (w1, w2), b, "tanh")[1] >= 0)[away], (z >= 0)[away])


def test_step_has_zero_derivative():
    assert np.all(NEURON_ACTIVATIONS["step"].derivative(np.linspace(-3, 3, 7)) == 0)


def test_one_neuron_solves_and_or_but_not_xor():
    assert corners_right((1.0, 1.0), -1.5, "AND") == 4
    assert corners_right((1.0, 1.0), -0.5, "OR") == 4
    assert best_single_neuron("AND") == 4
    assert best_single_neuron("NAND") == 4
    assert best_single_neuron("XOR") == 3


def test_hidden_unit_is_the_network_hidden_activation():
    net = bpcore.Network([2, 2, 1], hidden="sigmoid", seed=3)
    trace = net.trace(CORNERS, truth_table("XOR"))
    for j in range(2):
        assert np.allclose(hidden_unit(net, j).forward(CORNERS)[:, 0], trace.layers[0].a[:, j], rtol=1e-14)


def test_neuron_update_survives_extremes():
    for w1, w2, b in [(0.0, 0.0, 0.0), (0.0, 0.0, -8.0), (5.0, -5.0, 8.0), (1e6, 1e6, -1e6)]:
        for act in NEURON_ACTIVATIONS:
            out = neuron_update(w1, w2, b, act, "XOR")
            assert "corners right" in out["status"]
            assert np.all(np.isfinite(out["traces"][0]["z"]))
    assert "no line" in neuron_update(0.0, 0.0, 1.0)["status"]


def test_figures_match_their_updates():
    fig = neuron_figure(2.0, 2.0, -3.0, "sigmoid", "AND")
    upd = neuron_update(2.0, 2.0, -3.0, "sigmoid", "AND")
    assert np.allclose(np.asarray(fig.data[0].z), upd["traces"][0]["z"])
    assert "4 of 4 corners right for AND" in upd["status"]
    net = bpcore.Network([2, 2, 1])
    net.layers[0].W[...] = 6 * np.ones((2, 2))
    net.layers[0].b[...] = -6 * np.array([0.5, 1.5])
    net.layers[1].W[...] = 6 * np.array([[1.0], [-2.0]])
    net.layers[1].b[...] = -3.0
    views = network_views_figure(net)
    assert len(views.data) == 6
    status = network_views_update(net)["status"]
    assert "4 of 4 right for XOR" in status
    expected = sigmoid(sigmoid(CORNERS @ net.layers[0].W + net.layers[0].b) @ net.layers[1].W + net.layers[1].b)
    assert np.allclose(net.forward(CORNERS), expected)
