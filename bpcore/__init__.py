"""bpcore: backpropagation written out, for the book *Backprop, Live*.

Read the modules in this order: :mod:`~bpcore.activations` and :mod:`~bpcore.losses` (the math, each
function beside its derivative), :mod:`~bpcore.network` (forward pass and backpropagation:
``prepare``, ``forward_pass``, ``objective``, ``backward_pass``, ``trace``), :mod:`~bpcore.gradcheck`,
:mod:`~bpcore.optimizers`, :mod:`~bpcore.training` (the one training loop), :mod:`~bpcore.datasets`.
"""
from __future__ import annotations

from . import activations, datasets, losses, optimizers, schedules, training
from .datasets import one_hot, train_val_split
from .gradcheck import gradient_check, numerical_gradients, relative_error
from .metrics import accuracy, confusion_matrix
from .network import Layer, LayerTrace, Network, Trace
from .training import History, train

__version__ = "0.1.0"


def setup_notebook() -> None:
    """Prepare a chapter notebook: plotly renders offline in the book build, live in JupyterLab."""
    from .notebook import setup_notebook as _setup
    _setup()


__all__ = ["Network", "Layer", "LayerTrace", "Trace", "History", "train", "gradient_check",
           "numerical_gradients", "relative_error", "accuracy", "confusion_matrix", "one_hot",
           "train_val_split", "activations", "losses", "optimizers", "schedules", "datasets", "training",
           "setup_notebook", "__version__"]
