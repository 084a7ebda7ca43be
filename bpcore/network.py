r"""A fully connected network, its forward pass and backpropagation, written out.

Notation (the book's): layer :math:`l = 1..L` takes :math:`a^{l-1}` (with :math:`a^0 = X`) and computes

.. math:: z^l = a^{l-1} W^l + b^l, \qquad a^l = f^l(z^l)

for a whole batch at once: ``a_in: (n, n_in)``, ``W: (n_in, n_out)``, ``b: (n_out,)``. In code the
layers are ``net.layers[0..L-1]``, so the book's layer :math:`l` is ``net.layers[l-1]``.

Backpropagation carries the error signal :math:`\delta^l = \partial L/\partial z^l` from the output
back to the input:

.. math::
    \delta^L = \frac{\partial L}{\partial a^L}\odot f'(z^L),\qquad
    \delta^{l} = \big(\delta^{l+1} (W^{l+1})^\top\big)\odot f'(z^{l}),\qquad
    \frac{\partial L}{\partial W^l} = (a^{l-1})^\top\delta^l,\quad
    \frac{\partial L}{\partial b^l} = \textstyle\sum_i \delta^l_i .

The sums over the batch are inside the matrix product :math:`(a^{l-1})^\top\delta^l`; the loss is a
mean, so :math:`\delta^L` already carries the :math:`1/n`.
"""
from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import Sequence

import numpy as np

from . import validation
from .activations import Activation, get_hidden, get_output
from .batchnorm import batchnorm_backward, batchnorm_evaluate, batchnorm_forward, update_running_statistics
from ._names import name_key
from .init import DEFAULT_SCALE, get_init
from .losses import Loss, get_loss, output_delta
from .metrics import predicted_classes

Array = np.ndarray
#: what a :class:`LayerTrace` holds for ``delta``, ``dW``, ``db`` until the backward pass fills them in
NOT_COMPUTED = np.empty(0)
NOT_COMPUTED.flags.writeable = False


@dataclass
class Layer:
    """One fully connected layer: ``W: (n_in, n_out)``, ``b: (n_out,)`` and its activation.

    ``W`` and ``b`` are plain arrays: set weights by hand with ``layer.W[...] = ...``.
    With batch normalisation the layer also has ``gamma``, ``beta`` (learned) and running statistics.
    """

    W: Array
    b: Array
    activation: Activation
    gamma: Array | None = None
    beta: Array | None = None
    running_mean: Array | None = None
    running_var: Array | None = None

    @property
    def batch_norm(self) -> bool:
        return self.gamma is not None

    def parameters(self) -> list[Array]:
        """The trainable arrays, in the order ``W, b[, gamma, beta]``."""
        if self.gamma is None or self.beta is None:
            return [self.W, self.b]
        return [self.W, self.b, self.gamma, self.beta]

    def parameter_names(self) -> list[str]:
        return ["W", "b"] + (["gamma", "beta"] if self.batch_norm else [])

    # -- batch normalisation (chapter 13; bpcore.batchnorm holds the formulas) ----------------------
    def normalise(self, z: Array, train: bool) -> tuple[Array, tuple[Array, Array] | None]:
        """``u`` from ``z: (n, n_out)`` and the cache the backward pass needs: batch statistics in
        training, the running ones in evaluation; ``z`` itself (no cache) without batch norm."""
        if self.gamma is None or self.beta is None or self.running_mean is None or self.running_var is None:
            return z, None
        if train:
            return batchnorm_forward(z, self.gamma, self.beta)
        return batchnorm_evaluate(z, self.gamma, self.beta, self.running_mean, self.running_var), None

    def normalise_backward(self, grad_u: Array, trace: LayerTrace) -> Array:
        """``dL/dz`` from ``grad_u = dL/du: (n, n_out)``; with batch norm also fills ``trace.dgamma``, ``trace.dbeta``."""
        if self.gamma is None or trace.bn_cache is None:
            return grad_u
        grad_z, trace.dgamma, trace.dbeta = batchnorm_backward(grad_u, self.gamma, trace.bn_cache)
        return grad_z

    def track_statistics(self, z: Array) -> None:
        """After a training step on ``z: (n, n_out)``: move the running mean and variance (batch norm only)."""
        if self.running_mean is not None and self.running_var is not None:
            update_running_statistics(self.running_mean, self.running_var, z)


