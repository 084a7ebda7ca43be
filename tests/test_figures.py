"""Figure builders: traces, shapes, ranges, and the data functions the live panels share."""
from __future__ import annotations

import json

import numpy as np
import plotly.graph_objects as go
import pytest

import bpcore
from bpcore import datasets, figures as F
from bpcore.activations import sigmoid
from bpcore.optimizers import SGD, Momentum, optimizer_path

pytestmark = pytest.mark.figures


@pytest.fixture(scope="module")
def moons_run():
    X, y = datasets.moons(120, noise=0.2, seed=1)
    X_tr, X_val, y_tr, y_val = datasets.train_val_split(X, y, seed=0)
    net = bpcore.Network([2, 8, 1], hidden="tanh", seed=0)
    hist = bpcore.train(net, X_tr, y_tr, lr=0.5, epochs=40, X_val=X_val, Y_val=y_val, seed=0,
                        record=("loss", "grad_norms"))
    return net, hist, (X_tr, X_val, y_tr, y_val)


def test_look_transparent_titled_and_labelled():
    figs = [F.sigmoid_and_derivative(),
            F.loss_surface_paths(lambda a, b: a ** 2 + b ** 2, {"sgd": np.zeros((3, 2))}, (-1, 1), (-1, 1))]
    for fig in figs:
        assert isinstance(fig, go.Figure)
        assert fig.layout.title.text
        assert fig.layout.xaxis.title.text and fig.layout.yaxis.title.text
        assert fig.layout.paper_bgcolor == F.TRANSPARENT and fig.layout.plot_bgcolor == F.TRANSPARENT
        assert fig.layout.font.color == F.FONT_COLOUR
        json.loads(fig.to_json())  # serialises (NaN and all)


def test_okabe_ito_palette_is_the_published_one():
    assert set(F.OKABE_ITO.values()) == {"#000000", "#E69F00", "#56B4E9", "#009E73", "#F0E442", "#0072B2",
                                         "#D55E00", "#CC79A7"}
    assert set(F.CLASS_COLOURS) <= set(F.OKABE_ITO.values())


def test_decision_boundary_binary_is_the_network_output(moons_run):
    net, _, (X_tr, X_val, y_tr, y_val) = moons_run
    bounds = F.grid_bounds(np.vstack([X_tr, X_val]))
    heat = F.decision_boundary_data(net, bounds, resolution=30)
    assert np.shape(heat["z"]) == (30, 30)
    x0, x1, y0, y1 = bounds
    assert (x0, x1, y0, y1) == (pytest.approx(heat["x"][0]), pytest.approx(heat["x"][-1]),
                                pytest.approx(heat["y"][0]), pytest.approx(heat["y"][-1]))
    assert x0 < X_tr[:, 0].min() and x1 > X_tr[:, 0].max() and y0 < X_val[:, 1].min() and y1 > X_val[:, 1].max()
    # row i is y[i], column j is x[j]
    i, j = 7, 22
    expected = net.forward(np.array([[heat["x"][j], heat["y"][i]]], dtype=float))[0, 0]
    assert np.asarray(heat["z"])[i, j] == np.round(expected, 3)  # rounded: short numbers travel fast
    assert (heat["zmin"], heat["zmax"]) == (0.0, 1.0)
    points = F.points_data(X_tr, y_tr)
    assert len(points["x"]) == len(X_tr) and points["marker"]["color"] == [F.CLASS_COLOURS[k] for k in y_tr]


def test_decision_boundary_multiclass_shows_predicted_class():
    X, y = datasets.blobs(90, noise=0.4, seed=0, n_classes=3)
    net = bpcore.Network([2, 6, 3], hidden="tanh", output="softmax", seed=0)
    bpcore.train(net, X, y, loss="ce", lr=0.5, epochs=30, seed=0)
    data = F.decision_boundary_data(net, F.grid_bounds(X), resolution=20)
    grid = np.column_stack([np.tile(data["x"], 20), np.repeat(data["y"], 20)]).astype(float)
    np.testing.assert_array_equal(data["z"].ravel(), net.predict(grid))
    assert (data["zmin"], data["zmax"]) == (-0.5, 2.5)


