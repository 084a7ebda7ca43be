"""Live panels without a browser: controls, update logic, errors, divergence, static twins."""
from __future__ import annotations

import html
import re

import ipywidgets
import numpy as np
import plotly.graph_objects as go
import pytest

from bpcore import figures as F
from bpcore.activations import sigmoid
from bpcore.widgets import (Checkbox, Dropdown, IntSlider, LogSlider, Panel, Slider, panel,
                            training_panel)
from bpcore.experiments import TrainingSetup

pytestmark = pytest.mark.widgets

Z = np.linspace(-6, 6, 61)


def sigmoid_panel(**kwargs) -> Panel:
    fig = go.Figure([go.Scatter(x=Z, y=sigmoid(Z), name="σ(kz)"), go.Scatter(x=[0], y=[0.5], name="centre")])
    fig.update_layout(title="steepness")

    def update(k: float, shift: float, show: bool) -> dict:
        if k > 9:
            raise RuntimeError(f"k={k} is too steep for this test")
        return {"traces": [{"y": sigmoid(k * (Z - shift))}, {"x": [shift], "visible": show}],
                "layout": {"xaxis.title.text": f"z (shift {shift:g})"}, "status": f"k = {k:.3g}"}

    controls = {"k": Slider(0.5, 10.0, value=1.0, step=0.5, label="k", static_values=[0.5, 1, 2, 4]),
                "shift": Dropdown([0.0, 1.0, 2.0], label="shift"), "show": Checkbox(True, label="centre")}
    return panel(fig, update, controls, title="Sigmoid", alt="a sigmoid", **kwargs)


@pytest.fixture(autouse=True)
def live_mode(monkeypatch):
    monkeypatch.delenv("BPCORE_BOOK", raising=False)


def test_controls_make_the_right_widgets():
    assert isinstance(Slider(0, 1, 0.5).widget("a"), ipywidgets.FloatSlider)
    log = LogSlider(1e-3, 10, value=0.3, label="learning rate").widget("lr")
    assert isinstance(log, ipywidgets.FloatLogSlider) and log.value == pytest.approx(0.3)
    assert (log.min, log.max, log.description) == (-3, 1, "learning rate")
    assert not log.continuous_update
    assert isinstance(IntSlider(1, 5, 2).widget("n"), ipywidgets.IntSlider)
    assert isinstance(Dropdown(["a", "b"]).widget("d"), ipywidgets.Dropdown)
    assert isinstance(Checkbox(True).widget("c"), ipywidgets.Checkbox)
    geo = LogSlider(1e-3, 10).frame_values()
    assert len(geo) == 8 and geo[0] == pytest.approx(1e-3) and geo[-1] == pytest.approx(10)
    assert np.allclose(np.diff(np.log10(geo)), np.log10(1e4) / 7, atol=0.05)


def test_bad_controls_are_refused():
    with pytest.raises(ValueError, match="min < max"):
        Slider(1, 0)
    with pytest.raises(ValueError, match="min > 0"):
        LogSlider(0, 1)
    with pytest.raises(ValueError, match="not one of its options"):
        Dropdown(["a"], value="b")
    with pytest.raises(ValueError, match="1 to 12 values"):
        Slider(0, 1, static_values=list(np.linspace(0, 1, 13))).frame_values()
    fig = go.Figure(go.Scatter())
    with pytest.raises(TypeError, match="Slider"):
        panel(fig, lambda **v: {}, {"a": ipywidgets.FloatSlider()})
    with pytest.raises(ValueError, match="static must name"):
        panel(fig, lambda **v: {}, {"a": Slider(0, 1)}, static=("b",))


