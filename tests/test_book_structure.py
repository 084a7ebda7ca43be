"""The book's notebooks are committed the way CI and the book build need them.

For every notebook named in ``_toc.yml``: it exists, it is executed (outputs stored,
execution counts 1, 2, 3, ... in order), has no error output, no widget state, no nbval
comment marker in front of readers, exercise cells folded in JupyterLab (bpcore.tools.cells), a
``python3`` kernelspec, is smaller than 2 MB, and has at least three ``{exercise}``
directives, each followed by its ``{solution}`` (a dropdown, in a cell tagged
``solution``). Every notebook under ``book/`` must be in the toc. Markdown pages of the
toc (the landing page, the instructors' guide) are exempt from the notebook checks.

The checkers are plain functions, tested below on small notebooks with each defect.
"""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
import pytest

from bpcore.tools.cells import problems as cell_problems
from bpcore.tools.execute import problems as execution_problems
from bpcore.tools.execute import toc_files, toc_notebooks

pytestmark = pytest.mark.book

REPO_ROOT = Path(__file__).resolve().parents[1]
BOOK_DIR = REPO_ROOT / "book"
MAX_BYTES = 2 * 1024 * 1024
MIN_EXERCISES = 3
WIDGET_STATE_MIME = "application/vnd.jupyter.widget-state+json"
# ```{exercise} Title   or   :::{solution} ex-ch04-1   (backtick or colon fences)
DIRECTIVE = re.compile(r"^(?:`{3,}|:{3,})\{(exercise|solution)\}[ \t]*(.*)$", re.MULTILINE)
OPTION = re.compile(r"^:(label|class):[ \t]*(.*?)[ \t]*$", re.MULTILINE)


def _directive_options(source: str, start: int) -> dict[str, str]:
    """Options (``:label:``, ``:class:``) at the top of the directive body starting at ``start``."""
    options = {}
    for line in source[start:].splitlines()[1:]:
        match = OPTION.match(line)
        if not match:
            break
        options[match[1]] = match[2]
    return options


def exercise_problems(nb: nbformat.NotebookNode) -> list[str]:
    """Check the exercise/solution pairs of a notebook; return what is wrong."""
    found: list[str] = []
    pending: str | None = None  # label of the exercise waiting for its solution
    exercises = 0
    for cell in nb.cells:
        if cell.cell_type != "markdown":
            continue
        for match in DIRECTIVE.finditer(cell.source):
            kind, argument = match[1], match[2].strip()
            options = _directive_options(cell.source, match.start())
            if kind == "exercise":
                if pending is not None:
                    found.append(f"exercise {pending!r} has no solution before the next exercise")
                exercises += 1
                pending = options.get("label")
                if not pending:
                    found.append(f"exercise {argument!r} has no :label:")
                    pending = ""
                continue
            if pending is None:
                found.append(f"solution {argument!r} follows no exercise")
            elif argument != pending:
                found.append(f"solution {argument!r} does not belong to exercise {pending!r}")
            if "dropdown" not in options.get("class", "").split():
                found.append(f"solution {argument!r} is not `:class: dropdown`")
            if "solution" not in cell.metadata.get("tags", []):
                found.append(f"the cell of solution {argument!r} is not tagged 'solution'")
            pending = None
    if pending is not None:
        found.append(f"exercise {pending!r} has no solution")
    if exercises < MIN_EXERCISES:
        found.append(f"{exercises} exercises, at least {MIN_EXERCISES} needed")
    return found


def notebook_problems(path: Path) -> list[str]:
    """Everything that keeps a notebook out of the book; an empty list means fit to commit."""
    if not path.is_file():
        return [f"{path.name} is missing"]
    found = []
    size = path.stat().st_size
    if size >= MAX_BYTES:
        found.append(f"{size / 1e6:.1f} MB, must stay under 2 MB")
    nb = nbformat.read(path, as_version=4)
    kernel = nb.metadata.get("kernelspec", {}).get("name")
    if kernel != "python3":
        found.append(f"kernelspec {kernel!r}, must be 'python3'")
    if "widgets" in nb.metadata:
        found.append("metadata.widgets holds widget state")
    code = [c for c in nb.cells if c.cell_type == "code" and c.source.strip()]
    if not code or not any(c.get("outputs") for c in code):
        found.append("no stored outputs: not executed")
    if any(c.execution_count is None for c in code):
        found.append("a code cell has execution_count null: not executed")
    else:
        found += execution_problems(nb)
    if any(WIDGET_STATE_MIME in o.get("data", {}) for c in code for o in c.get("outputs", [])):
        found.append("an output carries widget state")
    return found + exercise_problems(nb) + cell_problems(nb)


# ------------------------------------------------------------------ the real book
TOC_NOTEBOOKS = toc_notebooks(REPO_ROOT)


