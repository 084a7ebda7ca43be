"""Learning-rate schedules (bpcore.schedules) against their equations, and the range test (bpcore.lr_range)."""
from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import bpcore
from bpcore import schedules as S
from bpcore.lr_range import SUGGESTION_DIVISOR, lr_range_test

pytestmark = pytest.mark.training

epoch = st.integers(min_value=0, max_value=500)


@settings(max_examples=100, deadline=None)
@given(t=epoch, drop=st.floats(0.05, 1.0), every=st.integers(1, 40))
def test_step_is_a_staircase(t, drop, every):
    assert S.step(drop, every)(t) == pytest.approx(drop ** (t // every), rel=1e-12)


@settings(max_examples=100, deadline=None)
@given(t=epoch, gamma=st.floats(0.5, 1.2), k=st.floats(0.0, 2.0))
def test_exponential_and_inverse_time(t, gamma, k):
    assert S.exponential(gamma)(t) == pytest.approx(gamma ** t, rel=1e-12)
    assert S.inverse_time(k)(t) == pytest.approx(1.0 / (1.0 + k * t), rel=1e-12)


@settings(max_examples=100, deadline=None)
@given(t=epoch, total=st.integers(1, 200), floor=st.floats(0.0, 0.9))
def test_cosine_follows_half_a_cosine_then_stays_at_the_floor(t, total, floor):
    f = S.cosine(total, floor)
    expected = floor + (1 - floor) * (1 + math.cos(math.pi * t / total)) / 2 if t <= total else floor
    assert f(t) == pytest.approx(expected, rel=1e-12, abs=1e-15)
    assert floor - 1e-15 <= f(t) <= 1.0


def test_cosine_ends_and_middle():
    f = S.cosine(60, floor=0.1)
    assert f(0) == 1.0 and f(60) == pytest.approx(0.1, abs=1e-15) and f(1000) == pytest.approx(0.1, abs=1e-15)
    assert f(30) == pytest.approx(0.55, rel=1e-12)                 # half-way: the mean of 1 and the floor
    # flat at both ends, steepest half-way (the continuous curve, by central differences)
    g = S.cosine(1_000_000)
    slope = [(g(t + 1) - g(t - 1)) / 2 for t in (1, 500_000, 999_999)]
    assert abs(slope[0]) < 1e-10 and abs(slope[2]) < 1e-10 and slope[1] == pytest.approx(-math.pi / 2e6, rel=1e-6)


@settings(max_examples=100, deadline=None)
@given(t=epoch, w=st.integers(1, 30))
def test_warmup_ramps_linearly_then_hands_over(t, w):
    after = S.step(0.5, 7)
    f = S.warmup(w, after)
    expected = (t + 1) / w if t < w else after(t - w)
    assert f(t) == pytest.approx(expected, rel=1e-12)
    assert S.warmup(w)(t) == pytest.approx(min((t + 1) / w, 1.0), rel=1e-12)


def test_warmup_then_cosine_reaches_one_and_then_zero():
    f = S.warmup(5, S.cosine(55))
    assert [f(t) for t in range(6)] == pytest.approx([0.2, 0.4, 0.6, 0.8, 1.0, 1.0])
    assert f(60) == pytest.approx(0.0, abs=1e-15) and f(59) > 0


def test_named_schedules_and_train_records_the_rates():
    assert S.get_schedule("cosine")(100) == pytest.approx(0.0, abs=1e-15)
    assert S.get_schedule("warmup")(0) == pytest.approx(0.2)
    X, y = bpcore.datasets.moons(40, seed=0)
    hist = bpcore.train(bpcore.Network([2, 4, 1], seed=0), X, y, lr=2.0, epochs=8,
                        schedule=S.warmup(3, S.cosine(5)))
    expected = [2.0 * S.warmup(3, S.cosine(5))(t) for t in range(8)]
    np.testing.assert_allclose(hist.lr, expected, rtol=1e-12)


@pytest.mark.parametrize("make, message", [
    (lambda: S.step(0.0, 5), "step drop must be > 0"),
    (lambda: S.step(1.5, 5), r"step drop must be in \(0, 1\]"),
    (lambda: S.step(0.5, 0), "step every must be > 0"),
    (lambda: S.exponential(-0.9), "exponential gamma must be > 0"),
    (lambda: S.inverse_time(-1.0), "inverse_time k must be a number >= 0"),
    (lambda: S.cosine(0), "cosine total must be > 0"),
    (lambda: S.cosine(10, floor=1.0), r"cosine floor must be in \[0, 1\)"),
    (lambda: S.warmup(0), "warm-up epochs must be > 0"),
])
def test_bad_schedule_parameters_are_refused_by_name(make, message):
    with pytest.raises(ValueError, match=message):
        make()


def test_warmup_needs_a_schedule_to_hand_over_to():
    with pytest.raises(TypeError, match="warmup's then must be a schedule"):
        S.warmup(3, then=0.5)  # type: ignore[arg-type]


# -- the range test -----------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def moons():
    return bpcore.datasets.moons(100, noise=0.2, seed=0)


def test_range_test_rates_grow_geometrically_from_lr_min(moons):
    X, y = moons
    scan = lr_range_test(bpcore.Network([2, 8, 1], hidden="relu", seed=0), X, y, lr_min=1e-3, lr_max=10.0, steps=30,
                         stop_factor=1e6)
    assert len(scan.lrs) == len(scan.losses) == 30
    np.testing.assert_allclose(scan.lrs, 1e-3 * (1e4 ** (1 / 29)) ** np.arange(30), rtol=1e-12)
    assert scan.lrs[-1] == pytest.approx(10.0, rel=1e-12)


def test_each_loss_is_the_loss_after_that_step(moons):
    X, y = moons
    start = bpcore.Network([2, 8, 1], hidden="relu", seed=0)
    scan = lr_range_test(start.copy(), X, y, lr_min=1e-2, lr_max=1.0, steps=5)
    gamma = (1.0 / 1e-2) ** (1 / 4)
    for k in range(1, 6):           # replay k steps of the growing rate, then measure
        net = start.copy()
        bpcore.train(net, X, y, lr=1e-2, epochs=k, schedule=S.exponential(gamma))
        assert net.loss(X, y) == pytest.approx(scan.losses[k - 1], rel=1e-12)


def test_range_test_stops_at_the_blow_up_and_suggests_a_tenth_of_the_best_rate(moons):
    X, y = moons
    scan = lr_range_test(bpcore.Network([2, 8, 1], hidden="relu", seed=0), X, y, lr_min=1e-3, lr_max=1e4, steps=100)
    assert scan.history.diverged and len(scan.losses) < 100
    assert scan.losses[-1] > 4 * scan.history.train_loss[0]
    best = int(np.argmin(scan.losses))
    assert scan.best_lr == scan.lrs[best] and scan.losses[best] < scan.history.train_loss[0]
    assert scan.suggested_lr == pytest.approx(scan.best_lr / SUGGESTION_DIVISOR, rel=1e-15)


@pytest.mark.parametrize("kwargs, message", [
    (dict(lr_min=1.0, lr_max=0.5), "lr_max must be larger than lr_min"),
    (dict(lr_min=0.0), "lr_min must be > 0"),
    (dict(steps=1), "at least 2 steps"),
    (dict(stop_factor=0.5), "stop_factor must be > 1"),
])
def test_range_test_refuses_bad_settings(moons, kwargs, message):
    X, y = moons
    with pytest.raises(ValueError, match=message):
        lr_range_test(bpcore.Network([2, 4, 1], seed=0), X, y, **kwargs)
