"""Chapter 7's lesson module: finite differences of one parameter, the error model of the V plot,
the deliberately broken backward passes, and the excerpts of bpcore's own gradient tests."""
from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pytest

import bpcore
from bpcore.activations import Sigmoid, sigmoid
from bpcore.lessons import ch07

pytestmark = pytest.mark.ch07


def test_truncation_orders_of_forward_and_central_differences():
    f = lambda x: float(sigmoid(x))          # noqa: E731
    exact = float(Sigmoid().derivative(1.0))
    fwd = [abs(ch07.forward_difference(f, 1.0, e) - exact) for e in (1e-2, 1e-3)]
    cen = [abs(ch07.central_difference(f, 1.0, e) - exact) for e in (1e-2, 1e-3)]
    five = [abs(ch07.five_point_difference(f, 1.0, e) - exact) for e in (1e-1, 1e-2)]
    assert fwd[0] / fwd[1] == pytest.approx(10, rel=0.02)     # O(eps)
    assert cen[0] / cen[1] == pytest.approx(100, rel=0.02)    # O(eps^2)
    assert five[0] / five[1] > 5e3                            # O(eps^4), up to round-off


def test_loss_along_restores_the_network_and_matches_bpcore_central_differences():
    net, X, Y = ch07.check_problem(1.0)
    before = net.get_weights()
    L = ch07.loss_along(net, X, Y, "bce", layer=1, name="W", index=(2, 0))
    assert L(L.theta + 0.5) != L(L.theta)
    assert all(np.array_equal(a, b) for a, b in zip(before, net.get_weights()))
    numeric = bpcore.numerical_gradients(net, X, Y, loss="bce", eps=1e-6)[1]["W"][2, 0]
    assert ch07.central_difference(L, L.theta, 1e-6) == numeric
    with pytest.raises(ValueError, match="gamma"):
        ch07.loss_along(net, X, Y, "bce", layer=0, name="gamma", index=(0,))


def test_loss_along_is_net_loss_to_the_last_bit():
    net, X, Y = ch07.check_problem(3.0)
    L = ch07.loss_along(net, X, Y, "bce", layer=0, name="b", index=(1,))
    for theta in (L.theta, L.theta + 1e-9, L.theta - 0.3):
        value = L(theta)
        net.layers[0].b[1] = theta
        assert value == net.loss(X, Y, loss="bce")
        net.layers[0].b[1] = L.theta


def test_relative_errors_is_bpcores_relative_error_entry_by_entry():
    rng = np.random.default_rng(7)
    for g in (0.0, 1e-12, -0.37, 5e3):
        estimates = np.concatenate([[g, -g, 0.0], g * (1 + rng.normal(size=40) * 10.0 ** rng.uniform(-16, 0, 40))])
        expected = [bpcore.relative_error(g, d) for d in estimates]
        assert np.array_equal(ch07.relative_errors(g, estimates), expected)


def test_error_versus_eps_is_the_plain_computation_bit_for_bit():
    """Shared points are evaluated once; the errors are those of the one-by-one computation."""
    net, X, Y = ch07.check_problem(1.0)
    errors = ch07.error_versus_eps(net, X, Y, "bce", 1, "W", (2, 0))
    g = float(net.gradients(X, Y, loss="bce")[1]["W"][2, 0])
    L = ch07.loss_along(net, X, Y, "bce", 1, "W", (2, 0))
    for method in ch07.METHODS:
        plain = np.array([bpcore.relative_error(g, ch07.DIFFERENCES[method](L, L.theta, float(e)))
                          for e in ch07.EPS_GRID])
        assert np.array_equal(errors[method], np.where(plain > 0, plain, np.nan), equal_nan=True)


@pytest.mark.parametrize("label", list(ch07.PARAMETERS))
def test_the_v_has_its_bottom_where_the_analysis_puts_it(label):
    net, X, Y = ch07.check_problem(1.0)
    layer, name, index = ch07.PARAMETERS[label]
    errors = ch07.error_versus_eps(net, X, Y, "bce", layer, name, index)
    eps_f, err_f = ch07.best_eps(errors["forward"])
    eps_c, err_c = ch07.best_eps(errors["central"])
    assert 1e-10 <= eps_f <= 1e-6 and err_f < 1e-7
    assert 1e-7 <= eps_c <= 1e-3 and err_c < 1e-9
    assert err_c < err_f
    # both branches of the V: large errors at both ends of the grid
    assert errors["central"][0] > 1e-4 and errors["forward"][-1] > 1e-3


def test_error_model_slopes():
    net, X, Y = ch07.check_problem(1.0)
    model = ch07.error_model(net, X, Y, "bce", 0, "W", (0, 0), eps_values=np.array([1e-6, 1e-5]))
    assert model["forward truncation"][1] / model["forward truncation"][0] == pytest.approx(10)
    assert model["central truncation"][1] / model["central truncation"][0] == pytest.approx(100)
    assert model["round-off"][0] / model["round-off"][1] == pytest.approx(10)