@pytest.mark.parametrize("path", TOC_NOTEBOOKS, ids=[p.stem for p in TOC_NOTEBOOKS])
def test_toc_notebook_is_fit_for_the_book(path: Path) -> None:
    found = notebook_problems(path)
    assert not found, f"{path.name}:\n  " + "\n  ".join(found)


def test_every_notebook_under_book_is_in_the_toc() -> None:
    listed = {p.resolve() for p in TOC_NOTEBOOKS}
    on_disk = {
        p.resolve() for p in BOOK_DIR.rglob("*.ipynb") if ".ipynb_checkpoints" not in p.parts
    }
    assert not on_disk - listed, f"not in _toc.yml: {sorted(map(str, on_disk - listed))}"


def test_toc_pages_exist() -> None:
    missing = [
        entry for entry in toc_files(REPO_ROOT / "_toc.yml")
        if not any((REPO_ROOT / f"{entry}{suffix}").is_file() for suffix in (".md", ".ipynb"))
    ]
    assert not missing, f"_toc.yml names missing pages: {missing}"


# ------------------------------------------------------------------ the checkers themselves
def _good_notebook() -> nbformat.NotebookNode:
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3 (ipykernel)"}
    cells = [nbformat.v4.new_code_cell("print(1)", execution_count=1,
                                       outputs=[nbformat.v4.new_output("stream", text="1\n")])]
    for k in (1, 2, 3):
        cells.append(nbformat.v4.new_markdown_cell(
            f"```{{exercise}} Task {k}\n:label: ex-ch99-{k}\n\nDo it.\n```"))
        solution = nbformat.v4.new_markdown_cell(
            f"```{{solution}} ex-ch99-{k}\n:class: dropdown\n\nDone.\n```")
        solution.metadata["tags"] = ["solution"]
        cells.append(solution)
    nb.cells = cells
    return nb


def _problems_after(tmp_path: Path, edit) -> list[str]:
    nb = _good_notebook()
    edit(nb)
    path = tmp_path / "nb.ipynb"
    nbformat.write(nb, path)
    return notebook_problems(path)


def test_checker_accepts_a_good_notebook(tmp_path: Path) -> None:
    assert _problems_after(tmp_path, lambda nb: None) == []


@pytest.mark.parametrize(
    ("edit", "expected"),
    [
        (lambda nb: nb.cells[0].update(execution_count=None), "not executed"),
        (lambda nb: nb.cells[0].update(outputs=[]), "no stored outputs"),
        (lambda nb: nb.cells[0].update(execution_count=2), "execution_count 2"),
        (lambda nb: nb.cells[0].outputs.append(
            nbformat.v4.new_output("error", ename="ValueError", evalue="x", traceback=[])),
         "error output"),
        (lambda nb: nb.metadata.update(widgets={"state": {}}), "widget state"),
        (lambda nb: nb.metadata.kernelspec.update(name="venv"), "kernelspec"),
        (lambda nb: nb.cells.pop(), "has no solution"),
        (lambda nb: nb.cells[-1].metadata.update(tags=[]), "not tagged"),
        (lambda nb: nb.cells.__setitem__(-1, nbformat.v4.new_markdown_cell(
            nb.cells[-1].source.replace(":class: dropdown\n", ""),
            metadata={"tags": ["solution"]})), "dropdown"),
        (lambda nb: nb.cells.__setitem__(slice(1, 3), []), "2 exercises"),
        (lambda nb: nb.cells[2].update(source=nb.cells[2].source.replace("ex-ch99-1", "ex-ch99-9")),
         "does not belong"),
        (lambda nb: nb.cells[0].outputs[0].update(text="x" * MAX_BYTES), "MB"),
        (lambda nb: nb.cells[0].update(source="# NBVAL_IGNORE_OUTPUT\nprint(1)"), "test marker"),
        (lambda nb: nb.cells[0].metadata.update(tags=["exercise-implement"]), "not folded"),
    ],
)
def test_checker_finds_each_defect(tmp_path: Path, edit, expected: str) -> None:
    found = _problems_after(tmp_path, edit)
    assert any(expected in problem for problem in found), found


def test_checker_reports_a_missing_notebook(tmp_path: Path) -> None:
    assert notebook_problems(tmp_path / "absent.ipynb") == ["absent.ipynb is missing"]


