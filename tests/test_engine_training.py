"""The training loop: learning, determinism, divergence as a result, dropout, early stopping."""
from __future__ import annotations

import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import bpcore

pytestmark = pytest.mark.training


@pytest.fixture
def moons():
    return bpcore.datasets.moons(200, noise=0.2, seed=0)


def test_learns_xor():
    X, y = bpcore.datasets.xor(200, noise=0.1, seed=0)
    net = bpcore.Network([2, 8, 1], hidden="tanh", seed=0)
    hist = bpcore.train(net, X, y, loss="bce", lr=0.5, epochs=400, seed=0)
    assert hist.train_loss[-1] < 0.1 * hist.train_loss[0]
    assert bpcore.accuracy(net, X, y) > 0.97
    assert hist.epochs_run == 400 and not hist.diverged
    assert hist.status == f"trained 400 epochs · loss {hist.train_loss[-1]:.4g}"


def test_full_batch_history_loss_is_the_loss_before_each_step(moons):
    X, y = moons
    net = bpcore.Network([2, 4, 1], hidden="tanh", seed=1)
    before = net.loss(X, y, "bce")
    hist = bpcore.train(net, X, y, loss="bce", lr=0.1, epochs=1)
    np.testing.assert_allclose(hist.train_loss[0], before, rtol=1e-14)


def test_one_step_is_one_sgd_update(moons):
    X, y = moons
    net = bpcore.Network([2, 4, 1], hidden="tanh", seed=1)
    expected = [p - 0.1 * g for p, g in zip(net.parameters(), [g[k] for g in net.gradients(X, y, "bce") for k in g])]
    bpcore.train(net, X, y, loss="bce", lr=0.1, epochs=1)
    for p, e in zip(net.parameters(), expected):
        np.testing.assert_allclose(p, e, rtol=1e-14)


@pytest.mark.parametrize("kw", [dict(batch_size=16, optimizer="adam", lr=0.01, dropout=0.2),
                                dict(batch_size=None, optimizer="nesterov", lr=0.1, l2=1e-3)])
def test_same_seed_identical_numbers(moons, kw):
    X, y = moons
    runs = []
    for _ in range(2):
        net = bpcore.Network([2, 8, 1], hidden="relu", seed=3)
        hist = bpcore.train(net, X, y, loss="bce", epochs=20, seed=5, **kw)
        runs.append((hist.train_loss, net.get_weights()))
    assert runs[0][0] == runs[1][0]
    assert all(np.array_equal(a, b) for a, b in zip(runs[0][1], runs[1][1]))


def test_different_shuffling_seed_changes_minibatch_run(moons):
    X, y = moons
    losses = [bpcore.train(bpcore.Network([2, 8, 1], seed=3), X, y, epochs=5, batch_size=10, seed=s).train_loss
              for s in (1, 2)]
    assert losses[0] != losses[1]


def test_divergence_is_reported_not_raised(moons):
    X, y = moons
    net = bpcore.Network([2, 16, 1], hidden="relu", output="linear", seed=0)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        hist = bpcore.train(net, X, y, loss="mse", lr=10.0, epochs=300)
    assert hist.diverged and hist.epochs_run < 300
    assert hist.diverged_epoch == hist.epochs_run
    assert hist.status.startswith(f"diverged at epoch {hist.diverged_epoch}: the loss")


def test_divergence_within_the_first_minibatch_epoch_is_caught(moons):
    """With many steps per epoch the first epoch's mean loss can already be huge: the reference is
    the loss before training, not the first epoch."""
    X, y = moons
    net = bpcore.Network([2, 16, 1], hidden="relu", seed=0)
    hist = bpcore.train(net, X, y, loss="bce", lr=100.0, epochs=100, batch_size=8, seed=0)
    assert hist.diverged and hist.diverged_epoch <= 3, hist.status