def test_set_updates_the_figure_widget_and_status():
    p = sigmoid_panel()
    fw = p.figure_widget
    np.testing.assert_allclose(fw.data[0].y, sigmoid(Z))
    p.set(k=4.0, shift=1.0)
    np.testing.assert_allclose(fw.data[0].y, sigmoid(4.0 * (Z - 1.0)))
    assert fw.data[1].x == (1.0,)
    assert fw.layout.xaxis.title.text == "z (shift 1)"
    assert p.status_text == "k = 4" and "k = 4" in p._status.value
    p.set(show=False)
    assert fw.data[1].visible is False
    np.testing.assert_allclose(fw.data[0].y, sigmoid(4.0 * (Z - 1.0)))  # untouched controls keep their value


def test_moving_a_widget_runs_the_update_with_the_widget_values():
    p = sigmoid_panel()
    p.widget
    before = p.updates
    p._inputs["k"].value = 2.5  # what the front end does
    assert p.updates == before + 1
    np.testing.assert_allclose(p.figure_widget.data[0].y, sigmoid(2.5 * Z))


def test_exception_in_update_shows_in_the_status_line():
    p = sigmoid_panel()
    p.widget
    p.set(k=9.5)
    assert p.error == "RuntimeError: k=9.5 is too steep for this test"
    assert "#D55E00" in p._status.value and html.escape("k=9.5 is too steep") in p._status.value
    np.testing.assert_allclose(p.figure_widget.data[0].y, sigmoid(Z))  # last good figure stays
    p.set(k=2.0)
    assert p.error is None and "#D55E00" not in p._status.value


def test_update_with_too_many_traces_is_reported():
    fig = go.Figure(go.Scatter(x=[0], y=[0]))
    p = panel(fig, lambda a: {"traces": [{}, {}]}, {"a": Slider(0, 1)})
    p.widget
    assert "2 trace changes for a figure of 1 traces" in p.error


def test_static_twin_frames_sliders_and_titles():
    p = sigmoid_panel(static=("k", "shift"))
    fig = p.static_figure()
    assert len(fig.frames) == 4 * 3
    assert [len(s.steps) for s in fig.layout.sliders] == [4, 3]
    assert [s.active for s in fig.layout.sliders] == [1, 0]  # k = 1.0, shift = 0.0
    frame = next(f for f in fig.frames if f.name == "3_2")  # k = 4, shift = 2
    np.testing.assert_allclose(frame.data[0].y, sigmoid(4 * (Z - 2.0)), rtol=1e-6)
    assert "k = 4" in frame.layout.title.text
    assert frame.layout.xaxis.title.text == "z (shift 2)"
    # the centre trace's visibility is the same in every frame: stored once in the figure, not per frame
    assert all(1 not in f.traces or f.data[f.traces.index(1)].visible is None for f in fig.frames)
    np.testing.assert_allclose(fig.data[0].y, sigmoid(Z), rtol=1e-6)  # opens on the current values
    out = p.static_html()
    assert "Plotly.animate" in out and "plotly_sliderchange" in out  # two sliders combined by a script


def test_twin_of_a_diverged_run_warns_nothing():
    """A twin's frames are stored as float32; a diverged value beyond its range (1e300) becomes infinite, which
    plotly.js leaves out (not a number to it), without a RuntimeWarning (the book's build would print it on the
    page)."""
    fig = go.Figure(go.Scatter(x=[0, 1, 2], y=[0, 0, 0]))
    p = panel(fig, lambda lr: {"traces": [{"y": np.array([1.0, 10.0, 1e300]) * lr}]},
              {"lr": Slider(0.5, 2.0, value=1.0, static_values=[0.5, 2.0])})
    frames = p.static_figure().frames          # RuntimeWarnings from bpcore are errors in the tests
    assert [list(f.data[0].y) for f in frames] == [[0.5, 5.0, np.inf], [2.0, 20.0, np.inf]]
    assert p.static_html().startswith('<div class="bpcore-twin"')


def test_one_static_control_uses_plotly_animate_only():
    p = sigmoid_panel(static=("k",))
    fig = p.static_figure()
    assert len(fig.frames) == 4 and fig.layout.sliders[0].steps[2].method == "animate"
    assert "plotly_sliderchange" not in p.static_html()


