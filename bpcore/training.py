r"""The training loop: mini-batches, an optimiser, and a record of what happened.

One epoch visits every sample once, in batches of ``batch_size`` (shuffled with a seeded generator;
``batch_size=None`` means full batch). For each batch, :func:`train_step`: forward, loss, backward,
one optimiser step. :func:`train` repeats :func:`run_epoch` and writes a :class:`History`.
With ``clip_norm=c`` every step first rescales its gradients by :func:`clip_gradients`.

What is recorded is asked for with ``record`` (see :data:`RECORDS`), and only that is computed:

* ``"loss"``, ``"accuracy"`` -- per epoch, the mean over the epoch's samples (each batch weighted by
  its size) of the loss the gradients came from and of the training accuracy (the default: both);
* ``"data_loss"`` -- the same mean of the data term alone, without the L2 penalty
  :math:`\tfrac\lambda2\sum_l\lVert W^l\rVert^2` (equal to ``"loss"`` when ``l2 = 0``): the quantity the
  validation loss measures, so the two curves compare like with like;
* ``"grad_norms"`` -- per-layer :math:`\lVert\partial L/\partial W^l\rVert`, mean over the batches;
* ``"delta_norms"`` -- per-layer root-mean-square size of :math:`\delta^l`, mean over the batches.

Validation data (and ``evaluate_train``) are measured in evaluation mode every ``measure_every``-th
epoch and after the last one; ``history.measured_epochs`` says when.

A run that diverges (:func:`diverged`) stops and says so in ``history.diverged`` / ``history.status``;
nothing is raised, so a slider set to an absurd learning rate shows a diverged run instead of a traceback.
"""
from __future__ import annotations

import math
import numbers
from dataclasses import dataclass, field
from typing import Callable, Sequence

import numpy as np

from . import validation
from .losses import Loss
from .metrics import accuracy_of
from .network import LayerTrace, Network, Trace
from .optimizers import Optimizer, make_optimizer
from .schedules import get_schedule

Array = np.ndarray

#: what :func:`train` can record per epoch
RECORDS = ("loss", "accuracy", "data_loss", "grad_norms", "delta_norms")
DEFAULT_RECORD = ("loss", "accuracy")
#: :func:`train`'s learning rate when none is given
DEFAULT_LR = 0.1
#: :func:`train`'s β of the momentum optimisers (Adam's beta1)
DEFAULT_MOMENTUM = 0.9


@dataclass
class History:
    """What :func:`train` recorded.

    ``train_loss``, ``train_data_loss``, ``train_accuracy``, ``lr``, ``grad_norm_rows``, ``delta_norm_rows``:
    one entry per epoch run (when recorded). ``val_loss``, ``val_accuracy`` (and ``train_loss``,
    ``train_data_loss``, ``train_accuracy`` with ``evaluate_train``): one entry per epoch in ``measured_epochs``.
    ``train_loss`` includes the L2 penalty when ``l2 > 0``; ``train_data_loss`` and ``val_loss`` never do.
    """

    train_loss: list[float] = field(default_factory=list)
    train_data_loss: list[float] = field(default_factory=list)
    train_accuracy: list[float] = field(default_factory=list)
    val_loss: list[float] = field(default_factory=list)
    val_accuracy: list[float] = field(default_factory=list)
    lr: list[float] = field(default_factory=list)
    grad_norm_rows: list[Array] = field(default_factory=list)
    delta_norm_rows: list[Array] = field(default_factory=list)
    #: the epochs (1-based) after which the evaluation-mode measurements were taken
    measured_epochs: list[int] = field(default_factory=list)
    #: ``(epochs_done, weights)`` pairs, the first taken before training (see ``snapshot_every``)
    snapshots: list[tuple[int, list[Array]]] = field(default_factory=list)
    #: the quantities asked for (``record``)
    recorded: tuple[str, ...] = DEFAULT_RECORD
    epochs_run: int = 0
    diverged: bool = False
    diverged_epoch: int | None = None
    stopped_early: bool = False
    best_epoch: int | None = None
    status: str = "not trained"

    def _rows(self, name: str, rows: list[Array]) -> Array:
        if name not in self.recorded:
            raise ValueError(f"{name} were not recorded: pass record=(..., {name!r}) to train()")
        return np.array(rows).reshape(len(rows), -1)

    @property
    def grad_norms(self) -> Array:
        r"""``(epochs_run, n_layers)``: :math:`\lVert\partial L/\partial W^l\rVert_F`, mean over the epoch's batches."""
        return self._rows("grad_norms", self.grad_norm_rows)

    @property
    def delta_norms(self) -> Array:
        r"""``(epochs_run, n_layers)``: root-mean-square :math:`\delta^l` over units and samples, mean over batches."""
        return self._rows("delta_norms", self.delta_norm_rows)

    @property
    def final_loss(self) -> float:
        return self.train_loss[-1] if self.train_loss else float("nan")

    def __repr__(self) -> str:
        return f"<History: {self.status}>"


