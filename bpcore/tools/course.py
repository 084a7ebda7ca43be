"""Write an nbgrader course from the book: one autograded assignment per chapter with self-checked exercises.

Usage (from the repository root)::

    python -m bpcore.tools.course OUT [--chapters 05_backprop 10_momentum ...] [--root REPO]

OUT must not exist or be empty. It receives ``nbgrader_config.py`` and, for every chapter of
``_toc.yml`` with at least one self-checked exercise (or for the chapters named), the assignment
``source/<chapter>/<chapter>.ipynb``: the whole chapter, prose, live panels and figures included, with
the nbgrader metadata that ``nbgrader generate_assignment`` needs and nothing to edit by hand:

* a code cell holding ``# BEGIN SOLUTION`` ... ``# END SOLUTION`` becomes a *solution* cell: nbgrader
  replaces the region by ``raise NotImplementedError()`` in the students' copy;
* a self-check cell becomes an *autograded test* cell worth :data:`POINTS_FUNCTION` points per function
  exercise and :data:`POINTS_VALUE` per number or array: each ``check(...)`` statement is asserted, and
  an exercise with hidden tests (:mod:`bpcore.selfcheck.hidden`) gets them between
  ``### BEGIN HIDDEN TESTS`` and ``### END HIDDEN TESTS``, which nbgrader removes from the students' copy
  and restores for grading. A cell holding an answer and then its check is split in two;
* the capstone's self-check, ``check_capstone(init_params, forward, backward, update, train)``, becomes
  one autograded test cell per stage of :mod:`bpcore.capstone` (points in :data:`POINTS_CAPSTONE`). The
  first grades all stages once into ``capstone_result``; each cell prints its stage's line and asserts that
  the stage passed, with :meth:`~bpcore.capstone.CapstoneResult.verdict` (the diagnosis, or which earlier
  stage failed first) as the failure message. The stages of
  :data:`~bpcore.selfcheck.hidden.CAPSTONE_HIDDEN_STAGES` get hidden tests on other networks;
* a derive exercise, and any exercise without a self-check, gets a *manually graded* markdown answer cell
  after its last working cell, with the points and the rubric visible to students and graders and the
  book's model answer inside a solution region (instructors only);
* the book's folded ``{solution}`` cells are left out, and so are ``{solution}`` blocks in markdown;
* every other cell is *read-only* (nbgrader restores it before grading), outputs are cleared.

Grade ids are the exercise labels and self-check ids (``ex-ch05-4-written``, ``check-ch05-layer_delta``),
so they stay the same when a chapter is edited elsewhere.
"""
from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

import nbformat

from bpcore.capstone import STAGES as CAPSTONE_STAGES
from bpcore.selfcheck import FunctionKey, get_key
from bpcore.selfcheck.hidden import CAPSTONE_HIDDEN_STAGES, has_hidden_tests
from bpcore.tools.course_exercises import (
    CapstoneCall,
    CheckCall,
    Exercise,
    capstone_calls,
    chapter_exercises,
    check_calls,
    has_solution_region,
    solution_end,
    solution_text,
)
from bpcore.tools.execute import REPO_ROOT, toc_notebooks
from bpcore.tools.student_edition import strip_solution_directives

#: points of one self-checked function (visible and hidden tests together)
POINTS_FUNCTION = 3
#: points of one self-checked number or array
POINTS_VALUE = 2
#: points of each stage of the capstone (one test cell each): a network of the right shapes and a right
#: forward pass earn 2 each; right gradients and a network that learns, the heart of the work, 3 each
POINTS_CAPSTONE = {"shapes": 2, "forward": 2, "gradients": 3, "training": 3}
#: the variable in which the capstone's first test cell keeps the graded result for the cells after it
CAPSTONE_RESULT = "capstone_result"
#: points of a written derivation, marked by hand
POINTS_DERIVE = 3
#: points of a written explanation of an exploration, marked by hand
POINTS_EXPLAIN = 2

RUBRIC_DERIVE = (
    "1 point for starting from the right definitions or equations of the chapter; 1 point for a chain of "
    "steps in which each one is justified; 1 point for the result in the form asked for. A slip that the "
    "rest of the work follows consistently costs only the last point."
)
RUBRIC_EXPLAIN = (
    "1 point for the observations asked for, read off the live panel or the printed numbers (with values "
    "where the question asks for them); 1 point for an explanation that connects them to the chapter's "
    "equations. An observation without an explanation earns at most 1 point."
)

COURSE_ID = "backprop-live"
SCHEMA_VERSION = 3
#: seconds one cell may run during autograding (the slowest panels take a few seconds)
CELL_TIMEOUT_S = 300