def test_book_mode_displays_the_twin_and_builds_no_widget(monkeypatch):
    p = sigmoid_panel()
    monkeypatch.setenv("BPCORE_BOOK", "1")
    bundle = p._repr_mimebundle_()
    assert list(bundle) == ["text/html"]
    assert "Plotly.newPlot" in bundle["text/html"] and "<script src" not in bundle["text/html"]
    assert 'aria-label="a sigmoid"' in bundle["text/html"]
    assert not p.is_live
    monkeypatch.delenv("BPCORE_BOOK")
    assert "application/vnd.jupyter.widget-view+json" in p._repr_mimebundle_()


# -- the training panel --------------------------------------------------------------------------
def boundary_pixels(source: str) -> np.ndarray:
    import base64
    from bpcore.png import decode_rgba
    assert source.startswith("data:image/png;base64,")
    return decode_rgba(base64.b64decode(source.split(",", 1)[1]))


def test_training_panel_matches_a_direct_computation():
    p = training_panel("moons", controls=("lr", "epochs", "hidden_units"), lr=0.3, epochs=40)
    p.set(lr=1.0, hidden_units=8)
    assert p.error is None
    net, hist, (X_tr, X_val, y_tr, y_val) = TrainingSetup(lr=1.0, epochs=40, hidden_units=8).run()
    fw = p.figure_widget
    bounds = F.grid_bounds(np.vstack([X_tr, X_val]))
    z = F.decision_boundary_data(net, bounds, 50)["z"]
    shown = boundary_pixels(fw.layout.images[0].source)
    np.testing.assert_array_equal(shown, F.class_colour_pixels(z, 2))
    # the picture is upside down relative to z (its first row is the top): check one corner by hand
    top_left = F.class_colour_pixels(z[-1:, :1], 2)[0, 0]
    np.testing.assert_array_equal(shown[0, 0], top_left)
    image = fw.layout.images[0]
    (x_lo, x_hi), (y_lo, y_hi) = F.image_extent(image.to_plotly_json())
    dx = (bounds[1] - bounds[0]) / 49
    assert x_lo == pytest.approx(bounds[0] - dx / 2) and x_hi == pytest.approx(bounds[1] + dx / 2)
    assert list(fw.layout.xaxis.range) == pytest.approx([x_lo, x_hi])
    assert list(fw.layout.yaxis.range) == pytest.approx([y_lo, y_hi])
    np.testing.assert_allclose(fw.data[0].x, X_tr[:, 0], rtol=1e-6)
    np.testing.assert_allclose(fw.data[1].y, X_val[:, 1], rtol=1e-6)
    np.testing.assert_allclose(fw.data[2].y, hist.train_loss)
    np.testing.assert_allclose(fw.data[3].y, hist.val_loss)
    np.testing.assert_allclose(fw.data[5].y, hist.grad_norms[:, 0])
    assert fw.data[7].visible is False
    losses = np.concatenate([hist.train_loss, hist.val_loss])
    lo, hi = fw.layout.yaxis2.range
    assert lo == np.floor(np.log10(losses.min())) and hi == np.ceil(np.log10(losses.max()))
    assert list(fw.layout.xaxis2.range) == [1, 40]
    assert p.status_text == (f"lr=1 · 40 epochs · loss {hist.final_loss:.3g} · "
                             f"validation accuracy {hist.val_accuracy[-1]:.0%}")


class Messages:
    """Record what a LiveFigure sends to the browser (plotly.py's message hooks)."""

    def __init__(self, monkeypatch):
        import plotly.basewidget as bw
        self.sent: list[tuple] = []
        monkeypatch.setattr(bw.BaseFigureWidget, "_send_animate_msg",
                            lambda fig, styles, layout, traces, opts:
                            self.sent.append(("animate", dict(zip(traces, styles)), dict(layout), opts)))
        monkeypatch.setattr(bw.BaseFigureWidget, "_send_update_msg",
                            lambda fig, restyle_data, relayout_data, trace_indexes=None, source_view_id=None:
                            self.sent.append(("update", trace_indexes, dict(relayout_data))))
        monkeypatch.setattr(bw.BaseFigureWidget, "_send_relayout_msg",
                            lambda fig, data, source_view_id=None: self.sent.append(("relayout", None, dict(data))))


