"""Chapter 14: the digits split, the softmax + cross-entropy error signal on digit images, the quick runs
behind the panel, and the chapter's figures and panel at extreme control values."""
from __future__ import annotations

import numpy as np
import pytest

import bpcore
from bpcore.activations import Softmax
from bpcore.lessons import ch14
from bpcore.losses import CrossEntropy

pytestmark = pytest.mark.ch14


def test_split_is_disjoint_complete_and_stratified():
    s = ch14.splits()
    X, y = bpcore.datasets.digits()
    parts = [s.X_train, s.X_val, s.X_test]
    assert sum(len(p) for p in parts) == len(X) == 1797
    assert [len(p) for p in parts] == [1151, 287, 359]
    # every image lands in exactly one part: compare rows as bytes (the digits set has duplicates, so count)
    from collections import Counter
    whole = Counter(row.tobytes() for row in X)
    split = Counter(row.tobytes() for p in parts for row in p)
    assert whole == split
    counts = np.bincount(y, minlength=10)
    for part, frac in [(s.y_test, 0.2), (s.y_val, 0.8 * 0.2)]:
        share = np.bincount(part, minlength=10) / counts
        assert np.all(np.abs(share - frac) < 0.02)


def test_split_is_read_only_and_repeatable():
    s = ch14.splits()
    with pytest.raises(ValueError):
        s.X_train[0, 0] = 1.0
    X, y = bpcore.datasets.digits()
    X_rest, X_test, _, _ = bpcore.train_val_split(X, y, val_fraction=ch14.TEST_FRACTION, seed=ch14.TEST_SEED)
    assert np.array_equal(X_test, s.X_test)


