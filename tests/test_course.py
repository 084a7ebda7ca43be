"""The nbgrader course (python -m bpcore.tools.course): assignments that nbgrader generates and grades.

For three chapters, in a temporary course directory, nbgrader (in-process, through its API)
generates the students' copy and autogrades three submissions: the reference solution (full marks),
the students' copy left unanswered (zero on every autograded cell) and a submission with one typical
bug (it loses exactly that exercise's points, and the feedback names the mistake). In chapter 5 a fourth
submission is right only on the self-check's inputs: the hidden tests, restored for grading, take its
points, and the feedback shows their verdict but not their code. Every chapter that the tool turns into
an assignment must also pass ``generate_assignment`` with no solution text or hidden test left in the
students' copy. The capstone of chapter 16 is graded in one test cell per stage: the reference earns every
stage's points, the unanswered copy none, and a submission with one typical bug loses the points of the stage
that finds it and of the stages after it (which do not run); the feedback names the diagnosis. nbgrader runs
once per chapter and student (module-scoped fixtures).
"""
from __future__ import annotations

import html
import json
import re
import shutil
from dataclasses import dataclass
from pathlib import Path

import nbformat
import numpy as np
import pytest
from nbgrader.api import Gradebook
from nbgrader.apps.api import NbGraderAPI
from traitlets.config.loader import PyFileConfigLoader

from bpcore import capstone
from bpcore.selfcheck import check, get_key
from bpcore.selfcheck.hidden import (
    CAPSTONE_HIDDEN_STAGES,
    HIDDEN_INPUTS,
    hidden_capstone_check,
    hidden_check,
    hidden_key,
)
from bpcore.tools import course
from bpcore.tools.course_exercises import chapter_exercises

REPO = Path(__file__).resolve().parents[1]


@dataclass(frozen=True)
class Bug:
    """One typical mistake planted in the reference solution of an exercise."""

    exercise: str   #: self-check id of the exercise whose answer is changed ("capstone" for the capstone)
    old: str        #: text of the reference answer that is replaced (must occur exactly once)
    new: str
    named: str      #: words the feedback must contain


BUGS = {
    "05_backprop": Bug("ch05.layer_delta", "(delta_next @ W_next.T)", "(delta_next @ W_next)", "transposed W"),
    "06_worked_example": Bug("ch06.mse_output_delta", "(a - y) * a * (1 - a) / len(a)", "(a - y) / len(a)",
                             "the sigma'(z) factor is missing"),
    "10_momentum": Bug("ch10.momentum_path", "theta = theta + v", "theta + v", "never applied"),
}
#: an answer that is right on the self-check's (square) inputs only: just the hidden tests can catch it
SPECIAL_CASED = Bug("ch05.layer_delta", "return (delta_next @ W_next.T) * a * (1 - a)",
                    "return (delta_next @ W_next.T) * a * (1 - a) if W_next.shape[0] == W_next.shape[1] else 0 * a",
                    "Hidden tests: Not yet: right for")
SPECIAL_CASED_CHAPTER = "05_backprop"

CAPSTONE_CHAPTER = "16_autodiff"
#: student -> (bug in the capstone's reference, the stages whose points it loses)
CAPSTONE_BUGS = {
    "sigma-prime-missing": (Bug("capstone", " * a_prev * (1 - a_prev)", "", "failed: σ′ missing"),
                            ("gradients", "training")),
    "update-never-applied": (Bug("capstone", "layer[name] -= lr * grad[name]",
                                 "value = layer[name]\n            value = value - lr * grad[name]",
                                 "failed: update never applied"), ("training",)),
}


# ---- helpers --------------------------------------------------------------------------------------

def _api(root: Path) -> NbGraderAPI:
    """The nbgrader API for the course at ``root``, configured by the course's own nbgrader_config.py."""
    config = PyFileConfigLoader("nbgrader_config.py", path=str(root)).load_config()
    config.CourseDirectory.root = str(root)
    config.Exchange.root = str(root / "exchange")
    return NbGraderAPI(config=config)


def _nbgrader(cell: nbformat.NotebookNode) -> dict:
    return cell.metadata.get("nbgrader", {})


