"""The live panels follow the front end's light/dark theme (JupyterLab, JupyterLite, VS Code).

The kernel cannot see the page, so each panel carries a :class:`ThemeProbe`: an invisible widget whose
few lines of JavaScript read the theme from the page (JupyterLab marks ``<body>`` with
``data-jp-theme-light="true"`` or ``"false"``; VS Code gives it the class ``vscode-dark``), report it
as ``mode`` ("light" or "dark") and report again whenever the reader switches theme, without a reload.
The panel then re-colours its figure with :func:`bpcore.figures.theme_update`.
"""
from __future__ import annotations

import anywidget
import traitlets

#: The probe's front end: read the theme, report it, watch ``<body>`` for a switch.
THEME_PROBE_ESM = """
function pageMode() {
  const body = document.body;
  if (body.dataset.jpThemeLight === "false" || body.classList.contains("vscode-dark")) return "dark";
  return "light";
}
function render({ model, el }) {
  el.style.display = "none";
  const report = () => {
    const mode = pageMode();
    if (model.get("mode") !== mode) { model.set("mode", mode); model.save_changes(); }
  };
  report();
  const watcher = new MutationObserver(report);
  watcher.observe(document.body, { attributes: true, attributeFilter: ["data-jp-theme-light", "class"] });
  return () => watcher.disconnect();
}
export default { render };
"""


class ThemeProbe(anywidget.AnyWidget):
    """An invisible widget whose ``mode`` is the page's theme: "light", "dark", or "" until it is shown."""

    _esm = THEME_PROBE_ESM
    mode = traitlets.Unicode("").tag(sync=True)
