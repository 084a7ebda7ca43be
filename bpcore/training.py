r"""The training loop: mini-batches, an optimiser, and a record of what happened.

One epoch visits every sample once, in batches of ``batch_size`` (shuffled with a seeded generator;
``batch_size=None`` means full batch). For each batch: forward, loss, backward, one optimiser step.
The :class:`History` records per epoch the mean training loss over the batches (the loss the
gradients came from), training accuracy, validation loss and accuracy (evaluation mode), per-layer
gradient norms :math:`\lVert\partial L/\partial W^l\rVert` and the root-mean-square size of :math:`\delta^l`.

A run that diverges -- the loss becomes NaN or infinite, or grows ``divergence_factor`` times above
its value before training -- stops and says so in ``history.diverged`` / ``history.status``; nothing is raised,
so a slider set to an absurd learning rate shows a diverged run instead of a traceback.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

import math

import numpy as np

from . import validation
from .network import Network
from .optimizers import make_optimizer
from .schedules import get_schedule

Array = np.ndarray


@dataclass
class History:
    """What :func:`train` recorded, one entry per epoch run."""

    train_loss: list[float] = field(default_factory=list)
    train_accuracy: list[float] = field(default_factory=list)
    val_loss: list[float] = field(default_factory=list)
    val_accuracy: list[float] = field(default_factory=list)
    lr: list[float] = field(default_factory=list)
    grad_norm_rows: list[Array] = field(default_factory=list)
    delta_norm_rows: list[Array] = field(default_factory=list)
    #: ``(epochs_done, weights)`` pairs, the first taken before training (see ``snapshot_every``)
    snapshots: list[tuple[int, list[Array]]] = field(default_factory=list)
    diverged: bool = False
    diverged_epoch: int | None = None
    stopped_early: bool = False
    best_epoch: int | None = None
    status: str = "not trained"

    @property
    def epochs_run(self) -> int:
        return len(self.train_loss)

    @property
    def grad_norms(self) -> Array:
        r"""``(epochs_run, n_layers)``: :math:`\lVert\partial L/\partial W^l\rVert_F`, mean over the epoch's batches."""
        return np.array(self.grad_norm_rows).reshape(len(self.grad_norm_rows), -1)

    @property
    def delta_norms(self) -> Array:
        r"""``(epochs_run, n_layers)``: root-mean-square :math:`\delta^l` over units and samples, mean over batches."""
        return np.array(self.delta_norm_rows).reshape(len(self.delta_norm_rows), -1)

    @property
    def final_loss(self) -> float:
        return self.train_loss[-1] if self.train_loss else float("nan")

    def __repr__(self) -> str:
        return f"<History: {self.status}>"


def accuracy_of(outputs: Array, Y: Array) -> float:
    """Fraction classified right: threshold 0.5 for one output, arg-max otherwise (never ``|a-y| < tol``)."""
    if outputs.shape[1] == 1:
        hits = np.count_nonzero((outputs >= 0.5) == (Y >= 0.5))
    else:
        hits = np.count_nonzero(outputs.argmax(axis=1) == Y.argmax(axis=1))
    return hits / len(outputs)