def _test_cells(nb: nbformat.NotebookNode) -> dict[str, int]:
    """grade id -> points of the autograded test cells."""
    return {_nbgrader(c)["grade_id"]: _nbgrader(c)["points"] for c in nb.cells
            if _nbgrader(c).get("grade") and not _nbgrader(c).get("solution")}


def _test_cell_of(nb: nbformat.NotebookNode, exercise: str) -> str:
    """Grade id of the one test cell that checks ``exercise``."""
    ids = [_nbgrader(c)["grade_id"] for c in nb.cells
           if _nbgrader(c).get("grade") and f'check("{exercise}",' in c.source]
    assert len(ids) == 1, (exercise, ids)
    return ids[0]


_DIRECTIVE_LINE = re.compile(r"^\s*(`{3,}|:{3,}|:class:|:label:)")


def _secret_lines(source_nb: nbformat.NotebookNode, book_nb: nbformat.NotebookNode) -> set[str]:
    """Distinctive lines that only answers hold: solution regions, written model answers, hidden tests,
    and the book's folded solutions."""
    secret, public = [], []
    cells = [(c, _nbgrader(c)) for c in source_nb.cells] + [(c, {"book": True}) for c in book_nb.cells]
    for cell, meta in cells:
        if "solution" in cell.metadata.get("tags", []):
            secret += cell.source.splitlines()
            continue
        inside = False
        for line in cell.source.splitlines():
            if re.search(r"BEGIN (SOLUTION|HIDDEN TESTS)", line):
                inside = True
            elif re.search(r"END (SOLUTION|HIDDEN TESTS)", line):
                inside = False
            elif inside:
                secret.append(line)
            elif not meta.get("solution"):
                public.append(line)
    public_set = {line.strip() for line in public}
    return {s.strip() for s in secret
            if len(s.strip()) >= 8 and not _DIRECTIVE_LINE.match(s) and s.strip() not in public_set}


@dataclass
class Graded:
    """What nbgrader made of one chapter's assignment."""

    source: nbformat.NotebookNode
    release: nbformat.NotebookNode
    scores: dict[str, dict[str, float]]   #: student -> grade id -> autograded score
    feedback: dict[str, str]              #: student -> feedback as text, for the submissions with a bug


def _submission(source: nbformat.NotebookNode, release: nbformat.NotebookNode,
                bug: Bug | None) -> nbformat.NotebookNode:
    """The release copy with every answer cell filled in from the source (optionally with ``bug``)."""
    answers = {_nbgrader(c)["grade_id"]: c.source for c in source.cells if _nbgrader(c).get("solution")}
    submitted = nbformat.from_dict(release)
    for cell in submitted.cells:
        if _nbgrader(cell).get("solution"):
            cell.source = answers[_nbgrader(cell)["grade_id"]]
    if bug is not None:
        hits = [c for c in submitted.cells if _nbgrader(c).get("solution") and bug.old in c.source]
        assert len(hits) == 1 and hits[0].source.count(bug.old) == 1, f"{bug.old!r} is not in exactly one answer"
        hits[0].source = hits[0].source.replace(bug.old, bug.new)
    return submitted


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A temporary course with every gradable chapter, each released by ``nbgrader generate_assignment``."""
    root = tmp_path_factory.mktemp("course") / "course"
    course.write_course(root, REPO)
    api = _api(root)
    for chapter in sorted(p.name for p in (root / "source").iterdir()):
        result = api.generate_assignment(chapter)
        assert result["success"], (chapter, result.get("log"))
    return root


def _released(root: Path, chapter: str) -> tuple[nbformat.NotebookNode, nbformat.NotebookNode]:
    """The chapter's assignment as the instructor wrote it (source) and as students get it (release)."""
    name = f"{chapter}.ipynb"
    return (nbformat.read(root / "source" / chapter / name, as_version=4),
            nbformat.read(root / "release" / chapter / name, as_version=4))