def test_huge_learning_rate_with_nan_loss_is_reported():
    X, y = bpcore.datasets.xor(40, seed=0)
    net = bpcore.Network([2, 8, 1], hidden="linear", output="linear", seed=0)
    hist = bpcore.train(net, X, y, loss="mse", lr=1e12, epochs=100, divergence_factor=np.inf)
    assert hist.diverged and "NaN/infinite" in hist.status


def test_history_records_per_layer_norms_and_validation(moons):
    X, y = moons
    Xt, Xv, yt, yv = bpcore.train_val_split(X, y, 0.25, seed=0)
    net = bpcore.Network([2, 8, 8, 1], hidden="sigmoid", seed=0)
    hist = bpcore.train(net, Xt, yt, lr=0.5, epochs=30, X_val=Xv, Y_val=yv, snapshot_every=10,
                        record=bpcore.training.RECORDS)
    assert hist.grad_norms.shape == (30, 3) and hist.delta_norms.shape == (30, 3)
    assert np.all(hist.grad_norms > 0)
    trace = net.trace(Xt, yt, "bce")     # last epoch's entries are the norms before the last step
    assert len(hist.val_loss) == len(hist.val_accuracy) == 30
    np.testing.assert_allclose(hist.val_loss[-1], net.loss(Xv, yv, "bce"), rtol=1e-12)
    assert hist.val_accuracy[-1] == bpcore.accuracy(net, Xv, yv)
    assert [e for e, _ in hist.snapshots] == [0, 10, 20, 30]
    assert all(np.array_equal(a, b) for a, b in zip(hist.snapshots[-1][1], net.get_weights()))
    assert trace.layers[0].dW.shape == (2, 8)


def test_early_stopping_restores_best_weights():
    X, y = bpcore.datasets.moons(60, noise=0.35, seed=1)
    Xv, yv = bpcore.datasets.moons(200, noise=0.35, seed=2)
    net = bpcore.Network([2, 64, 1], hidden="tanh", seed=0)
    hist = bpcore.train(net, X, y, lr=1.0, epochs=3000, X_val=Xv, Y_val=yv, early_stopping=20)
    assert hist.stopped_early and hist.epochs_run == hist.best_epoch + 20
    np.testing.assert_allclose(net.loss(Xv, yv, "bce"), min(hist.val_loss), rtol=1e-12)
    assert "stopped early" in hist.status


def test_callback_sees_every_epoch_and_can_stop(moons):
    X, y = moons
    seen = []
    hist = bpcore.train(bpcore.Network([2, 4, 1], seed=0), X, y, epochs=50,
                        callback=lambda epoch, h: seen.append((epoch, len(h.train_loss))) or epoch < 7)
    assert seen == [(e, e) for e in range(1, 8)]
    assert hist.epochs_run == 7 and "stopped by the callback" in hist.status


def test_schedule_changes_learning_rate(moons):
    X, y = moons
    hist = bpcore.train(bpcore.Network([2, 4, 1], seed=0), X, y, lr=1.0, epochs=5, schedule=lambda e: 0.5 ** e)
    assert hist.lr == [1.0, 0.5, 0.25, 0.125, 0.0625]
    hist = bpcore.train(bpcore.Network([2, 4, 1], seed=0), X, y, lr=1.0, epochs=3,
                        schedule=bpcore.schedules.step(0.1, every=2))
    np.testing.assert_allclose(hist.lr, [1.0, 1.0, 0.1])


def test_batch_norm_training_and_running_statistics(moons):
    X, y = moons
    net = bpcore.Network([2, 16, 16, 1], hidden="sigmoid", seed=0, batch_norm=True)
    hist = bpcore.train(net, X, y, lr=0.5, epochs=200, batch_size=50, seed=0)
    assert hist.train_loss[-1] < hist.train_loss[0]
    z = X @ net.layers[0].W + net.layers[0].b
    np.testing.assert_allclose(net.layers[0].running_mean, z.mean(axis=0), atol=0.2)
    assert bpcore.accuracy(net, X, y) > 0.85