def test_a_slider_step_redraws_curves_and_picture_without_a_replot(monkeypatch):
    p = training_panel("moons", controls=("lr",), lr=0.3)
    fw = p.figure_widget
    messages = Messages(monkeypatch)
    before = fw.layout.images[0].source
    p.set(lr=0.4)  # same decades on every log axis: nothing but curves and the picture change
    assert p.redraws["free"] == 1
    [(kind, traces, layout, opts)] = messages.sent
    assert kind == "animate" and opts["frame"]["redraw"] is False and opts["transition"]["duration"] == 0
    # the loss curves and the two layers' gradient norms change; every other trace takes part unchanged
    # (plotly.js would drop the traces a transition leaves out, the data points among them)
    assert sorted(traces) == list(range(10))
    assert {i for i, style in traces.items() if style} == {2, 3, 5, 6}
    assert all(set(traces[i]) == {"y"} for i in (2, 3, 5, 6))
    assert list(layout) == ["images[0].source"]  # bracket spelling: plotly.js swaps only the picture
    assert layout["images[0].source"] == fw.layout.images[0].source != before
    net, hist, _ = TrainingSetup(lr=0.4).run()
    np.testing.assert_allclose(fw.data[2].y, hist.train_loss)  # the Python side holds the new data too


def test_a_log_axis_keeps_its_range_while_the_curves_fit(monkeypatch):
    from bpcore import figures as F
    p = training_panel("moons", controls=("lr",), lr=1.0)
    fw = p.figure_widget
    shown = list(fw.layout.yaxis3.range)
    _, hist, _ = TrainingSetup(lr=0.3).run()
    wanted = F.log_axis_range(hist.grad_norms)
    assert wanted != shown and shown[0] <= wanted[0] and wanted[1] <= shown[1]  # a narrower decade range
    assert (shown[1] - shown[0]) - (wanted[1] - wanted[0]) <= 1
    messages = Messages(monkeypatch)
    full = p.redraws["full"]  # the first drawing
    p.set(lr=0.3)
    assert list(fw.layout.yaxis3.range) == shown and p.redraws == {"free": 1, "full": full}  # kept: no re-plot
    assert [m[0] for m in messages.sent] == ["animate"]
    p.set(lr=0.001)   # the loss hardly moves: its gradients leave the shown decades, the axis follows
    _, hist, _ = TrainingSetup(lr=0.001).run()
    lo, hi = fw.layout.yaxis3.range
    assert lo <= np.log10(hist.grad_norms.min()) and np.log10(hist.grad_norms.max()) <= hi
    assert p.redraws["full"] == full + 1
    _, hist, _ = TrainingSetup(lr=0.003).run()   # the twin's first frame: its own range, never a sticky one
    assert list(p.static_figure().frames[0].layout.yaxis3.range) == F.log_axis_range(hist.grad_norms)


def test_a_changed_axis_range_or_data_set_replots_everything(monkeypatch):
    p = training_panel("moons", controls=("lr", "data"), lr=0.3)
    fw = p.figure_widget
    messages = Messages(monkeypatch)
    p.set(lr=10.0)  # the losses leave their decades: the log axes must change
    assert messages.sent[-1][0] == "update" and "yaxis2.range" in messages.sent[-1][2]
    p.set(data="circles")  # new points, new boundary axes
    assert messages.sent[-1][0] == "update" and {"xaxis.range", "yaxis.range"} <= set(messages.sent[-1][2])
    assert p.redraws["full"] == 3 and p.redraws["free"] == 0
    net, hist, (X_tr, _, _, _) = TrainingSetup(data="circles", lr=10.0).run()
    np.testing.assert_allclose(fw.data[0].x, X_tr[:, 0], rtol=1e-6)


