"""The student edition: no solution text anywhere, stubs in place, runs up to the first stub.

Checked on a small fixture book that uses every convention, and on the real book/ when its
notebooks exist (each real notebook is also executed: slow, one test per chapter)."""
from __future__ import annotations

import ast
import json
import re
import subprocess
import sys
from pathlib import Path

import nbclient
import nbformat
import pytest

from bpcore.tools import student_edition as se

pytestmark = pytest.mark.student_edition

REPO = Path(__file__).resolve().parents[1]
SECRETS = ["SECRET-DERIVATION-ALPHA", "SECRET-CODE-BETA", "SECRET-OUTPUT-GAMMA", "SECRET_NESTED_DELTA",
           "SECRET_SOLUTION_CODE_EPSILON", "SECRET-ZETA", "SECRET-MD-ETA", "SECRET-GUIDE-THETA", "SECRET-GATED-IOTA"]

IMPLEMENT = '''def sigmoid_prime(z):
    """Return the derivative of the sigmoid at z, "elementwise"."""
    # BEGIN SOLUTION
    s = 1.0 / (1.0 + np.exp(-z))  # SECRET-CODE-BETA
    return s * (1.0 - s)
    # END SOLUTION
'''

NESTED = '''Some prose before.

````{solution} ex-demo-1
:class: dropdown
```python
SECRET_NESTED_DELTA = 1
```
````

More prose after.
'''


def _cell(kind: str, source: str, tags: tuple[str, ...] = (), outputs: list | None = None) -> nbformat.NotebookNode:
    cell = nbformat.v4.new_code_cell(source) if kind == "code" else nbformat.v4.new_markdown_cell(source)
    if tags:
        cell.metadata["tags"] = list(tags)
    if outputs is not None:
        cell.outputs = outputs
        cell.execution_count = 1
    return cell


def fixture_notebook() -> nbformat.NotebookNode:
    nb = nbformat.v4.new_notebook()
    nb.metadata.kernelspec = {"name": "python3", "display_name": "Python 3 (ipykernel)", "language": "python"}
    nb.metadata.widgets = {"state": "SECRET-OUTPUT-GAMMA"}
    stale = [nbformat.v4.new_output("stream", name="stdout", text="SECRET-OUTPUT-GAMMA\n")]
    nb.cells = [
        _cell("markdown", "# Demo chapter"),
        _cell("code", "import numpy as np", ("hide-cell",), outputs=[]),
        _cell("markdown", "```{exercise} Derive it\n:label: ex-demo-1\n\nWhat is the slope at zero?\n```"),
        _cell("markdown", "```{solution} ex-demo-1\n:class: dropdown\n\nSECRET-DERIVATION-ALPHA\n```", ("solution",)),
        _cell("code", IMPLEMENT, ("exercise-implement", "hide-input"), outputs=stale),
        _cell("code", 'from bpcore.selfcheck import check\ncheck("basics.sigmoid_prime", sigmoid_prime)',
              outputs=[nbformat.v4.new_output("stream", name="stdout", text="Correct.\n")]),
        _cell("markdown", NESTED),
        _cell("markdown", ":::{solution-start} ex-demo-1\n:::\nSECRET-GATED-IOTA\n:::{solution-end}\n:::\nKept gated."),
        _cell("code", "SECRET_SOLUTION_CODE_EPSILON = 2", ("solution",), outputs=stale),
        _cell("code", "    # BEGIN SOLUTION\nanswer = 0.25  # SECRET-ZETA\n# END SOLUTION\n".lstrip()),
        _cell("code", "print(sigmoid_prime(0.0))", outputs=stale),
        _cell("code", "print('never reached')"),
    ]
    return nb