class TestDropout:
    def test_expected_activation_is_preserved(self):
        """Inverted dropout: E[h * mask / keep] = h, so the next layer sees the same mean input."""
        rng = np.random.default_rng(0)
        keep = 0.6
        h = rng.uniform(0, 1, size=(1, 5))
        masks = (rng.random((200_000, 5)) < keep) / keep
        np.testing.assert_allclose((h * masks).mean(axis=0), h[0], rtol=0.01)

    def test_training_masks_scale_survivors(self, moons):
        X, y = moons
        net = bpcore.Network([2, 50, 1], hidden="relu", seed=0)
        keep = 0.5
        masks = [(np.random.default_rng(1).random((200, 50)) < keep) / keep]
        trace = net.trace(X, y, "bce", masks=masks)
        hidden = trace.layers[0]
        np.testing.assert_array_equal(hidden.a, hidden.h * masks[0])
        assert set(np.unique(masks[0])) == {0.0, 2.0}

    def test_off_at_evaluation(self, moons):
        X, y = moons
        net = bpcore.Network([2, 16, 1], hidden="tanh", seed=0)
        bpcore.train(net, X, y, lr=0.3, epochs=20, dropout=0.5, seed=0)
        out1, out2 = net.forward(X), net.forward(X)
        np.testing.assert_array_equal(out1, out2)        # deterministic: no masks at evaluation
        manual = bpcore.activations.sigmoid(np.tanh(X @ net.layers[0].W + net.layers[0].b) @ net.layers[1].W
                                            + net.layers[1].b)
        np.testing.assert_allclose(out1, manual, rtol=1e-14)

    def test_dropout_regularises_a_small_noisy_set(self):
        X, y = bpcore.datasets.moons(40, noise=0.4, seed=3)
        runs = {}
        for rate in (0.0, 0.5):
            net = bpcore.Network([2, 100, 1], hidden="relu", seed=0)
            h = bpcore.train(net, X, y, lr=0.3, epochs=400, dropout=rate, seed=0, evaluate_train=True)
            runs[rate] = h.train_loss[-1]
        assert runs[0.5] > runs[0.0]      # dropout keeps the network from fitting the noise as closely


