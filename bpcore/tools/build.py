"""Build the book's HTML into ``_build/html``, fully offline.

Command line::

    python -m bpcore.tools.build            # = jupyter-book build -W -n --keep-going .

The module is also a Sphinx extension, listed in ``_config.yml``
(``sphinx.config.extensions``), so a plain ``jupyter-book build`` behaves the same:

* sets ``BPCORE_BOOK=1`` in the environment, which the kernels myst-nb starts inherit
  (``bpcore.notebook.is_book_build()``: static twins, plotly as ``text/html``);
* copies ``plotly.min.js`` (from the plotly wheel) and MathJax 3 (from the PyPI package
  ``django-static-mathjax``) into a generated, git-ignored folder served as static
  files, and adds ``plotly.min.js`` only to pages that draw a plotly figure;
* empties the jupyter-cache of executed notebooks whenever a ``bpcore`` source file
  changes, and then re-reads every notebook, so no page shows an older ``bpcore``.

The command line also executes the notebooks missing from the cache in parallel (one
per core) before Sphinx starts; Sphinx then only reads their outputs.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import plotly

from bpcore.notebook import BOOK_ENV_VAR
from bpcore.tools.execute import TIMEOUT_S, toc_notebooks

REPO_ROOT = Path(__file__).resolve().parents[2]
BPCORE_DIR = REPO_ROOT / "bpcore"
ASSETS_DIR = Path("_build") / "offline_assets"  # relative to the book's source dir
PLOTLY_JS = "plotly.min.js"
MATHJAX_ENTRY = "tex-svg.js"  # SVG output: no web fonts to fetch
FINGERPRINT_FILE = "bpcore.fingerprint"
FINGERPRINT_ENV_VAR = "BPCORE_FINGERPRINT"  # main() hands its fingerprint to Sphinx


def plotly_js_path() -> Path:
    """Return the ``plotly.min.js`` shipped inside the installed plotly wheel."""
    path = Path(plotly.__file__).parent / "package_data" / PLOTLY_JS
    if not path.is_file():
        raise FileNotFoundError(f"plotly.min.js not found in the plotly package at {path}")
    return path


def mathjax_es5_dir() -> Path:
    """Return MathJax 3's ``es5`` folder from the ``django-static-mathjax`` package."""
    try:
        import mathjax  # the django-static-mathjax distribution
    except ImportError as err:
        raise RuntimeError(
            "the offline math renderer needs `pip install django-static-mathjax`"
        ) from err
    path = Path(mathjax.__file__).parent / "static" / "mathjax" / "es5"
    if not (path / MATHJAX_ENTRY).is_file():
        raise FileNotFoundError(f"MathJax entry point {MATHJAX_ENTRY} missing under {path}")
    return path


def copy_offline_assets(dest: Path) -> None:
    """Write ``dest/plotly.min.js`` and ``dest/mathjax/`` (entry point plus the lazily loaded parts).

    The other combined MathJax bundles (``tex-chtml.js``, ``mml-svg.js``, ...) are left
    out; the sub-folders hold the TeX extensions, menu and accessibility code that
    ``tex-svg.js`` may load on demand.
    """
    dest.mkdir(parents=True, exist_ok=True)
    shutil.copy2(plotly_js_path(), dest / PLOTLY_JS)
    src = mathjax_es5_dir()
    target = dest / "mathjax"
    if target.exists():
        shutil.rmtree(target)
    target.mkdir()
    shutil.copy2(src / MATHJAX_ENTRY, target / MATHJAX_ENTRY)
    for sub in src.iterdir():
        if sub.is_dir():
            shutil.copytree(sub, target / sub.name)


