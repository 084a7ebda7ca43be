"""Self-checks: every registered key (chapter keys included, found automatically) accepts its
reference, recognises at least two typical mistakes with the right diagnosis, and never prints
the answer; plus the generic diagnoses of each key type on the shared ``basics.*`` keys."""
from __future__ import annotations

import math
import re

import numpy as np
import pytest
from hypothesis import given as hyp_given, settings, strategies as st
from hypothesis.extra.numpy import arrays

from bpcore.activations import sigmoid
from bpcore.selfcheck import ArrayKey, FunctionKey, NumberKey, check, exercise_ids, get_key, given
from bpcore.selfcheck import registry
from bpcore.selfcheck import result as R
from bpcore.selfcheck.keytypes import Key

pytestmark = pytest.mark.selfcheck

IDS = exercise_ids()


def _reference_answer(key: Key):
    """The correct answer in the form a reader would give it."""
    if isinstance(key, FunctionKey):
        return key.reference
    return float(key.reference) if isinstance(key, NumberKey) else key.reference


def _reference_numbers(key: Key) -> np.ndarray:
    """Every number of the correct answer (a function key's outputs on all its inputs)."""
    if isinstance(key, FunctionKey):
        return np.concatenate([np.ravel(v) for v in key.reference_outputs.values()])
    return np.ravel(key.reference)


def _spellings(x: float) -> set[str]:
    """Ways the answer could be printed; only distinctive ones (a '.' and >= 4 characters)."""
    out = {repr(float(x)), str(x)} | {format(x, f) for f in (".2f", ".3f", ".4f", ".3g", ".4g", ".6g", ".8g")}
    return {s for s in out if "." in s and len(s.lstrip("-")) >= 4 and s.lstrip("-") not in {"0.00", "0.000", "0.0000"}}


def test_every_keys_module_imports():
    assert dict(registry.broken_modules()) == {}


def test_there_are_keys():
    assert {"basics.sigmoid", "basics.sigmoid_prime", "basics.sigmoid_max", "basics.output_delta_mse_sigmoid"} <= set(IDS)


@pytest.mark.parametrize("exercise", IDS)
def test_id_naming_and_home_module(exercise):
    assert re.fullmatch(r"(ch\d\d|basics)\.[A-Za-z][A-Za-z0-9_]*", exercise), exercise
    module = registry.key_module(exercise).rsplit(".", 1)[1]
    chapter = exercise.split(".")[0]
    assert module == "ch00_basics" if chapter == "basics" else module.startswith(chapter), (exercise, module)


@pytest.mark.parametrize("exercise", IDS)
def test_reference_is_accepted(exercise, capsys):
    result = check(exercise, _reference_answer(get_key(exercise)))
    assert result.ok and result.diagnosis == R.CORRECT
    assert capsys.readouterr().out == "Correct.\n"


@pytest.mark.parametrize("exercise", IDS)
def test_recognises_two_typical_mistakes(exercise):
    mistakes = get_key(exercise).typical_wrong_answers()
    assert len(mistakes) >= 2, f"{exercise} knows only {[m for m, _ in mistakes]}"
    for diagnosis, answer in mistakes:
        result = check(exercise, answer, quiet=True)
        assert not result.ok, (exercise, diagnosis)
        assert result.diagnosis == diagnosis, (exercise, diagnosis, result.message)
        assert result.message.startswith("Not yet: ")


@pytest.mark.parametrize("exercise", [i for i in IDS if isinstance(get_key(i), FunctionKey)])
def test_function_keys_try_several_inputs(exercise):
    assert len(get_key(exercise).inputs) >= 3, "try a function on at least three inputs, edge cases included"


@pytest.mark.parametrize("exercise", IDS)
def test_answer_never_printed(exercise):
    key = get_key(exercise)
    spellings = set().union(*(_spellings(float(x)) for x in _reference_numbers(key)[:50] if x != round(x)))
    answers = [_reference_answer(key)] + [a for _, a in key.typical_wrong_answers()]
    for answer in answers:
        message = check(exercise, answer, quiet=True).message
        leaked = [s for s in spellings if s in message]
        assert not leaked, (exercise, message, leaked)


@pytest.mark.parametrize("exercise", IDS)
def test_output_is_deterministic(exercise):
    key = get_key(exercise)
    for _, answer in key.typical_wrong_answers():
        first = check(exercise, answer, quiet=True)
        assert check(exercise, answer, quiet=True) == first
        assert "0x" not in first.message


