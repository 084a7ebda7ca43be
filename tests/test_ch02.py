"""Chapter 2: the neuron and hand-set-network helpers of bpcore.lessons.ch02."""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import bpcore
from bpcore.activations import sigmoid
from bpcore.lessons.ch02 import (BOX, CORNERS, NEURON_ACTIVATIONS, OUTPUT_RANGE, best_single_neuron,
                                 corners_right, decision_line, hidden_unit, network_views_figure,
                                 network_views_update, neuron, neuron_figure, neuron_update, truth_table)
from bpcore.widgets import Dropdown, Slider, panel

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
            assert out["layout"]["images"][0]["source"].startswith("data:image/png;base64,")
            assert all(np.isfinite(out["traces"][1][k]).all() for k in ("x", "y"))
    assert "no line" in neuron_update(0.0, 0.0, 1.0)["status"]


def test_figures_match_their_updates():
    fig = neuron_figure(2.0, 2.0, -3.0, "sigmoid", "AND")
    upd = neuron_update(2.0, 2.0, -3.0, "sigmoid", "AND")
    assert fig.layout.images[0].source == upd["layout"]["images"][0]["source"]
    assert list(fig.data[1].x) == upd["traces"][1]["x"] and list(fig.data[1].y) == upd["traces"][1]["y"]
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


@settings(max_examples=200, deadline=None)
@given(weights, weights, st.floats(min_value=-8.0, max_value=8.0, allow_nan=False))
def test_decision_line_is_z_equals_zero_clipped_to_the_box(w1, w2, b):
    line = decision_line((w1, w2), b)
    x0, x1, y0, y1 = BOX
    if not line["x"]:   # no line inside: z keeps one sign over the whole box (its corners)
        corners = np.array([[x, y] for x in (x0, x1) for y in (y0, y1)]) @ np.array([w1, w2]) + b
        assert (corners >= -1e-9).all() or (corners <= 1e-9).all()
        return
    ends = np.column_stack([line["x"], line["y"]])
    np.testing.assert_allclose(ends @ np.array([w1, w2]) + b, 0.0, atol=1e-9 * (1 + abs(b)))
    for x, y in ends:   # both ends on the box's border
        assert x0 - 1e-9 <= x <= x1 + 1e-9 and y0 - 1e-9 <= y <= y1 + 1e-9
        assert min(abs(x - x0), abs(x - x1), abs(y - y0), abs(y - y1)) < 1e-9


def test_decision_line_examples():
    assert decision_line((1.0, 0.0), -0.5) == {"x": [0.5, 0.5], "y": [-0.5, 1.5]}
    assert decision_line((2.0, 2.0), -3.0) == {"x": [0.0, 1.5], "y": [1.5, 0.0]}
    assert decision_line((0.0, 0.0), 1.0) == {"x": [], "y": []}
    assert decision_line((0.0, 1.0), -2.0) == {"x": [], "y": []}    # y = 2: above the box


def test_picture_colours_follow_the_output_range():
    from bpcore.figures import class_colour_pixels
    for act, (lo, hi) in OUTPUT_RANGE.items():
        out = neuron_update(5.0, 5.0, -5.0, act, resolution=8)
        assert out["traces"][0]["marker"]["cmin"] == lo and out["traces"][0]["marker"]["cmax"] == hi
    lo_pixel, hi_pixel = class_colour_pixels(np.array([[0.0, 1.0]]), 2)[0]
    assert not np.array_equal(lo_pixel, hi_pixel)
    with pytest.raises(ValueError, match="unknown activation 'softplus'"):
        neuron_update(1.0, 1.0, 0.0, "softplus")


def test_neuron_panel_steps_are_drawn_without_a_replot():
    p = panel(neuron_figure(2.0, 2.0, -3.0), neuron_update, controls={
        "w1": Slider(-5.0, 5.0, value=2.0, step=0.1), "w2": Slider(-5.0, 5.0, value=2.0, step=0.1),
        "b": Slider(-8.0, 8.0, value=-3.0, step=0.1),
        "activation": Dropdown(["step", "sigmoid", "tanh", "relu"], value="sigmoid"),
        "target": Dropdown(["AND", "OR", "NAND", "XOR"], value="AND")})
    p.widget
    full = p.redraws["full"]
    for value in (2.1, 2.2, 2.3, 2.4):   # no corner changes side: line, arrow and picture move
        p.set(w1=value)
    assert p.redraws["full"] == full and p.redraws["free"] == 4
    p.set(activation="tanh")             # a new colour key: the figure truly changes
    assert p.redraws["full"] == full + 1
