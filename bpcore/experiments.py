"""Experiments: one training run described by plain values (:class:`TrainingSetup`), as the training
panels of the book vary them, and the small data cache those runs share."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np

from .datasets import load, train_val_split
from .network import Network
from .training import DEFAULT_MOMENTUM, History, train


@dataclass
class TrainingSetup:
    """Everything that defines one training run of :func:`training_panel` (one value per control).

    ``seed`` seeds the data, the initial weights and the shuffling.  ``noise=None`` uses the data set's
    own default.  ``momentum`` is the optimiser's β (Adam's :math:`\beta_1`); ``None`` leaves
    :func:`bpcore.train`'s default (0.9).  With ``optimizer="sgd"`` a β > 0 trains with heavy-ball momentum of that β
    (the training panel's momentum slider: 0 is plain gradient descent).
    """

    data: str = "moons"
    noise: float | None = None
    seed: int = 0
    n_samples: int = 200
    hidden_units: int = 16
    depth: int = 1
    activation: str = "tanh"
    loss: str = "bce"
    init: str | None = None
    lr: float = 1.0
    epochs: int = 60  # live retraining stays under ~40 ms (see benchmarks/bench_panel.py)
    batch_size: int | None = None
    optimizer: str = "sgd"
    momentum: float | None = None
    dropout: float = 0.0
    l2: float = 0.0

    def dataset(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """``X_train (n, 2), X_val (m, 2), y_train (n,), y_val (m,)``: 25 % held out, stratified."""
        return cached_dataset(self.data, self.n_samples, self.noise, self.seed)

    def network(self, n_classes: int) -> Network:
        """The untrained network: ``[2] + [hidden_units] * depth + [1 or n_classes]``."""
        out = 1 if n_classes <= 2 else n_classes
        return Network([2] + [int(self.hidden_units)] * int(self.depth) + [out], hidden=self.activation,
                       output="sigmoid" if out == 1 else "softmax", init=self.init, seed=self.seed)

    def loss_name(self, n_classes: int) -> str:
        """bce/ce as the output needs (a binary task cannot use ce, a multi-class one cannot use bce)."""
        if self.loss in ("bce", "ce"):
            return "bce" if n_classes <= 2 else "ce"
        return self.loss

    def run(self, callback: Callable[[int, History], object] | None = None
            ) -> tuple[Network, History, tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]]:
        """Train; return ``(net, history, (X_train, X_val, y_train, y_val))``."""
        X_tr, X_val, y_tr, y_val = data = self.dataset()
        n_classes = int(max(y_tr.max(), y_val.max())) + 1
        net = self.network(n_classes)
        heavy_ball = self.optimizer == "sgd" and bool(self.momentum)
        hist = train(net, X_tr, y_tr, loss=self.loss_name(n_classes), lr=self.lr, epochs=int(self.epochs),
                     batch_size=self.batch_size, seed=self.seed, optimizer="momentum" if heavy_ball else self.optimizer,
                     momentum=DEFAULT_MOMENTUM if self.momentum is None else self.momentum, l2=self.l2,
                     dropout=self.dropout, X_val=X_val, Y_val=y_val, callback=callback,
                     record=("loss", "accuracy", "grad_norms"))
        return net, hist, data


#: ``(name, n_samples, noise, seed) -> (X_train, X_val, y_train, y_val)``, oldest dropped after 64
DATA_CACHE: dict[tuple, tuple] = {}


def cached_dataset(name: str, n_samples: int, noise: float | None, seed: int) -> tuple:
    """``load(name, ...)`` split 25 % for validation (stratified), remembered for the last 64 settings."""
    key = (name, n_samples, noise, seed)
    if key not in DATA_CACHE:
        X, y = load(name, n_samples=n_samples, noise=noise, seed=seed)
        DATA_CACHE[key] = train_val_split(X, y, val_fraction=0.25, seed=0)
        if len(DATA_CACHE) > 64:
            DATA_CACHE.pop(next(iter(DATA_CACHE)))
    return DATA_CACHE[key]