def train(net: Network, X: Array, Y: Array, loss: str = "bce", lr: float = 0.1, epochs: int = 100,
          batch_size: int | None = None, seed: int | None = None, optimizer: str = "sgd",
          momentum: float = 0.9, l2: float = 0.0, dropout: float = 0.0,
          X_val: Array | None = None, Y_val: Array | None = None, early_stopping: int | None = None,
          restore_best: bool = True, schedule=None, callback: Callable[[int, History], object] | None = None,
          snapshot_every: int | None = None, evaluate_train: bool = False,
          divergence_factor: float = 1e3) -> History:
    """Train ``net`` in place and return its :class:`History`.

    X: ``(n_samples, n_in)``; Y: ``(n_samples, n_out)`` or 1-D labels (see :meth:`Network.loss`).
    loss: "mse", "bce" or "ce". lr: learning rate (> 0). epochs: passes over the data (> 0).
    batch_size: samples per step (None: all). seed: shuffling and dropout masks (same seed, same run).
    optimizer: "sgd", "momentum", "nesterov", "rmsprop", "adam" (``momentum`` is their beta).
    l2: weight decay :math:`\\lambda` (adds :math:`\\tfrac\\lambda2\\sum\\lVert W\\rVert^2` to the loss).
    dropout: probability of dropping each hidden unit in training (inverted dropout; none at evaluation).
    X_val, Y_val: validation data, evaluated after every epoch.
    early_stopping: stop after this many epochs without a better validation loss (restores the best
    weights when ``restore_best``). schedule: name or ``epoch -> factor`` (see :mod:`bpcore.schedules`).
    callback: ``callback(epoch, history)`` after every epoch; returning ``False`` stops training.
    snapshot_every: keep a copy of the weights every this many epochs (and before training).
    evaluate_train: also record the full training set's loss/accuracy in evaluation mode after each
    epoch (instead of the running mean over batches) -- useful with dropout.
    """
    X, Y, loss_fn = net._check(X, Y, loss)
    base_lr = validation.positive_number(lr, "learning rate lr")
    epochs = validation.positive_number(epochs, "epochs", integer=True)
    n = len(X)
    bs = n if batch_size is None else min(validation.positive_number(batch_size, "batch_size", integer=True), n)
    if isinstance(l2, bool) or not isinstance(l2, (int, float)) or not l2 >= 0:
        raise ValueError(f"l2 must be a number >= 0, got {l2!r}")
    keep = 1.0 - validation.fraction(dropout, "dropout rate")
    has_val = X_val is not None or Y_val is not None
    if has_val:
        if X_val is None or Y_val is None:
            raise ValueError("give both X_val and Y_val, or neither")
        X_val, Y_val, _ = net._check(X_val, Y_val, loss_fn, names=("X_val", "Y_val"))
    if early_stopping is not None:
        early_stopping = validation.positive_number(early_stopping, "early_stopping patience", integer=True)
        if not has_val:
            raise ValueError("early_stopping watches the validation loss: pass X_val and Y_val")
    if snapshot_every is not None:
        snapshot_every = validation.positive_number(snapshot_every, "snapshot_every", integer=True)
    opt = make_optimizer(optimizer, base_lr, momentum)
    schedule_fn = get_schedule(schedule)
    rng = np.random.default_rng(seed)
    params = net.parameters()
    n_layers = len(net.layers)
    hidden_widths = net.sizes[1:-1]
    bn_layers = net.layers if net.batch_norm else []
    hist = History()
    if snapshot_every:
        hist.snapshots.append((0, net.get_weights()))
    best_val, best_weights, since_best = np.inf, None, 0
    hist.status = "trained 0 epochs"
    with np.errstate(over="ignore", invalid="ignore", divide="ignore", under="ignore"):
        # divergence is judged against the loss before any step (the first epoch may already explode)
        initial_loss = net._objective(net._forward(X, train=False)[-1], Y, loss_fn, l2)

    with np.errstate(over="ignore", invalid="ignore", divide="ignore", under="ignore"):
        for epoch in range(epochs):
            opt.lr = base_lr * schedule_fn(epoch)
            order = rng.permutation(n) if bs < n else None
            loss_sum = correct = 0.0
            grad_norm_sum = np.zeros(n_layers)
            delta_abs_sum = np.zeros(n_layers)
            n_batches = 0
            for start in range(0, n, bs):
                if order is None:
                    Xb, Yb = X, Y
                else:
                    idx = order[start:start + bs]
                    Xb, Yb = X[idx], Y[idx]
                masks = None
                if keep < 1.0:
                    masks = [(rng.random((len(Xb), w)) < keep) / keep for w in hidden_widths]
                traces = net._forward(Xb, train=True, masks=masks)
                value = net._objective(traces[-1], Yb, loss_fn, l2)
                net._backward(traces, Yb, loss_fn, l2)
                opt.step(params, [g for t in traces for g in t.gradients().values()])
                for layer, t in zip(bn_layers, traces):
                    if layer.batch_norm:  # running statistics for evaluation mode
                        layer.running_mean *= 0.9
                        layer.running_mean += 0.1 * t.z.mean(axis=0)
                        layer.running_var *= 0.9
                        layer.running_var += 0.1 * t.z.var(axis=0)
                loss_sum += value * len(Xb)
                correct += accuracy_of(traces[-1].a, Yb) * len(Xb)
                for i, t in enumerate(traces):
                    dW = t.dW.ravel()
                    grad_norm_sum[i] += math.sqrt(dW @ dW)
                    d = t.delta.ravel()
                    delta_abs_sum[i] += math.sqrt(d @ d / d.size)
                n_batches += 1

            epoch_loss = loss_sum / n
            if evaluate_train:
                out = net._forward(X, train=False)[-1]
                epoch_loss = net._objective(out, Y, loss_fn, l2)
                correct = accuracy_of(out.a, Y) * n
            hist.train_loss.append(float(epoch_loss))
            hist.train_accuracy.append(correct / n)
            hist.lr.append(opt.lr)
            hist.grad_norm_rows.append(grad_norm_sum / n_batches)
            hist.delta_norm_rows.append(delta_abs_sum / n_batches)

            if not np.isfinite(epoch_loss) or epoch_loss > divergence_factor * max(initial_loss, 1e-12):
                hist.diverged, hist.diverged_epoch = True, epoch + 1
                how = "became NaN/infinite" if not np.isfinite(epoch_loss) else \
                    f"grew from {initial_loss:.3g} to {epoch_loss:.3g}"
                hist.status = f"diverged at epoch {epoch + 1}: the loss {how} (lr={base_lr:g})"
                break

            if has_val:
                out = net._forward(X_val, train=False)[-1]
                val = net._objective(out, Y_val, loss_fn, 0.0)
                hist.val_loss.append(float(val))
                hist.val_accuracy.append(accuracy_of(out.a, Y_val))
                if val < best_val:
                    best_val, since_best, hist.best_epoch = val, 0, epoch + 1
                    if early_stopping:
                        best_weights = net.get_weights()
                else:
                    since_best += 1

            if snapshot_every and (epoch + 1) % snapshot_every == 0:
                hist.snapshots.append((epoch + 1, net.get_weights()))
            hist.status = f"trained {epoch + 1} epochs · loss {epoch_loss:.4g}"
            if early_stopping and since_best >= early_stopping:
                hist.stopped_early = True
                if restore_best and best_weights is not None:
                    net.set_weights(best_weights)
                hist.status = (f"stopped early at epoch {epoch + 1}: no better validation loss for "
                               f"{early_stopping} epochs (best at epoch {hist.best_epoch}"
                               f"{', weights restored' if restore_best else ''})")
                break
            if callback is not None and callback(epoch + 1, hist) is False:
                hist.status = f"stopped by the callback at epoch {epoch + 1} · loss {epoch_loss:.4g}"
                break
    return hist
