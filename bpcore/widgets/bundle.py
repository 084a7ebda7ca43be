"""plotly's FigureWidget front end, served once instead of sent with every figure.

plotly's ``FigureWidget`` is an anywidget: its front end (``_esm``: 5 MB, plotly.js inside) travels to the
browser with every FigureWidget, and the browser evaluates each copy anew. Where a server has that bundle as
a file, a figure can carry a short loader instead (``plotly_widget_loader.js``): the first figure on a page
fetches the bundle, every later one reuses it. Two places do this:

* the live book (JupyterLite): the book build puts the bundle on the site and the loader into the kernel's
  plotly (:func:`bpcore.tools.lite.widget_bundle_once`);
* JupyterLab started by the book's launcher (:mod:`bpcore.tools.lab`): the server serves plotly's own file
  as a static file and says so to its kernels in :data:`BUNDLE_ENV`; every
  :class:`~bpcore.widgets.LiveFigure` then carries the loader.

Anywhere else (a course's JupyterHub, VS Code, a plain ``jupyter lab``) figures carry the bundle, as plotly
sends it.
"""
from __future__ import annotations

import json
import os
import re
from pathlib import Path

import plotly

#: set in a kernel's environment by the book's launcher: where the kernel's Jupyter server serves plotly's
#: widget bundle, relative to the server's base URL
BUNDLE_ENV = "BPCORE_PLOTLY_BUNDLE"
#: plotly's folder holding ``widgetbundle.js``; the launcher makes it a static path of the server ...
PLOTLY_PACKAGE_DATA = Path(plotly.__file__).parent / "package_data"
#: ... which then serves the bundle here
LAB_BUNDLE = "static/widgetbundle.js"
LOADER = Path(__file__).with_name("plotly_widget_loader.js")
#: the loader's stand-in for the bundle's address, which :func:`widget_loader` fills in
PLACEHOLDER = '"__BUNDLE__"'
#: a relative path of plain names: no scheme, no leading slash, no ``..``, nothing to escape
RELATIVE_PATH = re.compile(r"[A-Za-z0-9_-][A-Za-z0-9_.-]*(/[A-Za-z0-9_-][A-Za-z0-9_.-]*)*")


def widget_loader(bundle: str) -> str:
    """The loader module for a bundle served at ``bundle``: a relative path such as ``static/widgetbundle.js``,
    taken from the Jupyter server's base URL (JupyterLab) or from the live book's ``lite/`` folder."""
    if not isinstance(bundle, str) or not RELATIVE_PATH.fullmatch(bundle):
        raise ValueError(f"the widget bundle's address must be a relative path such as {LAB_BUNDLE!r}, "
                         f"got {bundle!r}")
    source = LOADER.read_text(encoding="utf-8")
    if source.count(PLACEHOLDER) != 1:
        raise ValueError(f"{LOADER.name} must hold {PLACEHOLDER} once, where the bundle's address goes")
    return source.replace(PLACEHOLDER, json.dumps(bundle))


def served_loader() -> str | None:
    """The loader for this kernel's figures when its server serves the bundle (:data:`BUNDLE_ENV` is set),
    else None (figures carry the bundle)."""
    where = os.environ.get(BUNDLE_ENV)
    if not where:
        return None
    try:
        return widget_loader(where)
    except ValueError as err:
        raise ValueError(f"{BUNDLE_ENV}={where!r}: {err}") from None
