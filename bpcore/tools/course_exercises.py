"""Find a chapter's exercises and the cells that belong to each: the reading side of the course tool.

An exercise, in a chapter notebook, is

1. a markdown cell with an ``{exercise}`` directive (its ``:label:`` names it), then any of
2. code cells holding the answer between ``# BEGIN SOLUTION`` and ``# END SOLUTION`` (usually tagged
   ``exercise-implement``),
3. code cells with a self-check ``check("chNN.name", answer)``, or the capstone's staged self-check
   ``check_capstone(init_params, forward, backward, update, train)`` (:mod:`bpcore.capstone`),
4. cells tagged ``solution`` (the folded model answer),
5. other code cells (setting up the exercise's data),

in the order the chapter chooses. A code cell may hold the answer and then, after ``# END SOLUTION``,
its self-check. The exercise ends at the next markdown cell that is not a solution (the next exercise,
a heading, prose). :func:`chapter_exercises` returns them in reading order; cell positions
are found here, never written into the course tool.
"""
from __future__ import annotations

import ast
import re
from dataclasses import dataclass, field

import nbformat

_DIRECTIVE = re.compile(r"^[ \t]*(?P<fence>`{3,}|:{3,})\{exercise(?:-start)?\}[ \t]*(?P<title>[^\n]*)$", re.MULTILINE)
_OPTION = re.compile(r"^[ \t]*:(?P<name>[\w-]+):[ \t]*(?P<value>.*)$")
_BEGIN = re.compile(r"^[ \t]*#\s*BEGIN SOLUTION\s*$", re.MULTILINE)
_END = re.compile(r"^[ \t]*#\s*END SOLUTION\s*$")
_SOLUTION_FENCE = re.compile(r"^[ \t]*(`{3,}|:{3,})\{solution(?:-start)?\}[^\n]*\n", re.MULTILINE)

#: the function a self-check cell calls
CHECK_FUNCTION = "check"
#: the function the capstone's self-check cell calls (:func:`bpcore.capstone.check_capstone`)
CAPSTONE_FUNCTION = "check_capstone"


@dataclass(frozen=True)
class CheckCall:
    """One ``check("id", answer)`` statement of a self-check cell."""

    exercise_id: str
    answer: str          #: source text of the answer argument, e.g. ``layer_delta``
    call: str            #: source text of the whole call, e.g. ``check("ch05.layer_delta", layer_delta)``
    first_line: int      #: 1-based line of the statement in its cell
    last_line: int


@dataclass(frozen=True)
class CapstoneCall:
    """One ``check_capstone(init_params, forward, backward, update, train)`` statement of a self-check cell."""

    arguments: str       #: source text of the arguments, e.g. ``init_params, forward, backward, update, train``
    first_line: int      #: 1-based line of the statement in its cell
    last_line: int


@dataclass
class Exercise:
    """One exercise of a chapter and the positions of its cells in the notebook."""

    label: str
    title: str
    directive_cell: int
    answer_cells: list[int] = field(default_factory=list)
    check_cells: list[int] = field(default_factory=list)
    solution_cells: list[int] = field(default_factory=list)
    setup_cells: list[int] = field(default_factory=list)
    checks: list[CheckCall] = field(default_factory=list)
    capstone_checks: list[CapstoneCall] = field(default_factory=list)

    @property
    def self_checked(self) -> bool:
        """True when at least one self-check (or the capstone's) judges the answer (the exercise is autograded)."""
        return bool(self.checks or self.capstone_checks)

    @property
    def last_working_cell(self) -> int:
        """Position of the last cell the reader works in: the directive, an answer or a self-check."""
        return max([self.directive_cell, *self.answer_cells, *self.check_cells])

    @property
    def asks_for_derivation(self) -> bool:
        """True when the title calls it a derive exercise ("Derive: ...", "... (derive)")."""
        return "derive" in self.title.lower()


def has_solution_region(source: str) -> bool:
    """True when a code cell holds a ``# BEGIN SOLUTION`` line."""
    return bool(_BEGIN.search(source))


def solution_end(source: str) -> int:
    """1-based line of the last ``# END SOLUTION`` of a code cell (0 if there is none)."""
    ends = [n for n, line in enumerate(source.splitlines(), start=1) if _END.match(line)]
    return max(ends, default=0)


def _parse(source: str, where: str) -> ast.Module:
    """The syntax tree of a self-check cell; a :class:`ValueError` naming ``where`` if it is not Python."""
    try:
        return ast.parse(source)
    except SyntaxError as error:
        raise ValueError(f"{where}: a self-check cell must be plain Python ({error.msg}, line {error.lineno})") from None


def _top_level_calls(source: str, function: str, where: str) -> list[tuple[ast.Expr, ast.Call]]:
    """The statements of a code cell that are a bare call of ``function`` (``function(...)`` on its own,
    not inside a block or an expression), with their call nodes, in order."""
    if function + "(" not in source:
        return []
    return [(node, node.value) for node in _parse(source, where).body
            if isinstance(node, ast.Expr) and isinstance(node.value, ast.Call)
            and isinstance(node.value.func, ast.Name) and node.value.func.id == function]


