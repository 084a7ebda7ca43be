"""How the book's notebooks carry reader-facing cell metadata, written in one place.

Two conventions, applied by :func:`normalise` to every notebook the tools write:

* **Exercises before answers.** A code cell tagged ``exercise-implement`` holds a skeleton with the
  solution between ``# BEGIN SOLUTION`` / ``# END SOLUTION``. The HTML book folds it (the tag
  ``hide-input``); JupyterLab folds it too when its source is marked hidden
  (``metadata.jupyter.source_hidden``), so a reader meets the exercise before its answer and opens
  the cell with one click. The student edition removes the solution altogether.
* **No test markers in front of readers.** nbval reads its instructions from cell tags as well as
  from comment lines; the book uses the tags (``nbval-ignore-output`` on figure and widget cells),
  so no reader sees a ``# NBVAL_IGNORE_OUTPUT`` line. A comment marker found in a cell is moved
  into the tags.

Command line (rewrites notebooks in place, outputs untouched)::

    python -m bpcore.tools.cells                      # every notebook in _toc.yml
    python -m bpcore.tools.cells book/04_sigmoid.ipynb
"""
from __future__ import annotations

import re
import sys
from pathlib import Path

import nbformat

EXERCISE_TAG = "exercise-implement"
# nbval's comment markers and the cell tags that mean the same thing (nbval reads both)
NBVAL_MARKERS = {
    "NBVAL_IGNORE_OUTPUT": "nbval-ignore-output",
    "NBVAL_SKIP": "nbval-skip",
    "NBVAL_CHECK_OUTPUT": "nbval-check-output",
    "NBVAL_RAISES_EXCEPTION": "nbval-raises-exception",
}
MARKER_LINE = re.compile(r"^[ \t]*#[ \t]*(NBVAL_[A-Z_]+)[ \t]*$")


def _tags(cell: nbformat.NotebookNode) -> list[str]:
    return cell.setdefault("metadata", {}).setdefault("tags", [])


def normalise(nb: nbformat.NotebookNode) -> bool:
    """Apply the conventions above to ``nb`` in place; return True if anything changed.

    Raises ValueError naming the cell when a comment marker is not one nbval knows.
    """
    changed = False
    for index, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        kept, moved = [], False
        for line in cell.source.splitlines(keepends=True):
            match = MARKER_LINE.match(line.rstrip("\n"))
            if match is None:
                kept.append(line)
                continue
            if match[1] not in NBVAL_MARKERS:
                raise ValueError(f"cell {index}: unknown nbval marker {match[1]!r}; "
                                 f"known: {', '.join(sorted(NBVAL_MARKERS))}")
            tag = NBVAL_MARKERS[match[1]]
            if tag not in _tags(cell):
                _tags(cell).append(tag)
            moved = True
        if moved:
            changed = True
            cell.source = "".join(kept).lstrip("\n")
        if EXERCISE_TAG in cell.metadata.get("tags", []):
            jupyter = cell.metadata.setdefault("jupyter", {})
            if jupyter.get("source_hidden") is not True:
                jupyter["source_hidden"] = True
                changed = True
        if "tags" in cell.metadata and not cell.metadata["tags"]:
            del cell.metadata["tags"]
    return changed


def problems(nb: nbformat.NotebookNode) -> list[str]:
    """What :func:`normalise` would change, as readable sentences (empty: nothing)."""
    found = []
    for index, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        for line in cell.source.splitlines():
            if MARKER_LINE.match(line):
                found.append(f"cell {index} shows the test marker {line.strip()!r} to readers")
        tags = cell.metadata.get("tags", [])
        if EXERCISE_TAG in tags and cell.metadata.get("jupyter", {}).get("source_hidden") is not True:
            found.append(f"cell {index} (an exercise with its solution) is not folded in JupyterLab")
    return found


def main(argv: list[str] | None = None) -> int:
    """Normalise the given notebooks (default: every notebook in the toc) in place."""
    from bpcore.tools.execute import toc_notebooks

    args = sys.argv[1:] if argv is None else argv
    paths = [Path(a) for a in args] if args else toc_notebooks()
    for path in paths:
        if not path.is_file():
            print(f"no such notebook: {path}", file=sys.stderr)
            return 1
        nb = nbformat.read(path, as_version=4)
        if normalise(nb):
            nbformat.write(nb, path)
            print(f"normalised {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