def test_png_round_trip_and_bad_pixels():
    from bpcore.png import data_uri, decode_rgba, encode_rgba
    rng = np.random.default_rng(0)
    pixels = rng.integers(0, 256, size=(7, 5, 4), dtype=np.uint8)
    png = encode_rgba(pixels)
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and png[12:16] == b"IHDR"
    assert int.from_bytes(png[16:20], "big") == 5 and int.from_bytes(png[20:24], "big") == 7  # width, height
    np.testing.assert_array_equal(decode_rgba(png), pixels)
    assert data_uri(pixels).startswith("data:image/png;base64,iVBORw0KGgo")
    with pytest.raises(ValueError, match=r"uint8 array \(height, width, 4\), got float64 \(2, 2, 3\)"):
        encode_rgba(np.zeros((2, 2, 3)))
    broken = bytearray(png)
    broken[40] ^= 0xFF
    with pytest.raises(ValueError, match="bad CRC"):
        decode_rgba(bytes(broken))


def test_boundary_picture_has_the_heatmap_colours():
    scale, _, _ = F.class_colourscale(2)
    z = np.array([[0.0, 0.25, 0.5], [0.75, 1.0, np.nan]])  # row 0 is the lowest y
    px = F.class_colour_pixels(z, 2)
    assert px.shape == (2, 3, 4) and px.dtype == np.uint8
    blue, grey, red = (F._rgba(c) for _, c in scale)
    np.testing.assert_array_equal(px[1, 0], blue)           # z = 0 is drawn at the bottom row: last picture row
    np.testing.assert_array_equal(px[1, 2], np.round(grey))  # z = 0.5: the faint grey of the heatmap's scale
    np.testing.assert_array_equal(px[0, 1], red)
    np.testing.assert_array_equal(px[1, 1], np.round((blue + grey) / 2))  # z = 0.25: halfway blue -> grey
    np.testing.assert_array_equal(px[0, 2], [0, 0, 0, 0])   # NaN (diverged): transparent
    classes = F.class_colour_pixels(np.array([[0.0, 2.0, 1.0]]), 3)
    np.testing.assert_array_equal(classes[0, :, :3], [[0x00, 0x72, 0xB2], [0x00, 0x9E, 0x73], [0xD5, 0x5E, 0x00]])


def test_decision_boundary_image_is_the_network_output(moons_run):
    import base64
    from bpcore.png import decode_rgba
    net, _, (X_tr, X_val, _, _) = moons_run
    bounds = F.grid_bounds(np.vstack([X_tr, X_val]))
    image = F.decision_boundary_image(net, bounds, resolution=30, xref="x2", yref="y2")
    data = F.decision_boundary_data(net, bounds, resolution=30)
    px = decode_rgba(base64.b64decode(image["source"].split(",", 1)[1]))
    np.testing.assert_array_equal(px, F.class_colour_pixels(data["z"], 2))
    assert (image["xref"], image["yref"], image["layer"], image["opacity"]) == ("x2", "y2", "below", 0.6)
    (x_lo, x_hi), (y_lo, y_hi) = F.image_extent(image)
    dx, dy = (bounds[1] - bounds[0]) / 29, (bounds[3] - bounds[2]) / 29
    assert (x_lo, x_hi) == (pytest.approx(bounds[0] - dx / 2), pytest.approx(bounds[1] + dx / 2))
    assert (y_lo, y_hi) == (pytest.approx(bounds[2] - dy / 2), pytest.approx(bounds[3] + dy / 2))
    # the pixel in row r (from the top), column c shows the grid point (x[c], y[29 - r])
    r, c = 4, 17
    p = net.forward(np.array([[data["x"][c], data["y"][29 - r]]], dtype=float))[0, 0]
    np.testing.assert_array_equal(px[r, c], F.class_colour_pixels(np.array([[np.round(p, 3)]]), 2)[0, 0])


