"""Each optimiser's update against its formula, by hand, and momentum on a quadratic."""
from __future__ import annotations

import numpy as np
import pytest

from bpcore.optimizers import SGD, Adam, Momentum, Nesterov, RMSProp, make_optimizer

pytestmark = pytest.mark.optimizers


def run(opt, p0, grads):
    p = np.array(p0, dtype=float)
    for g in grads:
        opt.step([p], [np.array(g, dtype=float)])
    return p


def test_sgd():
    np.testing.assert_allclose(run(SGD(0.1), [1.0, -2.0], [[0.5, 1.0]]), [0.95, -2.1], rtol=1e-15)


def test_momentum_by_hand():
    # v1 = -0.1*1 = -0.1; p1 = 0.9. v2 = 0.9*(-0.1) - 0.1*2 = -0.29; p2 = 0.61
    np.testing.assert_allclose(run(Momentum(0.1, beta=0.9), [1.0], [[1.0], [2.0]]), [0.61], rtol=1e-15)


def test_nesterov_equals_lookahead_definition():
    """Nesterov's definition evaluates the gradient at theta + beta v. On f = 0.5 * a * theta^2 the
    stored (look-ahead) parameter must follow exactly that sequence."""
    a, lr, beta = 3.0, 0.05, 0.8
    theta, v = 2.0, 0.0
    opt, p = Nesterov(lr, beta=beta), np.array([2.0])
    for _ in range(25):
        g_look = a * (theta + beta * v)        # definition: gradient at the look-ahead point
        v = beta * v - lr * g_look
        theta = theta + v
        opt.step([p], [a * p])                  # the optimiser only sees the gradient at its stored point
        np.testing.assert_allclose(p[0], theta + beta * v, rtol=1e-13)


def test_rmsprop_by_hand():
    # s = 0.1*4 = 0.4; p = 1 - 0.01*2/(sqrt(0.4)+1e-8)
    np.testing.assert_allclose(run(RMSProp(0.01, rho=0.9), [1.0], [[2.0]]), [1 - 0.02 / (np.sqrt(0.4) + 1e-8)], rtol=1e-14)


def test_adam_first_steps_have_size_lr():
    # bias correction makes the first step exactly lr * g/|g| (up to eps)
    p = run(Adam(0.01), [1.0, 1.0], [[3.0, -0.002]])
    np.testing.assert_allclose(p, [0.99, 1.01], rtol=1e-6)
    # second step by hand
    m = 0.9 * 0.1 * 3.0 + 0.1 * 1.0
    s = 0.999 * 0.001 * 9.0 + 0.001 * 1.0
    p1 = 1.0 - 0.01 * 3.0 / (3.0 + 1e-8)
    expected = p1 - 0.01 * (m / (1 - 0.81)) / (np.sqrt(s / (1 - 0.999 ** 2)) + 1e-8)
    np.testing.assert_allclose(run(Adam(0.01), [1.0], [[3.0], [1.0]]), [expected], rtol=1e-12)


def test_state_is_per_array_never_shared():
    opt = Momentum(0.1, beta=0.9)
    p1, p2 = np.zeros(2), np.zeros(2)
    opt.step([p1, p2], [np.ones(2), -np.ones(2)])
    opt.step([p1, p2], [np.ones(2), -np.ones(2)])
    np.testing.assert_allclose(p1, [-0.29, -0.29])
    np.testing.assert_allclose(p2, [0.29, 0.29])
    assert opt.state[0][0] is not opt.state[1][0]


def test_momentum_beats_sgd_on_an_ill_conditioned_quadratic():
    A = np.diag([1.0, 50.0])              # condition number 50
    def steps_to_converge(opt):
        p = np.array([1.0, 1.0])
        for k in range(1, 2000):
            opt.step([p], [A @ p])
            if np.linalg.norm(p) < 1e-6:
                return k
        return 2000
    lr = 1 / 50                            # the largest safe rate for plain GD is 2/50
    sgd, mom = steps_to_converge(SGD(lr)), steps_to_converge(Momentum(lr, beta=0.7))
    assert mom < sgd / 2, (sgd, mom)


def test_mismatched_use_is_an_error():
    opt = SGD(0.1)
    opt.step([np.zeros(2)], [np.zeros(2)])
    with pytest.raises(ValueError, match="one optimiser per network"):
        opt.step([np.zeros(2), np.zeros(1)], [np.zeros(2), np.zeros(1)])
    with pytest.raises(ValueError, match=r"gradient of shape \(3,\) for a parameter of shape \(2,\)"):
        opt.step([np.zeros(2)], [np.zeros(3)])
    p1, p2 = np.ones(2), np.ones(3)
    fresh = SGD(0.1)
    fresh.step([p1, p2], [np.zeros(2), np.zeros(3)])
    with pytest.raises(ValueError, match="gradient of shape"):
        fresh.step([p1, p2], [np.ones(2), np.ones(4)])
    np.testing.assert_array_equal(p1, np.ones(2))          # nothing was updated before the error
    with pytest.raises(ValueError, match="momentum beta must be in"):
        make_optimizer("momentum", 0.1, momentum=1.5)


@pytest.mark.parametrize("cls", [RMSProp, Adam])
@pytest.mark.parametrize("eps", [0.0, -1e-8, float("nan")])
def test_the_epsilon_of_adaptive_optimisers_must_be_positive(cls, eps):
    with pytest.raises(ValueError, match="eps must be > 0"):
        cls(0.1, eps=eps)
