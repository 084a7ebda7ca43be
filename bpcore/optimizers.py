r"""Optimisers: how a gradient becomes a step.

Every optimiser updates a list of parameter arrays **in place** from a list of gradients of the
same shapes: ``opt.step(params, grads)``. Its state (velocities, running averages) is one array per
parameter (Adam: two), kept in a list in the same order -- never keyed by a name, so two layers can never share
state. Use one optimiser object per network (or per problem: it works on any arrays, such as the
point :math:`\theta` on a 2-D loss surface).

With :math:`g` the gradient and :math:`\eta` the learning rate:

* SGD:       :math:`\theta \leftarrow \theta - \eta g`
* Momentum:  :math:`v \leftarrow \beta v - \eta g,\ \theta \leftarrow \theta + v` (heavy ball)
* Nesterov:  the gradient taken at the look-ahead point :math:`\theta + \beta v`
* RMSProp:   :math:`s \leftarrow \rho s + (1-\rho) g^2,\ \theta \leftarrow \theta - \eta g/(\sqrt s + \epsilon)`
* Adam:      momentum and RMSProp with bias correction.
"""
from __future__ import annotations

from typing import Callable, Sequence

import numpy as np

from ._names import lookup
from .validation import fraction, positive_number

Array = np.ndarray


class Optimizer:
    """Base class. Subclasses implement :meth:`update` for one array and its state."""

    name = ""
    n_states = 0

    def __init__(self, lr: float):
        self.lr = positive_number(lr, "learning rate lr")
        self.state: list[list[Array]] | None = None
        self.t = 0  # steps taken

    def step(self, params: Sequence[Array], grads: Sequence[Array]) -> None:
        """Update every ``params[i]`` in place from ``grads[i]`` (same shapes)."""
        if len(params) != len(grads):
            raise ValueError(f"got {len(params)} parameter arrays but {len(grads)} gradients")
        if self.state is None:
            self.state = [[np.zeros_like(p, dtype=float) for _ in range(self.n_states)] for p in params]
            self.shapes = [p.shape for p in params]
        elif len(self.state) != len(params):
            raise ValueError(f"this optimiser was used with {len(self.state)} parameter arrays, now {len(params)}: "
                             f"create one optimiser per network")
        if [getattr(g, "shape", None) for g in grads] != self.shapes or [p.shape for p in params] != self.shapes:
            for p, g, shape in zip(params, grads, self.shapes):       # check everything before changing anything
                if np.shape(g) != shape or p.shape != shape:
                    raise ValueError(f"gradient of shape {np.shape(g)} for a parameter of shape {p.shape} "
                                     f"(this optimiser's state has shape {shape})")
        self.t += 1
        for p, g, s in zip(params, grads, self.state):
            self.update(p, g, s)

    def update(self, p: Array, g: Array, state: list[Array]) -> None:
        raise NotImplementedError  # pragma: no cover

    def __repr__(self) -> str:
        return f"{type(self).__name__}(lr={self.lr:g})"


class SGD(Optimizer):
    r""":math:`\theta \leftarrow \theta - \eta\, g`."""

    name = "sgd"

    def update(self, p: Array, g: Array, state: list[Array]) -> None:
        p -= self.lr * g


class Momentum(Optimizer):
    r"""Heavy ball: :math:`v \leftarrow \beta v - \eta g`, :math:`\theta \leftarrow \theta + v`.

    Unrolled, :math:`v_t = -\eta\sum_{k\le t}\beta^{t-k} g_k`: the velocity is an exponentially
    weighted sum of past gradients (:math:`\tfrac{1-\beta^t}{1-\beta}` times their weighted average, so
    :math:`\tfrac{1}{1-\beta}` times once :math:`\beta^t` is small), so
    consistent directions build up speed and oscillating ones cancel.
    """

    name = "momentum"
    n_states = 1

    def __init__(self, lr: float, beta: float = 0.9):
        super().__init__(lr)
        self.beta = fraction(beta, "momentum beta")

    def update(self, p: Array, g: Array, state: list[Array]) -> None:
        v = state[0]
        v *= self.beta
        v -= self.lr * g
        p += v