class TestRecordAndMeasure:
    """What train() records is asked for; asking for less never changes the numbers."""

    def test_recording_less_gives_the_same_numbers(self, moons):
        X, y = moons
        runs = {}
        for record in (bpcore.training.RECORDS, ("loss",), ("accuracy",)):
            net = bpcore.Network([2, 8, 1], hidden="tanh", seed=2)
            runs[record] = (bpcore.train(net, X, y, lr=0.5, epochs=25, batch_size=40, seed=1, record=record),
                            net.get_weights())
        full, loss_only, acc_only = (runs[r] for r in runs)
        assert loss_only[0].train_loss == full[0].train_loss and loss_only[0].train_accuracy == []
        assert acc_only[0].train_accuracy == full[0].train_accuracy and acc_only[0].train_loss == []
        for _, weights in (loss_only, acc_only):
            assert all(np.array_equal(a, b) for a, b in zip(weights, full[1]))
        assert full[0].grad_norms.shape == full[0].delta_norms.shape == (25, 2)

    def test_what_was_not_recorded_says_so(self, moons):
        X, y = moons
        hist = bpcore.train(bpcore.Network([2, 4, 1], seed=0), X, y, epochs=3)
        assert hist.recorded == bpcore.training.DEFAULT_RECORD and hist.grad_norm_rows == []
        with pytest.raises(ValueError, match=r"grad_norms were not recorded: pass record="):
            hist.grad_norms
        with pytest.raises(ValueError, match=r"record: unknown quantity 'norms'"):
            bpcore.train(bpcore.Network([2, 4, 1], seed=0), X, y, epochs=3, record=("loss", "norms"))

    @pytest.mark.parametrize("every", [1, 4, 7])
    def test_measure_every_measures_the_same_numbers_less_often(self, moons, every):
        X, y = moons
        Xt, Xv, yt, yv = bpcore.train_val_split(X, y, 0.25, seed=0)
        kw = dict(lr=0.3, epochs=15, dropout=0.2, seed=4, X_val=Xv, Y_val=yv, evaluate_train=True)
        ref_net, sparse_net = (bpcore.Network([2, 8, 1], seed=1) for _ in range(2))
        ref = bpcore.train(ref_net, Xt, yt, **kw)
        sparse = bpcore.train(sparse_net, Xt, yt, measure_every=every, **kw)
        expected = sorted({*range(every, 16, every), 15})
        assert sparse.measured_epochs == expected and ref.measured_epochs == list(range(1, 16))
        at = np.array(expected) - 1
        for name in ("train_loss", "train_accuracy", "val_loss", "val_accuracy"):
            assert getattr(sparse, name) == np.asarray(getattr(ref, name))[at].tolist(), name
        assert all(np.array_equal(a, b) for a, b in zip(ref_net.get_weights(), sparse_net.get_weights()))

    def test_early_stopping_needs_every_epoch_measured(self, moons):
        X, y = moons
        with pytest.raises(ValueError, match="early_stopping .* needs measure_every=1, got 5"):
            bpcore.train(bpcore.Network([2, 4, 1], seed=0), X, y, X_val=X, Y_val=y, early_stopping=3,
                         measure_every=5)
        with pytest.raises(ValueError, match="measure_every"):
            bpcore.train(bpcore.Network([2, 4, 1], seed=0), X, y, measure_every=0)

    def test_output_delta_replaces_the_error_signal_and_nothing_else(self, moons):
        X, y = moons
        right, given, flipped = (bpcore.Network([2, 6, 1], hidden="tanh", seed=5) for _ in range(3))
        h_right = bpcore.train(right, X, y, lr=0.5, epochs=10)
        h_given = bpcore.train(given, X, y, lr=0.5, epochs=10,
                               output_delta=lambda tr: (tr.output - tr.targets) / len(tr.output))
        h_flip = bpcore.train(flipped, X, y, lr=0.5, epochs=10,
                              output_delta=lambda tr: (tr.targets - tr.output) / len(tr.output))
        assert h_given.train_loss == h_right.train_loss
        assert all(np.array_equal(a, b) for a, b in zip(right.get_weights(), given.get_weights()))
        assert h_flip.train_loss[-1] > h_flip.train_loss[0]      # ascent: the loss rises


def test_named_steps_are_the_loop(moons):
    """train() is run_epoch repeated, and a full-batch epoch is one train_step."""
    X, y = moons
    net, by_hand = bpcore.Network([2, 5, 1], seed=0), bpcore.Network([2, 5, 1], seed=0)
    hist = bpcore.train(net, X, y, lr=0.4, epochs=3)
    Xp, Yp, loss_fn = by_hand.prepare(X, y, "bce")
    opt, params = bpcore.optimizers.SGD(0.4), by_hand.parameters()
    values = [bpcore.training.train_step(by_hand, opt, params, Xp, Yp, loss_fn)[1] for _ in range(3)]
    assert values == hist.train_loss
    assert all(np.array_equal(a, b) for a, b in zip(net.get_weights(), by_hand.get_weights()))


@pytest.mark.parametrize("loss, initial, factor, expected", [
    (float("nan"), 1.0, 1e3, True), (float("inf"), 1.0, 1e3, True), (999.0, 1.0, 1e3, False),
    (1001.0, 1.0, 1e3, True), (2e-9, 0.0, 1e3, True), (5e-10, 0.0, 1e3, False), (5.0, 1.0, float("inf"), False)])
def test_the_divergence_rule(loss, initial, factor, expected):
    assert bpcore.training.diverged(loss, initial, factor) is expected


