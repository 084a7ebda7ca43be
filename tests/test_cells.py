"""bpcore.tools.cells: nbval markers become cell tags, exercise cells are folded in JupyterLab."""
from __future__ import annotations

from pathlib import Path

import nbformat
import pytest

from bpcore.tools import cells

pytestmark = pytest.mark.book


def _notebook(*sources: str, tags: tuple[list[str], ...] = ()) -> nbformat.NotebookNode:
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(src) for src in sources]
    for cell, cell_tags in zip(nb.cells, tags):
        cell.metadata["tags"] = list(cell_tags)
    return nb


def test_marker_moves_into_the_tags_and_leaves_the_code() -> None:
    nb = _notebook("# NBVAL_IGNORE_OUTPUT\nlesson.panel()\n", "print(1)  # NBVAL_IGNORE_OUTPUT stays: not alone")
    assert cells.normalise(nb)
    assert nb.cells[0].source == "lesson.panel()\n"
    assert nb.cells[0].metadata["tags"] == ["nbval-ignore-output"]
    assert nb.cells[1].source.startswith("print(1)") and "tags" not in nb.cells[1].metadata
    assert cells.problems(nb) == []


def test_each_marker_has_the_tag_nbval_reads() -> None:
    from nbval.plugin import comment_markers, metadata_tags

    for marker, tag in cells.NBVAL_MARKERS.items():
        assert marker in comment_markers and metadata_tags[tag] == comment_markers[marker]


def test_exercise_cells_are_folded_and_others_are_not() -> None:
    nb = _notebook("def f():\n    # BEGIN SOLUTION\n    return 1\n    # END SOLUTION\n", "check('x', f)",
                   tags=(["exercise-implement", "hide-input"], []))
    assert cells.problems(nb) == ["cell 0 (an exercise with its solution) is not folded in JupyterLab"]
    cells.normalise(nb)
    assert nb.cells[0].metadata["jupyter"] == {"source_hidden": True}
    assert "jupyter" not in nb.cells[1].metadata
    assert cells.problems(nb) == []


def test_normalise_is_idempotent() -> None:
    nb = _notebook("# NBVAL_IGNORE_OUTPUT\nfig", "x = 1", tags=([], ["exercise-implement"]))
    assert cells.normalise(nb)
    assert not cells.normalise(nb)


def test_unknown_marker_is_named() -> None:
    nb = _notebook("x = 1\n# NBVAL_IGNORE_OUTPUTS\n")
    with pytest.raises(ValueError, match=r"cell 0: unknown nbval marker 'NBVAL_IGNORE_OUTPUTS'"):
        cells.normalise(nb)


def test_command_rewrites_only_what_changes(tmp_path: Path) -> None:
    path = tmp_path / "nb.ipynb"
    nbformat.write(_notebook("# NBVAL_SKIP\nslow()"), path)
    assert cells.main([str(path)]) == 0
    nb = nbformat.read(path, as_version=4)
    assert nb.cells[0].metadata["tags"] == ["nbval-skip"] and nb.cells[0].source == "slow()"
    assert cells.main([str(tmp_path / "absent.ipynb")]) == 1