@pytest.fixture
def fixture_book(tmp_path: Path) -> Path:
    root = tmp_path / "repo"
    (root / "book").mkdir(parents=True)
    (root / "_toc.yml").write_text("format: jb-book\nroot: book/index\nchapters:\n  - file: book/01_demo\n"
                                   "  - file: book/instructors_guide\n")
    (root / "book" / "index.md").write_text("# Index\n\nWelcome. ![a figure](figs/f.txt)\n\n"
                                            ":::{solution} ex-x\nSECRET-MD-ETA\n:::\nAfter.\n")
    (root / "book" / "figs").mkdir()
    (root / "book" / "figs" / "f.txt").write_text("figure")
    (root / "book" / "instructors_guide.md").write_text("# Guide\nSECRET-GUIDE-THETA\n")
    nbformat.write(fixture_notebook(), root / "book" / "01_demo.ipynb")
    return root


def _all_text(outdir: Path) -> str:
    return "\n".join(p.read_text(encoding="utf-8") for p in sorted(outdir.rglob("*")) if p.is_file())


def test_fixture_has_no_solution_text(fixture_book: Path, tmp_path: Path):
    out = tmp_path / "student"
    written = se.build(out, fixture_book)
    assert [p.name for p in written] == ["index.md", "01_demo.ipynb"]  # toc order, no instructor page
    text = _all_text(out)
    assert not [s for s in SECRETS if s in text]
    assert (out / "figs" / "f.txt").read_text() == "figure"
    assert "More prose after." in text and "Some prose before." in text and "After." in text
    assert "Kept gated." in text and "{exercise} Derive it" in text


def test_fixture_structure(fixture_book: Path, tmp_path: Path):
    se.build(tmp_path / "student", fixture_book)
    nb = nbformat.read(tmp_path / "student" / "01_demo.ipynb", as_version=4)
    nbformat.validate(nb)
    assert nb.cells[0].metadata["tags"] == [se.BANNER_TAG] and "Student edition" in nb.cells[0].source
    assert "widgets" not in nb.metadata
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert all(c.outputs == [] and c.execution_count is None for c in code)
    implement = next(c for c in code if "exercise-implement" in c.metadata.get("tags", []))
    assert implement.metadata["tags"] == ["exercise-implement"]  # hide-input dropped: the reader needs it
    assert implement.source == (
        'def sigmoid_prime(z):\n'
        '    """Return the derivative of the sigmoid at z, "elementwise"."""\n'
        '    raise NotImplementedError("TODO: Return the derivative of the sigmoid at z, \\"elementwise\\".")\n')
    ast.parse(implement.source)
    assert any(c.source == 'raise NotImplementedError("TODO: implement this")\n' for c in code)
    assert any('check("basics.sigmoid_prime", sigmoid_prime)' in c.source for c in code)  # self-check kept
    assert not any("solution" in c.metadata.get("tags", []) for c in nb.cells)


def _execute_until_error(path: Path, timeout: int = 120) -> tuple[nbformat.NotebookNode, int | None]:
    """Run ``path`` (cwd = its folder); return the executed notebook and the index of the failing cell."""
    nb = nbformat.read(path, as_version=4)
    client = nbclient.NotebookClient(nb, timeout=timeout, kernel_name="python3", allow_errors=False,
                                     resources={"metadata": {"path": str(path.parent)}})
    try:
        client.execute()
    except nbclient.exceptions.CellExecutionError:
        pass
    failing = next((i for i, c in enumerate(nb.cells) if c.cell_type == "code"
                    and any(o.output_type == "error" for o in c.get("outputs", []))), None)
    return nb, failing


def _passed_checks(nb: nbformat.NotebookNode) -> list[str]:
    """Sources of executed cells whose self-check printed "Correct." (in a student copy: a leaked answer)."""
    return [c.source for c in nb.cells if c.cell_type == "code" and any(
        o.output_type == "stream" and "Correct." in o.text.splitlines() for o in c.get("outputs", []))]


def _first_stub(nb: nbformat.NotebookNode) -> int | None:
    return next((i for i, c in enumerate(nb.cells) if c.cell_type == "code" and "raise NotImplementedError(\"TODO:"
                 in c.source), None)