def test_what_is_not_asked_for_is_not_computed(moons, monkeypatch):
    """record=("accuracy",) with the divergence rule off: no loss is computed, the numbers stay the same."""
    X, y = moons
    Xt, Xv, yt, yv = bpcore.train_val_split(X, y, 0.25, seed=0)
    ref_net, lean_net = bpcore.Network([2, 6, 1], seed=2), bpcore.Network([2, 6, 1], seed=2)
    ref = bpcore.train(ref_net, Xt, yt, lr=0.3, epochs=12, batch_size=50, seed=1, X_val=Xv, Y_val=yv)
    calls = []
    original = bpcore.Network.objective
    monkeypatch.setattr(bpcore.Network, "objective", lambda self, *a, **k: calls.append(1) or original(self, *a, **k))
    lean = bpcore.train(lean_net, Xt, yt, lr=0.3, epochs=12, batch_size=50, seed=1, X_val=Xv, Y_val=yv,
                        record=("accuracy",), divergence_factor=None)
    assert calls == [] and lean.train_loss == [] and lean.val_loss == []
    assert lean.train_accuracy == ref.train_accuracy and lean.val_accuracy == ref.val_accuracy
    assert all(np.array_equal(a, b) for a, b in zip(ref_net.get_weights(), lean_net.get_weights()))
    assert lean.status == "trained 12 epochs"


class TestGradientClipping:
    """train(clip_norm=c): every step is g * min(1, c/||g||), g the gradient of all parameters together."""

    @staticmethod
    def finite_difference_gradient(net, X, y, l2=0.0):
        """Central differences of the objective, flattened in the order of net.parameters()."""
        numeric = bpcore.numerical_gradients(net, X, y, loss="bce", l2=l2)
        return np.concatenate([n[name].ravel() for layer, n in zip(net.layers, numeric)
                               for name in layer.parameter_names()])

    @given(seed=st.integers(0, 2**31 - 1), factor=st.sampled_from([0.05, 0.3, 0.9, 1.1, 3.0]),
           l2=st.sampled_from([0.0, 0.1]), lr=st.sampled_from([0.5, 2.0]))
    @settings(max_examples=30, deadline=None)
    def test_clipped_step_is_the_finite_difference_gradient_rescaled(self, seed, factor, l2, lr):
        rng = np.random.default_rng(seed)
        X, y = rng.normal(size=(7, 3)), rng.integers(0, 2, 7)
        net = bpcore.Network([3, 4, 3, 1], hidden="tanh", seed=seed, init="normal", init_scale=1.5)
        g = self.finite_difference_gradient(net, X, y, l2)
        c = factor * np.linalg.norm(g)
        before = np.concatenate([p.ravel() for p in net.parameters()])
        bpcore.train(net, X, y, lr=lr, epochs=1, l2=l2, clip_norm=c)
        step = (before - np.concatenate([p.ravel() for p in net.parameters()])) / lr
        expected = g * min(1.0, c / np.linalg.norm(g))     # rescaled to norm c above c, unchanged below
        assert np.linalg.norm(step - expected) <= 1e-7 * np.linalg.norm(expected)
        if factor < 1:
            assert abs(np.linalg.norm(step) - c) <= 1e-7 * c
            cosine = step @ g / (np.linalg.norm(step) * np.linalg.norm(g))
            assert cosine > 1 - 1e-12                      # the direction is kept
        else:
            assert np.linalg.norm(step - g) <= 1e-7 * np.linalg.norm(g)

    def test_a_norm_above_every_gradient_changes_nothing(self, moons):
        X, y = moons
        nets = [bpcore.Network([2, 5, 1], seed=0) for _ in range(2)]
        bpcore.train(nets[0], X, y, lr=0.5, epochs=5, batch_size=20, seed=1)
        bpcore.train(nets[1], X, y, lr=0.5, epochs=5, batch_size=20, seed=1, clip_norm=1e6)
        assert all(np.array_equal(a, b) for a, b in zip(nets[0].get_weights(), nets[1].get_weights()))

    def test_the_global_norm_is_over_all_parameters_and_survives_overflow(self):
        grads = [np.array([[3.0, 0.0]]), np.array([4.0]), np.zeros((2, 2))]
        assert bpcore.training.global_norm(grads) == 5.0
        clipped = bpcore.training.clip_gradients(grads, 1.0)
        np.testing.assert_allclose(np.concatenate([g.ravel() for g in clipped]), [0.6, 0, 0.8, 0, 0, 0, 0],
                                   rtol=1e-15)
        assert [g.shape for g in clipped] == [g.shape for g in grads]
        huge = [np.array([3e200]), np.array([4e200])]
        np.testing.assert_allclose(bpcore.training.global_norm(huge), 5e200, rtol=1e-15)
        np.testing.assert_allclose(np.concatenate(bpcore.training.clip_gradients(huge, 2.0)), [1.2, 1.6],
                                   rtol=1e-15)

    @pytest.mark.parametrize("bad, error", [(0, ValueError), (-1.0, ValueError), (float("nan"), ValueError),
                                            (float("inf"), ValueError), ("1", TypeError), (True, TypeError)])
    def test_bad_clip_norm_is_a_clear_error(self, moons, bad, error):
        X, y = moons
        with pytest.raises(error, match="clip_norm"):
            bpcore.train(bpcore.Network([2, 3, 1], seed=0), X, y, epochs=1, clip_norm=bad)
        with pytest.raises(error, match="clip_norm"):
            bpcore.training.clip_gradients([np.ones(3)], bad)

    def test_clipping_tames_an_exploding_relu_network(self, moons):
        X, y = moons
        runs = {}
        for clip in (None, 1.0):
            net = bpcore.Network([2, 16, 16, 16, 16, 1], hidden="relu", init="uniform", init_scale=3.0, seed=0)
            runs[clip] = bpcore.train(net, X, y, lr=0.1, epochs=20, clip_norm=clip)
        assert runs[None].diverged and not runs[1.0].diverged