def _grade(root: Path, chapter: str, source: nbformat.NotebookNode, release: nbformat.NotebookNode,
           submissions: dict[str, nbformat.NotebookNode], feedback_for: set[str]) -> Graded:
    """Submit each student's notebook, autograde it, write the feedback of ``feedback_for`` and read the
    autograded scores back from the gradebook."""
    api = _api(root)
    feedback = {}
    for student, nb in submissions.items():
        target = root / "submitted" / student / chapter / f"{chapter}.ipynb"
        target.parent.mkdir(parents=True, exist_ok=True)
        nbformat.write(nb, target)
        result = api.autograde(chapter, student)
        assert result["success"], result.get("log")
        if student in feedback_for:
            result = api.generate_feedback(chapter, student)
            assert result["success"], result.get("log")
            page = (root / "feedback" / student / chapter / f"{chapter}.html").read_text(encoding="utf-8")
            feedback[student] = html.unescape(re.sub(r"<[^>]+>", "", page))
    with Gradebook(f"sqlite:///{root / 'gradebook.db'}") as gb:
        scores = {student: {g.name: g.auto_score for g in gb.find_submission_notebook(chapter, chapter,
                                                                                      student).grades}
                  for student in submissions}
    return Graded(source, release, scores, feedback)


@pytest.fixture(scope="module")
def graded(generated: Path) -> dict[str, Graded]:
    """Submit, autograde (three or four students) and give feedback, once per chapter of BUGS."""
    out = {}
    for chapter, bug in BUGS.items():
        source, release = _released(generated, chapter)
        submissions = {"reference": _submission(source, release, None), "unanswered": release,
                       "bug": _submission(source, release, bug)}
        if chapter == SPECIAL_CASED_CHAPTER:
            submissions["special-cased"] = _submission(source, release, SPECIAL_CASED)
        out[chapter] = _grade(generated, chapter, source, release, submissions,
                              feedback_for=submissions.keys() - {"reference", "unanswered"})
    return out


# ---- nbgrader on three chapters -------------------------------------------------------------------

@pytest.mark.parametrize("chapter", list(BUGS))
def test_release_holds_no_solution_and_no_hidden_test(graded: dict[str, Graded], chapter: str):
    g = graded[chapter]
    text = json.dumps(g.release)
    for marker in ("BEGIN SOLUTION", "BEGIN HIDDEN TESTS", "hidden_check", "Model answer"):
        assert marker not in text, marker
    book = nbformat.read(REPO / "book" / f"{chapter}.ipynb", as_version=4)
    secret = _secret_lines(g.source, book)
    assert len(secret) >= 5, "the chapter should have answers to hide"
    leaked = [line for line in secret if json.dumps(line)[1:-1] in text]
    assert not leaked, leaked[:3]
    assert "hidden_check" in json.dumps(g.source), "the source should hold hidden tests"


@pytest.mark.parametrize("chapter", list(BUGS))
def test_reference_gets_full_marks(graded: dict[str, Graded], chapter: str):
    tests = _test_cells(graded[chapter].source)
    assert tests and sum(tests.values()) >= 5
    assert {grade_id: graded[chapter].scores["reference"][grade_id] for grade_id in tests} == tests


@pytest.mark.parametrize("chapter", list(BUGS))
def test_unanswered_release_scores_zero(graded: dict[str, Graded], chapter: str):
    tests = _test_cells(graded[chapter].source)
    assert {grade_id: graded[chapter].scores["unanswered"][grade_id] for grade_id in tests} == dict.fromkeys(tests, 0)


@pytest.mark.parametrize("chapter", list(BUGS))
def test_one_bug_loses_exactly_its_tests_points(graded: dict[str, Graded], chapter: str):
    bug = BUGS[chapter]
    tests = _test_cells(graded[chapter].source)
    expected = dict(tests, **{_test_cell_of(graded[chapter].source, bug.exercise): 0})
    assert {grade_id: graded[chapter].scores["bug"][grade_id] for grade_id in tests} == expected


@pytest.mark.parametrize("chapter", list(BUGS))
def test_feedback_names_the_failure(graded: dict[str, Graded], chapter: str):
    bug = BUGS[chapter]
    feedback = graded[chapter].feedback["bug"]
    assert bug.named in feedback
    assert f"{bug.exercise}: not yet right" in feedback
    assert "hidden_check" not in feedback and "HIDDEN TESTS" not in feedback, "feedback must not show hidden tests"


