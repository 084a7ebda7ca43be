"""The network's API, numerics at extremes, losses by their definitions, and bad input."""
from __future__ import annotations

import warnings

import numpy as np
import pytest

import bpcore
from bpcore.activations import get_hidden, get_output, log_softmax, sigmoid
from bpcore.losses import get_loss

pytestmark = pytest.mark.engine


@pytest.fixture
def xor_net():
    return bpcore.Network([2, 3, 1], hidden="tanh", output="sigmoid", seed=0)


def test_shapes_and_hand_set_weights(xor_net):
    assert [l.W.shape for l in xor_net.layers] == [(2, 3), (3, 1)]
    assert [l.b.shape for l in xor_net.layers] == [(3,), (1,)]
    xor_net.layers[0].W[...] = 0.0
    xor_net.layers[0].b[:] = [1.0, 0.0, -1.0]
    xor_net.layers[1].W[:, 0] = [1.0, 2.0, 3.0]
    xor_net.layers[1].b[:] = 0.5
    out = xor_net.forward(np.zeros((4, 2)))
    expected = sigmoid(np.tanh(1.0) * 1 + 0 - np.tanh(1.0) * 3 + 0.5)
    np.testing.assert_allclose(out, np.full((4, 1), expected), rtol=1e-15)


def test_gradients_leave_network_unchanged(xor_net):
    X, y = bpcore.datasets.xor(8, seed=1)
    before = xor_net.get_weights()
    grads = xor_net.gradients(X, y, loss="bce")
    assert [set(g) for g in grads] == [{"W", "b"}, {"W", "b"}]
    assert all(g["W"].shape == l.W.shape and g["b"].shape == l.b.shape for g, l in zip(grads, xor_net.layers))
    for a, b in zip(before, xor_net.get_weights()):
        np.testing.assert_array_equal(a, b)


def test_trace_exposes_every_intermediate(xor_net):
    X, y = bpcore.datasets.xor(4, noise=0.0)
    tr = xor_net.trace(X, y, loss="bce")
    first, last = tr.layers
    np.testing.assert_array_equal(first.a_in, X)
    np.testing.assert_allclose(first.z, X @ xor_net.layers[0].W + xor_net.layers[0].b, rtol=1e-15)
    np.testing.assert_allclose(first.a, np.tanh(first.z), rtol=1e-15)
    np.testing.assert_allclose(last.delta, (last.a - y[:, None]) / 4, rtol=1e-15)
    np.testing.assert_allclose(first.delta, (last.delta @ xor_net.layers[1].W.T) * (1 - first.a ** 2), rtol=1e-14)
    np.testing.assert_allclose(last.dW, first.a.T @ last.delta, rtol=1e-15)
    np.testing.assert_allclose(tr.loss, xor_net.loss(X, y, "bce"), rtol=1e-15)
    np.testing.assert_allclose(tr.output, xor_net.forward(X), rtol=1e-15)


@pytest.mark.parametrize("loss,output", [("mse", "sigmoid"), ("bce", "sigmoid"), ("ce", "softmax"), ("mse", "linear")])
def test_loss_values_match_their_definitions(loss, output):
    rng = np.random.default_rng(0)
    net = bpcore.Network([3, 4, 3], hidden="tanh", output=output, seed=1)
    X = rng.normal(size=(10, 3))
    Y = np.eye(3)[rng.integers(0, 3, 10)]
    A = net.forward(X)
    definition = {
        "mse": np.mean(0.5 * np.sum((Y - A) ** 2, axis=1)),
        "bce": np.mean(-np.sum(Y * np.log(A) + (1 - Y) * np.log(1 - A), axis=1)),
        "ce": np.mean(-np.sum(Y * np.log(A), axis=1)),
    }[loss]
    np.testing.assert_allclose(net.loss(X, Y, loss=loss), definition, rtol=1e-12)


def test_l2_adds_half_lambda_sum_of_squares(xor_net):
    X, y = bpcore.datasets.xor(8)
    penalty = 0.5 * 0.3 * sum(np.sum(l.W ** 2) for l in xor_net.layers)
    np.testing.assert_allclose(xor_net.loss(X, y, "bce", l2=0.3), xor_net.loss(X, y, "bce") + penalty, rtol=1e-14)