def check_calls(source: str, where: str = "cell") -> list[CheckCall]:
    """The top-level ``check("id", answer)`` statements of a code cell, in order.

    Raises:
        ValueError: the cell is not valid Python, or a ``check`` call's first argument is not a literal id.
    """
    calls = []
    for node, call in _top_level_calls(source, CHECK_FUNCTION, where):
        if len(call.args) != 2 or not (isinstance(call.args[0], ast.Constant) and isinstance(call.args[0].value, str)):
            raise ValueError(f"{where}, line {node.lineno}: write a self-check as check(\"chNN.name\", answer)")
        calls.append(CheckCall(call.args[0].value, ast.get_source_segment(source, call.args[1]) or "",
                               ast.get_source_segment(source, call) or "", node.lineno,
                               node.end_lineno or node.lineno))
    return calls


def capstone_calls(source: str, where: str = "cell") -> list[CapstoneCall]:
    """The top-level ``check_capstone(...)`` statements of a code cell, in order.

    Raises:
        ValueError: the cell is not valid Python, or a ``check_capstone`` call has keyword arguments
            (``quiet=True`` would hide the report the feedback shows).
    """
    calls = []
    for node, call in _top_level_calls(source, CAPSTONE_FUNCTION, where):
        if call.keywords or not call.args:
            raise ValueError(f"{where}, line {node.lineno}: write the capstone's self-check as "
                             f"{CAPSTONE_FUNCTION}(init_params, forward, backward, update, train)")
        arguments = ", ".join(ast.get_source_segment(source, arg) or "" for arg in call.args)
        calls.append(CapstoneCall(arguments, node.lineno, node.end_lineno or node.lineno))
    return calls


def _exercise_heads(source: str) -> list[tuple[str, str]]:
    """``(label, title)`` of every ``{exercise}`` directive in a markdown cell."""
    heads = []
    lines = source.splitlines()
    for number, line in enumerate(lines):
        match = _DIRECTIVE.match(line)
        if not match:
            continue
        label = ""
        for option in lines[number + 1:]:
            opt = _OPTION.match(option)
            if not opt:
                break
            if opt["name"] == "label":
                label = opt["value"].strip()
        heads.append((label, match["title"].strip()))
    return heads


def solution_text(source: str) -> str:
    """The body of a ``{solution}`` cell: the text without its fences and directive options."""
    lines = _SOLUTION_FENCE.sub("", source, count=1).rstrip().splitlines()
    while lines and _OPTION.match(lines[0]):
        lines.pop(0)
    if lines and re.fullmatch(r"[ \t]*(`{3,}|:{3,})[ \t]*", lines[-1]):
        lines.pop()
    return "\n".join(lines).strip()


def chapter_exercises(nb: nbformat.NotebookNode, chapter: str = "notebook") -> list[Exercise]:
    """The exercises of ``nb`` in reading order, each with the positions of its cells.

    Raises:
        ValueError: an exercise has no ``:label:``, a markdown cell opens two exercises, or a code cell
            both holds a solution and calls ``check`` (nbgrader cannot grade such a cell).
    """
    exercises: list[Exercise] = []
    current: Exercise | None = None
    for index, cell in enumerate(nb.cells):
        where = f"{chapter}, cell {index}"
        tags = set(cell.get("metadata", {}).get("tags", []))
        if cell.cell_type == "markdown" and "solution" not in tags:
            heads = _exercise_heads(cell.source)
            if len(heads) > 1:
                raise ValueError(f"{where} opens {len(heads)} exercises; give each exercise its own cell")
            if heads:
                label, title = heads[0]
                if not label:
                    raise ValueError(f"{where}: the exercise {title!r} has no :label:")
                current = Exercise(label, title, index)
                exercises.append(current)
            else:
                current = None
            continue
        if current is None:
            continue
        if "solution" in tags:
            current.solution_cells.append(index)
        elif cell.cell_type == "code":
            calls = check_calls(cell.source, where)
            staged = capstone_calls(cell.source, where)
            if staged and calls:
                raise ValueError(f"{where} calls both check() and {CAPSTONE_FUNCTION}(): give each its own cell")
            first_check = (calls or staged)[0].first_line if calls or staged else 0
            if has_solution_region(cell.source) or "exercise-implement" in tags:
                if first_check and first_check <= solution_end(cell.source):
                    raise ValueError(f"{where} calls check() before its '# END SOLUTION': "
                                     "the self-check must follow the answer")
                current.answer_cells.append(index)
            if calls or staged:
                current.check_cells.append(index)
                current.checks.extend(calls)
                current.capstone_checks.extend(staged)
            if not calls and not staged and not has_solution_region(cell.source) and "exercise-implement" not in tags:
                current.setup_cells.append(index)
        else:
            current = None
    return exercises