def test_hidden_tests_run_when_grading_and_stay_hidden_in_the_feedback(graded: dict[str, Graded]):
    g = graded[SPECIAL_CASED_CHAPTER]
    tests = _test_cells(g.source)
    expected = dict(tests, **{_test_cell_of(g.source, SPECIAL_CASED.exercise): 0})
    assert {grade_id: g.scores["special-cased"][grade_id] for grade_id in tests} == expected
    feedback = g.feedback["special-cased"]
    assert SPECIAL_CASED.named in feedback and "the hidden tests found a mistake" in feedback
    assert "hidden_check" not in feedback and "HIDDEN TESTS" not in feedback


def test_manual_cells_carry_points_and_rubric(graded: dict[str, Graded]):
    written = [c for g in graded.values() for c in g.release.cells
               if _nbgrader(c).get("grade") and _nbgrader(c).get("solution")]
    assert len(written) >= 3
    for cell in written:
        assert cell.cell_type == "markdown" and _nbgrader(cell)["points"] > 0
        assert "How it is marked:" in cell.source and "YOUR ANSWER HERE" in cell.source


# ---- the capstone --------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def graded_capstone(generated: Path) -> Graded:
    """Chapter 16 submitted by the reference, the unanswered copy and one student per bug of CAPSTONE_BUGS."""
    source, release = _released(generated, CAPSTONE_CHAPTER)
    submissions = {"reference": _submission(source, release, None), "unanswered": release}
    submissions.update({student: _submission(source, release, bug) for student, (bug, _) in CAPSTONE_BUGS.items()})
    return _grade(generated, CAPSTONE_CHAPTER, source, release, submissions, feedback_for=set(CAPSTONE_BUGS))


def _capstone_cells(nb: nbformat.NotebookNode) -> dict[str, str]:
    """stage -> grade id of the capstone's test cells, in stage order."""
    return {stage: _nbgrader(c)["grade_id"] for c in nb.cells for stage in capstone.STAGES
            if _nbgrader(c).get("grade") and _nbgrader(c)["grade_id"].endswith(f"-{stage}")
            and _nbgrader(c)["grade_id"].startswith("capstone-")}


def test_capstone_is_one_test_cell_per_stage(graded_capstone: Graded):
    assert set(course.POINTS_CAPSTONE) == set(capstone.STAGES)
    cells = _capstone_cells(graded_capstone.source)
    assert list(cells) == list(capstone.STAGES)
    tests = _test_cells(graded_capstone.source)
    assert {stage: tests[grade_id] for stage, grade_id in cells.items()} == course.POINTS_CAPSTONE
    written = {_nbgrader(c)["grade_id"] for c in graded_capstone.source.cells}
    assert "ex-ch16-6-written" not in written, "the capstone is autograded, not marked by hand"
    code = "\n".join(c.source for c in graded_capstone.release.cells if c.cell_type == "code")
    assert "check_capstone(init_params" not in code and "capstone_result = grade(init_params" in code
    assert "hidden_capstone_check" not in code and "HIDDEN TESTS" not in code
    hidden = [stage for stage, grade_id in cells.items() if "hidden_capstone_check" in
              next(c.source for c in graded_capstone.source.cells if _nbgrader(c).get("grade_id") == grade_id)]
    assert hidden == list(CAPSTONE_HIDDEN_STAGES)


def test_capstone_reference_gets_full_marks_and_unanswered_zero(graded_capstone: Graded):
    cells = _capstone_cells(graded_capstone.source)
    scores = graded_capstone.scores
    assert {stage: scores["reference"][grade_id] for stage, grade_id in cells.items()} == course.POINTS_CAPSTONE
    assert {stage: scores["unanswered"][grade_id] for stage, grade_id in cells.items()} == dict.fromkeys(cells, 0)
    tests = _test_cells(graded_capstone.source)
    assert {grade_id: scores["reference"][grade_id] for grade_id in tests} == tests, "the whole chapter: full marks"