# ---- behaviour of the key types, on the shared keys -------------------------------------------

def _sigmoid_prime(z):
    s = sigmoid(z)
    return s * (1.0 - s)


@pytest.mark.parametrize(
    "answer, diagnosis, fragment",
    [
        (_sigmoid_prime, R.CORRECT, "Correct."),
        (lambda z: -_sigmoid_prime(z), R.SIGN, "sign is flipped"),
        (lambda z: 2 * _sigmoid_prime(z), R.FACTOR_TWO, "twice"),
        (lambda z: _sigmoid_prime(z) / 2, R.FACTOR_HALF, "half"),
        (sigmoid, "this is sigma(z) itself, not its derivative", "itself"),
        (0.25, R.NOT_CALLABLE, "expected a function, got a float"),
        (lambda z: None, R.RETURNED_NONE, "returned None for the input 'z = 0'"),
        (lambda z: "0.2", R.NOT_NUMERIC, "returned a str"),
        (lambda z: math.exp(-z) / (1 + math.exp(-z)) ** 2, R.EXCEPTION, "use NumPy functions"),
        (lambda z: np.exp(-z) / (1 + np.exp(-z)) ** 2, R.NOT_FINITE, "'large |z| (overflow test)'"),
        (lambda z: np.atleast_1d(_sigmoid_prime(z)), R.WRONG_SHAPE, "returned shape (1,), expected ()"),
        (lambda z: np.where(np.abs(z) > 30, 0.5, _sigmoid_prime(z)), R.PARTLY, "but wrong for 'large |z|"),
        (lambda z: _sigmoid_prime(z) + 1.0, R.WRONG, "every test input"),
    ],
)
def test_function_key_diagnoses(answer, diagnosis, fragment):
    result = check("basics.sigmoid_prime", answer, quiet=True)
    assert (result.diagnosis, result.ok) == (diagnosis, diagnosis == R.CORRECT)
    assert fragment in result.message


def test_function_key_reports_exceptions_and_todo_stubs():
    def stub(z):
        raise NotImplementedError("TODO: implement this")

    def broken(z):
        return np.atleast_1d(z)[20]

    assert check("basics.sigmoid_prime", stub, quiet=True).diagnosis == R.NOT_IMPLEMENTED
    result = check("basics.sigmoid_prime", broken, quiet=True)
    assert result.diagnosis == R.EXCEPTION and "raised IndexError" in result.message


def test_function_key_reports_in_place_modification():
    def in_place(z):
        if isinstance(z, np.ndarray):
            z[...] = _sigmoid_prime(z)
            return z
        return _sigmoid_prime(z)

    assert check("basics.sigmoid_prime", in_place, quiet=True).diagnosis == R.MUTATES_INPUT


def test_overflow_is_a_mistake_when_the_key_says_so():
    naive = lambda z: 1.0 / (1.0 + np.exp(-z))  # noqa: E731 - right values, overflowing exp
    assert check("basics.sigmoid", naive, quiet=True).diagnosis == R.OVERFLOW
    assert check("basics.sigmoid", sigmoid, quiet=True).ok
    assert check("basics.sigmoid_prime", lambda z: naive(z) * (1 - naive(z)), quiet=True).ok  # not strict


def test_check_does_not_leak_numpy_warnings(recwarn):
    check("basics.sigmoid_prime", lambda z: np.exp(-z) / (1 + np.exp(-z)) ** 2, quiet=True)
    assert not [w for w in recwarn if issubclass(w.category, RuntimeWarning)]


@pytest.mark.parametrize(
    "answer, diagnosis",
    [(0.25, R.CORRECT), (1 / 4, R.CORRECT), (np.float32(0.25), R.CORRECT), (np.array([0.25]), R.CORRECT),
     (-0.25, R.SIGN), (0.125, R.FACTOR_HALF), (0.5, "that is sigma(0), the height of the sigmoid, not of its slope"),
     (0.2501, R.CLOSE), (0.3, R.WRONG), (float("nan"), R.NOT_FINITE), (float("inf"), R.NOT_FINITE),
     ("1/4", R.NOT_NUMERIC), (None, R.NOT_NUMERIC), ([0.25, 0.25], R.WRONG_SHAPE), (sigmoid, R.CALLABLE_GIVEN)],
)
def test_number_key_diagnoses(answer, diagnosis):
    assert check("basics.sigmoid_max", answer, quiet=True).diagnosis == diagnosis