NBGRADER_CONFIG = f'''"""nbgrader configuration of the Backprop, Live course (written by python -m bpcore.tools.course)."""
from nbconvert.preprocessors import CSSHTMLHeaderPreprocessor
from nbgrader.preprocessors import ClearHiddenTests, GetGrades

c = get_config()  # noqa: F821 - provided by nbgrader

c.CourseDirectory.course_id = "{COURSE_ID}"
# Every assignment is one chapter; the notebooks import bpcore, so grade in an environment that has it
# (pip install the book's repository). Each cell may take up to {CELL_TIMEOUT_S} s.
c.Execute.timeout = {CELL_TIMEOUT_S}
c.Execute.allow_errors = True
# Tracebacks without source lines, so that a failing test does not show the hidden tests next to it.
c.Execute.extra_arguments = ["--HistoryManager.hist_file=:memory:", "--InteractiveShell.xmode=Minimal"]
# Feedback shows each test cell's output (the self-check's diagnosis) but not the hidden tests' code.
c.GenerateFeedback.preprocessors = [GetGrades, ClearHiddenTests, CSSHTMLHeaderPreprocessor]
# On JupyterHub, set the exchange directory that students and instructors share, for example:
# c.Exchange.root = "/srv/nbgrader/exchange"
'''

_SAFE = re.compile(r"[^A-Za-z0-9_-]+")


class CourseError(ValueError):
    """Bad input for the course tool: the message names what was wrong."""


# ---- cells ----------------------------------------------------------------------------------------

def _safe_id(text: str) -> str:
    """``text`` as a grade id / cell id: letters, digits, ``_`` and ``-`` only, at most 64 characters."""
    return _SAFE.sub("-", text).strip("-")[:64]


def _mark(cell: nbformat.NotebookNode, grade_id: str, *, grade: bool, solution: bool, locked: bool,
          points: int | None = None) -> nbformat.NotebookNode:
    """Give ``cell`` nbgrader metadata (schema 3) and return it."""
    meta = {"grade": grade, "grade_id": grade_id, "locked": locked, "schema_version": SCHEMA_VERSION,
            "solution": solution}
    if grade:
        meta["points"] = points
    cell.metadata["nbgrader"] = meta
    return cell


def check_points(call: CheckCall) -> int:
    """Points of one self-check: a function earns more than a single number or array."""
    return POINTS_FUNCTION if isinstance(get_key(call.exercise_id), FunctionKey) else POINTS_VALUE


def graded_check_source(source: str, where: str = "cell") -> str:
    """A self-check cell's source as an nbgrader test: each ``check(...)`` asserted, hidden tests appended.

    The assertion message is fixed text: the self-check has already printed its diagnosis.
    """
    calls = check_calls(source, where)
    lines = source.splitlines()
    for call in reversed(calls):
        message = f"{call.exercise_id}: not yet right, the self-check above says what is wrong"
        lines[call.first_line - 1:call.last_line] = f"assert {call.call}, {message!r}".splitlines()
    hidden = [call for call in calls if has_hidden_tests(call.exercise_id)]
    if hidden:
        lines += ["### BEGIN HIDDEN TESTS", "from bpcore.selfcheck.hidden import hidden_check"]
        for call in hidden:
            message = f"{call.exercise_id}: the hidden tests found a mistake, see the line above"
            lines.append(f"assert hidden_check({call.exercise_id!r}, {call.answer}), {message!r}")
        lines.append("### END HIDDEN TESTS")
    return "\n".join(lines)


def capstone_test_cells(source: str, exercise_label: str, where: str = "cell") -> list[nbformat.NotebookNode]:
    """The capstone's self-check cell as one autograded test cell per stage of :mod:`bpcore.capstone`.

    The first cell keeps the cell's other lines (its import) and replaces the ``check_capstone(...)``
    statement by one call of :func:`bpcore.capstone.grade`, which runs the stages (training included)
    once; every cell then prints its stage's line and asserts that the stage passed, and a stage with
    hidden tests (:func:`bpcore.selfcheck.hidden.hidden_capstone_check`) asserts them too.

    Raises:
        CourseError: the cell holds more than one ``check_capstone`` call.
    """
    calls = capstone_calls(source, where)
    if len(calls) != 1:
        raise CourseError(f"{where} should hold one check_capstone(...) call, found {len(calls)}")
    call: CapstoneCall = calls[0]
    lines = source.splitlines()
    lines[call.first_line - 1:call.last_line] = [
        "from bpcore.capstone import grade",
        "",
        (f"# Grades all {len(CAPSTONE_STAGES)} stages once; this cell and the next {len(CAPSTONE_STAGES) - 1} "
         "each give the points of one stage."),
        f"{CAPSTONE_RESULT} = grade({call.arguments})",
    ]
    cells = []
    for number, stage in enumerate(CAPSTONE_STAGES, start=1):
        points = POINTS_CAPSTONE[stage]
        body = [f"# Capstone, stage {number} of {len(CAPSTONE_STAGES)}: {stage} ({points} points)",
                f"print({CAPSTONE_RESULT}.stage({stage!r}))",
                f"assert {CAPSTONE_RESULT}.stage({stage!r}).passed, {CAPSTONE_RESULT}.verdict({stage!r})"]
        if stage in CAPSTONE_HIDDEN_STAGES:
            message = f"capstone stage {number} ({stage}): the hidden tests found a mistake, see the line above"
            body += ["### BEGIN HIDDEN TESTS", "from bpcore.selfcheck.hidden import hidden_capstone_check",
                     f"assert hidden_capstone_check({stage!r}, {call.arguments}), {message!r}",
                     "### END HIDDEN TESTS"]
        text = "\n".join(lines + [""] + body) if number == 1 else "\n".join(body)
        grade_id = _safe_id(f"capstone-{exercise_label}-{number}-{stage}")
        cell = nbformat.v4.new_code_cell(text.strip("\n"))
        cell.id = grade_id
        cells.append(_mark(cell, grade_id, grade=True, solution=False, locked=True, points=points))
    return cells


