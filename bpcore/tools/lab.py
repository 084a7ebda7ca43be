"""Open the book, live, in JupyterLab: ``python3 -m bpcore.tools.lab [NOTEBOOK] [JUPYTER OPTIONS]``.

The README's first command ends with this launcher. It starts ``jupyter lab`` with

* the whole repository as the file browser's root (``book/``, ``bpcore/`` and the tests are all
  one click away), opened at the first chapter, or at ``NOTEBOOK`` (a path under the repository);
* the book's JupyterLab settings (``lab_settings/``): no news pop-up and no update check (the book
  needs no network), every cell drawn at once (``windowingMode: none``: a chapter is small, and
  jupyterlab-myst numbers equations and resolves exercise references across the whole notebook;
  both in ``overrides.json``), and nbgrader's menus and buttons turned off for readers
  (``page_config.json``; nbgrader is installed for instructors, who run it on their course server);
* ``--allow-root`` when run as root, as in containers and on many course servers, where plain
  ``jupyter lab`` stops with "Running as root is not recommended";
* plotly's FigureWidget front end (5 MB) served once, as a static file, instead of sent with every live
  figure (:func:`widget_bundle_server`, :mod:`bpcore.widgets.bundle`).

Any further options go to ``jupyter lab`` unchanged, e.g. ``--no-browser`` or ``--port=8899``.
"""
from __future__ import annotations

import os
import sys
from pathlib import Path

from bpcore.widgets.bundle import BUNDLE_ENV, LAB_BUNDLE, PLOTLY_PACKAGE_DATA

REPO_ROOT = Path(__file__).resolve().parents[2]
SETTINGS_DIR = Path(__file__).resolve().parent / "lab_settings"
FIRST_CHAPTER = "book/01_welcome.ipynb"


def widget_bundle_server() -> tuple[list[str], dict[str, str]]:
    """The ``jupyter lab`` option and the environment (which the server's kernels inherit) by which the
    server serves plotly's widget bundle at :data:`~bpcore.widgets.bundle.LAB_BUNDLE` and every live figure
    carries a loader of it instead of the bundle (:mod:`bpcore.widgets.bundle`)."""
    return [f"--ServerApp.extra_static_paths={PLOTLY_PACKAGE_DATA}"], {BUNDLE_ENV: LAB_BUNDLE}


def lab_command(argv: list[str], is_root: bool) -> list[str]:
    """The ``jupyter lab`` command line for the launcher's arguments ``argv``.

    Raises SystemExit with a clear message when the notebook named does not exist or lies
    outside the repository.
    """
    options = [a for a in argv if a.startswith("-")]
    paths = [a for a in argv if not a.startswith("-")]
    if len(paths) > 1:
        raise SystemExit(f"bpcore.tools.lab: give at most one notebook, got {len(paths)}: {' '.join(paths)}")
    target = Path(paths[0]) if paths else REPO_ROOT / FIRST_CHAPTER
    target = target if target.is_absolute() else Path.cwd() / target
    target = target.resolve()
    if not target.is_file():
        raise SystemExit(f"bpcore.tools.lab: no such notebook: {paths[0] if paths else target}")
    try:
        relative = target.relative_to(REPO_ROOT)
    except ValueError:
        raise SystemExit(f"bpcore.tools.lab: {target} is outside the book's repository {REPO_ROOT}") from None
    command = [sys.executable, "-m", "jupyter", "lab",
               f"--ServerApp.root_dir={REPO_ROOT}",
               f"--LabApp.default_url=/lab/tree/{relative.as_posix()}",
               f"--LabApp.app_settings_dir={SETTINGS_DIR}"]
    if is_root:
        command.append("--ServerApp.allow_root=True")
    return command + widget_bundle_server()[0] + options


def main(argv: list[str] | None = None) -> int:
    """Replace this process with JupyterLab (its output and Ctrl-C behave as usual)."""
    command = lab_command(sys.argv[1:] if argv is None else argv, is_root=os.geteuid() == 0)
    os.chdir(REPO_ROOT)
    os.environ.update(widget_bundle_server()[1])
    os.execv(command[0], command)
    return 0  # not reached


if __name__ == "__main__":
    raise SystemExit(main())