def bpcore_fingerprint(package_dir: Path = BPCORE_DIR) -> str:
    """SHA-256 over the paths and contents of every ``*.py`` file of ``bpcore``."""
    digest = hashlib.sha256()
    for path in sorted(package_dir.rglob("*.py")):
        digest.update(path.relative_to(package_dir).as_posix().encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def _build_fingerprint() -> str:
    """The fingerprint this build works with: the one main() computed, else a fresh one.

    Taken once per build, so an edit of ``bpcore`` during a build is noticed by the next one.
    """
    return os.environ.get(FINGERPRINT_ENV_VAR) or bpcore_fingerprint()


def ensure_fresh_cache(cache_dir: Path, fingerprint: str) -> bool:
    """Empty ``cache_dir`` unless it holds outputs of this ``bpcore``; return True if emptied.

    The stamp is written at once: whatever enters the cache afterwards is computed by
    the ``bpcore`` with this fingerprint, even if the build then fails.
    """
    stamp = cache_dir / FINGERPRINT_FILE
    if stamp.is_file() and stamp.read_text() == fingerprint:
        return False
    if cache_dir.exists():
        shutil.rmtree(cache_dir)
    cache_dir.mkdir(parents=True)
    stamp.write_text(fingerprint)
    return True


def prefill_cache(notebooks: list[Path], cache_dir: Path, timeout: int = TIMEOUT_S) -> None:
    """Execute the notebooks missing from the jupyter-cache, one per CPU core, in book mode.

    myst-nb (``execute_notebooks: cache``) then finds them there, keyed on their code,
    instead of executing them one after the other. A notebook that fails here is simply
    run again by myst-nb, which reports the error as a build warning.
    """
    from jupyter_cache import get_cache
    from jupyter_cache.executors import load_executor

    cache = get_cache(str(cache_dir))
    for path in notebooks:
        if path.is_file():
            cache.add_nb_to_project(str(path))
    executor = load_executor("local-parallel", cache=cache)
    previous = os.environ.get(BOOK_ENV_VAR)
    os.environ[BOOK_ENV_VAR] = "1"  # inherited by the worker processes and their kernels
    try:
        executor.run_and_cache(timeout=timeout, allow_errors=False)  # cwd: the notebook folder
    finally:
        if previous is None:
            del os.environ[BOOK_ENV_VAR]
        else:
            os.environ[BOOK_ENV_VAR] = previous


# ----------------------------------------------------------------- Sphinx extension
def _on_config_inited(app: Any, config: Any) -> None:
    assets = Path(app.srcdir) / ASSETS_DIR
    copy_offline_assets(assets)
    # Added here, after Jupyter Book has scanned html_static_path for *.js to put on
    # every page: these files are served, but only included where asked for.
    config.html_static_path = [*config.html_static_path, str(assets)]
    config.mathjax_path = f"mathjax/{MATHJAX_ENTRY}"


def _on_builder_inited(app: Any) -> None:
    # after myst-nb resolved its cache path (builder-inited, priority 500)
    nb_config = app.env.mystnb_config
    if nb_config.execution_mode == "cache":
        ensure_fresh_cache(Path(nb_config.execution_cache_path), _build_fingerprint())


def _on_env_get_outdated(
    app: Any, env: Any, added: set[str], changed: set[str], removed: set[str]
) -> list[str]:
    # a new bpcore means new outputs: re-read every notebook, not only the edited ones
    fingerprint = _build_fingerprint()
    if getattr(env, "bpcore_fingerprint", None) == fingerprint:
        return []
    env.bpcore_fingerprint = fingerprint
    return [doc for doc in env.found_docs if str(env.doc2path(doc)).endswith(".ipynb")]


def _on_html_page_context(
    app: Any, pagename: str, templatename: str, context: dict[str, Any], doctree: Any
) -> None:
    if "Plotly.newPlot" in context.get("body", ""):
        app.builder.add_js_file(PLOTLY_JS, priority=400)


def setup(app: Any) -> dict[str, Any]:
    """Sphinx entry point (``bpcore.tools.build`` in ``sphinx.config.extensions``)."""
    os.environ[BOOK_ENV_VAR] = "1"
    app.connect("config-inited", _on_config_inited, priority=900)
    app.connect("builder-inited", _on_builder_inited, priority=600)
    app.connect("env-get-outdated", _on_env_get_outdated)
    app.connect("html-page-context", _on_html_page_context)
    return {"parallel_read_safe": True, "parallel_write_safe": True}


# ----------------------------------------------------------------- command line
def build_command(source: Path = REPO_ROOT) -> list[str]:
    """The strict build: every warning is an error, all of them reported."""
    cli = "from jupyter_book.cli.main import main; main()"
    return [sys.executable, "-c", cli, "build", "-W", "-n", "--keep-going", str(source)]


def main(argv: list[str] | None = None) -> int:
    """Build the HTML book into ``_build/html``; return the exit code of jupyter-book."""
    args = sys.argv[1:] if argv is None else argv
    if args:
        print("usage: python -m bpcore.tools.build", file=sys.stderr)
        return 2
    cache = REPO_ROOT / "_build" / ".jupyter_cache"  # myst-nb's default location
    fingerprint = bpcore_fingerprint()
    ensure_fresh_cache(cache, fingerprint)
    prefill_cache(toc_notebooks(REPO_ROOT), cache)
    env = {**os.environ, BOOK_ENV_VAR: "1", FINGERPRINT_ENV_VAR: fingerprint}
    done = subprocess.run(build_command(), cwd=REPO_ROOT, env=env, check=False)
    if done.returncode != 0:
        print(f"book build FAILED (exit {done.returncode})", file=sys.stderr)
    return done.returncode


if __name__ == "__main__":
    raise SystemExit(main())
