"""JupyterLab reads like the book: two chapters opened in a real JupyterLab (the book's launcher
settings, jupyterlab-myst) show no raw MyST, typeset their equations, keep every solution folded
until its dropdown is opened, and keep the exercise cells' solution code folded.

JupyterLab draws only the cells near the viewport, so the test scrolls through the notebook,
waits at each position until the markdown cells in view are rendered, and records what a reader
sees in each cell (``innerText``: hidden and folded content does not count).  Screenshots go to
``_build/screenshots/``.  Every request outside 127.0.0.1 is blocked (``offline_page``).
"""
from __future__ import annotations

import re
import shutil
import tempfile
from pathlib import Path

import nbformat
import pytest

from bpcore.tools import labserver

pytestmark = pytest.mark.browser

REPO = Path(__file__).resolve().parents[2]
SCREENSHOTS = REPO / "_build" / "screenshots"
CHAPTERS = ["05_backprop", "12_regularisation"]
RAW_MYST = ["{exercise}", "{solution}", "{doc}", "{eq}", ":label:", ":class:", "```"]

# jupyterlab-myst draws a markdown cell into a `.myst` element. One scroll step: wait for rendering,
# record [index, visible text, typeset equations] per cell.
SNAPSHOT = """() => [...document.querySelectorAll('.jp-Notebook .jp-Cell')]
    .filter(c => c.style.display !== 'none')
    .map(c => [Number(c.dataset.windowedListIndex), c.innerText, c.querySelectorAll('.katex').length])"""
RENDERED = """() => [...document.querySelectorAll('.jp-Notebook .jp-MarkdownCell')]
    .filter(c => c.style.display !== 'none')
    .every(c => { const m = c.querySelector('.myst'); return m && m.innerText.trim().length > 0; })"""
SCROLL = """() => { const p = document.querySelector('.jp-Notebook .jp-WindowedPanel-outer');
    const end = p.scrollTop + p.clientHeight >= p.scrollHeight - 2; p.scrollTop += 500; return end; }"""


@pytest.fixture(scope="module")
def jupyterlab():
    root = Path(tempfile.mkdtemp(prefix="bp-book-"))
    shutil.copytree(REPO / "book", root / "book", ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
    try:
        with labserver.jupyterlab(root) as server:
            yield server
    finally:
        shutil.rmtree(root, ignore_errors=True)


def read_through(page) -> dict[int, tuple[str, int]]:
    """Scroll from top to bottom; return cell index -> (visible text, number of typeset formulas)."""
    seen: dict[int, tuple[str, int]] = {}
    for _ in range(400):
        page.wait_for_function(RENDERED, timeout=30_000)
        for index, text, formulas in page.evaluate(SNAPSHOT):
            seen[index] = (text, formulas)
        if page.evaluate(SCROLL):
            break
        page.wait_for_timeout(100)
    return seen


def solution_body(source: str) -> str:
    """Plain words from a solution's body (three or more in a row, no math or markup between them)
    that a reader must not see while the solution is folded."""
    runs = []
    for line in source.splitlines()[1:]:
        if line.startswith((":", "```")):
            continue
        plain = re.sub(r"\$[^$]*\$|`[^`]*`|[*_(){}\[\],.;:!?'’]", "|", line)
        runs += re.findall(r"[A-Za-z]+(?: [A-Za-z]+){2,}", plain)
    assert runs, f"no prose in the solution {source[:80]!r}"
    return max(runs, key=len)


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_chapter_reads_like_the_book(jupyterlab, offline_page, chapter: str) -> None:
    base, token = jupyterlab
    nb = nbformat.read(REPO / "book" / f"{chapter}.ipynb", as_version=4)
    page = offline_page.page
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.goto(f"{base}/lab/tree/book/{chapter}.ipynb?reset&token={token}")
    page.wait_for_selector(".jp-MarkdownCell .myst", timeout=90_000)   # jupyterlab-myst's rendering
    page.screenshot(path=str(SCREENSHOTS / f"jupyterlab_myst_{chapter}_top.png"))
    seen = read_through(page)

    markdown = [i for i, c in enumerate(nb.cells) if c.cell_type == "markdown"]
    assert set(markdown) <= set(seen), f"cells never drawn: {sorted(set(markdown) - set(seen))}"
    for i in markdown:
        raw = [token for token in RAW_MYST if token in seen[i][0]]
        assert not raw, f"cell {i} shows raw MyST {raw}: {seen[i][0][:200]!r}"
    with_math = [i for i in markdown if "$" in nb.cells[i].source]
    assert with_math and all(seen[i][1] > 0 for i in with_math), \
        f"cells with math but nothing typeset: {[i for i in with_math if seen[i][1] == 0]}"
    assert any(re.search(r"\(\d+\)", seen[i][0]) for i in markdown), "no numbered equation shown"

    solutions = [i for i in markdown if "solution" in nb.cells[i].metadata.get("tags", [])]
    assert len(solutions) >= 3
    for i in solutions:
        text = seen[i][0]
        assert re.match(r"\s*Solution to\s+Exercise\s\d+", text), f"cell {i} is not a folded solution: {text[:120]!r}"
        assert solution_body(nb.cells[i].source) not in text, f"solution {i} is open: {text[:200]!r}"
    exercises = [i for i, c in enumerate(nb.cells) if "exercise-implement" in c.metadata.get("tags", [])]
    assert exercises
    for i in exercises:
        answer = nb.cells[i].source.split("# BEGIN SOLUTION")[1].split("# END SOLUTION")[0]
        shown = [line.strip() for line in answer.splitlines() if line.strip() and line.strip() in seen[i][0]]
        assert not shown, f"exercise cell {i} shows its solution code: {shown}"

    # Open the first solution: its text appears.
    first = solutions[0]
    cell = page.locator(f".jp-Cell[data-windowed-list-index='{first}']")
    for _ in range(400):
        if cell.count():
            break
        page.evaluate("() => { document.querySelector('.jp-Notebook .jp-WindowedPanel-outer').scrollTop -= 500; }")
        page.wait_for_timeout(100)
    cell.scroll_into_view_if_needed()
    page.wait_for_function(RENDERED, timeout=30_000)
    cell.get_by_text("Solution to", exact=False).first.click()
    expected = solution_body(nb.cells[first].source)
    page.wait_for_function("([i, t]) => document.querySelector(`.jp-Cell[data-windowed-list-index='${i}']`)"
                           ".innerText.includes(t)", arg=[first, expected], timeout=10_000)
    page.screenshot(path=str(SCREENSHOTS / f"jupyterlab_myst_{chapter}_solution_open.png"))
    offline_page.assert_clean()
