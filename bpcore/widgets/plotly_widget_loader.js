// plotly's FigureWidget front end, fetched once per page (bpcore.widgets.bundle.widget_loader fills in BUNDLE).
// anywidget sends a widget's module source with every widget and evaluates it anew each time; plotly's is
// 5 MB (plotly.js inside). Where the bundle is served (the live book's site; the JupyterLab server that the
// book's launcher starts), each FigureWidget carries this short module instead: the first one fetches the
// bundle and evaluates it; every later one reuses that module.
const BUNDLE = "__BUNDLE__";   // relative to the Jupyter server's base URL, or to the live book's lite/ folder
const KEY = Symbol.for("bpcore.plotly-widgetbundle");

function bundleUrl() {
  const config = document.getElementById("jupyter-config-data");
  if (config?.dataset.jupyterLiteRoot !== undefined) return new URL(`../${BUNDLE}`, location.href);   // lite/lab/
  const base = JSON.parse(config?.textContent || "{}").baseUrl ?? "/";                              // JupyterLab
  return new URL(`${base}${BUNDLE}`, location.origin);
}

globalThis[KEY] ??= (async () => {
  const url = bundleUrl();
  const response = await fetch(url);
  if (!response.ok) throw new Error(`plotly's widget bundle: ${response.status} for ${url}`);
  const bytes = new Uint8Array(await response.arrayBuffer());
  const gzipped = bytes[0] === 0x1f && bytes[1] === 0x8b;   // a server may have decompressed it already
  const source = gzipped
    ? await new Response(new Blob([bytes]).stream().pipeThrough(new DecompressionStream("gzip"))).text()
    : new TextDecoder().decode(bytes);
  return import(URL.createObjectURL(new Blob([source], { type: "text/javascript" })));
})();
const bundle = await globalThis[KEY];
export const FigureModel = bundle.FigureModel;
export const FigureView = bundle.FigureView;
export default bundle.default;