def test_broken_backward_passes_fail_and_are_localised():
    net, X, Y = ch07.check_problem(1.0)
    assert bpcore.gradient_check(net, X, Y, loss="bce") < 1e-7
    wrong = ch07.mistake_sigma_prime_of_a(net, X, Y, loss="bce")
    assert bpcore.gradient_check(net, X, Y, loss="bce", gradients=wrong) > 1e-3
    hidden, output = bpcore.gradient_check(net, X, Y, loss="bce", gradients=wrong, by_layer=True)
    assert min(hidden.values()) > 1e-3 and max(output.values()) < 1e-7
    n = len(X)
    wrong = ch07.mistake_sum_not_mean(net, X, Y, loss="bce")
    assert bpcore.gradient_check(net, X, Y, loss="bce", gradients=wrong) == pytest.approx((n - 1) / (n + 1), rel=1e-6)


@pytest.mark.parametrize("scale", [0.1, 20.0])
def test_panel_update_at_the_slider_ends(scale):
    for label in ch07.PARAMETERS:
        result = ch07.v_update(scale, label)
        assert len(result["traces"]) == len(ch07.v_figure().data)
        assert "best ε" in result["status"]
    with pytest.raises(ValueError, match="parameter"):
        ch07.v_update(1.0, "W9")


def test_the_printed_standard_passes_backprop_and_fails_the_mistakes():
    from bpcore.gradcheck import backprop_gap, gradient_check
    net, X, Y = ch07.check_problem()
    gap, allowed = backprop_gap(net, X, Y, loss="bce")
    assert gap <= allowed
    wrong = ch07.mistake_sum_not_mean(net, X, Y, loss="bce")
    assert gradient_check(net, X, Y, loss="bce", gradients=wrong) > 1e-2


# -- the book's one pass rule (bpcore.gradcheck.TOL) ----------------------------------------------
def test_the_pass_rule_separates_round_off_from_bugs_by_orders_of_magnitude():
    """TOL sits two orders above where correct gradients land and far below where bugs land."""
    from bpcore.gradcheck import TOL
    net, X, Y = ch07.check_problem(1.0)
    assert bpcore.gradient_check(net, X, Y, loss="bce") < TOL / 100
    for mistake in (ch07.mistake_sigma_prime_of_a, ch07.mistake_sum_not_mean):
        assert bpcore.gradient_check(net, X, Y, loss="bce", gradients=mistake(net, X, Y, loss="bce")) > 1e-3


_BOOK = Path(__file__).resolve().parents[1] / "book"
_LITERAL = r"<\s*(\d+(?:\.\d+)?e-\d+)"
_CHECK_RESULT = re.compile(r"(\w+)\s*=\s*(?:bpcore\.)?gradient_check\(")


def _code_thresholds(source: str) -> list[str]:
    """The literal thresholds a code cell compares a gradient check's result with: ``error < 1e-6`` after
    ``error = bpcore.gradient_check(...)``, or ``gradient_check(...) < 1e-6`` on one line."""
    found = re.findall(r"gradient_check\([^\n]*\)\s*" + _LITERAL, source)
    for name in set(_CHECK_RESULT.findall(source)):
        found += re.findall(rf"\b{name}\s*" + _LITERAL, source)
    return found
#: a threshold stated in prose: "$10^{-9}$ or below means right", "agreement ... to about $10^{-9}$"
_PROSE_THRESHOLDS = (re.compile(r"10\^\{-(\d+)\}\$?\s*or (?:below|less)"),
                     re.compile(r"agree\w*[^.]{0,60}?\b(?:to about|to around|to)\s*\$?10\^\{-(\d+)\}"))


def _cells(path: Path) -> list[tuple[str, str]]:
    return [(c["cell_type"], "".join(c["source"])) for c in json.loads(path.read_text())["cells"]]


@pytest.mark.parametrize("path", sorted(_BOOK.glob("*.ipynb")), ids=lambda p: p.name)
def test_every_gradient_check_in_the_book_uses_the_one_pass_rule(path):
    from bpcore.gradcheck import TOL
    exponent = round(-np.log10(TOL))
    for kind, source in _cells(path):
        if kind == "code" and "gradient_check(" in source:
            for literal in _code_thresholds(source):
                assert float(literal) == TOL, f"{path.name}: a gradient check compared with {literal}, not TOL"
        if kind == "markdown":
            for pattern in _PROSE_THRESHOLDS:
                for found in pattern.findall(source):
                    assert int(found) == exponent, f"{path.name}: prose states a check threshold of 1e-{found}"


def test_the_threshold_detector_finds_the_old_statements():
    old = ["around $10^{-9}$ or below means right", "can demand agreement with finite differences to about $10^{-9}$"]
    assert all(any(p.search(text) for p in _PROSE_THRESHOLDS) for text in old)
    assert _code_thresholds('error = bpcore.gradient_check(net, X, y)\nprint(f"{error < 1e-6}")') == ["1e-6"]
    assert _code_thresholds('print(bpcore.gradient_check(net, X, y) < 1e-6)') == ["1e-6"]
    assert _code_thresholds('error = bpcore.gradient_check(net, X, y)\nprint(largest < 1e-15)') == []
