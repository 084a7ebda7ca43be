"""Write the student edition of the book: the same notebooks, without the answers.

Usage (from the repository root)::

    python -m bpcore.tools.student_edition OUTDIR [--root REPO]

For every page of ``_toc.yml`` (or, without a toc, ``book/*.ipynb`` and ``book/*.md`` sorted), except the
instructor-only pages, OUTDIR receives a copy in which

* cells tagged ``solution`` are removed, and so are ``{solution}`` directive blocks (also the gated
  ``{solution-start}`` ... ``{solution-end}`` form) in any markdown;
* in code cells, the lines from ``# BEGIN SOLUTION`` to ``# END SOLUTION`` are replaced by
  ``raise NotImplementedError("TODO: <first docstring line of the enclosing function>")`` at the
  indentation of the ``# BEGIN SOLUTION`` line (``"TODO: implement this"`` outside a function or
  without a docstring);
* all outputs and execution counts are cleared, so no answer leaks through a stored output;
* a banner cell at the top says that this is the student edition.

Self-check cells (``check("chNN.x", answer)``) are kept: on a stub they print "the function still raises
NotImplementedError". Local files that markdown links to (images) are copied next to the notebooks.
"""
from __future__ import annotations

import argparse
import ast
import re
import shutil
import sys
from pathlib import Path
from typing import Iterable

import nbformat
import yaml

#: pages that exist for teachers only and never go into the student edition
INSTRUCTOR_ONLY = frozenset({"instructors_guide"})

BANNER_TAG = "student-edition-banner"
BANNER = (
    "> **Student edition of *Backprop, Live*.** The solutions are removed. Each implementation exercise is a "
    "stub that raises `NotImplementedError(\"TODO: ...\")`: replace that line with your own code, then run "
    "the `check(...)` cell below it for feedback. Run the cells in order; cells after an unfinished stub may "
    "fail until you complete it."
)

_BEGIN = re.compile(r"^(?P<indent>[ \t]*)#\s*BEGIN SOLUTION\s*$")
_END = re.compile(r"^[ \t]*#\s*END SOLUTION\s*$")
_DIRECTIVE = re.compile(r"^[ \t]*(?P<fence>`{3,}|:{3,})\{(?P<name>[\w-]+)\}")
_LINK = re.compile(r"\]\((?P<target>[^)\s]+)")


# ---- which pages ----------------------------------------------------------------------------------

def _toc_entries(node: object) -> Iterable[str]:
    """Every ``file:`` / ``root:`` value of a parsed _toc.yml, in reading order."""
    if isinstance(node, dict):
        for key in ("root", "file"):
            if isinstance(node.get(key), str):
                yield node[key]
        for value in node.values():
            if isinstance(value, (list, dict)):
                yield from _toc_entries(value)
    elif isinstance(node, list):
        for item in node:
            yield from _toc_entries(item)


def book_pages(root: Path) -> list[Path]:
    """The pages of the student edition, in toc order: notebooks and markdown pages under ``root``."""
    toc = root / "_toc.yml"
    if toc.exists():
        pages = []
        for entry in _toc_entries(yaml.safe_load(toc.read_text(encoding="utf-8"))):
            base = root / entry
            candidates = [base] if base.suffix in {".ipynb", ".md"} else [base.with_suffix(".ipynb"),
                                                                         base.with_suffix(".md")]
            found = next((c for c in candidates if c.exists()), None)
            if found is None:
                raise FileNotFoundError(f"_toc.yml lists {entry!r}, but no such .ipynb or .md file exists")
            pages.append(found)
    else:
        pages = sorted((root / "book").glob("*.ipynb")) + sorted((root / "book").glob("*.md"))
    return [p for p in dict.fromkeys(pages) if p.stem not in INSTRUCTOR_ONLY]


# ---- transformations ------------------------------------------------------------------------------

def strip_solution_directives(text: str) -> str:
    """``text`` without ``{solution}`` blocks (and gated ``{solution-start}``...``{solution-end}`` blocks).

    A block ends at the first line made only of the opening fence character, at least as long as the
    opening fence, so code fences nested inside a longer fence stay inside the removed block.
    """
    lines = text.splitlines(keepends=True)
    out: list[str] = []
    i = 0
    while i < len(lines):
        match = _DIRECTIVE.match(lines[i])
        if not match or match["name"] not in {"solution", "solution-start"}:
            out.append(lines[i])
            i += 1
            continue
        gated = match["name"] == "solution-start"
        i = _skip_block(lines, i, match["fence"])
        if gated:
            while i < len(lines):
                inner = _DIRECTIVE.match(lines[i])
                if inner and inner["name"] == "solution-end":
                    i = _skip_block(lines, i, inner["fence"])
                    break
                i += 1
    return "".join(out)


def _skip_block(lines: list[str], start: int, fence: str) -> int:
    """Index of the line after the fenced block that opens at ``lines[start]``."""
    closing = re.compile(rf"^[ \t]*{re.escape(fence[0])}{{{len(fence)},}}[ \t]*$")
    for j in range(start + 1, len(lines)):
        if closing.match(lines[j].rstrip("\n")):
            return j + 1
    raise ValueError(f"unclosed {fence}{{solution}} block starting with {lines[start].strip()!r}")