def test_extreme_preactivations_are_stable():
    z = np.array([[-1e9, -800.0, -30.0, 0.0, 30.0, 800.0, 1e9]])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        s = sigmoid(z)
        ls = log_softmax(z)
        sm = get_output("softmax").forward(z)
        d = get_hidden("sigmoid").derivative(z)
        bce = get_loss("bce").value(z.T, sigmoid(z.T), np.ones((7, 1)))
        ce = get_loss("ce").value(z, sm, np.eye(7)[[0]])
    assert np.all(np.isfinite(s)) and s[0, 0] == 0.0 and s[0, -1] == 1.0 and s[0, 3] == 0.5
    assert np.all(np.isfinite(ls)) and np.all(np.isfinite(d)) and np.isfinite(bce) and np.isfinite(ce)
    np.testing.assert_allclose(sm.sum(), 1.0)
    np.testing.assert_allclose(ce, 2e9, rtol=1e-12)                      # -log softmax of the smallest logit
    np.testing.assert_allclose(bce, (1e9 + 800 + 30 + np.log(2) + 9.357622968840175e-14) / 7, rtol=1e-12)


def test_tanh_matches_numpy_everywhere():
    z = np.concatenate([np.logspace(-300, 3, 5000), -np.logspace(-300, 3, 5000), [0.0, 1e9, -1e9]])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        got = bpcore.activations.tanh(z)
    np.testing.assert_allclose(got, np.tanh(z), rtol=5e-16, atol=0)
    assert bpcore.activations.tanh(2.0).shape == ()


def test_network_with_huge_weights_gives_finite_loss_and_gradients():
    net = bpcore.Network([2, 4, 1], hidden="sigmoid", init="uniform", init_scale=1e9, seed=0)
    X, y = bpcore.datasets.xor(8)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        value = net.loss(X, y, "bce")
        grads = net.gradients(X, y, "bce")
    assert np.isfinite(value)
    assert all(np.all(np.isfinite(g["W"])) for g in grads)


def test_predict_thresholds_and_argmax():
    net = bpcore.Network([1, 1], output="sigmoid")
    net.layers[0].W[...] = 1.0
    np.testing.assert_array_equal(net.predict(np.array([[-2.0], [0.0], [2.0]])), [0, 1, 1])
    net3 = bpcore.Network([2, 3], output="softmax")
    net3.layers[0].W[...] = [[1, 0, 0], [0, 0, 1]]
    np.testing.assert_array_equal(net3.predict(np.array([[5.0, 0.0], [0.0, 5.0]])), [0, 2])


def test_accuracy_thresholds_instead_of_tolerance():
    net = bpcore.Network([1, 1], output="sigmoid")
    net.layers[0].W[...] = 4.0
    X = np.array([[1.0], [-1.0]])            # outputs 0.98 and 0.018: both right, neither within 0.01
    assert bpcore.accuracy(net, X, np.array([1, 0])) == 1.0


def test_initialisations():
    for init, check in [("zeros", lambda W: np.all(W == 0)),
                        ("uniform", lambda W: np.all(np.abs(W) <= 3.0)),
                        ("normal", lambda W: abs(W.std() - 0.2) < 0.02)]:
        scale = {"uniform": 3.0, "normal": 0.2}.get(init)
        net = bpcore.Network([400, 300, 1], init=init, init_scale=scale, seed=0)
        assert check(net.layers[0].W), init
    xav = bpcore.Network([400, 300, 1], init="xavier", seed=0).layers[0].W
    he = bpcore.Network([400, 300, 1], hidden="relu", seed=0).layers[0].W       # he by default for relu
    assert abs(xav.std() - np.sqrt(2 / 700)) < 0.002
    assert abs(he.std() - np.sqrt(2 / 400)) < 0.002
    assert bpcore.Network([2, 2], hidden="relu").init == "he"
    assert bpcore.Network([2, 2], hidden="tanh").init == "xavier"


def test_same_seed_same_weights_and_different_seed_different():
    a, b, c = (bpcore.Network([2, 5, 1], seed=s) for s in (7, 7, 8))
    assert all(np.array_equal(p, q) for p, q in zip(a.parameters(), b.parameters()))
    assert not np.array_equal(a.layers[0].W, c.layers[0].W)


def test_copy_is_independent(xor_net):
    other = xor_net.copy()
    other.layers[0].W += 1
    assert not np.array_equal(other.layers[0].W, xor_net.layers[0].W)


