"""The figure kit every chart is drawn with: the :class:`Chart` it returns, how its parameters read as controls
(:class:`Vary`), its time marker drawn as a separate layer, house figure sizes and time axes, and PNG output.

A chart is a function ``plot_x(data, **parameters) -> Chart`` decorated with :func:`chart`. A parameter a learner may
vary says so next to itself, with ``Annotated[type, Vary("wording", "unit", kind, label)]``. A chart whose time control
only moves a mark declares a *marker*: a function ``mark(chart, value) -> str`` that draws the mark on the chart and
returns the sentence it adds to the alt text. ``plot_x(data, ..., at_days=7)`` draws chart and mark in one image;
:func:`ketamine_explainer.explore` draws the chart once per combination of the other controls and each mark as a
transparent layer of the same figure (:meth:`Chart.layer`), so the layers line up by construction.
"""

from __future__ import annotations

import base64
import functools
import html
import inspect
import io
import typing
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import matplotlib
import numpy as np
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from PIL import Image

from ..style import GREY, house_style, talk_mode
from ..units import HOUR, WEEK

KINDS = ("dropdown", "slider", "toggle", "radio")
LAST = "last"  # Vary(start=LAST): a control starts at its last option


@dataclass(frozen=True)
class Vary:
    """How a chart parameter reads as a control: what it sets and in which unit, the kind of control, how each value
    is written on it (a mapping, or a function of the value; ``str`` by default) and which value is shown first
    (``start``; otherwise the parameter's default, if it is among the options, or the first option)."""

    wording: str
    unit: str = ""
    kind: str = "dropdown"
    label: Mapping[Any, str] | Callable[[Any], str] | None = None
    start: Any = None

    def __post_init__(self):
        if self.kind not in KINDS:
            raise ValueError(f"control kind must be one of {', '.join(KINDS)}, not {self.kind!r}")

    @property
    def description(self) -> str:
        return f"{self.wording} ({self.unit})" if self.unit else self.wording

    def label_of(self, value: Any, data: Any = None) -> str:
        """The words for ``value`` on the control; a label function of two parameters also gets the data set."""
        if isinstance(self.label, Mapping):
            return self.label[value]
        if self.label is None:
            return str(value)
        takes_data = len(inspect.signature(self.label).parameters) == 2
        return self.label(value, data) if takes_data else self.label(value)


@dataclass
class ChartSpec:
    """What :func:`chart` learned from a chart function: its controls, its marker (if any) and its title."""

    draw: Callable[..., Chart]
    title: str
    controls: dict[str, tuple[Vary, Any]]  # parameter name -> (its Vary, its default)
    marker: Callable[[Chart, Any], str] | None = None
    marker_name: str | None = None


def _varies(function: Callable, skip: int) -> dict[str, tuple[Vary, Any]]:
    """The ``Annotated[..., Vary(...)]`` parameters of ``function`` (after its first ``skip`` ones), with defaults."""
    hints = typing.get_type_hints(function, include_extras=True)
    found = {}
    for name, parameter in list(inspect.signature(function).parameters.items())[skip:]:
        vary = next((m for m in getattr(hints.get(name), "__metadata__", ()) if isinstance(m, Vary)), None)
        if vary is not None:
            found[name] = (vary, parameter.default)
    return found


def chart(title: str, marker: Callable[[Chart, Any], str] | None = None):
    """Declare a chart function: its title (shown over its controls) and, optionally, its marker function."""

    def decorate(draw: Callable[..., Chart]):
        controls = _varies(draw, skip=1)
        marker_name = None
        if marker is not None:
            ((marker_name, declared),) = _varies(marker, skip=1).items()  # a marker varies exactly one thing
            controls[marker_name] = declared

        @functools.wraps(draw)
        def plot(data, *args, **kwargs) -> Chart:
            if args:  # a positional 80 would silently become another parameter
                names = [*list(inspect.signature(draw).parameters)[1:], *([marker_name] if marker_name else [])]
                raise TypeError(f"{draw.__name__} takes its options by name ({', '.join(names)}), after the data")
            value = kwargs.pop(marker_name, None) if marker_name else None
            drawn = draw(data, **kwargs)
            if value is not None:
                drawn.mark(marker, value)
            return drawn

        plot.spec = ChartSpec(draw, title, controls, marker, marker_name)
        return plot

    return decorate