def test_data_loss_is_the_training_loss_without_the_l2_penalty():
    X, y = bpcore.datasets.moons(40, noise=0.2, seed=0)
    net = bpcore.Network([2, 5, 1], hidden="tanh", seed=0)
    start = net.get_weights()
    l2 = 0.05
    hist = bpcore.train(net, X, y, lr=0.1, epochs=1, l2=l2, record=("loss", "data_loss"))
    penalty = 0.5 * l2 * sum(float(np.sum(W ** 2)) for W in start[::2])       # the weights before the step
    assert hist.train_data_loss[0] == pytest.approx(hist.train_loss[0] - penalty, rel=1e-12)
    assert hist.train_data_loss[0] == pytest.approx(bpcore.Network([2, 5, 1], hidden="tanh", seed=0).loss(X, y))
    # measured in evaluation mode: the data term is what net.loss gives without l2, and what val_loss measures
    net = bpcore.Network([2, 5, 1], hidden="tanh", seed=0)
    hist = bpcore.train(net, X, y, lr=0.1, epochs=3, l2=l2, X_val=X, Y_val=y, evaluate_train=True,
                        record=("loss", "data_loss"))
    assert hist.train_data_loss[-1] == pytest.approx(net.loss(X, y), rel=1e-12)
    assert hist.train_data_loss[-1] == pytest.approx(hist.val_loss[-1], rel=1e-12)
    assert hist.train_loss[-1] == pytest.approx(net.loss(X, y, l2=l2), rel=1e-12)
    assert hist.train_loss[-1] > hist.train_data_loss[-1]
    # without l2 the two records agree, batch by batch
    hist = bpcore.train(bpcore.Network([2, 5, 1], hidden="tanh", seed=0), X, y, lr=0.1, epochs=3, batch_size=8,
                        seed=0, record=("loss", "data_loss"))
    assert hist.train_data_loss == pytest.approx(hist.train_loss, rel=1e-12)