def test_sticky_log_range_keeps_the_shown_axis_while_it_fits():
    assert F.sticky_log_range(None, [-2.0, 0.0]) == [-2.0, 0.0]          # nothing shown yet
    assert F.sticky_log_range([-2.0, 0.0], [-1.0, 0.0]) == [-2.0, 0.0]   # one decade to spare: keep
    assert F.sticky_log_range([-3.0, 0.0], [-1.0, 0.0]) == [-1.0, 0.0]   # two to spare: shrink
    assert F.sticky_log_range([-2.0, 0.0], [-2.0, 1.0]) == [-2.0, 1.0]   # data outside: follow it
    assert F.sticky_log_range([-2.0, 0.0], [-3.0, -1.0]) == [-3.0, -1.0]
    assert F.sticky_log_range([-2, 0], [-2.0, 0.0], slack=0) == [-2.0, 0.0]
    assert F.sticky_log_range([-2.0, 0.0], [-1.0, 0.0], slack=0.0) == [-1.0, 0.0]


def test_log_axis_range_in_whole_decades():
    assert F.log_axis_range([0.3, 0.7], [0.05]) == [-2.0, 0.0]
    assert F.log_axis_range([0.2, 0.3]) == [-1.0, 0.0]
    assert F.log_axis_range([1.0]) == [0.0, 1.0]   # one value still gets one decade
    assert F.log_axis_range([np.nan, np.inf, 0.0, -1.0, 12.0]) == [1.0, 2.0]  # ignores what a log axis can't show
    assert F.log_axis_range([np.nan], []) == [-1.0, 1.0]
    assert str(F.log_axis_range([0.5])[1]) == "0.0"  # never -0.0
    assert F.log_axis_range([0.3, 0.7], least=(-3.0, -1.0)) == [-3.0, 0.0]   # covers the least decades too
    assert F.log_axis_range([2e-9, 5.0], least=(-3.0, 0.0)) == [-9.0, 1.0]
    assert F.log_axis_range([np.nan], least=(-2.0, 0.0)) == [-2.0, 0.0]


def test_loss_curves_nan_and_inf_become_gaps_and_divergence_is_annotated():
    traces, notes = F.loss_curves_data([1.0, 0.5, np.inf, np.nan], [1.1, 0.6], diverged_epoch=3)
    y = traces[0]["y"]
    assert y[:2].tolist() == [1.0, 0.5] and np.isnan(y[2]) and np.isnan(y[3])
    assert traces[0]["x"].tolist() == [1, 2, 3, 4] and traces[1]["x"].tolist() == [1, 2]
    assert traces[2]["x"] == [3] and traces[2]["y"] == [0.5]
    assert [n["text"] for n in notes] == ["diverged at epoch 3"]
    assert F.loss_curves_data([1.0, 0.5, np.inf])[1] == []      # no divergence reported: no annotation


def test_loss_curves_of_a_really_diverged_run_on_a_log_axis():
    X, y = datasets.moons(100, seed=0)
    net = bpcore.Network([2, 16, 16, 16, 1], hidden="relu", seed=0)
    hist = bpcore.train(net, X, y, lr=10.0, epochs=50, seed=0)
    assert hist.diverged
    traces, notes = F.loss_curves_data(hist.train_loss, (), hist.diverged_epoch)
    placed = F.log_axis_annotations(notes, "x2", "y2")
    assert [a["text"] for a in placed] == [f"diverged at epoch {hist.diverged_epoch}"]
    assert placed[0]["y"] == np.log10(notes[0]["y"]) and (placed[0]["xref"], placed[0]["yref"]) == ("x2", "y2")
    assert F.log_axis_annotations([{"y": 0.0}], "x", "y")[0]["y"] == -300.0    # zero: the axis floor, not -inf
    assert np.all(np.isfinite(traces[0]["y"]) | np.isnan(traces[0]["y"]))