# ------------------------------------------------------------------ the pipeline's helpers
def test_book_renderer_only_in_book_mode(monkeypatch: pytest.MonkeyPatch) -> None:
    import plotly.graph_objects as go
    import plotly.io as pio

    from bpcore import notebook

    monkeypatch.setattr(pio.renderers, "default", "json")
    monkeypatch.delenv(notebook.BOOK_ENV_VAR, raising=False)
    notebook.setup_notebook()
    assert not notebook.is_book_build() and pio.renderers.default == "json"

    monkeypatch.setenv(notebook.BOOK_ENV_VAR, "1")
    notebook.setup_notebook()
    assert notebook.is_book_build() and pio.renderers.default == notebook.BOOK_RENDERER
    fig = go.Figure(go.Scatter(y=[1, 2]), frames=[go.Frame(data=[go.Scatter(y=[2, 1])])])
    html = notebook.BookHtmlRenderer().to_mimebundle(fig.to_dict())["text/html"]
    assert "Plotly.newPlot" in html
    assert "<script src" not in html and "cdn" not in html.lower()  # plotly.js not inlined
    assert "Plotly.animate" not in html  # frames do not auto-play


def test_cache_is_emptied_when_bpcore_changes(tmp_path: Path) -> None:
    from bpcore.tools.build import bpcore_fingerprint, ensure_fresh_cache

    package = tmp_path / "pkg"
    package.mkdir()
    (package / "a.py").write_text("x = 1\n")
    cache = tmp_path / "cache"
    first = bpcore_fingerprint(package)
    assert ensure_fresh_cache(cache, first)
    (cache / "executed.ipynb").write_text("{}")
    assert not ensure_fresh_cache(cache, bpcore_fingerprint(package))
    assert (cache / "executed.ipynb").exists()

    (package / "a.py").write_text("x = 2\n")
    assert bpcore_fingerprint(package) != first
    assert ensure_fresh_cache(cache, bpcore_fingerprint(package))
    assert not (cache / "executed.ipynb").exists()


def test_a_new_look_rewrites_every_page(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Sphinx copies book/_static only when it writes a page; a changed stylesheet alone must make every page
    out of date, a new bpcore every notebook, and an unchanged build nothing."""
    from types import SimpleNamespace

    from bpcore.tools import build

    (tmp_path / "static").mkdir()
    (tmp_path / "static" / "book.css").write_text("a { color: red; }")
    app = SimpleNamespace(confdir=str(tmp_path), config=SimpleNamespace(html_static_path=["static"]))
    docs = {"index": "index.md", "book/01": "book/01.ipynb"}
    env = SimpleNamespace(found_docs=set(docs), doc2path=lambda doc: docs[doc])
    monkeypatch.setenv(build.FINGERPRINT_ENV_VAR, "bpcore-1")
    outdated = lambda: build._on_env_get_outdated(app, env, set(), set(), set())  # noqa: E731
    assert outdated() == ["book/01", "index"] and outdated() == []
    (tmp_path / "static" / "book.css").write_text("a { color: blue; }")
    assert outdated() == ["book/01", "index"] and outdated() == []
    monkeypatch.setenv(build.FINGERPRINT_ENV_VAR, "bpcore-2")
    assert outdated() == ["book/01"] and outdated() == []


def test_each_twin_launches_its_own_cell() -> None:
    """The "Run live" link beside a static twin names the notebook cell that shows the twin (myst-nb's
    ``cell_index`` on the cell's container), in page order, also when one cell shows two twins."""
    from docutils import nodes
    from docutils.utils import new_document

    from bpcore.tools.build import TWIN_START, twin_cells, with_twin_launches

    doctree = new_document("chapter")
    for index, outputs in ((2, [TWIN_START + "a</div>"]), (4, ["<p>no twin</p>"]),
                           (7, [TWIN_START + "b</div>", "<i>text</i>" + TWIN_START + "c</div>"])):
        cell = nodes.container(nb_element="cell_code", cell_index=index)
        cell += [nodes.raw("", html, format="html") for html in outputs]
        doctree += cell
    doctree += nodes.raw("", "<p>not a cell</p>", format="html")
    assert twin_cells(doctree) == [2, 7, 7]
    body = "<p>x</p>" + TWIN_START + "a</div>" + TWIN_START + "b</div>" + TWIN_START + "c</div>"
    linked = with_twin_launches(body, ["#one", "#two", "#three"])
    assert [linked.index(f'href="{u}"') < linked.index(TWIN_START + t) for u, t in
            (("#one", "a"), ("#two", "b"), ("#three", "c"))] == [True] * 3
    assert linked.index('href="#two"') > linked.index(TWIN_START + "a")
    with pytest.raises(ValueError, match="3 static twins, but 2 launch links"):
        with_twin_launches(body, ["#one", "#two"])


def test_toc_files_reads_parts_in_order(tmp_path: Path) -> None:
    (tmp_path / "_toc.yml").write_text(
        "format: jb-book\nroot: book/index\nparts:\n"
        "  - caption: A\n    chapters:\n      - file: book/01_a\n"
        "        sections:\n          - file: book/01b\n"
        "  - caption: B\n    chapters:\n      - file: book/02_b\n"
    )
    assert toc_files(tmp_path / "_toc.yml") == ["book/index", "book/01_a", "book/01b", "book/02_b"]