def test_fixture_runs_to_the_first_stub(fixture_book: Path, tmp_path: Path):
    se.build(tmp_path / "student", fixture_book)
    nb, failing = _execute_until_error(tmp_path / "student" / "01_demo.ipynb")
    error = next(o for o in nb.cells[failing].outputs if o.output_type == "error")
    assert error.ename == "NotImplementedError" and "TODO: implement this" in error.evalue
    assert failing > _first_stub(nb)
    checked = next(c for c in nb.cells if c.cell_type == "code" and "check(" in c.source)
    assert checked.outputs[0].text.startswith("Not yet: the function still raises NotImplementedError")
    assert _passed_checks(nb) == []


def test_a_passing_self_check_counts_as_a_leak():
    nb = nbformat.v4.new_notebook()
    nb.cells = [_cell("code", 'ratio = 0.25\ncheck("basics.sigmoid_max", ratio)',
                      outputs=[nbformat.v4.new_output("stream", name="stdout", text="Correct.\n")]),
                _cell("code", 'check("basics.sigmoid", f)',
                      outputs=[nbformat.v4.new_output("stream", name="stdout", text="Not yet: sign flipped.\n")])]
    assert _passed_checks(nb) == [nb.cells[0].source]


def test_command_line(fixture_book: Path, tmp_path: Path):
    out = tmp_path / "cli"
    done = subprocess.run([sys.executable, "-m", "bpcore.tools.student_edition", str(out), "--root", str(fixture_book)],
                          capture_output=True, text=True, cwd=REPO, check=False)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == [str(out / "index.md"), str(out / "01_demo.ipynb")]


def test_refuses_to_overwrite_the_book(fixture_book: Path):
    with pytest.raises(ValueError, match="refusing"):
        se.build(fixture_book / "book", fixture_book)


def test_without_toc_falls_back_to_sorted_notebooks(fixture_book: Path, tmp_path: Path):
    (fixture_book / "_toc.yml").unlink()
    nbformat.write(nbformat.v4.new_notebook(), fixture_book / "book" / "00_first.ipynb")
    assert [p.name for p in se.book_pages(fixture_book)] == ["00_first.ipynb", "01_demo.ipynb", "index.md"]


def test_toc_entry_without_file_is_an_error(fixture_book: Path):
    (fixture_book / "_toc.yml").write_text("format: jb-book\nroot: book/index\nchapters:\n  - file: book/99_missing\n")
    with pytest.raises(FileNotFoundError, match="99_missing"):
        se.book_pages(fixture_book)


@pytest.mark.parametrize(
    "source, message",
    [("# BEGIN SOLUTION\nx = 1\n", "no matching"), ("x = 1\n# END SOLUTION\n", "without a"),
     ("# BEGIN SOLUTION\n# BEGIN SOLUTION\n# END SOLUTION\n", "no matching")],
)
def test_unbalanced_markers_are_errors(source, message):
    with pytest.raises(ValueError, match=message):
        se.stub_solutions(source, "cell 3")


def test_stub_keeps_indentation_and_surrounding_code():
    source = ("class Layer:\n    def forward(self, x):\n        '''Forward pass: x (n, d) -> (n, k).\n\n        more'''\n"
              "        y = x\n        # BEGIN SOLUTION\n        y = x @ self.W\n        # END SOLUTION\n        return y\n")
    stubbed = se.stub_solutions(source)
    assert '        raise NotImplementedError("TODO: Forward pass: x (n, d) -> (n, k).")\n        return y\n' in stubbed
    assert "self.W" not in stubbed
    ast.parse(stubbed)


def test_unclosed_solution_directive_is_an_error():
    with pytest.raises(ValueError, match="unclosed"):
        se.strip_solution_directives("```{solution} ex-1\nno end\n")


# ---- the real book --------------------------------------------------------------------------------

