"""Reading a drawn plotly figure back from the page, shared by the browser tests.

``DECODE_JS`` is a JavaScript function that turns what plotly keeps in ``gd.data`` into plain JSON: typed
arrays and plotly's ``{dtype, bdata, shape}`` objects become (nested) lists, anything else is returned as it is.
Use it in a page script as ``const decode = <DECODE_JS>;``.
"""

DECODE_JS = """(v) => {
    if (v === null || v === undefined) return null;
    if (ArrayBuffer.isView(v)) return Array.from(v);
    if (Array.isArray(v)) return v.map(decode);
    if (typeof v === 'object' && 'bdata' in v) {
      const kinds = {f4: Float32Array, f8: Float64Array, i1: Int8Array, i2: Int16Array, i4: Int32Array,
                     u1: Uint8Array, u2: Uint16Array, u4: Uint32Array};
      const bytes = Uint8Array.from(atob(v.bdata), c => c.charCodeAt(0));
      const flat = Array.from(new kinds[v.dtype](bytes.buffer));
      if (!v.shape || String(v.shape).indexOf(',') < 0) return flat;
      const cols = Number(String(v.shape).split(',')[1]);
      const rows = [];
      for (let i = 0; i < flat.length; i += cols) rows.push(flat.slice(i, i + cols));
      return rows;
    }
    return v;
  }"""
