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
    _, plain = ch12.fit(epochs=150)
    _, decayed = ch12.fit(l2=3e-3, epochs=150)
    gap = lambda h: h.val_loss[-1] - h.train_loss[-1]
    assert gap(decayed) < gap(plain)


def test_show_lines_prints_only_matching_lines(capsys):
    ch12.show_lines(ch12.boundary_length, "count_nonzero")
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 2 and all("count_nonzero" in line for line in lines)