# -- the steps -------------------------------------------------------------------------------
def dropout_masks(rng: np.random.Generator, n: int, widths: Sequence[int], keep: float) -> list[Array]:
    """Inverted-dropout masks for a batch of ``n``: one ``(n, width)`` array per hidden layer, each unit
    kept with probability ``keep`` and then divided by ``keep`` (so the expected activation is unchanged)."""
    return [(rng.random((n, w)) < keep) / keep for w in widths]


def global_norm(grads: Sequence[Array]) -> float:
    r""":math:`\lVert g\rVert = \sqrt{\sum_i \lVert g_i\rVert^2}`: the length of all the arrays ``grads``
    (any shapes) laid end to end as one vector. When the sum of squares overflows (gradients above
    about :math:`10^{154}`), it is computed again as :math:`m\,\lVert g/m\rVert` with :math:`m = \max|g|`."""
    with np.errstate(over="ignore", invalid="ignore"):
        total = sum(float(np.vdot(g, g)) for g in grads)
    if math.isfinite(total):
        return math.sqrt(total)
    m = max((float(np.max(np.abs(g))) for g in grads if np.size(g)), default=0.0)
    if not math.isfinite(m):
        return m                                      # an infinite or NaN gradient: no finite length
    return m * math.sqrt(sum(float(np.vdot(g / m, g / m)) for g in grads))


def clip_gradients(grads: Sequence[Array], max_norm: float) -> list[Array]:
    r"""Gradient-norm clipping: :math:`g \leftarrow g\,\min(1, c/\lVert g\rVert)` with ``c = max_norm``.

    ``grads``: one array per parameter (any shapes, e.g. ``dW: (n_in, n_out)``, ``db: (n_out,)``);
    :math:`\lVert g\rVert` is their :func:`global_norm`, all parameters together. Returns new arrays of
    the same shapes: unchanged when :math:`\lVert g\rVert \le c`, else all multiplied by the same
    factor :math:`c/\lVert g\rVert`, so the gradient keeps its direction and has norm exactly ``c`` (a plain
    gradient-descent step then has length :math:`\eta c`; momentum and Adam transform it further).
    A non-finite norm (an overflowed gradient) is left as it is: there is no direction to keep.
    """
    c = validation.positive_number(max_norm, "clip_norm (the largest gradient norm)")
    norm = global_norm(grads)
    scale = c / norm if math.isfinite(norm) and norm > c else 1.0
    return [g * scale for g in grads]


def train_step(net: Network, opt: Optimizer, params: list[Array], X: Array, Y: Array, loss_fn: Loss,
               l2: float = 0.0, masks: Sequence[Array] | None = None,
               output_delta: Callable[[Trace], Array] | None = None,
               with_loss: bool = True, clip_norm: float | None = None) -> tuple[list[LayerTrace], float]:
    """One step on the batch ``X: (n, n_in)``, ``Y: (n, n_out)``: forward, objective, backward,
    (clip, when ``clip_norm`` is given), update.

    ``params``: ``net.parameters()``. Returns the layer traces (with their gradients, as backpropagation
    computed them, before any clipping) and the objective before the step (NaN when ``with_loss`` is
    False: then it is not computed). ``output_delta(trace)``, if given, replaces :math:`\\delta^L`
    (chapter 6's mistakes).
    """
    layers = net.forward_pass(X, train=True, masks=masks)
    value = net.objective(layers[-1], Y, loss_fn, l2) if with_loss else math.nan
    delta_out = None if output_delta is None else output_delta(Trace(layers, value, layers[-1].a, Y))
    net.backward_pass(layers, Y, loss_fn, l2, delta_out)
    grads = [g for t in layers for g in t.gradient_list()]
    if clip_norm is not None:
        grads = clip_gradients(grads, clip_norm)
    opt.step(params, grads)
    for layer, t in zip(net.layers, layers):
        if layer.batch_norm:
            layer.track_statistics(t.z)        # running statistics for evaluation mode
    return layers, value


