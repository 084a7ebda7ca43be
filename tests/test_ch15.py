"""Appendix (chapter 15): the gallery of mistakes in bpcore.lessons.ch15 runs what it says."""
from __future__ import annotations

import numpy as np
import pytest

import bpcore
from bpcore.lessons import ch06, ch15

pytestmark = pytest.mark.ch15


def _same_gradients(a, b) -> bool:
    return all(np.array_equal(x[k], y[k]) for x, y in zip(a, b) for k in ("W", "b"))


@pytest.mark.parametrize("step, reference", [(ch15.no_sigma_prime, ch06.mistake_no_sigma_prime),
                                             (ch15.flipped_sign, ch06.mistake_flipped_sign),
                                             (ch15.correct_gradients("mse"), ch06.bpcore_gradients("mse"))])
def test_step_gradients_are_chapter_6s_gradients(step, reference):
    net, X, Y = ch15.problem()
    layers = net.forward_pass(X, train=True)
    assert _same_gradients(step(net, layers, Y), reference(net, X, Y))


def test_wrong_layer_activations_differ_from_bpcore_only_in_the_first_layer():
    net, X, Y = ch15.problem((2, 8, 8, 1))
    wrong, right = ch15.mistake_wrong_layer_activations(net, X, Y), net.gradients(X, Y, loss="mse")
    assert _same_gradients(wrong[1:], right[1:]) and not np.allclose(wrong[0]["W"], right[0]["W"])


def test_descend_prints_what_chapter_6s_loop_prints():
    net, X, Y = ch15.problem()
    losses = ch06.sgd_losses(net, X, Y, ch06.bpcore_gradients("mse"), lr=ch15.LR, steps=20)
    net, X, Y = ch15.problem()
    outputs = ch15.descend(net, X, Y, ch15.correct_gradients("mse"), steps=20)
    assert outputs.shape == (21, len(X))
    np.testing.assert_allclose(ch15.printed_mse(outputs, Y), losses, rtol=1e-13, atol=0)


def test_the_correct_runs_are_computed_once_and_are_read_only():
    refs = ch15.references()
    assert ch15.references() is refs
    outputs, _ = refs["mse"]
    assert not outputs.flags.writeable and outputs.shape == (ch15.STEPS + 1, 100)


def test_every_exhibit_shows_its_symptom():
    curves = {name: ch15.outcome(name) for name in ch15.GALLERY}
    names = list(ch15.GALLERY)
    nosig, flip, init, layer, never, signed, acc = (curves[n] for n in names)
    for correct, _ in (nosig, flip, init, layer, never):
        assert correct[-1] < 0.5 * correct[0]                       # the correct runs learn
    assert abs(nosig[1][-1] - nosig[0][-1]) < 0.1 * nosig[0][-1]    # hidden in the loss curve
    assert abs(layer[1][-1] - layer[0][-1]) < 0.1 * layer[0][-1]
    assert flip[1][-1] > 1.5 * flip[1][0]                           # climbs
    assert np.ptp(init[1]) < 1e-3 and np.all(never[1] == never[1][0])   # flat
    assert np.nanmin(signed[1]) < -10 and np.isnan(signed[1][-1])   # negative, then NaN
    assert acc[0][-1] > 0.85 and acc[1][-1] < 0.2                    # a good classifier looks useless


def test_gallery_update_recomputes_the_mistake_and_reuses_the_correct_run():
    name = "sign flipped (y − a instead of a − y)"
    result = ch15.gallery_update(name)
    correct, wrong = ch15.outcome(name)
    np.testing.assert_array_equal(result["traces"][0]["y"], ch15.figures_finite(correct))
    np.testing.assert_array_equal(result["traces"][1]["y"], ch15.figures_finite(wrong))
    assert result["status"].startswith(f"{name} · symptom:")
    lo, hi = result["layout"]["yaxis.range"]
    assert lo <= np.nanmin(ch15.figures_finite(wrong)) and np.nanmax(ch15.figures_finite(wrong)) <= hi


def test_exhibits_of_one_quantity_share_the_axis_so_a_switch_is_redrawn_without_a_replot():
    from bpcore.widgets import Dropdown, panel
    names = [n for n, e in ch15.GALLERY.items() if e.y_title == "printed MSE loss"]
    p = panel(ch15.gallery_figure(), ch15.gallery_update,
              {"mistake": Dropdown(list(ch15.GALLERY), value=names[0])})
    p.widget
    full = p.redraws["full"]
    for name in names[1:]:
        p.set(mistake=name)
    assert p.redraws["full"] == full and p.error is None
    p.set(mistake="accuracy as |a − y| < 0.01")   # another quantity: a new axis
    assert p.redraws["full"] == full + 1


# -- the cost of one gradient, counted in multiply-adds --------------------------------------------
@pytest.mark.parametrize("sizes", [(64, 64, 10), (2, 5, 3, 1), (8, 8, 8, 8, 8, 8, 8, 8, 8, 2)])
def test_pass_cost_counts_one_product_per_layer_forward_and_two_backward_but_the_first(sizes):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(30, sizes[0]))
    Y = rng.integers(0, sizes[-1], size=30) if sizes[-1] > 1 else rng.integers(0, 2, size=(30, 1))
    net = bpcore.Network(list(sizes), hidden="tanh", output="softmax" if sizes[-1] > 1 else "sigmoid", seed=0)
    before = net.get_weights()
    cost = ch15.pass_cost(net, X, Y, loss="ce" if sizes[-1] > 1 else "bce")
    per_layer = [a * b for a, b in zip(sizes[:-1], sizes[1:])]
    assert cost.forward == 30 * sum(per_layer)
    assert cost.backward == 30 * (sum(per_layer) + sum(per_layer[1:]))     # dW everywhere, dA below layer 2 on
    assert cost.forward < cost.backward < 2 * cost.forward                  # "up to about twice"
    assert all(np.array_equal(a, b) and type(b) is np.ndarray for a, b in zip(before, net.get_weights()))


def test_pass_cost_approaches_twice_the_forward_pass_for_deep_equal_layers_and_is_1_14_for_the_digits_net():
    X, y = bpcore.datasets.digits()
    digits = ch15.pass_cost(bpcore.Network([64, 64, 10], hidden="tanh", output="softmax", seed=0),
                            X[:200], y[:200], loss="ce")
    assert digits.backward / digits.forward == pytest.approx((64 * 64 + 2 * 64 * 10) / (64 * 64 + 64 * 10))
    deep = ch15.pass_cost(bpcore.Network([16] * 21 + [2], hidden="tanh", output="softmax", seed=0),
                          np.ones((4, 16)), [0, 1, 0, 1], loss="ce")
    assert 1.9 < deep.backward / deep.forward < 2


def test_the_appendix_no_longer_says_the_backward_pass_costs_as_much_as_the_forward_pass():
    import json
    from pathlib import Path
    nb = json.loads((Path(__file__).resolve().parents[1] / "book" / "15_appendix.ipynb").read_text())
    text = " ".join("".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "markdown").replace("\n", " ")
    assert "backward pass costs about as much as the forward pass" not in text
    assert "costs up to about twice the forward pass" in text