def test_redraw_free_refuses_what_it_cannot_draw():
    from bpcore.widgets import LiveFigure
    with pytest.raises(ValueError, match=r"scatter traces only, this one has \['heatmap'\]"):
        LiveFigure(go.Figure([go.Scatter(y=[1, 2]), go.Heatmap(z=[[1, 2]])])).redraw_free([(0, {"y": [2, 1]})])
    fig = LiveFigure(go.Figure([go.Scatter(y=[1, 2])]))
    with pytest.raises(ValueError, match=r"scatter traces only, got \['line.width'\] for trace 0"):
        fig.redraw_free([(0, {"line": {"width": 3}})])
    with pytest.raises(ValueError, match=r"got \['marker.colorscale', 'y'\] for trace 0"):  # a colour bar
        fig.redraw_free([(0, {"y": [2, 1], "marker": {"colorscale": "Blues"}})])
    with pytest.raises(ValueError, match="existing layout images only"):
        fig.redraw_free([], {0: "data:image/png;base64,"})


def test_marker_and_text_styles_are_drawn_without_a_replot(monkeypatch):
    """plotly.js's animate step re-styles markers and text labels (a confusion matrix's counts, a
    corner that turns from circle to cross): such a step needs no re-plot."""
    fig = go.Figure([go.Scatter(x=[0, 1], y=[0, 1], mode="markers+text", text=["a", "b"])])
    def update(k):
        on = k > 1
        return {"traces": [{"text": [f"{k:.0f}", "b"],
                            "marker": {"color": ["red" if on else "grey", "blue"], "symbol": ["x" if on else "circle",
                                                                                            "circle"]},
                            "textfont": {"color": ["white" if on else "black", "black"]}}]}

    p = panel(fig, update, {"k": Slider(0, 10, value=0, step=1)})
    p.widget
    before = dict(p.redraws)
    messages = Messages(monkeypatch)
    p.set(k=3)
    assert p.redraws == {"free": before["free"] + 1, "full": before["full"]}
    [(kind, traces, layout, opts)] = messages.sent
    assert kind == "animate" and opts["frame"]["redraw"] is False and layout == {}
    assert traces[0]["text"] == ["3", "b"] and traces[0]["marker.symbol"] == ["x", "circle"]
    assert traces[0]["marker.color"] == ["red", "blue"] and traces[0]["textfont.color"] == ["white", "black"]
    assert p.figure_widget.data[0].textfont.color == ("white", "black")


def test_a_panel_with_a_heatmap_is_always_replotted(monkeypatch):
    fig = go.Figure([go.Heatmap(z=[[0.0, 1.0]]), go.Scatter(x=[0.0], y=[0.0])])
    p = panel(fig, lambda a: {"traces": [{}, {"y": [a]}]}, {"a": Slider(0, 1)})
    p.widget
    messages = Messages(monkeypatch)
    p.set(a=0.5)  # only the scatter changes, but plotly.js cannot animate a figure with a heatmap
    assert [m[0] for m in messages.sent] == ["update"] and p.redraws == {"free": 0, "full": 2}
    assert p.figure_widget.data[1].y == (0.5,)


def test_training_panel_switches_data_sets_and_depth():
    p = training_panel("moons", controls=("data", "depth", "batch_size"), epochs=20)
    p.set(data="blobs", depth=3, batch_size=32)
    assert p.error is None
    fw = p.figure_widget
    colours = {tuple(px) for px in boundary_pixels(fw.layout.images[0].source).reshape(-1, 4)}
    palette = {tuple(F.class_colour_pixels(np.array([[k]]), 3)[0, 0]) for k in range(3)}
    assert colours <= palette and len(colours) == 3  # three classes: the predicted class is drawn
    assert [t.visible for t in fw.data[5:]] == [True, True, True, True, False]