class Nesterov(Momentum):
    r"""Nesterov momentum: :math:`v \leftarrow \beta v - \eta\nabla L(\theta + \beta v)`, :math:`\theta \leftarrow \theta + v`.

    The gradient is wanted at the look-ahead point :math:`\tilde\theta = \theta + \beta v`. Storing
    :math:`\tilde\theta` in the parameter array instead of :math:`\theta` makes the gradient we are
    given (at the stored point) exactly that one, and the update becomes
    :math:`v_{new} = \beta v - \eta g,\ \tilde\theta \leftarrow \tilde\theta - \beta v + (1+\beta) v_{new}`.
    """

    name = "nesterov"

    def update(self, p: Array, g: Array, state: list[Array]) -> None:
        v = state[0]
        p -= self.beta * v
        v *= self.beta
        v -= self.lr * g
        p += (1.0 + self.beta) * v


class RMSProp(Optimizer):
    r""":math:`s \leftarrow \rho s + (1-\rho) g^2`, :math:`\theta \leftarrow \theta - \eta\, g / (\sqrt{s} + \epsilon)`."""

    name = "rmsprop"
    n_states = 1

    def __init__(self, lr: float, rho: float = 0.9, eps: float = 1e-8):
        super().__init__(lr)
        self.rho, self.eps = fraction(rho, "rmsprop rho"), positive_number(eps, "rmsprop eps")

    def update(self, p: Array, g: Array, state: list[Array]) -> None:
        s = state[0]
        s *= self.rho
        s += (1.0 - self.rho) * g * g
        p -= self.lr * g / (np.sqrt(s) + self.eps)


class Adam(Optimizer):
    r"""Adam: :math:`m \leftarrow \beta_1 m + (1-\beta_1) g`, :math:`s \leftarrow \beta_2 s + (1-\beta_2) g^2`,
    :math:`\hat m = m/(1-\beta_1^t)`, :math:`\hat s = s/(1-\beta_2^t)`,
    :math:`\theta \leftarrow \theta - \eta\,\hat m/(\sqrt{\hat s}+\epsilon)`."""

    name = "adam"
    n_states = 2

    def __init__(self, lr: float, beta1: float = 0.9, beta2: float = 0.999, eps: float = 1e-8):
        super().__init__(lr)
        self.beta1, self.beta2 = fraction(beta1, "adam beta1"), fraction(beta2, "adam beta2")
        self.eps = positive_number(eps, "adam eps")

    def update(self, p: Array, g: Array, state: list[Array]) -> None:
        m, s = state
        m *= self.beta1
        m += (1.0 - self.beta1) * g
        s *= self.beta2
        s += (1.0 - self.beta2) * g * g
        m_hat = m / (1.0 - self.beta1 ** self.t)
        s_hat = s / (1.0 - self.beta2 ** self.t)
        p -= self.lr * m_hat / (np.sqrt(s_hat) + self.eps)


OPTIMIZERS = {"sgd": SGD, "momentum": Momentum, "nesterov": Nesterov, "rmsprop": RMSProp, "adam": Adam}


def make_optimizer(name: str | Optimizer, lr: float, momentum: float = 0.9) -> Optimizer:
    """The optimiser called ``name`` with learning rate ``lr`` (``momentum`` is beta for the
    momentum methods and beta1 for Adam). An :class:`Optimizer` object is returned as it is, with its own
    learning rate and betas."""
    if isinstance(name, Optimizer):
        return name
    cls = lookup("optimiser", name, OPTIMIZERS)
    if cls in (Momentum, Nesterov):
        return cls(lr, beta=momentum)
    if cls is Adam:
        return cls(lr, beta1=momentum)
    return cls(lr)


def optimizer_path(grad: Callable[[Array], Array], start: Sequence[float], optimizer: Optimizer, steps: int) -> Array:
    """Run ``optimizer`` from ``start`` for ``steps`` steps on a 2-D function with gradient
    ``grad(theta (2,)) -> (2,)``; return the visited points ``(steps + 1, 2)``.

    Stops early (remaining rows NaN) if the point leaves the finite numbers.
    """
    theta = np.array(start, dtype=float)
    path = np.full((steps + 1, 2), np.nan)
    path[0] = theta
    with np.errstate(all="ignore"):
        for t in range(1, steps + 1):
            optimizer.step([theta], [np.asarray(grad(theta), dtype=float)])
            if not np.all(np.isfinite(theta)):
                break
            path[t] = theta
    return path