REAL_NOTEBOOKS = sorted((REPO / "book").glob("*.ipynb"))
needs_book = pytest.mark.skipif(not REAL_NOTEBOOKS, reason="book/ has no notebooks yet")
_DIRECTIVE_LINE = re.compile(r"^\s*(`{3,}|:{3,}|:class:|:label:|:nonumber:)")


def _solution_only_lines(nb: nbformat.NotebookNode) -> set[str]:
    """Distinctive lines that appear only inside solutions (solution cells, BEGIN/END regions)."""
    secret, public = [], []
    for cell in nb.cells:
        if "solution" in cell.metadata.get("tags", []):
            secret += cell.source.splitlines()
            continue
        inside = False
        for line in cell.source.splitlines():
            if re.match(r"\s*#\s*BEGIN SOLUTION", line):
                inside = True
            elif re.match(r"\s*#\s*END SOLUTION", line):
                inside = False
            else:
                (secret if inside else public).append(line)
    public_set = {line.strip() for line in public}
    return {s.strip() for s in secret
            if len(s.strip()) >= 8 and not _DIRECTIVE_LINE.match(s) and s.strip() not in public_set}


@pytest.fixture(scope="module")
def real_student_edition(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("student_book")
    se.build(out, REPO)
    return out


@needs_book
def test_real_book_has_no_solution_text(real_student_edition: Path):
    assert not (real_student_edition / "instructors_guide.md").exists()
    for path in REAL_NOTEBOOKS:
        student_path = real_student_edition / path.name
        if not student_path.exists():  # a notebook missing from _toc.yml is test_book_structure's business
            continue
        student = json.dumps(nbformat.read(student_path, as_version=4))
        leaked = [line for line in _solution_only_lines(nbformat.read(path, as_version=4)) if json.dumps(line)[1:-1] in student]
        assert not leaked, (path.name, leaked[:3])


_EXERCISE = re.compile(r"^\s*(`{3,}|:{3,})\{exercise(-start)?\}[^\n]*\n(?:\s*:[\w-]+:.*\n)*?\s*:label:\s*(?P<label>\S+)", re.M)


@needs_book
@pytest.mark.parametrize("path", REAL_NOTEBOOKS, ids=[p.stem for p in REAL_NOTEBOOKS])
def test_every_exercise_has_a_following_dropdown_solution(path: Path):
    cells = nbformat.read(path, as_version=4).cells
    for index, cell in enumerate(cells):
        if cell.cell_type != "markdown":
            continue
        for match in _EXERCISE.finditer(cell.source):
            label = match["label"]
            solution = re.compile(rf"\{{solution(-start)?\}}\s+{re.escape(label)}\s*\n")
            later = [c for c in cells[index:] if c.cell_type == "markdown" and solution.search(c.source)]
            assert later, f"{path.name}: exercise {label} has no following {{solution}}"
            assert "solution" in later[0].metadata.get("tags", []), f"{path.name}: solution of {label} is not tagged"
            assert ":class: dropdown" in later[0].source, f"{path.name}: solution of {label} is not a dropdown"


@needs_book
@pytest.mark.parametrize("path", REAL_NOTEBOOKS, ids=[p.stem for p in REAL_NOTEBOOKS])
def test_real_student_notebook_runs_to_its_first_stub(real_student_edition: Path, path: Path):
    student_path = real_student_edition / path.name
    if not student_path.exists():
        pytest.skip(f"{path.name} is not in _toc.yml")
    nb, failing = _execute_until_error(student_path, timeout=300)
    leaked = _passed_checks(nb)
    assert not leaked, f"{path.name}: a self-check passes before the student wrote anything: {leaked[0]!r}"
    if failing is None:
        return  # ran to the end: every stub is only reached through check(), which reports it
    error = next(o for o in nb.cells[failing].outputs if o.output_type == "error")
    first_stub = _first_stub(nb)
    assert error.ename == "NotImplementedError", (path.name, failing, error.ename, error.evalue)
    assert first_stub is not None and failing >= first_stub, (path.name, failing, first_stub)
