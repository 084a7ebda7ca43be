"""Chapter 12: the boundary-length measure and the regularisation runs of bpcore.lessons.ch12."""
from __future__ import annotations

import numpy as np
import pytest

from bpcore.lessons import ch12

pytestmark = pytest.mark.ch12


def test_boundary_length_of_a_straight_boundary_is_its_length():
    xs = np.linspace(0.0, 1.0, 101)
    ys = np.linspace(0.0, 2.0, 201)
    gx, _ = np.meshgrid(xs, ys)
    prob = (gx > 0.503).astype(float)                 # a vertical line crossing the whole height 2
    assert ch12.boundary_length(prob, xs, ys) == pytest.approx(2.0, rel=0.01)
    assert ch12.boundary_length(np.zeros_like(prob), xs, ys) == 0.0


def test_boundary_length_of_a_circle_is_close_to_its_perimeter_times_4_over_pi():
    xs = ys = np.linspace(-1.0, 1.0, 401)
    gx, gy = np.meshgrid(xs, ys)
    prob = (gx ** 2 + gy ** 2 < 0.5 ** 2).astype(float)
    # a staircase estimate measures |dx| + |dy| along the curve: 4/pi times the true length on average
    assert ch12.boundary_length(prob, xs, ys) == pytest.approx(2 * np.pi * 0.5 * 4 / np.pi, rel=0.02)


def test_fit_is_deterministic_and_returns_independent_copies():
    net1, hist1 = ch12.fit(keep=0.8, l2=1e-3, epochs=5)
    net2, hist2 = ch12.fit(keep=0.8, l2=1e-3, epochs=5)
    assert hist1.train_loss == hist2.train_loss and net1 is not net2
    net1.layers[0].W[...] = 0.0
    hist1.train_loss.append(1.0)
    net3, hist3 = ch12.fit(keep=0.8, l2=1e-3, epochs=5)
    assert np.any(net3.layers[0].W != 0.0) and len(hist3.train_loss) == 5


def test_regularisation_reduces_the_overfitting_gap():
    _, plain = ch12.fit()
    _, decayed = ch12.fit(l2=3e-3)
    _, dropped = ch12.fit(keep=0.8)
    def gap(h):
        return h.val_loss[-1] - h.train_loss[-1]

    assert gap(decayed) < gap(plain) and gap(dropped) < gap(plain)


def test_the_unregularised_network_overfits_within_the_chapters_epochs():
    _, hist = ch12.fit()
    best = int(np.argmin(hist.val_loss))
    assert hist.train_loss[-1] < 0.1 and best + 1 < ch12.EPOCHS * 0.75
    assert hist.val_loss[-1] > 1.5 * hist.val_loss[best]       # the validation loss turns and rises


@pytest.mark.parametrize("keep, l2, every", [(1.0, 0.0, 1), (0.8, 1e-3, 7), (0.55, 0.0, 10)])
def test_fit_fast_is_fits_run_bit_for_bit(keep, l2, every):
    net, hist = ch12.fit(keep=keep, l2=l2)
    run = ch12.fit_fast(keep=keep, l2=l2, every=every)
    assert run.epochs[-1] == ch12.EPOCHS and np.all(np.diff(run.epochs) > 0)
    assert np.all(run.epochs[:-1] % every == 0)
    at = run.epochs - 1
    assert np.array_equal(run.train_loss, np.asarray(hist.train_data_loss)[at])
    assert np.array_equal(run.val_loss, np.asarray(hist.val_loss)[at])
    assert np.array_equal(run.val_accuracy, np.asarray(hist.val_accuracy)[at])
    for p, q in zip(run.net.parameters(), net.parameters()):
        assert np.array_equal(p, q)


def test_panel_update_changes_only_curves_and_the_boundary_picture():
    p = ch12.regularisation_panel()
    result = p.update(keep=0.8, l2=3e-3)
    assert all(set(t) <= {"x", "y"} for t in result["traces"])
    layout = result["layout"]
    assert set(layout) == {"images", "xaxis.range", "yaxis.range", "yaxis2.range"}
    assert layout["images"][0]["source"].startswith("data:image/png;base64,")
    assert layout["yaxis2.range"] == [-2.0, 0.0]
    curves, star = result["traces"][3], result["traces"][4]
    assert star["y"][0] == min(curves["y"]) and star["x"][0] in curves["x"]
    p.widget
    before = dict(p.redraws)
    p.set(keep=0.9)
    assert p.error is None and p.redraws["free"] == before["free"] + 1


def test_show_lines_prints_only_matching_lines(capsys):
    ch12.show_lines(ch12.boundary_length, "count_nonzero")
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 2 and all("count_nonzero" in line for line in lines)


def test_the_panel_plots_data_losses_and_exercise_4s_key_reads_them_right():
    """Exercise 4's key: with the penalty left out of both curves, lambda = 0.003 closes the overfitting gap
    at the lowest final validation loss, and from lambda = 0.01 on both losses stay high (underfitting)."""
    finals = {l2: ch12.fit_fast(l2=l2, every=ch12.EVERY) for l2 in (0.0, 3e-3, 1e-2, 3e-2)}
    net, hist = ch12.fit(l2=1e-2)
    assert hist.train_data_loss[-1] == pytest.approx(net.loss(*ch12.data()[:2]), rel=1e-12)
    assert hist.train_loss[-1] > hist.train_data_loss[-1]                 # the penalty is not in the panel's curve
    assert finals[1e-2].train_loss[-1] == pytest.approx(hist.train_data_loss[-1], rel=1e-12)
    unregularised, best = finals[0.0], finals[3e-3]
    assert unregularised.train_loss[-1] < 0.1 and unregularised.val_loss[-1] > 0.3        # memorised
    assert best.val_loss[-1] == min(r.val_loss[-1] for r in finals.values())
    assert abs(best.train_loss[-1] - best.val_loss[-1]) < 0.02                            # the gap has closed
    for l2 in (1e-2, 3e-2):
        assert min(finals[l2].train_loss[-1], finals[l2].val_loss[-1]) > 1.4 * best.val_loss[-1]   # both high