def test_gradient_norms_data(moons_run):
    _, hist, _ = moons_run
    data = F.gradient_norms_data(hist.grad_norms)
    assert len(data) == 2
    for k, trace in enumerate(data):
        np.testing.assert_allclose(trace["y"], hist.grad_norms[:, k])
    padded = F.gradient_norms_data(np.array([[1.0, 0.0], [np.inf, 2.0]]), n_traces=4)
    assert len(padded) == 4 and [t["visible"] for t in padded] == [True, True, False, False]
    assert np.isnan(padded[1]["y"][0]) and np.isnan(padded[0]["y"][1])  # zero and inf: gaps on a log axis
    with pytest.raises(ValueError, match="n_traces"):
        F.gradient_norms_data(np.ones((3, 3)), n_traces=2)


def test_optimizer_path_matches_closed_form_on_a_quadratic():
    a = np.array([1.0, 10.0])
    path = optimizer_path(lambda th: a * th, [1.0, 1.0], SGD(0.05), steps=20)
    t = np.arange(21)[:, None]
    np.testing.assert_allclose(path, (1 - 0.05 * a) ** t, rtol=1e-12)
    fast = optimizer_path(lambda th: a * th, [1.0, 1.0], SGD(0.5), steps=600)  # factor -4 per step: 4**600 overflows
    assert np.isnan(fast[-1]).all() and np.isfinite(fast[0]).all()
    heavy = optimizer_path(lambda th: a * th, [1.0, 1.0], Momentum(0.05, 0.9), steps=3)
    assert heavy.shape == (4, 2)


def test_contour_lines_are_exact_for_a_plane_and_close_for_a_circle():
    xs, ys = np.linspace(-2, 2, 41), np.linspace(-1, 1, 21)
    X, Y = np.meshgrid(xs, ys)
    plane = F.contour_lines_data(xs, ys, X + 2 * Y, [0.3, 1.1])
    ok = np.isfinite(plane["x"])
    values = plane["x"][ok] + 2 * plane["y"][ok]
    assert set(np.round(values, 12)) == {0.3, 1.1}          # linear interpolation is exact on a plane
    circle = F.contour_lines_data(xs, ys, X ** 2 + Y ** 2, [0.5])
    ok = np.isfinite(circle["x"])
    r2 = circle["x"][ok] ** 2 + circle["y"][ok] ** 2
    assert np.all(np.abs(r2 - 0.5) < 0.01) and len(r2) > 50
    assert np.isnan(circle["x"]).sum() == 1                  # one closed line: the segments are joined
    assert (circle["x"][0], circle["y"][0]) == (circle["x"][-2], circle["y"][-2])
    steps = np.hypot(np.diff(circle["x"][:-1]), np.diff(circle["y"][:-1]))
    assert steps.max() <= np.hypot(xs[1] - xs[0], ys[1] - ys[0])   # consecutive points share a grid cell
    Z = X + 2 * Y
    Z[10, 20] = np.nan                                        # edges touching NaN are skipped, no warning
    assert np.isfinite(F.contour_lines_data(xs, ys, Z, [0.0])["x"]).sum() < np.isfinite(plane["x"]).sum() + 10
    with pytest.raises(ValueError, match="shape"):
        F.contour_lines_data(xs, ys, Z.T, [0.0])


def test_contour_lines_split_a_saddle_cell_by_its_centre():
    xs = ys = np.array([0.0, 1.0])
    Z = np.array([[1.0, -1.0], [-1.0, 1.0]])                  # corners (0,0), (1,1) high: a saddle at level 0
    d = F.contour_lines_data(xs, ys, Z + 0.5, [0.0])          # centre 0.5 > 0 sides with the high corners
    segs = {tuple(np.round(s, 6)) for s in np.stack([d["x"][0::3], d["y"][0::3], d["x"][1::3], d["y"][1::3]], 1)}
    # the low corners (1, 0) and (0, 1) are cut off: x = 0.75 and y = 0.75 on their edges
    assert segs == {(0.75, 0.0, 1.0, 0.25), (0.0, 0.75, 0.25, 1.0)}


