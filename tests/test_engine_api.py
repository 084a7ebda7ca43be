"""The engine API the book teaches is public: no lesson, notebook or other module reaches for an
underscore name of bpcore, and the public passes do what the docstrings say."""
from __future__ import annotations

import re
from pathlib import Path

import nbformat
import numpy as np
import pytest

import bpcore

pytestmark = pytest.mark.engine

ROOT = Path(__file__).resolve().parents[1]
#: ``net._forward(...)``, ``bpcore.Network._backward``, ``bpcore.figures._helper`` and the like
PRIVATE_USE = re.compile(r"\b(?:net\w*|Network|bpcore(?:\.\w+)*|F|W|self\.net)\._[A-Za-z]\w*")
IMPORT = re.compile(r"from bpcore[\w.]* import \(?([^\n)]*)")


def private_imports(source: str) -> list[str]:
    """Underscore names imported from bpcore (``import sigmoid as _sigmoid`` is a local alias: fine)."""
    names = [item.split()[0] for m in IMPORT.finditer(source) for item in m.group(1).split(",") if item.strip()]
    return [n for n in names if n.startswith("_")]


def lesson_sources() -> list[tuple[str, str]]:
    files = sorted((ROOT / "bpcore" / "lessons").glob("*.py"))
    return [(f.name, f.read_text()) for f in files]


def notebook_sources() -> list[tuple[str, str]]:
    out = []
    for path in sorted((ROOT / "book").glob("*.ipynb")):
        nb = nbformat.read(path, as_version=4)
        out.append((path.name, "\n".join(c.source for c in nb.cells if c.cell_type == "code")))
    return out


@pytest.mark.parametrize("name, source", lesson_sources() + notebook_sources(),
                         ids=[n for n, _ in lesson_sources() + notebook_sources()])
def test_no_underscore_names_of_bpcore(name, source):
    hits = PRIVATE_USE.findall(source) + private_imports(source)
    assert not hits, f"{name} uses private names of bpcore: {hits}"


def test_the_detector_finds_what_it_should():
    for bad in ("net._forward(X, train=True)", "bpcore.Network._backward", "from bpcore.widgets import x, _DATA"):
        assert PRIVATE_USE.search(bad) or private_imports(bad), bad
    assert not private_imports("from bpcore.activations import sigmoid as _sigmoid")
    assert not PRIVATE_USE.search("net.forward_pass(X)") and not PRIVATE_USE.search("net.__class__")


def test_public_passes_compose_to_trace():
    X, y = bpcore.datasets.moons(30, noise=0.2, seed=0)
    net = bpcore.Network([2, 5, 3, 1], hidden="tanh", seed=0)
    Xp, Yp, loss_fn = net.prepare(X, y, "bce")
    assert Xp.shape == (30, 2) and Yp.shape == (30, 1) and loss_fn.name == "bce"
    layers = net.forward_pass(Xp, train=True)
    assert [t.a.shape for t in layers] == [(30, 5), (30, 3), (30, 1)]
    value = net.objective(layers[-1], Yp, loss_fn, l2=0.01)
    net.backward_pass(layers, Yp, loss_fn, l2=0.01)
    reference = net.trace(X, y, "bce", l2=0.01)
    assert value == reference.loss == net.trace_pass(Xp, Yp, loss_fn, l2=0.01).loss
    for t, grads in zip(layers, reference.gradients):
        assert np.array_equal(t.dW, grads["W"]) and np.array_equal(t.db, grads["b"])
    np.testing.assert_array_equal(net.forward_pass(Xp)[-1].a, net.forward(X))


def test_prepare_names_bad_input():
    net = bpcore.Network([2, 3, 1], seed=0)
    with pytest.raises(ValueError, match="X_val"):
        net.prepare(np.zeros((4, 3)), np.zeros(4), "bce", names=("X_val", "Y_val"))
    with pytest.raises(ValueError, match="needs an output activation"):
        net.prepare(np.zeros((4, 2)), np.zeros(4), "ce")
