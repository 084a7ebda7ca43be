"""Re-execute the book's notebooks in place, the way CI (strict nbval) expects them.

Command line::

    python -m bpcore.tools.execute                      # every notebook listed in _toc.yml
    python -m bpcore.tools.execute book/04_sigmoid.ipynb

Each notebook runs top to bottom in a fresh ``python3`` kernel with ``book/`` as the
working directory and *without* ``BPCORE_BOOK`` (live mode, like JupyterLab and nbval).
Widget state is not stored and ``metadata.widgets`` is dropped, so a notebook stays small;
the cell conventions of :mod:`bpcore.tools.cells` are applied.
A notebook is written back only if every cell ran without an error output and the
execution counts are 1, 2, 3, ... in cell order; otherwise the command exits non-zero.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

import nbformat
import yaml
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError

from bpcore.notebook import BOOK_ENV_VAR
from bpcore.tools.cells import normalise

REPO_ROOT = Path(__file__).resolve().parents[2]
BOOK_DIR = REPO_ROOT / "book"
KERNELSPEC = {"name": "python3", "display_name": "Python 3 (ipykernel)", "language": "python"}
TIMEOUT_S = 300


def toc_files(toc_path: Path = REPO_ROOT / "_toc.yml") -> list[str]:
    """Return every ``file:`` entry of a jb-book ``_toc.yml`` (root first), without suffix."""
    toc = yaml.safe_load(toc_path.read_text())
    files = [toc["root"]]

    def walk(entries: list[dict]) -> None:
        for entry in entries:
            if "file" in entry:
                files.append(entry["file"])
            for key in ("parts", "chapters", "sections"):
                walk(entry.get(key, []))

    walk(toc.get("parts", []) + toc.get("chapters", []))
    return files


def toc_notebooks(root: Path = REPO_ROOT) -> list[Path]:
    """Notebooks the toc names: an entry ``book/x`` is a notebook unless ``book/x.md`` exists."""
    paths = []
    for entry in toc_files(root / "_toc.yml"):
        if not (root / f"{entry}.md").exists():
            paths.append(root / f"{entry}.ipynb")
    return paths


def problems(nb: nbformat.NotebookNode) -> list[str]:
    """What makes an executed notebook unfit to commit: error outputs, counts out of order."""
    found = []
    code_cells = [c for c in nb.cells if c.cell_type == "code"]
    for i, cell in enumerate(code_cells, start=1):
        if cell.execution_count != i:
            found.append(f"code cell {i} has execution_count {cell.execution_count}")
        for out in cell.get("outputs", []):
            if out.get("output_type") == "error":
                found.append(f"code cell {i} has an error output: {out.get('ename')}")
    return found


def execute_notebook(path: Path, cwd: Path = BOOK_DIR) -> list[str]:
    """Execute ``path`` in place (live mode); return a list of problems (empty = written back)."""
    nb = nbformat.read(path, as_version=4)
    nb.metadata["kernelspec"] = dict(KERNELSPEC)
    client = NotebookClient(
        nb,
        timeout=TIMEOUT_S,
        kernel_name="python3",
        allow_errors=False,
        store_widget_state=False,
        record_timing=False,
        resources={"metadata": {"path": str(cwd)}},
    )
    try:
        client.execute()
    except CellExecutionError as err:
        return [f"a cell raised {err.ename}: {err.evalue}"]
    nb.metadata.pop("widgets", None)
    normalise(nb)  # solutions folded in JupyterLab, nbval markers as tags (bpcore.tools.cells)
    for cell in nb.cells:
        cell.metadata.pop("execution", None)  # timings: volatile, never compared
    found = problems(nb)
    if not found:
        nbformat.write(nb, path)
    return found


def main(argv: list[str] | None = None) -> int:
    """Execute the given notebooks (default: all in the toc); exit 1 if any failed or is missing."""
    os.environ.pop(BOOK_ENV_VAR, None)  # live mode, like JupyterLab and nbval
    args = sys.argv[1:] if argv is None else argv
    paths = [Path(a).resolve() for a in args] if args else toc_notebooks()
    failed = 0
    for path in paths:
        if not path.is_file():
            print(f"MISSING {path}", file=sys.stderr)
            failed += 1
            continue
        start = time.perf_counter()
        found = execute_notebook(path)
        took = time.perf_counter() - start
        status = "ok" if not found else "FAILED"
        print(f"{status:6} {took:6.1f} s  {path}")
        for problem in found:
            print(f"       {problem}", file=sys.stderr)
        failed += bool(found)
    if failed:
        print(f"{failed} notebook(s) failed", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