def _delta():
    d = given("basics.output_delta_mse_sigmoid")
    a = sigmoid(d["Z"])
    return (a - d["Y"]) * a * (1 - a) / len(a)


def test_array_key_diagnoses():
    delta = _delta()
    diagnose = lambda x: check("basics.output_delta_mse_sigmoid", x, quiet=True)  # noqa: E731
    assert diagnose(delta).ok and diagnose(delta.tolist()).ok
    assert diagnose(delta.T).diagnosis == R.TRANSPOSED
    assert diagnose(delta.ravel()).diagnosis == R.RESHAPED
    assert diagnose(delta[:2]).message == "Not yet: wrong shape: got (2, 2), expected (4, 2)."
    assert diagnose(-delta).diagnosis == R.SIGN
    off = delta.copy()
    off[0, 0] += 1.0
    assert diagnose(off).message == "Not yet: 7 of 8 entries are right, the others are not."


def test_given_returns_a_fresh_copy():
    data = given("basics.output_delta_mse_sigmoid")
    data["Z"][:] = 0.0
    assert not np.all(given("basics.output_delta_mse_sigmoid")["Z"] == 0.0)
    assert given("basics.sigmoid_max") == {}


def test_result_object(capsys):
    result = check("basics.sigmoid_max", -0.25)
    printed = capsys.readouterr().out
    assert printed == repr(result) + "\n" == str(result) + "\n"
    assert not result and result.exercise == "basics.sigmoid_max"
    from IPython.core.formatters import DisplayFormatter

    assert DisplayFormatter().format(result) == ({}, {})  # IPython does not show it a second time


def test_unknown_exercise_lists_close_ids():
    with pytest.raises(ValueError, match=r"unknown exercise id 'basics\.sigmoid_prim'.*basics\.sigmoid_prime"):
        check("basics.sigmoid_prim", 0.25)
    with pytest.raises(TypeError, match="must be a str"):
        check(4, 0.25)


def test_key_construction_errors():
    with pytest.raises(TypeError, match="must be callable"):
        FunctionKey(0.25, inputs=[0.0])
    with pytest.raises(TypeError, match="'bad' of a FunctionKey must be a function"):
        FunctionKey(np.sin, inputs=[0.0], wrong={"bad": 1.0})
    with pytest.raises(ValueError, match="tolerances"):
        NumberKey(1.0, rtol=-1)
    with pytest.raises(ValueError, match="finite"):
        _ = NumberKey(float("nan")).reference


def test_sigmoid_prime_key_matches_central_differences():
    key = get_key("basics.sigmoid_prime")
    h = 1e-5
    for label, z in key.inputs.items():
        numeric = (sigmoid(np.asarray(z) + h) - sigmoid(np.asarray(z) - h)) / (2 * h)
        np.testing.assert_allclose(key.reference_outputs[label], numeric, rtol=1e-8, atol=1e-11, err_msg=label)


def test_sigmoid_max_key_is_the_maximum_of_the_derivative():
    key = get_key("basics.sigmoid_max")
    z = np.linspace(-50, 50, 100_001)
    assert float(key.reference) == pytest.approx(_sigmoid_prime(z).max(), rel=1e-12)


finite = st.floats(-1e3, 1e3, allow_nan=False).filter(lambda v: abs(v) > 1e-3)


@settings(max_examples=60, deadline=None)
@hyp_given(arrays(float, st.tuples(st.integers(1, 4), st.integers(2, 4)), elements=finite))
def test_array_key_generic_diagnoses_property(reference):
    key = ArrayKey(reference)
    assert key.check("x", reference.copy()).ok
    assert key.check("x", -reference).diagnosis == R.SIGN
    assert key.check("x", 2 * reference).diagnosis == R.FACTOR_TWO
    assert key.check("x", reference / 2).diagnosis == R.FACTOR_HALF
    if reference.shape[0] != reference.shape[1]:
        assert key.check("x", reference.T).diagnosis == R.TRANSPOSED
    for answer in (reference, -reference, 2 * reference, reference.T, reference[:1]):
        message = key.check("x", answer).message
        assert not any(s in message for x in reference.ravel() for s in _spellings(float(x)))