def test_diverged_run_is_drawn_as_diverged_not_raised():
    p = training_panel("moons", controls=("lr", "depth", "activation"), epochs=50)
    p.widget
    p.set(lr=10.0, depth=3, activation="relu")
    assert p.error is None
    assert re.match(r"lr=10 · diverged at epoch \d+", p.status_text)
    epoch = int(re.search(r"epoch (\d+)", p.status_text).group(1))
    texts = [a.text for a in p.figure_widget.layout.annotations]
    assert f"diverged at epoch {epoch}" in texts
    assert p.figure_widget.data[4].x == (epoch,)
    assert "#B36B00" in p._status.value  # a warning colour, not the error colour
    p.set(lr=0.3)
    assert not any("diverged" in t for t in (a.text for a in p.figure_widget.layout.annotations))


def test_training_panel_static_twin_is_small_enough():
    p = training_panel("moons", controls=("lr",), epochs=100)
    html_text = p.static_html()
    fig = p.static_figure()
    assert len(fig.frames) == len(p.controls["lr"].frame_values()) == 8
    assert len(html_text.encode()) <= 1.5e6
    assert all(boundary_pixels(f.layout.images[0].source).shape == (40, 40, 4) for f in fig.frames)
    assert len({f.layout.images[0].source for f in fig.frames}) == 8  # each frame its own picture
    assert any("diverged" in f.layout.title.text or "loss" in f.layout.title.text for f in fig.frames)


def test_long_retraining_shows_progress(monkeypatch):
    from bpcore.widgets import retraining as module
    monkeypatch.setattr(module, "PROGRESS_AFTER_S", 0.0)
    p = training_panel("moons", controls=("epochs",), epochs=20)
    p.widget
    seen, visibility = [], []
    p.progress.observe(lambda change: seen.append(change.new), names="value")
    p.progress.layout.observe(lambda change: visibility.append(change.new), names="visibility")
    p.set(epochs=300)
    assert seen and 0 < seen[0] <= seen[-1] <= 1 and seen == sorted(seen)
    assert visibility[0] == "visible" and visibility[-1] == "hidden"  # shown while training, hidden after


def test_too_many_twin_frames_are_refused():
    fig = go.Figure(go.Scatter(x=[0], y=[0]))
    controls = {"a": Slider(0, 1, static_values=list(range(9))), "b": Slider(0, 1, static_values=list(range(8)))}
    p = panel(fig, lambda a, b: {}, controls, static=("a", "b"))
    with pytest.raises(ValueError, match="9 x 8 frames, more than 64"):
        p.static_figure()


def test_unknown_training_control_is_refused():
    with pytest.raises(ValueError, match="unknown training control"):
        training_panel("moons", controls=("learning_rate",))


def test_status_line_wraps_between_phrases_only():
    from bpcore.widgets.panel import status_html
    out = status_html("lr=0.3 · loss 0.31 → 0.05 · <b>")
    assert out.count('<span style="white-space: nowrap">') == 3
    assert "loss 0.31 → 0.05</span>" in out and "&lt;b&gt;" in out and "<b>" not in out
    assert "#D55E00" in status_html("x", error=True)


def test_panel_follows_the_front_ends_theme():
    """The ThemeProbe's report (what its JavaScript sends) re-colours the live figure, axes included."""
    from bpcore.widgets import training_panel
    p = training_panel("moons", controls=("lr",), lr=0.3, epochs=5)
    fig = p.figure_widget
    assert fig.layout.meta.get("theme", None) == ""
    for mode in ("dark", "light", "dark"):
        p.theme.mode = mode
        t = F.THEMES[mode]
        assert fig.layout.meta["theme"] == mode and fig.layout.font.color == t["font"]
        for axis in ("xaxis", "yaxis", "xaxis2", "yaxis3"):
            assert fig.layout[axis].gridcolor == t["grid"] and fig.layout[axis].linecolor == t["line"], axis
    p.theme.mode = "sepia"   # nothing the probe can send, but never an error
    assert fig.layout.meta["theme"] == "dark"
    with pytest.raises(ValueError, match="mode must be one of"):
        F.theme_update({}, "sepia")


