r"""Answer keys of chapter 12, overfitting, dropout and regularisation.

* ``ch12.test_scale`` -- with *plain* (not inverted) dropout at keep probability 0.8, the factor by which
  activations must be multiplied at test time to match their training-time expectation.
* ``ch12.inverted_dropout`` -- a function ``inverted_dropout(a, u, keep)``: keep unit values where the
  uniform random numbers ``u`` are below ``keep`` and divide by ``keep``, zero elsewhere.
* ``ch12.l2_gradient`` -- a function ``l2_gradient(dW, W, lam)``: the gradient of
  :math:`L + \tfrac\lambda2\lVert W\rVert^2` given the gradient ``dW`` of :math:`L`.
* ``ch12.best_l2`` -- of the panel's L2 strengths (keep 1), the one with the lowest final validation loss.
"""
from __future__ import annotations

import numpy as np

from bpcore.selfcheck.keytypes import FunctionKey, NumberKey, args

KEEP = 0.8


def inverted_dropout(a: np.ndarray, u: np.ndarray, keep: float) -> np.ndarray:
    r""":math:`\tilde a = a\,m/p` with :math:`m = [u < p]`: the mask bpcore.train draws, applied as in
    ``Network.forward_pass``."""
    return a * ((u < keep) / keep)


def l2_gradient(dW: np.ndarray, W: np.ndarray, lam: float) -> np.ndarray:
    r""":math:`\partial/\partial W\,(L + \tfrac\lambda2\lVert W\rVert^2) = \partial L/\partial W + \lambda W`."""
    return dW + lam * W


def _dropout_inputs() -> dict:
    rng = np.random.default_rng(12)
    a = rng.normal(0.0, 1.0, size=(6, 5))
    u = rng.random((6, 5))
    return {"a (6, 5) batch, keep 0.8": args(a, u, 0.8),
            "the same batch, keep 0.5": args(a, u, 0.5),
            "a (3, 4) batch, keep 0.3": args(a[:3, :4] + 1.0, u[3:, 1:], 0.3)}


def _l2_inputs() -> dict:
    rng = np.random.default_rng(13)
    W, dW = rng.normal(0.0, 1.0, (3, 4)), rng.normal(0.0, 0.1, (3, 4))
    return {"a (3, 4) layer, lambda 0.01": args(dW, W, 0.01),
            "a (3, 4) layer, lambda 0.5": args(dW, W, 0.5),
            "a (2, 5) layer, lambda 0.1": args(rng.normal(0.0, 0.1, (2, 5)), rng.normal(0.0, 1.0, (2, 5)), 0.1)}



def best_l2() -> float:
    """The panel's L2 strength (keep 1) whose run ends with the lowest validation loss, as the panel measures it."""
    from bpcore.lessons import ch12
    finals = {l2: ch12.fit_fast(l2=l2, every=ch12.EVERY).val_loss[-1] for l2 in ch12.L2_OPTIONS}
    return min(finals, key=lambda l2: finals[l2])


KEYS = {
    "ch12.test_scale": NumberKey(
        lambda: KEEP,
        wrong={
            "that is 1/keep, the factor inverted dropout applies in training, not at test time":
                lambda: 1.0 / KEEP,
            "that is the dropout rate 1 - keep, the probability of dropping a unit": lambda: 1.0 - KEEP,
        },
    ),
    "ch12.inverted_dropout": FunctionKey(
        reference=inverted_dropout,
        inputs=_dropout_inputs,
        wrong={
            "the kept values are not divided by keep (plain dropout): the expected activation shrinks":
                lambda a, u, keep: a * (u < keep),
            "the kept values were multiplied by keep instead of divided by it":
                lambda a, u, keep: a * (u < keep) * keep,
            "keep is used as the probability of DROPPING a unit":
                lambda a, u, keep: a * (u < 1.0 - keep) / (1.0 - keep),
        },
    ),
    "ch12.l2_gradient": FunctionKey(
        reference=l2_gradient,
        inputs=_l2_inputs,
        wrong={
            "the penalty's gradient was subtracted: that grows the weights": lambda dW, W, lam: dW - lam * W,
            "that is lambda/2 * W: the 1/2 in the penalty cancels against the 2 of the square":
                lambda dW, W, lam: dW + 0.5 * lam * W,
            "only the penalty's gradient: the loss's own gradient dW was dropped": lambda dW, W, lam: lam * W,
        },
    ),
    "ch12.best_l2": NumberKey(
        best_l2,
        atol=0.0, rtol=0.0,
        wrong={"without decay the network memorises: its final validation loss is not the lowest": 0.0,
               "from this strength on both losses stay high: the network underfits": 1e-2},
    ),
}