@dataclass
class LayerTrace:
    """Everything one layer computed in one forward and backward pass (shapes for a batch of ``n``).

    ``a_in (n, n_in)`` input; ``z (n, n_out)`` = a_in W + b; ``u`` the activation's input (``z`` itself
    unless batch norm rescales it); ``h = f(u)``; ``a`` the output (``h`` unless dropout masks it);
    ``delta`` = dL/dz; ``dW``, ``db`` (and ``dgamma``, ``dbeta``) the gradients.
    """

    a_in: Array
    z: Array
    u: Array
    h: Array
    a: Array
    mask: Array | None = None
    bn_cache: tuple[Array, Array] | None = None
    delta: Array = field(default_factory=lambda: NOT_COMPUTED)   # filled in by the backward pass
    dW: Array = field(default_factory=lambda: NOT_COMPUTED)
    db: Array = field(default_factory=lambda: NOT_COMPUTED)
    dgamma: Array | None = None
    dbeta: Array | None = None

    def gradient_list(self) -> list[Array]:
        """The gradients in the order of :meth:`Layer.parameters`: ``dW, db[, dgamma, dbeta]``."""
        if self.dgamma is None or self.dbeta is None:
            return [self.dW, self.db]
        return [self.dW, self.db, self.dgamma, self.dbeta]

    def gradients(self) -> dict[str, Array]:
        return dict(zip(["W", "b", "gamma", "beta"], self.gradient_list()))


@dataclass
class Trace:
    """One forward + backward pass: ``layers[i]`` is a :class:`LayerTrace`, ``loss`` the objective."""

    layers: list[LayerTrace]
    loss: float
    output: Array
    targets: Array
    gradients: list[dict[str, Array]] = field(default_factory=list)