def written_answer_cell(exercise: Exercise, model_answer: str) -> nbformat.NotebookNode:
    """The manually graded markdown cell of ``exercise``: points and rubric, then the model answer as a
    solution region (nbgrader shows students ``YOUR ANSWER HERE`` in its place)."""
    derive = exercise.asks_for_derivation
    points = POINTS_DERIVE if derive else POINTS_EXPLAIN
    rubric = RUBRIC_DERIVE if derive else RUBRIC_EXPLAIN
    what = "derivation for" if derive else "answer, in words, to"
    source = "\n".join([
        f"**Your {what} \"{exercise.title}\"** ({points} points, marked by hand).",
        f"*How it is marked:* {rubric}",
        "",
        "BEGIN SOLUTION",
        "*Model answer (instructors only; nbgrader removes it from the students' copy):*",
        "",
        model_answer or "(the book gives no model answer for this exercise)",
        "END SOLUTION",
    ])
    grade_id = _safe_id(f"{exercise.label}-written")
    cell = nbformat.v4.new_markdown_cell(source)
    cell.id = grade_id
    return _mark(cell, grade_id, grade=True, solution=True, locked=False, points=points)


def _answer_and_check(cell: nbformat.NotebookNode) -> tuple[nbformat.NotebookNode, nbformat.NotebookNode]:
    """Split a code cell that holds an answer and then its self-check into two cells."""
    lines = cell.source.splitlines()
    end = solution_end(cell.source)
    answer = nbformat.v4.new_code_cell("\n".join(lines[:end]))
    check = nbformat.v4.new_code_cell("\n".join(lines[end:]).strip("\n"))
    answer.metadata, check.metadata = dict(cell.metadata), {}
    answer.id, check.id = cell.id, _safe_id(f"{cell.id}-check")
    return answer, check


def assignment_notebook(nb: nbformat.NotebookNode, chapter: str = "notebook") -> nbformat.NotebookNode:
    """The nbgrader source notebook of one chapter (the input is not modified).

    Raises:
        CourseError: the chapter has no self-checked exercise (it would be an assignment without marks).
    """
    nb = nbformat.from_dict(nb)  # deep copy
    if (nb.nbformat, nb.nbformat_minor) < (4, 5):  # cell ids exist from nbformat 4.5 on; nbgrader needs them
        nb.nbformat, nb.nbformat_minor = 4, 5
        for index, cell in enumerate(nb.cells):
            cell.id = f"cell{index}"
    exercises = chapter_exercises(nb, chapter)
    if not any(e.self_checked for e in exercises):
        raise CourseError(f"{chapter} has no self-checked exercise, so it cannot be an autograded assignment")
    role: dict[int, tuple[Exercise | None, str]] = {}
    written_after: dict[int, list[Exercise]] = {}
    for exercise in exercises:
        for index in exercise.answer_cells:
            role[index] = (exercise, "answer")
        for index in exercise.check_cells:
            role[index] = (exercise, "check" if index not in exercise.answer_cells else "answer+check")
        if not exercise.self_checked or exercise.asks_for_derivation:
            written_after.setdefault(exercise.last_working_cell, []).append(exercise)
    model_answers = {e.label: "\n\n".join(solution_text(nb.cells[i].source) for i in e.solution_cells)
                     for e in exercises}

    cells: list[nbformat.NotebookNode] = []
    for index, cell in enumerate(nb.cells):
        where = f"{chapter}, cell {index}"
        tags = set(cell.metadata.get("tags", []))
        if "solution" in tags:
            pass
        elif cell.cell_type == "markdown":
            cell.source = strip_solution_directives(cell.source)
            if cell.source.strip():
                cells.append(_mark(cell, _safe_id(f"cell-{cell.id}"), grade=False, solution=False, locked=True))
        elif cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
            owner, kind = role.get(index, (None, ""))
            if kind == "answer+check":
                answer, check = _answer_and_check(cell)
                parts = [(answer, "answer"), (check, "check")]
            else:
                parts = [(cell, kind)]
            for part, part_kind in parts:
                cells.extend(_code_cells(part, part_kind, owner, where))
        else:  # raw cells: kept, read-only
            cells.append(_mark(cell, _safe_id(f"cell-{cell.id}"), grade=False, solution=False, locked=True))
        for exercise in written_after.get(index, []):
            cells.append(written_answer_cell(exercise, model_answers[exercise.label]))
    nb.cells = cells
    nb.metadata.pop("widgets", None)
    return nb


