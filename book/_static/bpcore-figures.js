/* Backprop, Live: every plotly figure of the book follows the page.
 *
 * - Theme: the figure colours of the page's light/dark mode (window.BPCORE_THEMES, written by
 *   bpcore.tools.build from bpcore.figures.THEMES) are applied when a figure is drawn and again
 *   whenever the reader flips the theme switch (no reload).
 * - Width: on a narrow screen (a figure narrower than NARROW_PX) side-by-side subplots are stacked,
 *   each with the full width, a subplot title above it and room for its axis titles below; titles
 *   that do not fit are wrapped; the legend goes under the plots; wider screens get the original layout.
 * - Sliders: every plotly slider (a static twin's) gets a native range input under its figure, which
 *   works with the keyboard, a screen reader and a finger; on a narrow screen it replaces the plotly one.
 *   The two stay in step.
 */
(function () {
  "use strict";
  var NARROW_PX = 600;        // below this figure width subplots stack
  var PANEL_PX = 230;         // height of one stacked subplot
  var GAP_PX = 125;           // between stacked subplots: tick labels, axis title, next subplot title
  var state = new WeakMap();  // graph div -> {desktop: {...}, narrow: bool, busy: bool}

  function mode() {
    return document.documentElement.dataset.theme === "dark" ? "dark" : "light";
  }

  function graphs() {
    return Array.prototype.slice.call(document.querySelectorAll(".js-plotly-plot"));
  }

  function axisKeys(layout) {
    var keys = Object.keys(layout).filter(function (k) { return /^[xy]axis\d*$/.test(k); });
    ["xaxis", "yaxis"].forEach(function (k) { if (keys.indexOf(k) < 0) keys.push(k); });
    return keys;
  }

  /* ---------------------------------------------------------------- theme */
  function themeUpdate(gd) {
    var t = (window.BPCORE_THEMES || {})[mode()];
    if (!t) return {};
    var u = {"font.color": t.font, "hoverlabel.bgcolor": t.hover, "hoverlabel.font.color": t.font};
    axisKeys(gd.layout).forEach(function (ax) {
      u[ax + ".gridcolor"] = t.grid;
      u[ax + ".zerolinecolor"] = t.grid;
      u[ax + ".linecolor"] = t.line;
      u[ax + ".tickcolor"] = t.line;
    });
    (gd.layout.sliders || []).forEach(function (s, k) {
      var p = "sliders[" + k + "].";
      u[p + "font.color"] = t.font;
      u[p + "bgcolor"] = t.slider;
      u[p + "activebgcolor"] = t.slider_active;
      u[p + "bordercolor"] = t.line;
      u[p + "tickcolor"] = t.line;
    });
    return u;
  }

  /* ---------------------------------------------------------------- narrow screens */
  function subplotTitleOf(a, x, y) {   // make_subplots puts a title centred on top of its subplot
    return a.xref === "paper" && a.yref === "paper" && a.showarrow === false &&
      Math.abs(a.x - (x[0] + x[1]) / 2) < 1e-6 && Math.abs(a.y - y[1]) < 1e-6;
  }

  function isTitle(a, p) {
    return a.xref === "paper" && a.yref === "paper" && a.showarrow === false && unwrap(a.text) === p.title;
  }

  function snapshot(gd) {
    /* The desktop layout this script may change, read once: subplots (axis pairs with domains), titles. */
    var L = gd.layout, plots = [];
    Object.keys(L).filter(function (k) { return /^xaxis\d*$/.test(k); }).forEach(function (xk) {
      var xa = L[xk], yk = "yaxis" + String(xa.anchor || "y").slice(1);
      if (!xa.domain || !L[yk] || !L[yk].domain) return;
      plots.push({x: xk, y: yk, xd: xa.domain.slice(), yd: L[yk].domain.slice()});
    });
    plots.sort(function (a, b) { return (b.yd[1] - a.yd[1]) || (a.xd[0] - b.xd[0]); });
    plots.forEach(function (p) {   // its title, recognised later by its text (positions change)
      var a = (L.annotations || []).filter(function (a) { return subplotTitleOf(a, p.xd, p.yd); })[0];
      p.title = a ? unwrap(a.text) : null;
    });
    var sideBySide = plots.some(function (p, i) {
      return plots.some(function (q, j) { return i !== j && p.yd[0] < q.yd[1] && q.yd[0] < p.yd[1]; });
    });
    var legend = L.legend || {}, axisTitles = {};
    axisKeys(L).forEach(function (k) {
      var t = L[k] && L[k].title, text = t && (typeof t === "object" ? t.text : t);
      if (text) axisTitles[k] = String(text);
    });
    return {
      plots: plots, stack: sideBySide, axisTitles: axisTitles, height: L.height || 450, width: L.width || null,
      margin: {t: (L.margin || {}).t, b: (L.margin || {}).b, l: (L.margin || {}).l, r: (L.margin || {}).r},
      legend: {orientation: legend.orientation || null, x: legend.x === undefined ? null : legend.x,
               y: legend.y === undefined ? null : legend.y, xanchor: legend.xanchor || null,
               yanchor: legend.yanchor || null},
      fontSize: (L.font || {}).size || null,
      sliders: (L.sliders || []).map(function (s) { return s.visible === undefined ? null : s.visible; }),
    };
  }

  function wrapText(text, maxChars) {
    /* Break plotly label text into lines of at most maxChars (keeps <br>, never splits a word). */
    return String(text).split(/<br\s*\/?>/i).map(function (line) {
      var plain = line.replace(/<[^>]+>/g, "");
      if (plain.length <= maxChars || line !== plain) return line;  // tagged lines (<sub>) handled below
      var out = [], cur = "";
      line.split(" ").forEach(function (w) {
        if (cur && (cur + " " + w).length > maxChars) { out.push(cur); cur = w; } else { cur = cur ? cur + " " + w : w; }
      });
      if (cur) out.push(cur);
      return out.join("<br>");
    }).join("<br>").replace(/<sub>([^<]*)<\/sub>/gi, function (_, inner) {
      var words = inner.split(" "), out = [], cur = "";
      words.forEach(function (w) {
        if (cur && (cur + " " + w).length > maxChars * 1.3) { out.push(cur); cur = w; } else { cur = cur ? cur + " " + w : w; }
      });
      if (cur) out.push(cur);
      return out.map(function (l) { return "<sub>" + l + "</sub>"; }).join("<br>");
    });
  }

  function titleText(gd) {
    var t = gd.layout.title;
    return (t && typeof t === "object") ? t.text : t;
  }

  function unwrap(text) {
    return String(text || "").replace(/<br>(?=<sub>)/gi, "\u0000").replace(/<\/sub><br><sub>/gi, " ")
      .replace(/<br>/gi, " ").replace(/\u0000/g, "<br>");
  }

  function narrowUpdate(gd, snap, width) {
    var u = titleUpdate(gd, snap, width, true), L = gd.layout;
    var chars = Math.max(20, Math.floor((width - 20) / 9));   // subplot titles (16 px)
    var n = snap.stack ? snap.plots.length : 0;
    u["font.size"] = 12;
    u["margin.l"] = 52;
    u["margin.r"] = 12;
    if (snap.width && snap.width > width) u.width = width;  // a fixed width wider than the screen
    if (n > 1) {
      var plotH = n * PANEL_PX + (n - 1) * GAP_PX;
      snap.plots.forEach(function (p, i) {
        var top = 1 - (i * (PANEL_PX + GAP_PX)) / plotH, bottom = top - PANEL_PX / plotH;
        u[p.x + ".domain"] = [0, 1];
        u[p.y + ".domain"] = [Math.max(0, bottom), Math.min(1, top)];
        p.narrow = {xd: [0, 1], yd: [Math.max(0, bottom), Math.min(1, top)]};
      });
      (L.annotations || []).forEach(function (a, k) {
        snap.plots.forEach(function (p) {
          if (p.title !== null && isTitle(a, p)) {
            u["annotations[" + k + "].x"] = 0.5;
            u["annotations[" + k + "].y"] = p.narrow.yd[1];
            u["annotations[" + k + "].text"] = wrapText(a.text, chars);
          }
        });
      });
      u.height = plotH + u["margin.t"] + 150;
    }
    u["legend.orientation"] = "h";
    u["legend.x"] = 0;
    u["legend.xanchor"] = "left";
    u["legend.yanchor"] = "top";
    u["legend.y"] = -95 / ((u.height || snap.height) - u["margin.t"] - 120);
    (L.sliders || []).forEach(function (s, k) { u["sliders[" + k + "].visible"] = false; });
    u["margin.b"] = 120;
    return u;
  }

  function titleUpdate(gd, snap, width, narrow) {
    /* The title (with its status line) wrapped to the width, hanging from the top edge, with the top
       margin it needs above the plots and their subplot titles; long axis titles wrapped on a phone. */
    var u = {}, title = titleText(gd);
    if (title) {
      var lines = wrapText(unwrap(title), Math.max(20, Math.floor((width - 30) / (narrow ? 7.2 : 8.5))));
      var n = lines.split(/<br>/i).length, hasPanels = snap.plots.some(function (p) { return p.title; });
      u["title.text"] = lines;
      u["title.font.size"] = narrow ? 15 : null;
      u["title.yref"] = "container";
      u["title.y"] = 1;
      u["title.yanchor"] = "top";
      u["title.pad.t"] = 14;
      var needed = 24 + (narrow ? 21 : 24) * n + (hasPanels ? 30 : 12);
      u["margin.t"] = narrow ? needed : Math.max(snap.margin.t || 0, needed);
      // on a wide screen the figure grows by what the title needs: the plots keep their size
      if (!narrow) u.height = snap.height + u["margin.t"] - (snap.margin.t || 0);
    } else {
      u["margin.t"] = narrow ? 40 : snap.margin.t;
    }
    Object.keys(snap.axisTitles).forEach(function (k) {
      var text = snap.axisTitles[k];
      var room = /^y/.test(k) ? (snap.stack ? PANEL_PX : snap.height - 260) : width - 80;
      var wrapped = narrow ? wrapText(text, Math.max(12, Math.floor(room / 7.5))) : text;
      var now = (gd.layout[k].title || {}).text;
      if (wrapped !== now) u[k + ".title.text"] = wrapped;
    });
    return u;
  }

  function desktopUpdate(gd, snap) {
    var u = {height: snap.height, "font.size": snap.fontSize, "margin.b": snap.margin.b, "margin.l": snap.margin.l,
             "margin.r": snap.margin.r, "legend.orientation": snap.legend.orientation,
             "legend.x": snap.legend.x, "legend.y": snap.legend.y, "legend.xanchor": snap.legend.xanchor,
             "legend.yanchor": snap.legend.yanchor};
    if (snap.width) u.width = snap.width;
    snap.plots.forEach(function (p) {
      u[p.x + ".domain"] = p.xd;
      u[p.y + ".domain"] = p.yd;
      (gd.layout.annotations || []).forEach(function (a, k) {
        if (p.title !== null && isTitle(a, p)) {
          u["annotations[" + k + "].x"] = (p.xd[0] + p.xd[1]) / 2;
          u["annotations[" + k + "].y"] = p.yd[1];
          u["annotations[" + k + "].text"] = unwrap(a.text);
        }
      });
    });
    snap.sliders.forEach(function (v, k) { u["sliders[" + k + "].visible"] = v; });
    return u;
  }

  function fitTitles(gd) {
    /* Subplot titles wider than the figure or than their neighbour's gap get wrapped (desktop widths). */
    var u = {}, W = gd.clientWidth, fl = gd._fullLayout || {}, margin = fl.margin || {l: 0, r: 0};
    var plotW = W - margin.l - margin.r;
    (gd.layout.annotations || []).forEach(function (a, k) {
      if (!(a.xref === "paper" && a.yref === "paper" && a.showarrow === false) || /<br>/i.test(a.text)) return;
      var plots = (state.get(gd) || {}).plots || [];
      var p = plots.filter(function (q) { return q.title !== null && isTitle(a, q); })[0];
      if (!p) return;
      var room = (p.xd[1] - p.xd[0]) * plotW + 20;
      var chars = Math.floor(room / 7.5);
      if (String(a.text).length > chars) u["annotations[" + k + "].text"] = wrapText(a.text, chars);
    });
    return u;
  }

  function hostWidth(gd) {   // the text column's width; a figure folded away (0) gets the page's width
    var host = gd.closest(".cell_output") || gd.parentElement || gd;
    return host.clientWidth || document.documentElement.clientWidth;
  }

  function isNarrow(gd) {
    return hostWidth(gd) < NARROW_PX;
  }

  /* ---------------------------------------------------------------- sliders for keyboard and touch */
  function stepTo(gd, k, index) {
    var s = gd.layout.sliders[k], step = s.steps[index];
    var u = {};
    u["sliders[" + k + "].active"] = index;
    return Plotly.relayout(gd, u).then(function () {
      if (step.method === "animate") return Plotly.animate(gd, step.args[0], step.args[1]);
      if (step.method === "skip") { gd.emit("plotly_sliderchange", {slider: s, step: step, interaction: true}); }
      return null;
    });
  }

  function syncInputs(gd) {
    var box = gd._bpSliderBox;
    if (!box) return;
    (gd.layout.sliders || []).forEach(function (s, k) {
      var input = box.querySelector("input[data-slider='" + k + "']");
      if (!input) return;
      var active = s.active || 0;
      input.value = String(active);
      var label = s.steps[active] ? s.steps[active].label : String(active);
      input.setAttribute("aria-valuetext", label);
      input.nextElementSibling.textContent = label;
    });
  }

  function addSliderInputs(gd) {
    var sliders = gd.layout.sliders || [];
    if (!sliders.length || gd._bpSliderBox) return;
    var box = document.createElement("div");
    box.className = "bp-slider-keys";
    var name = (gd.closest("[aria-label]") || gd).getAttribute("aria-label") || "figure";
    sliders.forEach(function (s, k) {
      var row = document.createElement("label");
      var prefix = ((s.currentvalue || {}).prefix || s.name || "step").replace(/[:\s]+$/, "");
      var text = document.createElement("span");
      text.className = "bp-slider-name";
      text.textContent = prefix;
      var input = document.createElement("input");
      input.type = "range";
      input.min = "0";
      input.max = String(s.steps.length - 1);
      input.step = "1";
      input.dataset.slider = String(k);
      input.title = prefix + " (" + name.split(".")[0] + ")";
      var out = document.createElement("output");
      row.appendChild(text);
      row.appendChild(input);
      row.appendChild(out);
      box.appendChild(row);
      input.addEventListener("input", function () { stepTo(gd, k, Number(input.value)); });
    });
    gd.parentElement.insertBefore(box, gd.nextSibling);
    gd._bpSliderBox = box;
    syncInputs(gd);
    gd.on("plotly_sliderchange", function () { syncInputs(gd); });
    gd.on("plotly_animated", function () { syncInputs(gd); });
  }

  /* ---------------------------------------------------------------- putting it together */
  function adapt(gd) {
    var st = state.get(gd);
    // a figure folded away (display: none) is adapted when it is unfolded (see "toggle" below)
    if (!st || st.busy || !gd.offsetParent) return Promise.resolve();
    var narrow = isNarrow(gd), u;
    if (narrow) {
      u = narrowUpdate(gd, st, hostWidth(gd));
    } else {
      u = st.narrow ? desktopUpdate(gd, st) : {};
      Object.assign(u, titleUpdate(gd, st, hostWidth(gd), false));
    }
    Object.assign(u, themeUpdate(gd));
    st.narrow = narrow;
    st.busy = true;
    var done;
    try {
      done = Plotly.relayout(gd, u);
    } catch (err) {
      st.busy = false;
      return Promise.reject(err);
    }
    return done.then(function () {
      if (!narrow) {
        var fit = fitTitles(gd);
        if (Object.keys(fit).length) return Plotly.relayout(gd, fit);
      }
      return null;
    }).then(function () {
      st.busy = false;
      gd.dataset.bpTheme = mode();
      gd.dataset.bpLayout = narrow ? "narrow" : "wide";
    }, function () { st.busy = false; });
  }

  function init(gd) {
    if (state.has(gd) || !gd.layout) return;
    state.set(gd, snapshot(gd));
    addSliderInputs(gd);
    if (!gd._bpListening) {
      // a frame may reset the title (its status line) or the annotations: adapt them again
      gd.on("plotly_animated", function () { adapt(gd); });
      gd._bpListening = true;
    }
    // a figure still being drawn cannot be relaid out yet: try again a moment later
    adapt(gd).catch(function (err) {
      state.delete(gd);
      gd._bpTries = (gd._bpTries || 0) + 1;
      if (gd._bpTries < 40) setTimeout(function () { init(gd); }, 250);
      else console.warn("bpcore-figures: cannot adapt a figure:", err);
    });
  }

  function initAll() {
    graphs().forEach(init);
  }

  function adaptAll() {
    graphs().forEach(function (gd) { if (state.has(gd)) adapt(gd); else init(gd); });
  }

  function start() {
    if (typeof Plotly === "undefined") return;
    initAll();
    // figures drawn later (Plotly.newPlot after this script) are picked up as they appear
    var tries = 0, timer = setInterval(function () {
      initAll();
      if (++tries > 20) clearInterval(timer);
    }, 250);
    new MutationObserver(adaptAll).observe(document.documentElement,
      {attributes: true, attributeFilter: ["data-theme"]});
    // a folded figure that is unfolded gets its real width
    document.addEventListener("toggle", function (event) {
      var inside = event.target.querySelectorAll ? event.target.querySelectorAll(".js-plotly-plot") : [];
      Array.prototype.forEach.call(inside, function (gd) {
        Promise.resolve(Plotly.Plots.resize(gd)).then(function () { return adapt(gd); });
      });
    }, true);
    var resizeTimer = null;
    window.addEventListener("resize", function () {
      clearTimeout(resizeTimer);
      resizeTimer = setTimeout(adaptAll, 150);
    });
  }

  if (document.readyState === "complete") start(); else window.addEventListener("load", start);
})();