@pytest.mark.validation
class TestBadInput:
    def test_unknown_names(self):
        with pytest.raises(ValueError, match=r"unknown hidden activation 'sigmod'.*Did you mean 'sigmoid'"):
            bpcore.Network([2, 1], hidden="sigmod")
        with pytest.raises(ValueError, match="unknown output activation 'relu'; expected one of: linear, sigmoid, softmax"):
            bpcore.Network([2, 1], output="relu")
        with pytest.raises(ValueError, match="unknown initialisation 'glorott'"):
            bpcore.Network([2, 1], init="glorott")
        net = bpcore.Network([2, 1])
        with pytest.raises(ValueError, match="unknown loss 'cross_entropy'"):
            net.loss(np.zeros((1, 2)), [1], loss="cross_entropy")
        with pytest.raises(ValueError, match="unknown optimiser 'adamw'"):
            bpcore.train(net, np.zeros((2, 2)), [0, 1], optimizer="adamw")
        with pytest.raises(TypeError, match="must be given by name"):
            bpcore.Network([2, 1], hidden=3)

    def test_layer_sizes(self):
        with pytest.raises(ValueError, match="at least two layer widths"):
            bpcore.Network([2])
        with pytest.raises(ValueError, match="every layer size must be > 0"):
            bpcore.Network([2, 0, 1])
        with pytest.raises(TypeError, match="every layer size must be an integer"):
            bpcore.Network([2, 1.5, 1])

    def test_wrong_X(self):
        net = bpcore.Network([2, 3, 1])
        with pytest.raises(ValueError, match=r"X has 3 columns but the network's input layer has 2 units"):
            net.forward(np.zeros((5, 3)))
        with pytest.raises(ValueError, match="X must be 2-D"):
            net.forward(np.zeros(2))
        with pytest.raises(ValueError, match="NaN"):
            net.forward(np.array([[np.nan, 0.0]]))
        with pytest.raises(TypeError, match="array of numbers"):
            net.forward([["a", "b"]])

    def test_wrong_Y(self):
        net = bpcore.Network([2, 3, 1])
        X = np.zeros((4, 2))
        with pytest.raises(ValueError, match="Y has 3 labels but its inputs have 4 rows"):
            net.loss(X, [0, 1, 1])
        with pytest.raises(ValueError, match=r"Y must have shape \(4, 1\).*got \(4, 2\)"):
            net.gradients(X, np.zeros((4, 2)))
        with pytest.raises(ValueError, match="Y has 5 rows but its inputs have 4"):
            net.loss(X, np.zeros((5, 1)))
        net3 = bpcore.Network([2, 3], output="softmax")
        with pytest.raises(ValueError, match="integer class labels 0..2"):
            net3.loss(X, [0, 1, 3, 1], loss="ce")
        with pytest.raises(ValueError, match="one-hot"):
            net3.loss(X, np.ones((4, 3)), loss="ce")

    def test_labels_outside_the_loss_range(self):
        net = bpcore.Network([2, 3, 1])
        with pytest.raises(ValueError, match=r"labels for 'bce' must lie in \[0, 1\].*\(y \+ 1\) / 2"):
            net.loss(np.zeros((2, 2)), [-1, 1], loss="bce")

    def test_loss_output_mismatch(self):
        with pytest.raises(ValueError, match="loss 'bce' needs an output activation in \\['sigmoid'\\].*linear.*probabilities"):
            bpcore.Network([2, 1], output="linear").loss(np.zeros((1, 2)), [1], loss="bce")
        with pytest.raises(ValueError, match="loss 'ce' needs an output activation in \\['softmax'\\]"):
            bpcore.Network([2, 1], output="sigmoid").loss(np.zeros((1, 2)), [1], loss="ce")

    def test_training_arguments(self):
        net = bpcore.Network([2, 1])
        X, y = np.zeros((4, 2)), np.array([0, 1, 0, 1])
        with pytest.raises(ValueError, match="learning rate lr must be > 0, got 0"):
            bpcore.train(net, X, y, lr=0)
        with pytest.raises(ValueError, match="learning rate lr must be > 0, got -0.1"):
            bpcore.train(net, X, y, lr=-0.1)
        with pytest.raises(ValueError, match="epochs must be > 0, got 0"):
            bpcore.train(net, X, y, epochs=0)
        with pytest.raises(TypeError, match="epochs must be an integer"):
            bpcore.train(net, X, y, epochs=2.5)
        with pytest.raises(ValueError, match="batch_size must be > 0"):
            bpcore.train(net, X, y, batch_size=-1)
        with pytest.raises(ValueError, match=r"dropout rate must be in \[0, 1\)"):
            bpcore.train(net, X, y, dropout=1.0)
        with pytest.raises(ValueError, match="l2 must be a number >= 0"):
            bpcore.train(net, X, y, l2=-1)
        with pytest.raises(ValueError, match="pass X_val and Y_val"):
            bpcore.train(net, X, y, early_stopping=5)
        with pytest.raises(ValueError, match="give both X_val and Y_val"):
            bpcore.train(net, X, y, X_val=X)
        with pytest.raises(ValueError, match="X_val has 3 columns"):
            bpcore.train(net, X, y, X_val=np.zeros((2, 3)), Y_val=[0, 1])
        with pytest.raises(ValueError, match="unknown learning-rate schedule"):
            bpcore.train(net, X, y, schedule="cyclical")

    def test_gradient_check_arguments(self):
        net = bpcore.Network([2, 1])
        X, y = np.zeros((2, 2)), [0, 1]
        with pytest.raises(ValueError, match="expected 1 gradient dicts"):
            bpcore.gradient_check(net, X, y, gradients=[])
        with pytest.raises(ValueError, match=r"gradient 'W' missing or of shape \(1, 2\), expected \(2, 1\)"):
            bpcore.gradient_check(net, X, y, gradients=[{"W": np.zeros((1, 2)), "b": np.zeros(1)}])

    def test_set_weights(self):
        net = bpcore.Network([2, 1])
        with pytest.raises(ValueError, match="expected 2 arrays"):
            net.set_weights([np.zeros((2, 1))])
        with pytest.raises(ValueError, match=r"weight of shape \(1, 2\) cannot replace a parameter of shape \(2, 1\)"):
            net.set_weights([np.zeros((1, 2)), np.zeros(1)])


