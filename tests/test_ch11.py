"""Chapter 11: the measurements of bpcore.lessons.ch11 against their definitions."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import bpcore
from bpcore.lessons import ch11

pytestmark = pytest.mark.ch11

X, Y = bpcore.datasets.moons(n_samples=40, noise=0.2, seed=0)


@settings(max_examples=20, deadline=None)
@given(st.sampled_from(["sigmoid", "tanh", "relu"]), st.integers(1, 4), st.integers(0, 50))
def test_local_slopes_are_the_activation_derivative(activation, depth, seed):
    net = ch11.make_network(depth, activation, "xavier", width=5, seed=seed)
    traces = net.forward_pass(X, train=True)
    for layer, t, slopes in zip(net.layers, traces, ch11.local_slopes(net, X)):
        np.testing.assert_allclose(slopes, layer.activation.derivative(t.z), rtol=1e-12, atol=1e-15)


@settings(max_examples=20, deadline=None)
@given(st.floats(0.1, 50.0), st.integers(0, 50))
def test_saturated_fraction_of_a_sigmoid_is_outputs_beyond_001_and_099(r, seed):
    net = bpcore.Network([2, 7, 6, 1], hidden="sigmoid", init="uniform", init_scale=r, seed=seed)
    traces = net.forward_pass(X, train=True)
    expected = [np.mean((t.a < 0.01) | (t.a > 0.99)) for t in traces[:-1]]
    got = ch11.saturated_fraction(net, X)
    # the two definitions agree except for outputs within round-off of the thresholds
    np.testing.assert_allclose(got, expected, atol=1.0 / X.shape[0] / 6)


def test_saturation_grows_with_the_uniform_range():
    fractions = [ch11.saturated_fraction(bpcore.Network([2, 16, 16, 1], init="uniform", init_scale=r, seed=0), X).mean()
                 for r in (0.5, 5.0, 50.0)]
    assert fractions[0] == 0.0 and fractions[0] < fractions[1] < fractions[2]


def test_equal_weights_stay_equal_and_random_ones_do_not():
    net = ch11.make_network(2, "tanh", "zeros", width=6)
    for layer in net.layers:
        layer.W[...] = 0.3
    bpcore.train(net, X, Y, lr=0.5, epochs=30)
    assert np.all(ch11.unit_spread(net) < 1e-12)     # equal up to round-off in the matrix products
    assert np.any(net.layers[0].W != 0.3)           # the clones did move
    random_net = ch11.make_network(2, "tanh", "xavier", width=6)
    assert np.all(ch11.unit_spread(random_net) > 0.0)


def test_frozen_fraction_counts_units_whose_weights_barely_moved():
    net = ch11.make_network(1, "sigmoid", "xavier", width=4)
    before = [layer.W.copy() for layer in net.layers]
    net.layers[0].W[:, 0] *= 1.5                      # one of four hidden units moved a lot
    net.layers[0].W[:, 1] *= 1.001                    # one moved by 0.1 %
    np.testing.assert_array_equal(ch11.frozen_fraction(before, net), [0.75, 1.0])


def test_unknown_initialisation_is_a_clear_error():
    with pytest.raises(ValueError, match="unknown initialisation"):
        ch11.make_network(2, "tanh", "glorious")


def test_panel_update_reports_vanishing_and_explosion():
    p = ch11.depth_panel(X, Y, epochs=20)
    vanishing = p.update(depth=6, activation="sigmoid", init="xavier")
    first_epoch = vanishing["traces"][3]["y"]
    assert first_epoch[0] / first_epoch[-1] < 1e-2
    exploding = p.update(depth=6, activation="relu", init="uniform ±20")
    assert "diverged" in exploding["status"]
    assert len(exploding["traces"][3]["x"]) == 7


def test_panel_status_says_when_no_layer_gets_a_gradient():
    p = ch11.depth_panel(X, Y, epochs=5)
    status = p.update(depth=3, activation="relu", init="zeros")["status"]
    assert "= 0/0 (no layer gets any gradient)" in status and "nan" not in status
    assert "= 0/0" not in p.update(depth=3, activation="tanh", init="xavier")["status"]


def test_panel_settings_still_show_the_lesson():
    """With the panel's short run (100 points, 30 epochs), a shallow sigmoid network learns, a deep one
    stays at log 2, and tanh learns at the same depth."""
    X100, Y100 = bpcore.datasets.moons(n_samples=100, noise=0.2, seed=0)
    p = ch11.depth_panel(X100, Y100)
    loss = {}
    for depth, activation in ((1, "sigmoid"), (6, "sigmoid"), (6, "tanh")):
        status = p.update(depth=depth, activation=activation, init="xavier")["status"]
        loss[depth, activation] = float(status.split("loss ")[1].split(",")[0])
    assert loss[1, "sigmoid"] < 0.4 and loss[6, "tanh"] < 0.4
    assert abs(loss[6, "sigmoid"] - np.log(2)) < 0.01


def test_panel_steps_redraw_without_a_replot():
    p = ch11.depth_panel(X, Y, epochs=5)
    p.widget                                          # builds the figure and draws the first values
    for depth in (5, 4, 3):
        p.set(depth=depth)
    assert p.error is None and p.redraws["free"] == 3
    assert p.figure_widget.layout.images[0].source.startswith("data:image/png")


def test_nielsen_chain_keeps_every_z_at_zero_and_explodes_by_w_over_4_per_layer():
    net = ch11.nielsen_chain(6, weight=100.0)
    trace = net.trace(np.array([[1.0]]), np.array([[0.0]]))
    assert all(t.z[0, 0] == 0.0 for t in trace.layers)
    deltas = np.array([t.delta[0, 0] for t in trace.layers])
    np.testing.assert_allclose(deltas[:-1] / deltas[1:], 25.0, rtol=1e-12)   # w sigma'(0) = 100/4
    np.testing.assert_allclose(deltas[0] / deltas[-1], 25.0 ** 5, rtol=1e-12)


def test_dead_fraction_counts_units_active_on_no_sample():
    net = bpcore.Network([2, 4, 3, 1], hidden="relu", seed=0)
    net.layers[0].b[:] = [0.0, -100.0, 0.0, -100.0]   # two units of layer 1 can never be active on X
    net.layers[1].b[:] = [100.0, 100.0, -1e6]          # one unit of layer 2 neither
    np.testing.assert_array_equal(ch11.dead_fraction(net, X), [0.5, 1 / 3])
    z = net.forward_pass(X, train=False)
    assert np.all(z[0].a[:, [1, 3]] == 0) and np.any(z[0].a[:, [0, 2]] > 0)


def test_a_dead_relu_unit_gets_no_gradient_and_a_leaky_one_does():
    for hidden, moves in (("relu", False), (bpcore.activations.LeakyReLU(0.1), True)):
        net = bpcore.Network([2, 4, 1], hidden=hidden, seed=0)
        net.layers[0].b[1] = -100.0
        grads = net.gradients(X, Y)
        assert bool(np.any(grads[0]["W"][:, 1] != 0)) is moves and bool(grads[0]["b"][1] != 0) is moves


def test_clipping_in_the_panel_stops_the_relu_explosion():
    X100, Y100 = bpcore.datasets.moons(n_samples=100, noise=0.2, seed=0)
    p = ch11.depth_panel(X100, Y100)
    assert "diverged" in p.update(depth=6, activation="relu", init="uniform ±1", clip="off")["status"]
    status = p.update(depth=6, activation="relu", init="uniform ±1", clip="‖g‖ ≤ 1")["status"]
    assert "clipped" in status and "diverged" not in status
    assert float(status.split("loss ")[1].split(",")[0]) < 0.4


def test_dead_units_panel_shows_the_dead_relu_and_the_leaky_fix():
    X100, Y100 = bpcore.datasets.moons(n_samples=100, noise=0.2, seed=0)
    p = ch11.dead_units_panel(X100, Y100)
    dead = p.update(activation="relu", bias=-1.0, lr=1.0)
    np.testing.assert_array_equal(dead["traces"][0]["y"], dead["traces"][1]["y"])    # nothing revived
    assert dead["traces"][1]["y"][-1] == 1.0 and "loss 0.693" in dead["status"]
    leaky = p.update(activation="leaky ReLU, α = 0.1", bias=-1.0, lr=1.0)
    assert leaky["traces"][1]["y"][-1] < 0.6 and float(leaky["status"].split("loss ")[1].split(",")[0]) < 0.3
    killed = p.update(activation="relu", bias=0.0, lr=3.0)                              # a high learning rate
    assert np.all(killed["traces"][1]["y"] > killed["traces"][0]["y"])


GUIDE = Path(__file__).resolve().parents[1] / "book" / "instructors_guide.md"


def test_the_guides_depth_assignment_has_its_answer_within_the_panel():
    """The instructor's guide asks for the smallest depth at which the first layer's gradient falls below
    1/100 of the last (sigmoid, Xavier, the panel's data); its stated answer is this computation's."""
    X100, Y100 = bpcore.datasets.moons(n_samples=100, noise=0.2, seed=0)
    depths = np.arange(1, 9)                                       # the panel's depth slider
    ratios = ch11.first_to_last_ratios(X100, Y100, depths)
    answer = int(depths[np.argmax(ratios < 1e-2)])
    assert ratios.min() < 1e-2 and np.all(ratios[depths < answer] >= 1e-2)
    guide = " ".join(GUIDE.read_text(encoding="utf-8").split())
    assert f"the answer is {answer} hidden layers" in guide
    assert f"ratio {ratios[answer - 1]:.1e}" in guide and f"{ratios[answer - 2]:.1e} at {answer - 1}" in guide
    for activation, init in (("tanh", "xavier"), ("relu", "he")):  # "no depth up to 8 gets there"
        assert ch11.first_to_last_ratios(X100, Y100, depths, activation, init).min() >= 1e-2
    p = ch11.depth_panel(X100, Y100)                               # the panel's status line shows these ratios
    for depth in (answer - 1, answer):
        assert f"= {ratios[depth - 1]:.1e} ·" in p.update(depth=int(depth), activation="sigmoid", init="xavier")["status"]


def test_dead_units_panel_steps_redraw_without_a_replot():
    p = ch11.dead_units_panel(X, Y, epochs=10)
    p.widget
    for bias in (-0.25, -0.5, -0.75):
        p.set(bias=bias)
    assert p.error is None and p.redraws["free"] == 3