def test_loss_surface_paths():
    f = lambda u, v: 0.5 * (u ** 2 + 10 * v ** 2)  # noqa: E731
    paths = {"sgd": np.array([[1.0, 1.0], [0.5, 0.5]]), "momentum": np.array([[1.0, 1.0], [np.inf, 0.0]])}
    fig = F.loss_surface_paths(f, paths, (-2, 2), (-1, 1), resolution=21)
    contours = fig.data[0]
    assert contours.type == "scatter" and contours.mode == "lines"   # level lines, drawn as one line trace
    x, y = np.asarray(contours.x, dtype=float), np.asarray(contours.y, dtype=float)
    on_a_line = np.isfinite(x)
    assert np.isnan(x[-1]) and on_a_line[0] and not (~on_a_line[1:] & ~on_a_line[:-1]).any()  # lines, single gaps
    assert (~on_a_line).sum() < 40   # joined into a few long lines, not one line per grid cell
    values = f(x[on_a_line], y[on_a_line])
    levels = np.linspace(0.0, f(2.0, 1.0), F.CONTOUR_LEVELS + 2)[1:-1]
    nearest = levels[np.abs(values[:, None] - levels).argmin(axis=1)]
    assert np.abs(values - nearest).max() < 0.1 and set(np.round(nearest, 9)) == set(np.round(levels, 9))
    assert [t.name for t in fig.data[1:]] == ["sgd", "momentum"]
    assert np.isnan(fig.data[2].x[1])
    with pytest.raises(ValueError, match="shape"):
        F.loss_surface_data(lambda u, v: 1.0, (0, 1), (0, 1), 5)


def test_sigmoid_and_derivative_against_central_differences():
    fig = F.sigmoid_and_derivative(z0=1.5)
    z = np.asarray(fig.data[0].x)
    h = 1e-5
    central = (sigmoid(z + h) - sigmoid(z - h)) / (2 * h)
    np.testing.assert_allclose(fig.data[1].y, central, rtol=1e-7, atol=1e-12)
    tangent, point = fig.data[2], fig.data[3]
    slope = (tangent.y[1] - tangent.y[0]) / (tangent.x[1] - tangent.x[0])
    assert slope == pytest.approx(sigmoid(1.5) * (1 - sigmoid(1.5)), rel=1e-12)
    assert point.y[0] == pytest.approx(sigmoid(1.5))


def test_count_matrix_picture_and_labels_put_each_count_in_its_cell():
    from bpcore.png import decode_rgba
    import base64
    M = np.array([[5, 0, 1], [2, 10, 0]])
    picture = F.count_matrix_picture(M, "x2", "y2")
    pixels = decode_rgba(base64.b64decode(picture["source"].split(",", 1)[1]))
    cell = F.MATRIX_CELL_PIXELS
    assert pixels.shape == (2 * cell, 3 * cell, 4)
    corner = lambda i, j: tuple(pixels[i * cell, j * cell])   # noqa: E731 - the pixel of cell (i, j)
    opaque = lambda h: (int(h[1:3], 16), int(h[3:5], 16), int(h[5:7], 16), 255)   # noqa: E731 - "#rrggbb"
    assert corner(1, 1) == opaque(F.COUNT_COLOURS[-1])                   # the largest count: darkest
    assert corner(0, 1) == corner(1, 2) == opaque(F.COUNT_COLOURS[0])    # zeros: lightest
    assert picture["x"] == -0.5 and picture["y"] == 1.5 and (picture["sizex"], picture["sizey"]) == (3.0, 2.0)
    labels = F.count_matrix_labels(M)
    spots = {(x, y): t for x, y, t in zip(labels["x"], labels["y"], labels["text"])}
    assert spots[(0.0, 1.0)] == "5" and spots[(1.0, 0.0)] == "10" and spots[(0.0, 0.0)] == "2"   # row 0 on top
    assert labels["textfont"]["color"][4] == F.COUNT_TEXT_LIGHT and labels["textfont"]["color"][1] == F.COUNT_TEXT_DARK
    assert (F.count_shades(np.zeros((2, 2))) == 0).all()
