r"""Answer keys of chapter 3, the chain rule (ids ``ch03.*``).

* ``ch03.dg_dw`` -- derive: :math:`g(w) = \sigma(a w)\,w` uses ``w`` twice; :math:`\partial g/\partial w`
  at ``w = 1.5``, ``a = -0.8`` (both branches summed).
* ``ch03.df_dy`` -- implement: :math:`\partial f/\partial y` of the chapter's
  :math:`f(x, y) = (xy + \sin x)\,\sigma(y)` as a function ``df_dy(x, y)``.
* ``ch03.dfdx_zero`` -- explore: the ``x`` in ``[0, 3]`` where :math:`\partial f/\partial x = 0` for
  ``y = 0.5``, read off the live graph (checked to 3 %).

Every reference is computed with :mod:`bpcore.lessons.ch03`'s scalar autodiff.
"""
from __future__ import annotations

import math


from bpcore.activations import sigmoid
from bpcore.lessons.ch03 import Value, example_graph
from bpcore.selfcheck.keytypes import FunctionKey, NumberKey, Wrong, args

W, A = 1.5, -0.8


def _dg_dw() -> float:
    w = Value(W)
    g = (w * A).sigmoid() * w
    g.backward()
    return w.grad


def _sig_prime(z: float) -> float:
    s = float(sigmoid(z))
    return s * (1.0 - s)


def _df_dy(x: float, y: float) -> float:
    return example_graph(float(x), float(y))["y"].grad


def _parts(x: float, y: float) -> tuple[float, float]:
    """(q, r) of the example at (x, y)."""
    nodes = example_graph(float(x), float(y))
    return nodes["q"].data, nodes["r"].data


KEYS = {
    "ch03.dg_dw": NumberKey(
        _dg_dw,
        wrong={
            "only the outer branch (the factor w) is counted: the path through sigma(a w) is missing":
                lambda: float(sigmoid(A * W)),
            "only the path through sigma(a w) is counted: the other use of w is missing":
                lambda: W * A * _sig_prime(A * W),
            "the inner derivative a of a*w is missing from the path through the sigmoid":
                lambda: float(sigmoid(A * W)) + W * _sig_prime(A * W),
        },
    ),
    "ch03.df_dy": FunctionKey(
        reference=_df_dy,
        inputs={"x = 1, y = 0.5": args(1.0, 0.5), "x = -2, y = 1.5": args(-2.0, 1.5),
                "x = 0.3, y = -2": args(0.3, -2.0), "x = 2.5, y = 0": args(2.5, 0.0)},
        wrong={
            "only the path through p = x*y is counted: y also feeds r = sigma(y)":
                Wrong(lambda x, y: _parts(x, y)[1] * x, hint="add the second branch"),
            "only the path through r = sigma(y) is counted: y also feeds p = x*y":
                Wrong(lambda x, y: _parts(x, y)[0] * _sig_prime(y), hint="add the second branch"),
            "the sigmoid's slope sigma'(y) is missing on the path through r":
                lambda x, y: _parts(x, y)[1] * x + _parts(x, y)[0],
        },
    ),
    "ch03.dfdx_zero": NumberKey(
        lambda: math.acos(-0.5),
        rtol=0.03,
        wrong={
            "at that x, cos x = +0.5: but the gradient vanishes where y + cos x = 0, i.e. cos x = -y":
                lambda: math.acos(0.5),
            "at that x, cos x = 0: but df/dx = r (y + cos x) has two terms, and cos x is only one of them":
                lambda: math.pi / 2,
        },
    ),
}