@dataclass
class Frame:
    """One finished image: PNG bytes, alt text and where its axes lie (see :meth:`Chart.geometry`)."""

    png: bytes
    alt: str
    geometry: dict[str, str]

    def html(self) -> str:
        data = base64.b64encode(self.png).decode("ascii")
        attributes = "".join(f' data-{key}="{html.escape(value)}"' for key, value in self.geometry.items())
        return (f'<img src="data:image/png;base64,{data}" alt="{html.escape(self.alt)}"{attributes} '
                'style="max-width:100%;height:auto">')


@dataclass
class Chart:
    """A drawn figure with its alt text; shows as an ``<img>`` with ``alt`` in Jupyter and in exported HTML.

    ``parts`` holds what a marker needs from the drawing (the axes, the curves, the legend), computed once.
    """

    figure: Figure
    alt: str
    parts: dict[str, Any] = field(default_factory=dict)
    talk: bool = False
    _frame: Frame | None = None
    _geometry: dict[str, str] | None = None

    def mark(self, marker: Callable[[Chart, Any], str], value: Any) -> None:
        """Draw ``marker`` at ``value`` on this chart, in the same image; its sentence joins the alt text."""
        with house_style(self.talk):
            self.alt = f"{self.alt} {marker(self, value)}"
        self._frame = self._geometry = None

    def layer(self, marker: Callable[[Chart, Any], str], value: Any) -> Frame:
        """The mark at ``value`` alone, as a transparent image of this very figure (so it lies exactly over it).

        Everything drawn before is hidden while the layer is rendered; what the marker drew is removed afterwards,
        so the chart can take the next mark.
        """
        geometry = self.geometry()  # the chart's own (drawn before anything is hidden); the layer shares it
        before = set(_artists(self.figure))
        with house_style(self.talk):
            alt = marker(self, value)
        added = [a for a in _artists(self.figure) if a not in before]
        shown = [a for a in before if a.get_visible()]
        for artist in shown:
            artist.set_visible(False)
        try:
            frame = Frame(_png(self.figure, transparent=True), alt, geometry)
        finally:
            for artist in shown:
                artist.set_visible(True)
            for artist in added:
                artist.remove()
        return frame

    def frame(self) -> Frame:
        if self._frame is None:
            png = _png(self.figure)  # drawn: the axes' extents are final, no second layout pass is needed
            self._geometry = self._geometry or self._measure()
            self._frame = Frame(png, self.alt, self._geometry)
        return self._frame

    def png(self) -> bytes:
        """PNG bytes on white, quantized to 64 colours (small, and identical on every run)."""
        return self.frame().png

    def html(self) -> str:
        return self.frame().html()

    def geometry(self) -> dict[str, str]:
        """Where the main axes lie in the PNG and what they show, as ``data-`` attributes of the ``<img>``.

        ``axes``: left, top, right and bottom edges in image pixels from the top left; ``xlim`` and ``xscale``: the
        time axis; ``title-pt``: the title's type size in points (larger in talk mode). Tests use these to check that
        a time mark lies at its time and that a layer lies exactly over its chart.
        """
        if self._geometry is None:
            self.figure.draw_without_rendering()
            self._geometry = self._measure()
        return self._geometry

    def _measure(self) -> dict[str, str]:
        """The geometry of a figure that has been laid out or drawn."""
        ax = self.figure.axes[0]
        height = self.figure.bbox.height
        box = ax.get_window_extent()
        return {
            "axes": " ".join(f"{v:.2f}" for v in (box.x0, height - box.y1, box.x1, height - box.y0)),
            "xlim": " ".join(f"{v:.6g}" for v in ax.get_xlim()),
            "xscale": ax.get_xscale(),
            "title-pt": f"{ax.title.get_fontsize():g}",
        }

    def _repr_mimebundle_(self, include=None, exclude=None):
        return {"text/html": self.html(), "text/plain": self.alt}, {"text/html": {"alt": self.alt}}