def _code_cells(cell: nbformat.NotebookNode, kind: str, exercise: Exercise | None,
                where: str) -> list[nbformat.NotebookNode]:
    """A code cell with the nbgrader metadata of its role (answer, self-check, or read-only); the
    capstone's self-check becomes several test cells."""
    if kind == "check" and exercise is not None and capstone_calls(cell.source, where):
        return capstone_test_cells(cell.source, exercise.label, where)
    if kind == "check":
        calls = check_calls(cell.source, where)
        cell.source = graded_check_source(cell.source, where)
        points = sum(check_points(call) for call in calls)
        return [_mark(cell, _safe_id("check-" + "-".join(c.exercise_id for c in calls)),
                      grade=True, solution=False, locked=True, points=points)]
    if kind == "answer" or has_solution_region(cell.source):
        name = exercise.label if exercise is not None else f"cell-{cell.id}"
        return [_mark(cell, _safe_id(f"{name}-answer-{cell.id}"), grade=False, solution=True, locked=False)]
    return [_mark(cell, _safe_id(f"cell-{cell.id}"), grade=False, solution=False, locked=True)]


# ---- the course directory -------------------------------------------------------------------------

def course_chapters(root: Path = REPO_ROOT) -> dict[str, Path]:
    """Chapters of ``_toc.yml`` with at least one self-checked exercise, name -> notebook, in toc order."""
    found = {}
    for path in toc_notebooks(root):
        nb = nbformat.read(path, as_version=4)
        if any(e.self_checked for e in chapter_exercises(nb, path.name)):
            found[path.stem] = path
    return found


def write_course(out: Path | str, root: Path | str = REPO_ROOT, chapters: list[str] | None = None) -> list[Path]:
    """Write the nbgrader course directory ``out`` for ``chapters`` (default: every gradable chapter).

    Returns the notebooks written. Raises :class:`CourseError` when ``out`` exists and is not an empty
    directory, or when a chapter name is unknown or not gradable.
    """
    out, root = Path(out), Path(root)
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        what = "a file" if not out.is_dir() else "a directory that is not empty"
        raise CourseError(f"{out} is {what}; give a new or empty directory for the course")
    if not (root / "_toc.yml").is_file():
        raise CourseError(f"{root} has no _toc.yml; --root must be the book's repository")
    available = course_chapters(root)
    names = list(available) if chapters is None else list(dict.fromkeys(chapters))
    unknown = [name for name in names if name not in available]
    if unknown:
        raise CourseError(f"unknown chapter {', '.join(map(repr, unknown))}; chapters with self-checked "
                          f"exercises are: {', '.join(available)}")
    if not names:
        raise CourseError("no chapters given")
    out.mkdir(parents=True, exist_ok=True)
    (out / "nbgrader_config.py").write_text(NBGRADER_CONFIG, encoding="utf-8")
    written = []
    for name in names:
        path = available[name]
        target = out / "source" / name / path.name
        target.parent.mkdir(parents=True)
        nbformat.write(assignment_notebook(nbformat.read(path, as_version=4), path.name), target)
        written.append(target)
    return written


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point: ``python -m bpcore.tools.course OUT [--chapters ...] [--root REPO]``."""
    parser = argparse.ArgumentParser(prog="python -m bpcore.tools.course", description=__doc__.split("\n")[0])
    parser.add_argument("out", type=Path, help="new (or empty) directory for the nbgrader course")
    parser.add_argument("--chapters", nargs="+", metavar="NAME",
                        help="chapter names such as 05_backprop (default: every chapter with self-checks)")
    parser.add_argument("--root", type=Path, default=REPO_ROOT, help="repository root holding _toc.yml")
    options = parser.parse_args(argv)
    try:
        written = write_course(options.out, options.root, options.chapters)
    except CourseError as error:
        parser.exit(2, f"{parser.prog}: error: {error}\n")
    for path in written:
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