class TestBatchNormInOnePlace:
    """Batch norm's evaluation formula and running statistics live in bpcore.batchnorm."""

    def test_evaluation_mode_uses_running_statistics_and_eps(self):
        from bpcore import batchnorm
        rng = np.random.default_rng(0)
        net = bpcore.Network([3, 4, 1], hidden="tanh", seed=0, batch_norm=True)
        layer = net.layers[0]
        layer.running_mean[...] = rng.normal(size=4)
        layer.running_var[...] = rng.uniform(0.5, 2.0, size=4)
        layer.gamma[...], layer.beta[...] = rng.normal(size=4), rng.normal(size=4)
        X = rng.normal(size=(5, 3))
        z = X @ layer.W + layer.b
        expected = layer.gamma * (z - layer.running_mean) / np.sqrt(layer.running_var + batchnorm.EPS) + layer.beta
        u = net.forward_pass(X, train=False)[0].u
        np.testing.assert_array_equal(u, expected)
        np.testing.assert_array_equal(batchnorm.batchnorm_evaluate(z, layer.gamma, layer.beta, layer.running_mean,
                                                                   layer.running_var), expected)

    def test_running_statistics_move_by_the_momentum(self):
        from bpcore import batchnorm
        z = np.random.default_rng(1).normal(2.0, 3.0, size=(50, 4))
        mean, var = np.zeros(4), np.ones(4)
        batchnorm.update_running_statistics(mean, var, z)
        np.testing.assert_allclose(mean, batchnorm.BATCH_WEIGHT * z.mean(axis=0), rtol=1e-15)
        np.testing.assert_allclose(var, batchnorm.MOMENTUM + batchnorm.BATCH_WEIGHT * z.var(axis=0), rtol=1e-15)
        assert batchnorm.MOMENTUM + batchnorm.BATCH_WEIGHT == 1.0


def test_an_initialisation_name_is_read_one_way_and_a_scale_only_where_it_counts():
    a = bpcore.Network([4, 6, 1], init=" Normal", seed=0)
    b = bpcore.Network([4, 6, 1], init="normal", seed=0)
    assert a.init == "normal" and a.init_scale == b.init_scale == 0.1
    np.testing.assert_array_equal(a.layers[0].W, b.layers[0].W)
    for init in ("xavier", "he", "zeros", "glorot"):
        with pytest.raises(ValueError, match=f"init={init!r} takes no scale"):
            bpcore.Network([4, 6, 1], init=init, init_scale=5.0)
    assert bpcore.activations.LeakyReLU(np.float32(0.25)).alpha == 0.25


@pytest.mark.parametrize(("y_true", "y_pred", "n_classes", "message"), [
    ([0, -1], [0, 1], None, r"y_true must hold class labels 0, 1, 2, \.\.\., got -1 at index 1"),
    ([0, 1], [0, 1.5], None, "y_pred must hold class labels 0, 1, 2, ..., got 1.5 at index 1"),
    ([], [], None, r"y_true must be a non-empty 1-D array of class labels, got shape \(0,\)"),
    ([0, 3], [0, 1], 2, r"label 3 does not fit n_classes=2 \(the labels are 0 to 1\)"),
    ([0, 1], [0, 1, 1], None, "differ in shape"),
])
def test_a_confusion_matrix_of_bad_labels_is_refused(y_true, y_pred, n_classes, message):
    with pytest.raises(ValueError, match=message):
        bpcore.confusion_matrix(y_true, y_pred, n_classes)


def test_confusion_matrix_counts_whole_float_labels():
    np.testing.assert_array_equal(bpcore.confusion_matrix([0.0, 1.0, 2.0], [0, 2, 2], 4),
                                  [[1, 0, 0, 0], [0, 0, 1, 0], [0, 0, 1, 0], [0, 0, 0, 0]])


def test_noise_must_be_a_finite_number():
    for bad in (float("nan"), float("inf"), -0.1):
        with pytest.raises(ValueError, match="noise must be a number >= 0"):
            bpcore.datasets.moons(20, noise=bad)