@pytest.mark.parametrize("student", list(CAPSTONE_BUGS))
def test_a_capstone_bug_loses_its_stages_points_and_the_feedback_names_it(graded_capstone: Graded, student: str):
    bug, lost = CAPSTONE_BUGS[student]
    cells = _capstone_cells(graded_capstone.source)
    expected = {stage: 0 if stage in lost else points for stage, points in course.POINTS_CAPSTONE.items()}
    assert {stage: graded_capstone.scores[student][grade_id] for stage, grade_id in cells.items()} == expected
    tests = _test_cells(graded_capstone.source)
    others = {grade_id: graded_capstone.scores[student][grade_id] for grade_id in tests
              if grade_id not in cells.values()}
    assert others == {grade_id: tests[grade_id] for grade_id in others}, "the other exercises keep their points"
    feedback = graded_capstone.feedback[student]
    first = capstone.STAGES.index(lost[0]) + 1
    assert f"capstone stage {first} ({lost[0]}) {bug.named}" in feedback
    for stage in lost[1:]:
        number = capstone.STAGES.index(stage) + 1
        assert f"capstone stage {number} ({stage}) not run: stage {first} ({lost[0]}) failed first" in feedback
    assert "hidden_capstone_check" not in feedback and "HIDDEN TESTS" not in feedback


#: capstone code right on the graded 2-5-3-1 network only: old, new, the stages that pass it and whose hidden
#: tests catch it
GRADED_NETWORK_ONLY = {
    "forward stops after three layers": ("for layer in params:", "for layer in params[:3]:", ("shapes", "forward")),
    "backward divides by the graded batch size": ("(activations[-1] - Y) / len(Y)", "(activations[-1] - Y) / 7",
                                                  ("gradients",)),
}


def _capstone_functions(old: str = "", new: str = "") -> dict:
    """The capstone's five functions from the book's reference solution, with ``old`` replaced by ``new``."""
    book = nbformat.read(REPO / "book" / f"{CAPSTONE_CHAPTER}.ipynb", as_version=4)
    source = next(c.source for c in book.cells if c.cell_type == "code" and "def init_params(" in c.source)
    assert source.count(old) == 1 or not old, old
    namespace: dict = {}
    exec(compile(source.replace(old, new) if old else source, "capstone", "exec"), namespace)  # noqa: S102
    return {name: namespace[name] for name in capstone.FUNCTIONS}


def test_capstone_hidden_tests_pass_the_reference():
    fns = _capstone_functions()
    assert all(hidden_capstone_check(stage, **fns, quiet=True).ok for stage in CAPSTONE_HIDDEN_STAGES)


@pytest.mark.parametrize("name", list(GRADED_NETWORK_ONLY))
def test_capstone_hidden_tests_catch_code_for_the_graded_network_only(name: str):
    old, new, caught = GRADED_NETWORK_ONLY[name]
    fns = _capstone_functions(old, new)
    visible = capstone.grade(**fns)
    assert all(visible.stage(stage).passed for stage in caught), "the visible stages should be fooled"
    for stage in CAPSTONE_HIDDEN_STAGES:
        verdict = hidden_capstone_check(stage, **fns, quiet=True)
        assert verdict.ok == (stage not in caught), (stage, verdict.message)
        if not verdict.ok:
            assert verdict.message.startswith(f"Hidden tests: capstone stage {capstone.STAGES.index(stage) + 1}")
            assert "right on the graded network, but not for" in verdict.message


def test_capstone_hidden_stage_must_exist():
    with pytest.raises(ValueError, match="has no hidden tests; these have: shapes"):
        hidden_capstone_check("training", *_capstone_functions().values())


# ---- every gradable chapter -----------------------------------------------------------------------

def test_every_gradable_chapter_is_an_assignment_that_nbgrader_generates(generated: Path):
    chapters = sorted(p.name for p in (generated / "source").iterdir())
    assert len(chapters) >= 3 and set(BUGS) <= set(chapters)
    for chapter in chapters:
        source = nbformat.read(generated / "source" / chapter / f"{chapter}.ipynb", as_version=4)
        release = json.dumps(nbformat.read(generated / "release" / chapter / f"{chapter}.ipynb", as_version=4))
        book = nbformat.read(REPO / "book" / f"{chapter}.ipynb", as_version=4)
        leaked = [line for line in _secret_lines(source, book) if json.dumps(line)[1:-1] in release]
        assert not leaked, (chapter, leaked[:3])
        assert "BEGIN HIDDEN TESTS" not in release and "BEGIN SOLUTION" not in release