class Network:
    """A fully connected feed-forward network.

    >>> net = Network([2, 16, 1], hidden="tanh", output="sigmoid", seed=0)
    >>> net.forward(np.zeros((5, 2))).shape
    (5, 1)

    Parameters
    ----------
    sizes: layer widths, input first, e.g. ``[2, 16, 1]`` (at least two numbers).
    hidden: activation of every hidden layer: sigmoid, tanh, relu, leaky_relu or linear, or an
    :class:`~bpcore.activations.Activation` such as ``LeakyReLU(alpha=0.1)``.
    output: activation of the output layer: sigmoid, softmax or linear.
    init: zeros, normal, uniform, xavier or he; ``None`` picks he for (leaky) relu, xavier otherwise.
    init_scale: the std for ``normal`` (default 0.1) or the half-width r for ``uniform`` (default 0.5).
    seed: seed of the random initialisation (same seed, same weights).
    batch_norm: normalise every hidden layer's pre-activations (see :mod:`bpcore.batchnorm`).
    """

    def __init__(self, sizes: Sequence[int], hidden: str | Activation = "sigmoid", output: str = "sigmoid",
                 init: str | None = None, seed: int | None = None, init_scale: float | None = None,
                 batch_norm: bool = False):
        sizes = list(sizes) if not isinstance(sizes, (str, bytes)) else sizes
        if not isinstance(sizes, list) or len(sizes) < 2:
            raise ValueError(f"sizes must list at least two layer widths (input and output), e.g. [2, 16, 1]; "
                             f"got {sizes!r}")
        for s in sizes:
            validation.positive_number(s, "every layer size", integer=True)
        self.sizes = [int(s) for s in sizes]
        hidden_act, output_act = get_hidden(hidden), get_output(output)
        if init is None:
            init = "he" if hidden_act.name in ("relu", "leaky_relu") else "xavier"
        initialise = get_init(init)
        self.init = init = name_key(init)
        if init_scale is None:
            init_scale = DEFAULT_SCALE.get(init, 1.0)
        elif init not in DEFAULT_SCALE:
            raise ValueError(f"init_scale sets the std of 'normal' and the half-width of 'uniform'; init={init!r} "
                             f"takes no scale (its weights follow from the layer sizes): leave init_scale out")
        self.init_scale = validation.positive_number(init_scale, "init_scale")
        self.seed = seed
        rng = np.random.default_rng(seed)
        self.layers: list[Layer] = []
        for i, (n_in, n_out) in enumerate(zip(self.sizes[:-1], self.sizes[1:])):
            is_output = i == len(self.sizes) - 2
            layer = Layer(W=initialise(n_in, n_out, rng, self.init_scale), b=np.zeros(n_out),
                          activation=output_act if is_output else get_hidden(hidden))
            if batch_norm and not is_output:
                layer.gamma, layer.beta = np.ones(n_out), np.zeros(n_out)
                layer.running_mean, layer.running_var = np.zeros(n_out), np.ones(n_out)
            self.layers.append(layer)

    # -- description -----------------------------------------------------------------------
    @property
    def hidden(self) -> str:
        return self.layers[0].activation.name if len(self.layers) > 1 else "none"

    @property
    def output(self) -> str:
        return self.layers[-1].activation.name

    @property
    def batch_norm(self) -> bool:
        return any(layer.batch_norm for layer in self.layers)

    def __repr__(self) -> str:
        bn = ", batch_norm=True" if self.batch_norm else ""
        return f"Network({self.sizes}, hidden={self.hidden!r}, output={self.output!r}{bn})"

    def parameters(self) -> list[Array]:
        """All trainable arrays, layer by layer (``W, b[, gamma, beta]`` each). Updated in place."""
        return [p for layer in self.layers for p in layer.parameters()]

    def get_weights(self) -> list[Array]:
        """Copies of :meth:`parameters` (a snapshot)."""
        return [p.copy() for p in self.parameters()]

    def set_weights(self, weights: Sequence[Array]) -> None:
        """Copy a snapshot from :meth:`get_weights` back into the network (in place)."""
        params = self.parameters()
        if len(weights) != len(params):
            raise ValueError(f"expected {len(params)} arrays (as from get_weights()), got {len(weights)}")
        for p, w in zip(params, weights):
            w = np.asarray(w, dtype=float)
            if w.shape != p.shape:
                raise ValueError(f"weight of shape {w.shape} cannot replace a parameter of shape {p.shape}")
            p[...] = w

    def copy(self) -> "Network":
        """An independent deep copy."""
        return copy.deepcopy(self)

    # -- forward ---------------------------------------------------------------------------
    def forward(self, X: Array) -> Array:
        """Outputs ``(n_samples, n_out)`` for ``X: (n_samples, n_in)``; evaluation mode (no dropout,
        batch norm with running statistics)."""
        return self.forward_pass(validation.as_inputs(X, self.sizes[0]), train=False)[-1].a

    __call__ = forward

    def predict(self, X: Array) -> Array:
        """Class labels ``(n_samples,)``: output >= 0.5 for one output unit, the arg-max otherwise."""
        return predicted_classes(self.forward(X))

    def forward_pass(self, X: Array, train: bool = False,
                     masks: Sequence[Array | None] | None = None) -> list[LayerTrace]:
        """The forward pass keeping every intermediate: one :class:`LayerTrace` per layer.

        X: ``(n, n_in)``, already prepared (:meth:`prepare`). ``train``: batch norm uses the batch's
        statistics (else the running ones). ``masks[i]``: inverted-dropout mask ``(n, width_i)`` of
        hidden layer i (already divided by the keep probability), or None. ``[-1].a`` is the output ``(n, n_out)``.
        """
        traces = []
        a = X
        for i, layer in enumerate(self.layers):
            z = a @ layer.W + layer.b
            u, cache = layer.normalise(z, train) if layer.batch_norm else (z, None)   # batch norm: chapter 13
            h = layer.activation.forward(u)
            mask = masks[i] if masks is not None and i < len(self.layers) - 1 else None
            out = h if mask is None else h * mask
            traces.append(LayerTrace(a_in=a, z=z, u=u, h=h, a=out, mask=mask, bn_cache=cache))
            a = out
        return traces

    # -- loss and backward ------------------------------------------------------------------
    def loss(self, X: Array, Y: Array, loss: str = "bce", l2: float = 0.0, train: bool = False) -> float:
        """The mean loss over the samples, plus :math:`\\tfrac{\\lambda}{2}\\sum_l\\lVert W^l\\rVert^2`
        when ``l2 = λ > 0``. ``train=True`` uses batch statistics for batch norm (what the gradients
        differentiate)."""
        X, Y, loss_fn = self.prepare(X, Y, loss)
        l2 = validation.nonnegative_number(l2, "l2")
        traces = self.forward_pass(X, train=train)
        return self.objective(traces[-1], Y, loss_fn, l2)

    def objective(self, last: LayerTrace, Y: Array, loss_fn: Loss, l2: float = 0.0) -> float:
        r"""The objective: the mean loss of the output layer's trace ``last`` against ``Y: (n, n_out)``,
        plus :math:`\tfrac{\lambda}{2}\sum_l\lVert W^l\rVert^2` when ``l2 = λ > 0``."""
        value = loss_fn.value(last.z, last.a, Y)
        if l2:
            value += 0.5 * l2 * sum(float(np.sum(layer.W ** 2)) for layer in self.layers)
        return value

    def gradients(self, X: Array, Y: Array, loss: str = "bce", l2: float = 0.0,
                  masks: Sequence[Array | None] | None = None) -> list[dict[str, Array]]:
        """One dict per layer, ``{"W": dW, "b": db}`` (plus ``gamma``, ``beta`` with batch norm), the
        gradient of :meth:`loss` with respect to each parameter. The network is not changed."""
        return self.trace(X, Y, loss=loss, l2=l2, masks=masks).gradients

    def trace(self, X: Array, Y: Array, loss: str = "bce", l2: float = 0.0,
              masks: Sequence[Array | None] | None = None) -> Trace:
        """One forward and one backward pass with every intermediate kept, for inspection."""
        X, Y, loss_fn = self.prepare(X, Y, loss)
        l2 = validation.nonnegative_number(l2, "l2")
        return self.trace_pass(X, Y, loss_fn, l2, masks)

    def trace_pass(self, X: Array, Y: Array, loss_fn: Loss, l2: float = 0.0,
                   masks: Sequence[Array | None] | None = None) -> Trace:
        """:meth:`trace` on prepared data (``X: (n, n_in)``, ``Y: (n, n_out)``, a :class:`Loss`, as
        :meth:`prepare` returns them): forward (training mode), objective, backward."""
        traces = self.forward_pass(X, train=True, masks=masks)
        value = self.objective(traces[-1], Y, loss_fn, l2)
        self.backward_pass(traces, Y, loss_fn, l2)
        return Trace(layers=traces, loss=value, output=traces[-1].a, targets=Y,
                     gradients=[t.gradients() for t in traces])

    def backward_pass(self, traces: list[LayerTrace], Y: Array, loss_fn: Loss, l2: float = 0.0,
                      delta_out: Array | None = None) -> None:
        """Fill in ``delta``, ``dW``, ``db`` of every layer trace, from the output layer back.

        ``traces``: :meth:`forward_pass` of ``X`` in training mode; ``Y: (n, n_out)``. ``delta_out``
        ``(n, n_out)``, if given, replaces the output error signal the loss gives (chapter 6 feeds it
        deliberately wrong ones); every other line is the same.
        """
        last = traces[-1]
        delta = output_delta(loss_fn, self.layers[-1].activation, last.z, last.a, Y)
        if delta_out is not None:
            delta = delta_out                                 # a given error signal instead (chapter 6)
        for i in range(len(self.layers) - 1, -1, -1):
            layer, t = self.layers[i], traces[i]
            if i < len(self.layers) - 1:
                grad_a = delta @ self.layers[i + 1].W.T          # dL/da^l: sum over the units it feeds
                if t.mask is not None:
                    grad_a = grad_a * t.mask                      # dropped units pass no gradient back
                grad_u = layer.activation.backward(t.u, t.h, grad_a)  # times f'(u)
                delta = layer.normalise_backward(grad_u, t) if layer.batch_norm else grad_u
            t.delta = delta
            t.dW = t.a_in.T @ delta
            if l2:
                t.dW += l2 * layer.W
            t.db = delta.sum(axis=0)

    def prepare(self, X: Array, Y: Array, loss: str | Loss,
                names: tuple[str, str] = ("X", "Y")) -> tuple[Array, Array, Loss]:
        """Input preparation: check ``X: (n, n_in)`` and ``Y`` against this network and the loss, and
        return them as the passes take them: float arrays ``X (n, n_in)``, ``Y (n, n_out)`` (labels
        one-hot encoded for "ce"), and the :class:`Loss` object. Bad input raises a ValueError (a
        TypeError for what is not numbers) that names it (``names``: what to call X and Y in the message)."""
        loss_fn = get_loss(loss)
        if self.output not in loss_fn.outputs:
            raise ValueError(f"loss {loss_fn.name!r} needs an output activation in {list(loss_fn.outputs)}, "
                             f"but this network's output is {self.output!r}"
                             + (": log-losses need probabilities, not raw outputs" if self.output == "linear"
                                else ""))
        X = validation.as_inputs(X, self.sizes[0], name=names[0])
        Y = validation.as_targets(Y, len(X), self.sizes[-1], loss_fn.name, name=names[1])
        return X, Y, loss_fn