def diverged(loss: float, initial_loss: float, factor: float) -> bool:
    """The divergence rule: the loss is NaN or infinite, or ``factor`` times its value before training."""
    return not math.isfinite(loss) or loss > factor * max(initial_loss, 1e-12)


@dataclass
class Epoch:
    """What one :func:`run_epoch` measured: the mean loss over the samples, and what was asked for."""

    loss: float
    accuracy: float | None = None
    data_loss: float | None = None
    grad_norms: Array | None = None
    delta_norms: Array | None = None


def run_epoch(net: Network, opt: Optimizer, params: list[Array], X: Array, Y: Array, loss_fn: Loss,
              batch_size: int, rng: np.random.Generator, l2: float = 0.0, keep: float = 1.0,
              record: Sequence[str] = DEFAULT_RECORD,
              output_delta: Callable[[Trace], Array] | None = None, with_loss: bool = True,
              clip_norm: float | None = None) -> Epoch:
    """One pass over ``X: (n, n_in)``, ``Y: (n, n_out)`` in shuffled batches of ``batch_size``
    (unshuffled if one batch holds everything), a :func:`train_step` each."""
    n = len(X)
    order = rng.permutation(n) if batch_size < n else None
    widths = net.sizes[1:-1]
    want_acc, want_grad, want_delta = "accuracy" in record, "grad_norms" in record, "delta_norms" in record
    want_data = "data_loss" in record
    loss_sum = correct = data_sum = 0.0
    grad_sum = np.zeros(len(net.layers)) if want_grad else None
    delta_sum = np.zeros(len(net.layers)) if want_delta else None
    n_batches = 0
    for start in range(0, n, batch_size):
        if order is None:
            Xb, Yb = X, Y
        else:
            idx = order[start:start + batch_size]
            Xb, Yb = X[idx], Y[idx]
        masks = dropout_masks(rng, len(Xb), widths, keep) if keep < 1.0 else None
        layers, value = train_step(net, opt, params, Xb, Yb, loss_fn, l2, masks, output_delta, with_loss,
                                   clip_norm)
        loss_sum += value * len(Xb)
        if want_data:                                     # the objective without the L2 penalty
            data_sum += net.objective(layers[-1], Yb, loss_fn) * len(Xb)
        if want_acc:
            correct += accuracy_of(layers[-1].a, Yb) * len(Xb)
        for i, t in enumerate(layers if want_grad or want_delta else ()):
            if grad_sum is not None:
                dW = t.dW.ravel()
                grad_sum[i] += math.sqrt(dW @ dW)
            if delta_sum is not None:
                d = t.delta.ravel()
                delta_sum[i] += math.sqrt(d @ d / d.size)
        n_batches += 1
    return Epoch(loss=loss_sum / n, accuracy=correct / n if want_acc else None,
                 data_loss=data_sum / n if want_data else None,
                 grad_norms=None if grad_sum is None else grad_sum / n_batches,
                 delta_norms=None if delta_sum is None else delta_sum / n_batches)


def evaluate(net: Network, X: Array, Y: Array, loss_fn: Loss, l2: float = 0.0,
             with_loss: bool = True) -> tuple[float, float]:
    """Loss (plus the L2 penalty when ``l2 > 0``; NaN unless ``with_loss``) and accuracy on ``X: (n, n_in)``,
    ``Y: (n, n_out)`` in evaluation mode (no dropout, batch norm with running statistics)."""
    out = net.forward_pass(X, train=False)[-1]
    return float(net.objective(out, Y, loss_fn, l2)) if with_loss else math.nan, accuracy_of(out.a, Y)


# -- the loop --------------------------------------------------------------------------------
def loss_note(loss: float) -> str:
    """`` · loss 0.1234`` for a status line, or nothing when the loss was not computed (NaN)."""
    return "" if math.isnan(loss) else f" · loss {loss:.4g}"