def test_each_self_check_is_a_test_cell_and_each_written_exercise_an_answer_cell(generated: Path):
    for path in sorted((generated / "source").glob("*/*.ipynb")):
        book = nbformat.read(REPO / "book" / path.name, as_version=4)
        exercises = chapter_exercises(book, path.name)
        source = nbformat.read(path, as_version=4)
        tests = _test_cells(source)
        for exercise in exercises:
            for call in exercise.checks:
                assert _test_cell_of(source, call.exercise_id) in tests, call
            if not exercise.self_checked or exercise.asks_for_derivation:
                assert f"{exercise.label}-written" in {_nbgrader(c).get("grade_id") for c in source.cells}
        assert not any("solution" in c.metadata.get("tags", []) for c in source.cells)
        assert all(c.get("outputs", []) == [] for c in source.cells)
        ids = [_nbgrader(c)["grade_id"] for c in source.cells]
        assert len(ids) == len(set(ids)) == len(source.cells), path.name  # every cell has nbgrader metadata


# ---- hidden tests ---------------------------------------------------------------------------------

def _memoriser(exercise: str):
    """A function that is right exactly on the visible inputs of ``exercise`` and wrong elsewhere."""
    visible = get_key(exercise)

    def as_tuple(value) -> tuple:
        return tuple(value) if isinstance(value, tuple) else (value,)

    known = [(as_tuple(value), visible.reference(*as_tuple(value))) for value in visible.inputs.values()]

    def same(a, b) -> bool:  # functions (the gradient of momentum_path) are copied by the check: skip them
        return callable(a) or (np.shape(a) == np.shape(b) and np.array_equal(a, b))

    def memorised(*arguments):
        for values, output in known:
            if len(values) == len(arguments) and all(same(a, b) for a, b in zip(values, arguments)):
                return output
        return 1.01 * np.asarray(visible.reference(*arguments), dtype=float) + 1e-3
    return memorised


@pytest.mark.parametrize("exercise", sorted(HIDDEN_INPUTS))
def test_hidden_tests_catch_what_the_visible_check_misses(exercise: str):
    hidden = hidden_key(exercise)
    assert hidden_check(exercise, hidden.reference, quiet=True).ok
    cheat = _memoriser(exercise)
    assert check(exercise, cheat, quiet=True).ok, "the memoriser should fool the visible check"
    verdict = hidden_check(exercise, cheat, quiet=True)
    assert not verdict.ok and verdict.message.startswith("Hidden tests: Not yet:")
    assert not set(hidden.inputs) & set(get_key(exercise).inputs), "hidden inputs must be new ones"


@pytest.mark.parametrize("exercise", sorted(HIDDEN_INPUTS))
def test_hidden_messages_never_contain_the_answer(exercise: str):
    hidden = hidden_key(exercise)
    numbers = {f"{v:.4g}" for out in hidden.reference_outputs.values() for v in np.ravel(out)
               if np.isfinite(v) and abs(v) > 1e-3 and f"{v:.4g}" not in {"1", "-1", "0.5", "2"}}
    for name, entry in hidden.wrong.items():
        message = hidden_check(exercise, getattr(entry, "answer", entry), quiet=True).message
        assert not any(re.search(rf"(?<![\d.]){re.escape(n)}(?![\d])", message) for n in numbers), (name, message)


def test_a_hidden_test_needs_a_function_exercise():
    with pytest.raises(ValueError, match="ch05.dw1"):
        hidden_key("ch05.dw1")


# ---- bad input ------------------------------------------------------------------------------------

def test_out_must_be_new_or_empty(tmp_path: Path):
    (tmp_path / "old.txt").write_text("x")
    with pytest.raises(course.CourseError, match="not empty"):
        course.write_course(tmp_path, REPO, chapters=["05_backprop"])
    with pytest.raises(course.CourseError, match="is a file"):
        course.write_course(tmp_path / "old.txt", REPO, chapters=["05_backprop"])


def test_unknown_chapter_is_named(tmp_path: Path, capsys: pytest.CaptureFixture[str]):
    with pytest.raises(SystemExit) as stop:
        course.main([str(tmp_path / "c"), "--chapters", "05_backprop", "99_nonsense"])
    assert stop.value.code == 2
    assert "unknown chapter '99_nonsense'" in capsys.readouterr().err
    assert not (tmp_path / "c").exists()


