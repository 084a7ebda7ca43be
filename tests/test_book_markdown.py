"""MyST pitfalls in the chapters' markdown that a build does not always report."""
from __future__ import annotations

import re
from pathlib import Path

import nbformat
import pytest

pytestmark = pytest.mark.book
BOOK = Path(__file__).resolve().parents[1] / "book"
FENCE = re.compile(r"^(\s*)(`{3,}|~{3,})(.*)$")


def nested_fence_problems(text: str) -> list[str]:
    """Directive blocks (```{name}) whose body contains a fence as long as their own: the inner
    closing fence would end the directive early and spill the rest of its body onto the page."""
    problems, stack = [], []
    for number, line in enumerate(text.splitlines(), 1):
        m = FENCE.match(line)
        if not m:
            continue
        fence, info = m.group(2), m.group(3).strip()
        if stack and not info and fence[0] == stack[-1][0][0] and len(fence) >= len(stack[-1][0]):
            stack.pop()                                  # a closing fence
            continue
        if stack and stack[-1][1].startswith("{") and len(fence) >= len(stack[-1][0]):
            problems.append(f"line {number}: {fence}{info} inside {stack[-1][0]}{stack[-1][1]} "
                            f"(use a longer fence for the directive)")
        stack.append((fence, info))
    return problems


def test_detector_finds_the_pitfall():
    bad = "```{solution} ex-1\n:class: dropdown\n\n```python\nx = 1\n```\nmore\n```"
    good = "````{solution} ex-1\n:class: dropdown\n\n```python\nx = 1\n```\nmore\n````"
    assert nested_fence_problems(bad) and not nested_fence_problems(good)


@pytest.mark.parametrize("path", sorted(BOOK.glob("*.ipynb")) + sorted(BOOK.glob("*.md")), ids=lambda p: p.name)
def test_no_directive_is_closed_early_by_a_nested_fence(path):
    if path.suffix == ".md":
        texts = [path.read_text()]
    else:
        texts = [c.source for c in nbformat.read(path, as_version=4).cells if c.cell_type == "markdown"]
    problems = [p for t in texts for p in nested_fence_problems(t)]
    assert not problems, "\n".join(problems)


ROLE = re.compile(r"\{(eq|numref|ref)\}`(?:[^`<]*<)?([^`>]+)>?`")
LABEL = re.compile(r"^\$\$\s*\(([^)\s]+)\)\s*$|^:label:\s*(\S+)\s*$|^\(([^)\s]+)\)=\s*$|^```\{[^}]+\}\s+(\S+)\s*$",
                   re.MULTILINE)


def unresolvable_in_the_notebook(text: str) -> list[str]:
    """References ({eq}, {numref}, {ref}) to labels the same text does not define. The book resolves them
    across chapters, but JupyterLab and the live book render one notebook at a time (jupyterlab-myst): there
    they show as broken references and log a console error each. Between chapters, {doc} links work."""
    defined = {next(g for g in m.groups() if g) for m in LABEL.finditer(text)}
    return sorted({f"{{{role}}}`{target}`" for role, target in ROLE.findall(text) if target not in defined})


def test_reference_detector():
    text = "$$\nx\n$$ (eq-a)\n\n```{exercise} Title\n:label: ex-a\n```\n(sec-a)=\n# S\n"
    assert unresolvable_in_the_notebook(text + "{eq}`eq-a`, {ref}`ex-a`, {ref}`see <sec-a>`") == []
    assert unresolvable_in_the_notebook(text + "{eq}`eq-ch09-power`") == ["{eq}`eq-ch09-power`"]


@pytest.mark.parametrize("path", sorted(BOOK.glob("[0-9][0-9]_*.ipynb")), ids=lambda p: p.name)
def test_every_reference_resolves_within_its_notebook(path):
    nb = nbformat.read(path, as_version=4)
    text = "\n\n".join(cell.source for cell in nb.cells if cell.cell_type == "markdown")
    assert unresolvable_in_the_notebook(text) == []


#: ```name```, ```module.name``` or ```name()``` in the prose: code the reader is told to look at
CODE_NAME = re.compile(r"`((?:[A-Za-z_]\w*\.)*[A-Za-z_]\w*)(?:\(\))?`")
#: names of other libraries the prose quotes: PyTorch and JAX in chapter 16's comparison
FOREIGN_ROOTS = {"torch", "jax", "optimizer"}
FOREIGN_NAMES = {"cross_entropy", "grad_fn", "requires_grad", "zero_grad"}
BPCORE_SOURCE = "\n".join(p.read_text() for p in sorted((BOOK.parent / "bpcore").rglob("*.py")))


def stale_names(markdown: str, code: str) -> list[str]:
    """Names in backquotes that look like code (dotted, or with an underscore) but occur neither in bpcore's
    source nor in the notebook's own code cells: a renamed function the prose still calls by its old name."""
    stale = []
    for m in CODE_NAME.finditer(markdown):
        full = m.group(1)
        last = full.split(".")[-1]
        if ("_" not in last and "." not in full) or full.split(".")[0] in FOREIGN_ROOTS or last in FOREIGN_NAMES:
            continue
        if not re.search(rf"\b{re.escape(last)}\b", BPCORE_SOURCE + "\n" + code):
            stale.append(full)
    return stale


def test_stale_name_detector():
    assert stale_names("It runs after `_forward`, which ...", "") == ["_forward"]
    assert stale_names("It runs after `forward_pass`; see `bpcore.train()` and `torch.no_grad`.", "") == []
    assert stale_names("`my_helper` below", "def my_helper(): pass") == []


@pytest.mark.parametrize("path", sorted(BOOK.glob("[0-9][0-9]_*.ipynb")), ids=lambda p: p.name)
def test_the_prose_names_only_code_that_exists(path):
    nb = nbformat.read(path, as_version=4)
    code = "\n".join(c.source for c in nb.cells if c.cell_type == "code")
    stale = [n for c in nb.cells if c.cell_type == "markdown" for n in stale_names(c.source, code)]
    assert not stale, f"{path.name} names code that exists neither in bpcore nor in its cells: {stale}"


@pytest.mark.parametrize("path", sorted(BOOK.glob("[0-9][0-9]_*.ipynb")), ids=lambda p: p.name)
def test_a_reference_to_an_exercise_is_not_preceded_by_the_word(path):
    """``{ref}`` to an exercise renders as "Exercise 4.6" in the book and in JupyterLab, so "Exercise {ref}`...`"
    printed "Exercise Exercise 4.6"."""
    nb = nbformat.read(path, as_version=4)
    doubled = [m.group(0) for c in nb.cells if c.cell_type == "markdown"
               for m in re.finditer(r"[Ee]xercise\s+\{ref\}`[^`]+`", c.source)]
    assert not doubled, f"{path.name}: {doubled}"