def _todo_text(source: str, line_number: int) -> str:
    """First docstring line of the innermost function around ``line_number`` (1-based), else a default."""
    try:
        tree = ast.parse(source)
    except SyntaxError:  # IPython magics: no docstring lookup
        return "implement this"
    around = [n for n in ast.walk(tree) if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))
              and n.lineno < line_number <= (n.end_lineno or n.lineno)]
    if not around:
        return "implement this"
    doc = ast.get_docstring(max(around, key=lambda n: n.lineno)) or ""
    first = next((line.strip() for line in doc.splitlines() if line.strip()), "")
    return first or "implement this"


def stub_solutions(source: str, where: str = "cell") -> str:
    """Replace each ``# BEGIN SOLUTION`` ... ``# END SOLUTION`` region by a ``raise NotImplementedError``."""
    lines = source.splitlines()
    out: list[str] = []
    i = 0
    while i < len(lines):
        begin = _BEGIN.match(lines[i])
        if _END.match(lines[i]):
            raise ValueError(f"{where}: '# END SOLUTION' without a '# BEGIN SOLUTION' (line {i + 1})")
        if not begin:
            out.append(lines[i])
            i += 1
            continue
        end = next((j for j in range(i + 1, len(lines)) if _END.match(lines[j])), None)
        if end is None or any(_BEGIN.match(line) for line in lines[i + 1:end]):
            raise ValueError(f"{where}: '# BEGIN SOLUTION' on line {i + 1} has no matching '# END SOLUTION'")
        todo = "TODO: " + _todo_text(source, i + 1)
        quoted = '"' + todo.replace("\\", "\\\\").replace('"', '\\"') + '"'
        out.append(f"{begin['indent']}raise NotImplementedError({quoted})")
        i = end + 1
    return "\n".join(out) + ("\n" if source.endswith("\n") else "")


def student_notebook(nb: nbformat.NotebookNode, where: str = "notebook") -> nbformat.NotebookNode:
    """A student copy of ``nb`` (the input is not modified)."""
    nb = nbformat.from_dict(nb)  # deep copy
    cells = []
    for index, cell in enumerate(nb.cells):
        tags = set(cell.get("metadata", {}).get("tags", []))
        if "solution" in tags:
            continue
        if cell.cell_type == "markdown":
            cell.source = strip_solution_directives(cell.source)
            if not cell.source.strip():
                continue
        elif cell.cell_type == "code":
            cell.source = stub_solutions(cell.source, f"{where}, cell {index}")
            cell.outputs = []
            cell.execution_count = None
            if "exercise-implement" in tags:  # the reader must see the stub
                cell.metadata["tags"] = [t for t in cell.metadata["tags"] if t not in {"hide-input", "hide-cell"}]
        cells.append(cell)
    banner = nbformat.v4.new_markdown_cell(BANNER, metadata={"tags": [BANNER_TAG]})
    if (nb.nbformat, nb.nbformat_minor) >= (4, 5):
        banner.id = BANNER_TAG  # a fixed id: rebuilding gives identical files
    else:
        banner.pop("id", None)  # cell ids only exist from nbformat 4.5 on
    nb.cells = [banner] + cells
    nb.metadata.pop("widgets", None)
    return nb


def student_markdown(text: str) -> str:
    """A student copy of a markdown page: the same text without solution blocks."""
    return strip_solution_directives(text)


# ---- writing --------------------------------------------------------------------------------------

def _copy_linked_files(text: str, source_dir: Path, outdir: Path) -> None:
    """Copy local files that markdown links to (images, data), keeping their relative paths."""
    for match in _LINK.finditer(text):
        target = match["target"].split("#")[0]
        if not target or "://" in target or target.startswith(("/", "mailto:")) or target.endswith((".ipynb", ".md")):
            continue
        src = (source_dir / target).resolve()
        if src.is_file() and source_dir.resolve() in src.parents:
            dst = outdir / target
            dst.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, dst)


def build(outdir: Path | str, root: Path | str = ".") -> list[Path]:
    """Write the student edition of the book at ``root`` into ``outdir``; return the files written."""
    root, outdir = Path(root).resolve(), Path(outdir).resolve()
    pages = book_pages(root)
    if any(outdir == p.parent.resolve() for p in pages) or outdir == root:
        raise ValueError(f"refusing to write the student edition over the book itself ({outdir})")
    outdir.mkdir(parents=True, exist_ok=True)
    written = []
    for page in pages:
        target = outdir / page.name
        if page.suffix == ".ipynb":
            nb = nbformat.read(page, as_version=4)
            student = student_notebook(nb, where=page.name)
            nbformat.write(student, target)
            text = "\n".join(c.source for c in student.cells if c.cell_type == "markdown")
        else:
            text = student_markdown(page.read_text(encoding="utf-8"))
            target.write_text(text, encoding="utf-8")
        _copy_linked_files(text, page.parent, outdir)
        written.append(target)
    return written


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point: ``python -m bpcore.tools.student_edition OUTDIR [--root REPO]``."""
    parser = argparse.ArgumentParser(prog="python -m bpcore.tools.student_edition", description=__doc__.split("\n")[0])
    parser.add_argument("outdir", type=Path, help="directory to write the student notebooks into")
    parser.add_argument("--root", type=Path, default=Path("."), help="repository root holding _toc.yml (default: .)")
    options = parser.parse_args(argv)
    for path in build(options.outdir, options.root):
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