# -- what train() takes, checked (a review of bpcore's public API) ------------------------------
def test_an_optimiser_object_trains_at_its_own_rate_and_the_rate_is_given_once():
    X, y = bpcore.datasets.moons(60, seed=0)
    net = bpcore.Network([2, 4, 1], hidden="tanh", seed=0)
    hist = bpcore.train(net.copy(), X, y, optimizer=bpcore.optimizers.Adam(0.003), epochs=3)
    assert hist.lr == [0.003] * 3
    named = bpcore.train(net.copy(), X, y, optimizer="adam", lr=0.003, epochs=3)
    assert hist.train_loss == named.train_loss
    with pytest.raises(ValueError, match="give the learning rate once: lr=0.5 or in the optimiser"):
        bpcore.train(net.copy(), X, y, optimizer=bpcore.optimizers.Adam(0.003), lr=0.5, epochs=3)
    assert bpcore.train(net.copy(), X, y, epochs=1).lr == [bpcore.training.DEFAULT_LR]


@pytest.mark.parametrize(("options", "message"), [
    ({"divergence_factor": 0}, r"divergence_factor must be a number > 1 \(times the loss before training"),
    ({"divergence_factor": 1.0}, "divergence_factor must be a number > 1"),
    ({"divergence_factor": "big"}, "divergence_factor must be a number > 1"),
    ({"schedule": lambda epoch: 1.0 - epoch}, "the schedule gave the learning-rate factor -1.0 for epoch 2"),
    ({"schedule": lambda epoch: float("nan")}, "the schedule gave the learning-rate factor nan for epoch 0"),
    ({"l2": -0.1}, "l2 must be a number >= 0, got -0.1"),
])
def test_bad_training_options_are_named(options, message):
    X, y = bpcore.datasets.moons(40, seed=0)
    with pytest.raises((ValueError, TypeError), match=message):
        bpcore.train(bpcore.Network([2, 3, 1], seed=0), X, y, epochs=3, **options)


def test_a_negative_weight_decay_is_refused_by_the_loss_and_the_gradients():
    X, y = bpcore.datasets.moons(20, seed=0)
    net = bpcore.Network([2, 3, 1], seed=0)
    for call in (net.loss, net.gradients, net.trace):
        with pytest.raises(ValueError, match="l2 must be a number >= 0"):
            call(X, y, l2=-5)
    assert net.loss(X, y, l2=np.float32(0.01)) > net.loss(X, y)      # numpy numbers are numbers


def test_the_range_test_stops_at_lr_max_and_names_an_all_nan_run():
    from bpcore.lr_range import RangeTest, lr_range_test
    X, y = bpcore.datasets.moons(60, noise=0.2, seed=0)
    net = bpcore.Network([2, 8, 1], hidden="tanh", seed=0)
    steps, lr_min, lr_max = 12, 1e-3, 1e-1
    scan = lr_range_test(tested := net.copy(), X, y, lr_min=lr_min, lr_max=lr_max, steps=steps)
    assert len(scan.lrs) == len(scan.losses) == steps
    np.testing.assert_allclose(scan.lrs[[0, -1]], [lr_min, lr_max])
    gamma = (lr_max / lr_min) ** (1 / (steps - 1))
    same = net.copy()
    bpcore.train(same, X, y, lr=lr_min, epochs=steps, schedule=bpcore.schedules.exponential(gamma))
    for a, b in zip(tested.parameters(), same.parameters()):           # exactly `steps` steps, none beyond
        np.testing.assert_array_equal(a, b)
    assert scan.losses[-1] == same.loss(X, y, train=True)
    with pytest.raises(ValueError, match="the range test recorded no finite loss"):
        RangeTest(lrs=np.array([1.0, 2.0]), losses=np.array([np.nan, np.inf]), history=scan.history).best_lr


def test_a_scheduled_optimiser_object_keeps_its_own_rate():
    X, y = bpcore.datasets.moons(40, seed=0)
    adam = bpcore.optimizers.Adam(0.01)
    hist = bpcore.train(bpcore.Network([2, 3, 1], seed=0), X, y, optimizer=adam, epochs=4,
                        schedule=bpcore.schedules.step(0.5, 1))
    assert hist.lr == [0.01, 0.005, 0.0025, 0.00125] and adam.lr == 0.01