def train(net: Network, X: Array, Y: Array, loss: str = "bce", lr: float | None = None, epochs: int = 100,
          batch_size: int | None = None, seed: int | None = None, optimizer: str | Optimizer = "sgd",
          momentum: float = DEFAULT_MOMENTUM, l2: float = 0.0, dropout: float = 0.0,
          X_val: Array | None = None, Y_val: Array | None = None, early_stopping: int | None = None,
          restore_best: bool = True, schedule=None, callback: Callable[[int, History], object] | None = None,
          snapshot_every: int | None = None, evaluate_train: bool = False,
          divergence_factor: float | None = 1e3, record: Sequence[str] = DEFAULT_RECORD, measure_every: int = 1,
          output_delta: Callable[[Trace], Array] | None = None, clip_norm: float | None = None) -> History:
    """Train ``net`` in place and return its :class:`History`.

    X: ``(n_samples, n_in)``; Y: ``(n_samples, n_out)`` or 1-D labels (see :meth:`Network.loss`).
    loss: "mse", "bce" or "ce". lr: learning rate (> 0; default :data:`DEFAULT_LR`). epochs: passes over the
    data (> 0).
    batch_size: samples per step (None: all). seed: shuffling and dropout masks (same seed, same run).
    optimizer: "sgd", "momentum", "nesterov", "rmsprop", "adam" (``momentum`` is their beta), or an
    :class:`~bpcore.optimizers.Optimizer` object, which keeps its own learning rate and betas (then give no ``lr``).
    l2: weight decay :math:`\\lambda` (adds :math:`\\tfrac\\lambda2\\sum\\lVert W\\rVert^2` to the loss; record
    "data_loss" for the training loss without it, the one to compare with the validation loss).
    dropout: probability of dropping each hidden unit in training (inverted dropout; none at evaluation).
    X_val, Y_val: validation data, evaluated every ``measure_every``-th epoch and after the last.
    early_stopping: stop after this many epochs without a better validation loss (restores the best
    weights when ``restore_best``; needs ``measure_every=1``). schedule: name or ``epoch -> factor``
    (see :mod:`bpcore.schedules`). callback: ``callback(epoch, history)`` after every epoch; returning
    ``False`` stops training. snapshot_every: keep a copy of the weights every this many epochs (and
    before training). evaluate_train: record the full training set's loss/accuracy in evaluation mode
    at the measured epochs instead of the running mean over batches -- useful with dropout.
    divergence_factor: see :func:`diverged`; None switches the rule off (and with it the training loss,
    unless recorded). record: what to record, a subset of :data:`RECORDS`; the validation loss is
    computed when "loss" is recorded or early stopping needs it.
    output_delta: ``trace -> delta_L`` replaces the output error signal (to show what a wrong one does).
    clip_norm: rescale every step's gradients, all parameters together, to a norm of at most this
    (:func:`clip_gradients`); None: no clipping. The recorded ``grad_norms`` are the unclipped ones.
    """
    X, Y, loss_fn = net.prepare(X, Y, loss)
    if isinstance(optimizer, Optimizer) and lr is not None:
        raise ValueError(f"give the learning rate once: lr={lr!r} or in the optimiser {optimizer!r}, not both")
    opt = make_optimizer(optimizer, DEFAULT_LR if lr is None else lr, momentum)   # an object keeps its own rate
    base_lr = opt.lr
    epochs = validation.positive_integer(epochs, "epochs")
    n = len(X)
    bs = n if batch_size is None else min(validation.positive_integer(batch_size, "batch_size"), n)
    l2 = validation.nonnegative_number(l2, "l2")
    keep = 1.0 - validation.fraction(dropout, "dropout rate")
    record = tuple(record)
    unknown = [r for r in record if r not in RECORDS]
    if unknown:
        raise ValueError(f"record: unknown quantity {unknown[0]!r}; choose from {list(RECORDS)}")
    every = validation.positive_integer(measure_every, "measure_every")
    if clip_norm is not None:
        clip_norm = validation.positive_number(clip_norm, "clip_norm (the largest gradient norm)")
    has_val = X_val is not None or Y_val is not None
    if has_val:
        if X_val is None or Y_val is None:
            raise ValueError("give both X_val and Y_val, or neither")
        X_val, Y_val, _ = net.prepare(X_val, Y_val, loss_fn, names=("X_val", "Y_val"))
    if early_stopping is not None:
        early_stopping = validation.positive_integer(early_stopping, "early_stopping patience")
        if not has_val:
            raise ValueError("early_stopping watches the validation loss: pass X_val and Y_val")
        if every != 1:
            raise ValueError(f"early_stopping counts epochs of validation: it needs measure_every=1, got {every}")
    if snapshot_every is not None:
        snapshot_every = validation.positive_integer(snapshot_every, "snapshot_every")
    if divergence_factor is not None and (isinstance(divergence_factor, bool)
                                          or not isinstance(divergence_factor, numbers.Real) or not divergence_factor > 1):
        raise ValueError(f"divergence_factor must be a number > 1 (times the loss before training; inf: only a NaN "
                         f"or infinite loss counts), got {divergence_factor!r}")
    schedule_fn = get_schedule(schedule)
    rng = np.random.default_rng(seed)
    params = net.parameters()
    per_batch = record if not evaluate_train else tuple(r for r in record
                                                        if r not in ("loss", "accuracy", "data_loss"))
    hist = History(recorded=record, status="trained 0 epochs")
    if snapshot_every:
        hist.snapshots.append((0, net.get_weights()))
    best_val, best_weights, since_best = np.inf, None, 0

    watch = divergence_factor is not None                 # the divergence rule needs the training loss
    val_loss_needed = "loss" in record or early_stopping is not None
    with np.errstate(over="ignore", invalid="ignore", divide="ignore", under="ignore"):
        # divergence is judged against the loss before any step (the first epoch may already explode)
        initial_loss = net.objective(net.forward_pass(X, train=False)[-1], Y, loss_fn, l2) if watch else math.nan
        for epoch in range(1, epochs + 1):
            factor = schedule_fn(epoch - 1)
            if not (factor >= 0 and math.isfinite(factor)):
                raise ValueError(f"the schedule gave the learning-rate factor {factor!r} for epoch {epoch - 1}: "
                                 f"a factor must be a finite number >= 0")
            opt.lr = base_lr * factor
            ep = run_epoch(net, opt, params, X, Y, loss_fn, bs, rng, l2, keep, per_batch, output_delta,
                           with_loss=watch or "loss" in per_batch, clip_norm=clip_norm)
            hist.epochs_run = epoch
            hist.lr.append(opt.lr)
            if "loss" in per_batch:
                hist.train_loss.append(float(ep.loss))
            if ep.data_loss is not None:
                hist.train_data_loss.append(ep.data_loss)
            if ep.accuracy is not None:
                hist.train_accuracy.append(ep.accuracy)
            if ep.grad_norms is not None:
                hist.grad_norm_rows.append(ep.grad_norms)
            if ep.delta_norms is not None:
                hist.delta_norm_rows.append(ep.delta_norms)

            measured = epoch % every == 0 or epoch == epochs
            epoch_loss = ep.loss
            if measured:
                hist.measured_epochs.append(epoch)
                if evaluate_train:
                    epoch_loss, acc = evaluate(net, X, Y, loss_fn, l2)
                    if "loss" in record:
                        hist.train_loss.append(epoch_loss)
                    if "accuracy" in record:
                        hist.train_accuracy.append(acc)
                    if "data_loss" in record:
                        hist.train_data_loss.append(evaluate(net, X, Y, loss_fn)[0] if l2 else epoch_loss)

            if divergence_factor is not None and diverged(epoch_loss, initial_loss, divergence_factor):
                hist.diverged, hist.diverged_epoch = True, epoch
                how = "became NaN/infinite" if not math.isfinite(epoch_loss) else \
                    f"grew from {initial_loss:.3g} to {epoch_loss:.3g}"
                hist.status = f"diverged at epoch {epoch}: the loss {how} (lr={base_lr:g})"
                break

            if measured and X_val is not None and Y_val is not None:
                val, val_acc = evaluate(net, X_val, Y_val, loss_fn, with_loss=val_loss_needed)
                if val_loss_needed:
                    hist.val_loss.append(val)
                hist.val_accuracy.append(val_acc)
                if val < best_val:
                    best_val, since_best, hist.best_epoch = val, 0, epoch
                    if early_stopping:
                        best_weights = net.get_weights()
                else:
                    since_best += 1

            if snapshot_every and epoch % snapshot_every == 0:
                hist.snapshots.append((epoch, net.get_weights()))
            if callback is not None or epoch == epochs:   # what a callback (or the caller) reads
                hist.status = f"trained {epoch} epochs{loss_note(epoch_loss)}"
            if early_stopping and since_best >= early_stopping:
                hist.stopped_early = True
                if restore_best and best_weights is not None:
                    net.set_weights(best_weights)
                hist.status = (f"stopped early at epoch {epoch}: no better validation loss for "
                               f"{early_stopping} epochs (best at epoch {hist.best_epoch}"
                               f"{', weights restored' if restore_best else ''})")
                break
            if callback is not None and callback(epoch, hist) is False:
                hist.status = f"stopped by the callback at epoch {epoch}{loss_note(epoch_loss)}"
                break
    opt.lr = base_lr          # an Optimizer object passed in ends at its own rate, whatever the schedule did
    return hist