# -- plotly's front end served once (bpcore.widgets.bundle) ------------------------------------
def test_the_loader_names_the_bundle_and_refuses_other_addresses():
    from bpcore.widgets.bundle import LAB_BUNDLE, PLACEHOLDER, widget_loader
    source = widget_loader(LAB_BUNDLE)
    assert f'const BUNDLE = "{LAB_BUNDLE}";' in source and PLACEHOLDER not in source
    assert all(f"export {what}" in source for what in ("const FigureModel", "const FigureView", "default"))
    for bad in ("", "/static/widgetbundle.js", "../widgetbundle.js", "static/../x.js", "https://cdn.example/x.js",
                'static/x.js"; alert(1); "', None):
        with pytest.raises(ValueError, match="must be a relative path such as 'static/widgetbundle.js'"):
            widget_loader(bad)


def kernel_esm(env: dict[str, str]) -> str:
    """What a fresh kernel's LiveFigure would send as its front end (``_esm``), with ``env`` set."""
    import os
    import subprocess
    import sys
    code = "from bpcore.widgets import LiveFigure; esm = LiveFigure()._esm; print(len(esm), esm[:2000])"
    environ = {k: v for k, v in os.environ.items() if k != "BPCORE_PLOTLY_BUNDLE"}
    result = subprocess.run([sys.executable, "-c", code], env={**environ, **env}, capture_output=True, text=True)
    assert result.returncode == 0 or env, result.stderr
    return result.stdout if result.returncode == 0 else result.stderr


def test_live_figures_carry_the_loader_only_where_the_server_serves_the_bundle():
    from bpcore.tools.lab import widget_bundle_server
    from bpcore.widgets.bundle import BUNDLE_ENV, LAB_BUNDLE, PLOTLY_PACKAGE_DATA
    options, env = widget_bundle_server()
    assert options == [f"--ServerApp.extra_static_paths={PLOTLY_PACKAGE_DATA}"]
    assert (PLOTLY_PACKAGE_DATA / LAB_BUNDLE.removeprefix("static/")).stat().st_size > 1_000_000
    assert env == {BUNDLE_ENV: LAB_BUNDLE}
    loader, bundle = kernel_esm(env), kernel_esm({})
    assert f'const BUNDLE = "{LAB_BUNDLE}";' in loader                   # JupyterLab from the book's launcher
    assert int(loader.split()[0]) < 5_000
    assert "const BUNDLE" not in bundle and int(bundle.split()[0]) > 1_000_000   # elsewhere: plotly's own bundle
    assert f"{BUNDLE_ENV}='/etc/passwd': the widget bundle's address must be" in kernel_esm({BUNDLE_ENV: "/etc/passwd"})


def test_a_setups_momentum_is_the_beta_it_names():
    """``momentum=None`` is train()'s default beta; a number is that beta for every optimiser (0 with Adam is
    beta1 = 0, never silently 0.9); with sgd a beta > 0 is heavy-ball momentum and 0 plain gradient descent."""
    import bpcore

    def final(**fields) -> float:
        return TrainingSetup(epochs=20, lr=0.3, **fields).run()[1].train_loss[-1]

    X_tr, _, y_tr, _ = TrainingSetup().dataset()

    def direct(**options) -> float:
        net = TrainingSetup().network(2)
        return bpcore.train(net, X_tr, y_tr, lr=0.3, epochs=20, seed=0, **options).train_loss[-1]

    assert final(optimizer="adam") == final(optimizer="adam", momentum=0.9) == direct(optimizer="adam")
    assert final(optimizer="adam", momentum=0.0) == direct(optimizer="adam", momentum=0.0)
    assert final(optimizer="adam", momentum=0.0) != final(optimizer="adam")
    assert final(momentum=0.5) == direct(optimizer="momentum", momentum=0.5)
    assert final(momentum=0.0) == final() == direct(optimizer="sgd")