def test_root_without_toc_is_an_error(tmp_path: Path):
    with pytest.raises(course.CourseError, match="no _toc.yml"):
        course.write_course(tmp_path / "c", tmp_path)


def _nb(*cells: tuple[str, str, tuple[str, ...]]) -> nbformat.NotebookNode:
    nb = nbformat.v4.new_notebook()
    for kind, source, tags in cells:
        make = nbformat.v4.new_code_cell if kind == "code" else nbformat.v4.new_markdown_cell
        nb.cells.append(make(source, metadata={"tags": list(tags)} if tags else {}))
    return nb


EXERCISE = "```{exercise} Implement: one layer's backward step\n:label: ex-demo-1\n\nWrite it.\n```"
ANSWER = ("def layer_delta(delta_next, W_next, a):\n    # BEGIN SOLUTION\n"
          "    return (delta_next @ W_next.T) * a * (1 - a)\n    # END SOLUTION")


def test_an_answer_and_its_check_in_one_cell_are_split():
    nb = _nb(("markdown", EXERCISE, ()),
             ("code", ANSWER + '\ncheck("ch05.layer_delta", layer_delta)', ("exercise-implement",)))
    cells = course.assignment_notebook(nb, "demo").cells
    answer, test = cells[1], cells[2]
    assert _nbgrader(answer)["solution"] and "check(" not in answer.source
    assert _nbgrader(test)["grade"] and _nbgrader(test)["points"] == course.POINTS_FUNCTION
    assert test.source.startswith('assert check("ch05.layer_delta", layer_delta)')
    assert "### BEGIN HIDDEN TESTS" in test.source


@pytest.mark.parametrize("cells, message", [
    ((("markdown", "## Exercises", ()),), "no self-checked exercise"),
    ((("markdown", EXERCISE.replace(":label: ex-demo-1\n", ""), ()),), "has no :label:"),
    ((("markdown", EXERCISE + "\n\n" + EXERCISE, ()),), "opens 2 exercises"),
    ((("markdown", EXERCISE, ()), ("code", 'check("ch05.layer_delta", f)\n# BEGIN SOLUTION\nf = 1\n# END SOLUTION', ())),
     "before its '# END SOLUTION'"),
    ((("markdown", EXERCISE, ()), ("code", 'check(layer_delta)', ())), "write a self-check as"),
    ((("markdown", EXERCISE, ()), ("code", 'check_capstone(f, quiet=True)', ())), "write the capstone's self-check as"),
    ((("markdown", EXERCISE, ()), ("code", 'check("ch05.layer_delta", f)\ncheck_capstone(f)', ())),
     "calls both check() and check_capstone()"),
    ((("markdown", EXERCISE, ()), ("code", 'check_capstone(f, g)\ncheck_capstone(f, g)', ())),
     "should hold one check_capstone(...) call, found 2"),
])
def test_malformed_chapters_are_named(cells: tuple, message: str):
    with pytest.raises(ValueError, match=re.escape(message)):
        course.assignment_notebook(_nb(*cells), "demo.ipynb")


def test_cli_writes_config_and_assignment(tmp_path: Path, capsys: pytest.CaptureFixture[str]):
    assert course.main([str(tmp_path / "c"), "--chapters", "05_backprop"]) == 0
    assert capsys.readouterr().out.strip().endswith("05_backprop.ipynb")
    config = PyFileConfigLoader("nbgrader_config.py", path=str(tmp_path / "c")).load_config()
    assert config.CourseDirectory.course_id == course.COURSE_ID
    shutil.rmtree(tmp_path / "c")


def test_a_notebook_without_cell_ids_gets_them():
    nb = _nb(("markdown", EXERCISE, ()), ("code", ANSWER, ("exercise-implement",)),
             ("code", 'check("ch05.layer_delta", layer_delta)', ()))
    nb.nbformat_minor = 4
    for cell in nb.cells:
        cell.pop("id")
    out = course.assignment_notebook(nb, "demo")
    nbformat.validate(out)
    assert len({cell.id for cell in out.cells}) == len(out.cells) == 3
