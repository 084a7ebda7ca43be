// plotly's FigureWidget front end in the live book (bpcore.tools.lite.widget_bundle_once).
// anywidget sends a widget's module source with every widget and evaluates it anew each time; plotly's is
// 5 MB (plotly.js inside). In the live book each FigureWidget carries this short module instead: the first
// one fetches the bundle (gzip) from the lite site and evaluates it; every later one reuses that module.
const KEY = Symbol.for("bpcore.plotly-widgetbundle");
globalThis[KEY] ??= (async () => {
  const url = new URL("../static/plotly/widgetbundle.js.gz", location.href);   // the app's page is lite/lab/
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
