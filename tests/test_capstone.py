"""The capstone's grader (bpcore.capstone): the book's reference solution passes every stage, and each typical
bug, injected into that reference, fails the right stage with the right diagnosis and without printing an answer.

The reference is read from the capstone's code cell in book/16_autodiff.ipynb, so the test checks the code the
book shows."""
from __future__ import annotations

from pathlib import Path
from typing import Callable

import nbformat
import numpy as np
import pytest

from bpcore import capstone
from bpcore.capstone import CapstoneResult, grade

pytestmark = pytest.mark.ch16

NOTEBOOK = Path(__file__).resolve().parents[1] / "book" / "16_autodiff.ipynb"


def reference_source() -> str:
    cells = [c.source for c in nbformat.read(NOTEBOOK, as_version=4).cells
             if c.cell_type == "code" and "def init_params(" in c.source]
    assert len(cells) == 1, "the notebook should have exactly one capstone cell"
    return cells[0]


def functions(source: str) -> dict[str, Callable]:
    namespace: dict = {}
    exec(compile(source, "capstone", "exec"), namespace)  # noqa: S102 - the book's own reference code
    return {name: namespace[name] for name in capstone.FUNCTIONS}


def with_bug(old: str, new: str) -> dict[str, Callable]:
    source = reference_source()
    assert source.count(old) == 1, f"the reference no longer contains {old!r} exactly once"
    return functions(source.replace(old, new))


@pytest.fixture(scope="module")
def reference_result() -> CapstoneResult:
    return grade(**functions(reference_source()))


def test_the_reference_passes_every_stage(reference_result):
    assert reference_result.passed
    assert [s.status for s in reference_result.stages] == [capstone.PASSED] * 4
    assert str(reference_result).splitlines()[-1] == "Correct."
    assert "97.5%" in reference_result.stage("training").message


# (bug, stage that must fail, diagnosis)
BUGS = {
    "missing transpose in dW": (("a_prev.T @ delta", "delta.T @ a_prev"), "shapes", capstone.MISSING_TRANSPOSE),
    "missing transpose when passing delta back": (('params[l]["W"].T', 'params[l]["W"]'), "shapes",
                                                  capstone.MISSING_TRANSPOSE),
    "sigma' missing": ((" * a_prev * (1 - a_prev)", ""), "gradients", capstone.SIGMA_PRIME_MISSING),
    "bias gradient not summed": (('"b": delta.sum(axis=0)', '"b": delta'), "shapes", capstone.BIAS_NOT_SUMMED),
    "update never applied": (("layer[name] -= lr * grad[name]",
                              "value = layer[name]\n            value = value - lr * grad[name]"),
                             "training", capstone.UPDATE_NOT_APPLIED),
    "gradient not averaged over the batch": (("(activations[-1] - Y) / len(Y)", "(activations[-1] - Y)"),
                                             "gradients", capstone.NOT_AVERAGED),
    # more mistakes, each in its own stage
    "bias not added in forward": ((' + layer["b"]))', "))"), "forward", capstone.BIAS_NOT_ADDED),
    "update goes uphill": (("layer[name] -= lr", "layer[name] += lr"), "training", capstone.UPDATE_UPHILL),
    "extra sigma' at the output": (("(activations[-1] - Y) / len(Y)",
                                    "(activations[-1] - Y) / len(Y) * activations[-1] * (1 - activations[-1])"),
                                   "gradients", capstone.EXTRA_OUTPUT_SIGMA_PRIME),
    "zero initialisation": (("rng.normal(0.0, 1.0 / np.sqrt(n_in), size=(n_in, n_out))", "np.zeros((n_in, n_out))"),
                            "shapes", capstone.ZERO_INIT),
    "train never updates": (("update(params, backward(params, forward(params, X), Y), lr)",
                             "backward(params, forward(params, X), Y)"), "training", capstone.UPDATE_NOT_APPLIED),
}


@pytest.mark.parametrize("name", list(BUGS))
def test_each_bug_fails_the_right_stage_with_the_right_diagnosis(name, reference_result):
    (old, new), stage, diagnosis = BUGS[name]
    result = grade(**with_bug(old, new))
    failure = result.first_failure
    assert not result.passed and failure is not None
    assert (failure.name, failure.diagnosis) == (stage, diagnosis), failure.message
    number = capstone.STAGES.index(stage)
    assert all(s.passed for s in result.stages[:number])
    assert all(s.status == capstone.NOT_RUN for s in result.stages[number + 1:])
    assert failure.message.startswith("not yet: ")
    assert "Correct." not in str(result)


def test_messages_never_contain_a_correct_value():
    """No printed number equals an entry of the reference gradients or outputs of the graded problem."""
    net, params, X, Y = capstone.problem()
    secrets = np.concatenate([np.ravel(g[k]) for g in net.gradients(X, Y, loss="bce") for k in ("W", "b")]
                             + [np.ravel(net.forward(X))])
    for name in BUGS:
        text = str(grade(**with_bug(*BUGS[name][0])))
        for value in secrets:
            for digits in (3, 4, 6):
                assert f"{value:.{digits}f}" not in text, (name, value)


def test_a_stub_is_reported_not_raised():
    def stub(*args):
        raise NotImplementedError("TODO")
    result = grade(stub, stub, stub, stub, stub)
    assert result.first_failure.diagnosis == capstone.NOT_IMPLEMENTED and result.first_failure.number == 1


def test_other_exceptions_and_non_functions_are_reported():
    fns = functions(reference_source())
    result = grade(**{**fns, "forward": lambda params, X: 1 / 0})
    assert result.first_failure.diagnosis == capstone.RAISED and "ZeroDivisionError" in result.first_failure.message
    result = grade(**{**fns, "backward": 42})
    assert result.first_failure.diagnosis == capstone.BAD_STRUCTURE


def test_the_result_is_plain_data_for_other_tools(reference_result):
    data = reference_result.to_dict()
    assert data["passed"] is True and [s["name"] for s in data["stages"]] == list(capstone.STAGES)
    assert set(data["stages"][0]) == {"number", "name", "status", "diagnosis", "message"}
    failed = grade(**with_bug(" * a_prev * (1 - a_prev)", "")).to_dict()
    assert failed["passed"] is False and failed["stages"][2]["diagnosis"] == capstone.SIGMA_PRIME_MISSING


def test_check_capstone_prints_the_report(capsys, reference_result):
    result = capstone.check_capstone(**functions(reference_source()))
    assert capsys.readouterr().out == str(result) + "\n"
    assert str(result) == str(reference_result)