def test_softmax_ce_delta_on_digits_matches_general_chain_rule_and_central_differences():
    s = ch14.splits()
    net = bpcore.Network([64, 8, 10], hidden="tanh", output="softmax", seed=3)
    X, y = s.X_train[:6], s.y_train[:6]
    out = net.trace(X, y, loss="ce").layers[-1]
    Y = bpcore.one_hot(y, 10)
    general = Softmax().backward(out.z, out.a, CrossEntropy().grad_a(out.a, Y))
    np.testing.assert_allclose(out.delta, (out.a - Y) / len(X), rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(out.delta, general, rtol=1e-9, atol=1e-15)
    assert bpcore.gradient_check(net, X, y, loss="ce") < 1e-6


def test_quick_run_is_cached_deterministic_and_consistent():
    run = ch14.quick_run(8, 3)
    assert run is ch14.quick_run(8, 3)
    assert run.train_accuracy.shape == run.val_accuracies.shape == (3,)
    assert run.confusion.shape == (10, 10) and run.confusion.sum() == 287
    assert run.val_accuracy == pytest.approx(np.trace(run.confusion) / 287)
    ch14.quick_run.cache_clear()
    again = ch14.quick_run(8, 3)
    assert again is not run and np.array_equal(again.val_accuracies, run.val_accuracies)
    assert np.array_equal(again.confusion, run.confusion)


@pytest.mark.parametrize("hidden, epochs", [(1, 2), (16, ch14.QUICK_EPOCHS), (64, 1)])
def test_quick_train_is_bpcore_train_bit_for_bit(hidden, epochs):
    s = ch14.splits()
    X, y = ch14.quick_subset()
    reference = bpcore.Network([64, hidden, 10], hidden="tanh", output="softmax", seed=0)
    fast = reference.copy()
    history = bpcore.train(reference, X, y, loss="ce", optimizer="adam", lr=ch14.QUICK_LR, epochs=epochs,
                           batch_size=ch14.QUICK_BATCH, seed=0, X_val=s.X_val, Y_val=s.y_val)
    train_acc, val_acc, predicted = ch14.quick_train(fast, epochs)
    assert train_acc.tolist() == history.train_accuracy
    assert val_acc.tolist() == history.val_accuracy
    assert np.array_equal(predicted, reference.predict(s.X_val))
    for a, b in zip(reference.get_weights(), fast.get_weights()):
        assert np.array_equal(a, b)
    with pytest.raises(ValueError, match="epochs"):
        ch14.quick_train(fast, 0)


def test_smallest_hidden_is_the_first_size_reaching_the_target():
    target = 0.5
    h = ch14.smallest_hidden(target, epochs=3, largest=16)
    assert h is not None
    assert ch14.quick_run(h, 3).val_accuracy >= target
    assert all(ch14.quick_run(k, 3).val_accuracy < target for k in range(1, h))
    assert ch14.smallest_hidden(1.01, epochs=1, largest=2) is None


@pytest.mark.parametrize("hidden, epochs", [(1, 1), (64, 1), (1, 20)])
def test_panel_update_at_extreme_values(hidden, epochs):
    p = ch14.capacity_panel()
    result = ch14.capacity_update(hidden, epochs)
    assert len(result["traces"]) == len(p.figure.data)
    assert len(result["traces"][0]["x"]) == epochs
    assert "validation accuracy" in result["status"]
    p.set(hidden=hidden, epochs=epochs)
    p.figure_widget  # builds the live widget and runs update once
    assert p.error is None


def test_figures_and_bad_input():
    s = ch14.splits()
    fig = ch14.digit_grid(s.X_test[:3], ["a", "b", "c"], "three")
    assert len(fig.data) == 3 and fig.layout.title.text == "three"
    with pytest.raises(ValueError):
        ch14.digit_grid(s.X_test[:3], ["a"], "mismatch")
    with pytest.raises(ValueError):
        ch14.digit_grid(np.zeros((0, 64)), [], "empty")
    C = bpcore.confusion_matrix(s.y_val, s.y_val, 10)
    cfig = ch14.confusion_figure(C, "perfect")
    assert np.array_equal(np.array(cfig.data[0].z), C)


def test_progress_callback_is_silent_in_book_build(monkeypatch):
    monkeypatch.setenv("BPCORE_BOOK", "1")
    bar, cb = ch14.progress_bar(5)
    assert bar is None and cb(1, None) is None


def test_capacity_panel_steps_are_drawn_without_a_replot():
    """The confusion matrix is a picture plus a text trace: a slider step swaps the picture and the
    counts (no heatmap, which would re-plot the whole figure in the browser)."""
    p = ch14.capacity_panel()
    p.widget
    full = p.redraws["full"]
    p.set(hidden=ch14.QUICK_HIDDEN + 2)
    p.set(epochs=ch14.QUICK_EPOCHS - 1)
    assert p.error is None and p.redraws["full"] == full
    run = ch14.quick_run(ch14.QUICK_HIDDEN + 2, ch14.QUICK_EPOCHS - 1)
    labels = p.figure_widget.data[3]
    shown = {(int(x), int(y)): int(t) for x, y, t in zip(labels.x, labels.y, labels.text)}
    k = ch14.N_CLASSES
    assert all(shown[(j, k - 1 - i)] == run.confusion[i, j] for i in range(k) for j in range(k))


def test_the_chapter_states_no_parameter_count_the_code_does_not_print():
    """The 64-64-10 network has 64*64 + 64 + 64*10 + 10 = 4,810 weights and biases; the chapter computes and
    prints the count, and its prose states no total of its own (a stated 4,874 once went stale)."""
    import json
    import re
    from pathlib import Path
    net = bpcore.Network([64, 64, 10], hidden="tanh", output="softmax", seed=0)
    assert [p.size for p in net.parameters()] == [64 * 64, 64, 64 * 10, 10]
    assert sum(p.size for p in net.parameters()) == 4810
    cells = json.loads((Path(__file__).resolve().parents[1] / "book" / "14_digits.ipynb").read_text())["cells"]
    prose = "".join("".join(c["source"]) for c in cells if c["cell_type"] == "markdown")
    assert not re.search(r"=\s*\d[\d{},]*\$?\s*weights and biases", prose)
    printed = "".join("".join(o.get("text", "")) for c in cells if c["cell_type"] == "code" for o in c["outputs"])
    assert "in all: 4,810" in printed
