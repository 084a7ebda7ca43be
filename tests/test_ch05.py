"""Chapter 5: the helpers of bpcore.lessons.ch05 (shape table, error-signal panel)."""
from __future__ import annotations

import numpy as np
import pytest

import bpcore
from bpcore.lessons import ch05

pytestmark = pytest.mark.ch05


def test_shape_table_lists_every_layer_with_its_shapes():
    X, y = bpcore.datasets.moons(8, noise=0.2, seed=0)
    net = bpcore.Network([2, 4, 3, 1], seed=0)
    lines = ch05.shape_table(net.trace(X, y)).splitlines()
    assert len(lines) == 1 + 3
    assert lines[1].split() == ["1", "(8,2)", "(8,4)", "(8,4)", "(8,4)", "(2,4)", "(4,)"]
    assert lines[3].split() == ["3", "(8,3)", "(8,1)", "(8,1)", "(8,1)", "(3,1)", "(1,)"]


def test_delta_run_records_one_delta_size_per_layer_and_is_reproducible():
    net, hist = ch05.delta_run("sigmoid", 2, 1.0, epochs=20)
    assert hist.delta_norms.shape == (20, 3)
    _, again = ch05.delta_run("sigmoid", 2, 1.0, epochs=20)
    assert np.array_equal(hist.delta_norms, again.delta_norms)


def test_sigmoid_deltas_shrink_towards_the_input_at_the_start():
    """The chapter's claim: at initialisation each sigmoid layer's rms delta is smaller than the next one's."""
    _, hist = ch05.delta_run("sigmoid", 4, 1.0, epochs=1)
    first = hist.delta_norms[0]
    assert np.all(np.diff(first) > 0)


@pytest.mark.parametrize("activation, depth, lr", [("sigmoid", 1, 0.03), ("tanh", ch05.MAX_HIDDEN, 10.0)])
def test_delta_update_keeps_a_fixed_number_of_traces(activation, depth, lr):
    out = ch05.delta_update(activation, depth, lr, resolution=10)
    assert len(out["traces"]) == len(ch05.delta_figure().data) == 2 + ch05.MAX_HIDDEN + 1
    visible = [t for t in out["traces"][2:] if t.get("visible")]
    assert len(visible) == depth + 1
    assert visible[-1]["name"].endswith("(output)")
    assert activation in out["status"]


def test_delta_update_trains_the_panel_epochs_and_draws_the_boundary_as_a_picture():
    out = ch05.delta_update("sigmoid", 2, 1.0)
    assert len(out["traces"][1]["y"]) == ch05.PANEL_EPOCHS
    assert f"{ch05.PANEL_EPOCHS} epochs" in out["status"]
    (image,) = out["layout"]["images"]
    assert image["source"].startswith("data:image/png;base64,")
    assert [out["layout"]["xaxis.range"], out["layout"]["yaxis.range"]] == list(bpcore.figures.image_extent(image))
    assert out["layout"]["xaxis2.range"] == out["layout"]["xaxis3.range"] == [1, ch05.PANEL_EPOCHS]


def test_moons_data_is_the_chapters_data_set_and_cannot_be_changed_by_a_caller():
    X, y = ch05.moons_data()
    assert X.shape == (ch05.N_POINTS, 2) and y.shape == (ch05.N_POINTS,)
    X[0] = 99.0
    assert ch05.moons_data()[0][0, 0] != 99.0


def test_a_usual_step_is_drawn_without_replotting():
    """Log axes span whole decades and at least the default spans, so switching the activation (the
    first control) changes only curves and the boundary picture."""
    p = ch05.delta_panel()
    p.widget
    before = dict(p.redraws)
    p.set(activation="tanh")
    p.set(lr=1.26)
    assert p.error is None
    assert p.redraws["free"] - before["free"] == 2 and p.redraws["full"] == before["full"]


def test_the_panel_builds_its_static_twin():
    twin = ch05.delta_panel().static_figure()
    assert len(twin.frames) == 2 * ch05.MAX_HIDDEN
    assert all("<sub>error:" not in frame.layout.title.text for frame in twin.frames)
    assert all(len(frame.layout.images) == 1 for frame in twin.frames)
