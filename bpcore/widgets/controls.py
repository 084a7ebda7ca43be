"""Controls of a live panel: a description of an ipywidgets widget, plus the values the book's static
twin precomputes (``static_values``, at most ``MAX_FRAMES_PER_CONTROL``)."""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Sequence

import numpy as np

MAX_FRAMES_PER_CONTROL = 12
SLIDER_WIDTH = "420px"


#: How a slider shows its value (a d3-format spec): 3 significant digits with no type, which d3 reads as
#: "like g, trailing zeros trimmed": 1.0 reads "1" and 0.85 "0.85", not "1.00" and "0.850" as ".3g" gives
#: in the browser. Status lines print values with Python's ".3g", which trims the same way.
READOUT_FORMAT = ".3"

@dataclass
class Control:
    """Base class: a control's current ``value``, its ``label`` and the twin's ``static_values``."""

    value: Any = None
    label: str = ""
    static_values: Sequence[Any] | None = None

    def widget(self, name: str):
        """A new ipywidgets widget for this control (``name`` is the fallback label)."""
        raise NotImplementedError

    def default_static_values(self) -> list[Any]:
        raise NotImplementedError

    def coerce(self, value: Any) -> Any:
        """The value ``update`` receives for a widget value (e.g. rounded to what the readout shows)."""
        return value

    def frame_values(self) -> list[Any]:
        """The values the static twin shows (``static_values`` or a default spread), at most 12."""
        values = list(self.static_values) if self.static_values is not None else self.default_static_values()
        if not 1 <= len(values) <= MAX_FRAMES_PER_CONTROL:
            raise ValueError(f"a static twin shows 1 to {MAX_FRAMES_PER_CONTROL} values per control, "
                             f"got {len(values)}: {values!r}")
        return values


def _check_range(lo: float, hi: float, what: str) -> None:
    if not (isinstance(lo, (int, float)) and isinstance(hi, (int, float)) and lo < hi):
        raise ValueError(f"{what} needs numbers min < max, got min={lo!r}, max={hi!r}")


@dataclass
class Slider(Control):
    """A float slider from ``min`` to ``max`` in steps of ``step`` (default: 1/50 of the range)."""

    min: float = 0.0
    max: float = 1.0
    step: float | None = None

    def __init__(self, min: float, max: float, value: float | None = None, step: float | None = None,
                 label: str = "", static_values: Sequence[float] | None = None):
        _check_range(min, max, "Slider")
        self.min, self.max, self.step = float(min), float(max), step or (max - min) / 50
        super().__init__(value=float(min if value is None else value), label=label, static_values=static_values)

    def widget(self, name: str):
        import ipywidgets as w
        return w.FloatSlider(value=self.value, min=self.min, max=self.max, step=self.step,
                             description=self.label or name, continuous_update=False,
                             readout_format=READOUT_FORMAT, style={"description_width": "initial"},
                             layout=w.Layout(width=SLIDER_WIDTH))

    def default_static_values(self) -> list[float]:
        return [float(f"{v:.3g}") for v in np.linspace(self.min, self.max, 8)]

    def coerce(self, value: float) -> float:
        return round(float(value), 10)  # 0.30000000000000004 -> 0.3


@dataclass
class LogSlider(Control):
    r"""A slider on a log scale from ``min`` to ``max`` (> 0); ``steps_per_decade`` key presses per factor 10."""

    min: float = 1e-3
    max: float = 1.0
    steps_per_decade: int = 10

    def __init__(self, min: float, max: float, value: float | None = None, label: str = "",
                 static_values: Sequence[float] | None = None, steps_per_decade: int = 10):
        _check_range(min, max, "LogSlider")
        if min <= 0:
            raise ValueError(f"LogSlider needs min > 0, got {min!r}")
        self.min, self.max, self.steps_per_decade = float(min), float(max), int(steps_per_decade)
        super().__init__(value=float(min if value is None else value), label=label, static_values=static_values)

    def widget(self, name: str):
        import ipywidgets as w
        return w.FloatLogSlider(value=self.value, base=10, min=math.log10(self.min), max=math.log10(self.max),
                                step=1 / self.steps_per_decade, description=self.label or name,
                                continuous_update=False, readout_format=READOUT_FORMAT,
                                style={"description_width": "initial"}, layout=w.Layout(width=SLIDER_WIDTH))

    def default_static_values(self) -> list[float]:
        return [float(f"{v:.2g}") for v in np.geomspace(self.min, self.max, 8)]

    def coerce(self, value: float) -> float:
        return float(f"{value:.3g}")  # what the readout shows is what is used


@dataclass
class IntSlider(Control):
    """An integer slider from ``min`` to ``max`` in steps of ``step``."""

    min: int = 0
    max: int = 10
    step: int = 1

    def __init__(self, min: int, max: int, value: int | None = None, step: int = 1, label: str = "",
                 static_values: Sequence[int] | None = None):
        _check_range(min, max, "IntSlider")
        self.min, self.max, self.step = int(min), int(max), int(step)
        super().__init__(value=int(min if value is None else value), label=label, static_values=static_values)

    def widget(self, name: str):
        import ipywidgets as w
        return w.IntSlider(value=self.value, min=self.min, max=self.max, step=self.step,
                           description=self.label or name, continuous_update=False,
                           style={"description_width": "initial"}, layout=w.Layout(width=SLIDER_WIDTH))

    def default_static_values(self) -> list[int]:
        values = np.unique(np.linspace(self.min, self.max, 8).round().astype(int))
        return [int(v) for v in values]


@dataclass
class Dropdown(Control):
    """A choice among ``options`` (strings or numbers)."""

    options: Sequence[Any] = ()

    def __init__(self, options: Sequence[Any], value: Any = None, label: str = "",
                 static_values: Sequence[Any] | None = None):
        if isinstance(options, str) or len(options) == 0:
            raise ValueError(f"Dropdown needs a non-empty list of options, got {options!r}")
        self.options = list(options)
        value = self.options[0] if value is None else value
        if value not in self.options:
            raise ValueError(f"Dropdown value {value!r} is not one of its options {self.options!r}")
        super().__init__(value=value, label=label, static_values=static_values)

    def widget(self, name: str):
        import ipywidgets as w
        return w.Dropdown(options=self.options, value=self.value, description=self.label or name,
                          style={"description_width": "initial"})

    def default_static_values(self) -> list[Any]:
        return list(self.options[:MAX_FRAMES_PER_CONTROL])


@dataclass
class Checkbox(Control):
    """An on/off switch."""

    def __init__(self, value: bool = False, label: str = "", static_values: Sequence[bool] | None = None):
        super().__init__(value=bool(value), label=label, static_values=static_values)

    def widget(self, name: str):
        import ipywidgets as w
        return w.Checkbox(value=self.value, description=self.label or name, indent=False)

    def default_static_values(self) -> list[bool]:
        return [False, True]