def _artists(figure: Figure) -> list:
    """Everything drawn on ``figure``: its own artists and the children of each of its axes (not the axes themselves)."""
    found = []
    for child in figure.get_children():
        found.extend(child.get_children() if isinstance(child, Axes) else [child])
    return found


def _png(figure: Figure, transparent: bool = False) -> bytes:
    """The figure straight from the Agg buffer, quantized to 64 colours by a fast octree (identical on every run)."""
    canvas = figure.canvas
    canvas.draw()
    rgba = np.asarray(canvas.buffer_rgba())
    image = Image.fromarray(rgba if transparent else rgba[..., :3])
    image = image.quantize(colors=64, method=Image.Quantize.FASTOCTREE, dither=Image.Dither.NONE)
    if not transparent:
        _keep_background_white(image)
    out = io.BytesIO()
    image.save(out, format="png", optimize=True)
    return out.getvalue()


def _keep_background_white(image: Image.Image) -> None:
    """The octree palette averages white to (254, 254, 254); put the background colour back to pure white."""
    background = max(image.getcolors(), key=lambda pair: pair[0])[1]
    palette = image.getpalette()
    if min(palette[3 * background: 3 * background + 3]) >= 240:
        palette[3 * background: 3 * background + 3] = [255, 255, 255]
        image.putpalette(palette)


#: In talk mode a figure is this much larger (in inches, so in pixels too) than its size on the page: the type is
#: still clearly larger relative to the chart (about 1.2 times), and every label, legend and note fits inside the
#: image (tests/test_charts.py measures every text of every frame). Charts whose labels are long sentences on a
#: fixed axis use WIDE_TALK_SCALE. Layouts are in figure fractions, so both modes share them.
TALK_SCALE, WIDE_TALK_SCALE = 1.15, 1.3


def new_figure(width: float = 10.0, height: float = 5.8, talk_scale: float = TALK_SCALE) -> Figure:
    """A figure of the house size (inches on the page); call inside :func:`~ketamine_explainer.style.house_style`."""
    if is_talk():
        width, height = width * talk_scale, height * talk_scale
    figure = Figure(figsize=(width, height))
    FigureCanvasAgg(figure)
    return figure


def resolve_talk(talk: bool | None) -> bool:
    return talk_mode() if talk is None else talk


def footnote(figure: Figure, text: str) -> None:
    """A note printed inside the image, so it travels with the chart into slides and previews."""
    figure.text(0.01, 0.012, text, fontsize="small", style="italic", color=GREY, va="bottom", ha="left")


def is_talk() -> bool:
    """True while drawing in talk mode (inside ``house_style(talk=True)``)."""
    return matplotlib.rcParams["font.size"] > 12


LOG_TICKS = [HOUR, 4 * HOUR, 1, 3, WEEK, 2 * WEEK, 4 * WEEK, 8 * WEEK, 16 * WEEK]
LOG_TICK_LABELS = ["1 h", "4 h", "1 d", "3 d", "1 wk", "2 wk", "4 wk", "8 wk", "16 wk"]


def time_axis(ax, scale: str, end_days: float) -> None:
    """The shared time axis in days since the first dose: logarithmic (hours to months) or linear (weeks)."""
    if scale == "log":
        ax.set_xscale("log")
        ax.set_xlim(HOUR, end_days)
        ticks = [t for t in LOG_TICKS if t <= end_days]
        ax.set_xticks(ticks, LOG_TICK_LABELS[: len(ticks)])
        ax.minorticks_off()
        ax.set_xlabel("Time since the first dose or session (logarithmic scale)")
    elif scale == "linear":
        ax.set_xlim(0, end_days)
        step = 2 * WEEK if end_days > 6 * WEEK else WEEK
        ticks = np.arange(0, end_days + 1e-9, step)
        ax.set_xticks(ticks, [f"{t / WEEK:g}" for t in ticks])
        ax.set_xlabel("Weeks since the first dose or session")
    else:
        raise ValueError(f"scale must be 'log' or 'linear', not {scale!r}")
