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
import contextvars
import functools
import html
import inspect
import io
import re
import textwrap
import typing
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import matplotlib
import numpy as np
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.layout_engine import ConstrainedLayoutEngine
from matplotlib.text import Text
from PIL import Image

from ..style import GREY, house_style, narrow_wanted, talk_mode
from ..units import HOUR, WEEK

KINDS = ("dropdown", "slider", "toggle", "radio")
LAST = "last"  # Vary(start=LAST): a control starts at its last option


@dataclass(frozen=True)
class Within:
    """The numbers a parameter takes: from ``low`` to ``high`` in ``unit`` (the chart's axis), written by ``show``."""

    low: float
    high: float
    unit: str
    show: Callable[[float], str] = str
    example: str = "1"

    def problem(self, value: Any) -> str | None:
        """Why ``value`` cannot be drawn, in a learner's words (None if it can)."""
        if isinstance(value, bool) or not isinstance(value, int | float) or not np.isfinite(value):
            return f"takes a number of {self.unit}, like {self.example}; {value!r} is not a number"
        if not self.low <= value <= self.high:
            return (f"{value!r} {self.unit} is outside the chart's axis, which runs from {self.show(self.low)} to "
                    f"{self.show(self.high)}")
        return None


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
    within: Within | None = None

    def __post_init__(self):
        if self.kind not in KINDS:
            raise ValueError(f"control kind must be one of {', '.join(KINDS)}, not {self.kind!r}")

    @property
    def description(self) -> str:
        return f"{self.wording} ({self.unit})" if self.unit else self.wording

    def problem(self, value: Any) -> str | None:
        """Why ``value`` is not a value of this parameter, in a learner's words (None if it is)."""
        if isinstance(self.label, Mapping) and not _hashable_in(value, self.label):
            return f"{value!r} is not one of its values: choose from {', '.join(repr(k) for k in self.label)}"
        return self.within.problem(value) if self.within is not None else None

    def label_of(self, value: Any, data: Any = None) -> str:
        """The words for ``value`` on the control; a label function of two parameters also gets the data set."""
        if isinstance(self.label, Mapping):
            return self.label[value]
        if self.label is None:
            return str(value)
        takes_data = len(inspect.signature(self.label).parameters) == 2
        return self.label(value, data) if takes_data else self.label(value)


def _hashable_in(value: Any, mapping: Mapping) -> bool:
    try:
        return value in mapping
    except TypeError:  # a list or dict given as one value
        return False


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


def check_value(chart_name: str, name: str, controls: Mapping[str, tuple[Vary, Any]], value: Any) -> None:
    """Refuse a value of a declared parameter that the chart cannot draw, with one line a learner can act on."""
    if name in controls and value is not None:
        problem = controls[name][0].problem(value)
        if problem:
            raise ValueError(f"{chart_name}: {name} {problem}")


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
            for name, given in kwargs.items():
                check_value(draw.__name__, name, controls, given)
            value = kwargs.pop(marker_name, None) if marker_name else None
            drawn = draw(data, **kwargs)
            if not drawn.talk and not is_narrow() and narrow_wanted():  # slides are never narrow; pages get both layouts
                with narrow_layout():
                    drawn.narrow = draw(data, **kwargs)
            if value is not None:
                drawn.mark(marker, value)
            return drawn

        plot.spec = ChartSpec(draw, title, controls, marker, marker_name)
        return plot

    return decorate


#: Screens up to this width show each chart's narrow layout (see :func:`narrow_layout`): phones, tablets held upright
#: and narrow windows (site.css puts each control's label above it up to the same width). From 900 px the wide chart
#: is shown over 800 px wide, so its smallest text (10 pt) is 11 px or more, as the narrow layout's is on a 390 px phone.
NARROW_MEDIA = "screen and (max-width: 899px)"
#: The ``<source>`` that :meth:`Frame.html` writes for the narrow layout, as a regular expression (exports match it).
NARROW_SOURCE = (rf'<source media="{re.escape(NARROW_MEDIA)}" srcset="data:image/png;base64,[A-Za-z0-9+/=]+"'
                 r'(?: data-[a-z-]+="[^"<>]*")*>')


@dataclass
class Frame:
    """One finished image: PNG bytes, alt text, where its axes lie (see :meth:`Chart.geometry`) and its smallest text
    in image pixels; optionally the same frame in the narrow layout, which the browser shows on narrow pages."""

    png: bytes
    alt: str
    geometry: dict[str, str]
    text_px: float = 0.0
    narrow: Frame | None = None

    def attributes(self) -> str:
        found = {**self.geometry, "text-px": f"{self.text_px:.1f}"} if self.text_px else self.geometry
        return "".join(f' data-{key}="{html.escape(value)}"' for key, value in found.items())

    def src(self) -> str:
        return "data:image/png;base64," + base64.b64encode(self.png).decode("ascii")

    def html(self) -> str:
        """An ``<img>``; with a narrow layout, a ``<picture>`` whose ``<source>`` the browser takes on narrow pages."""
        image = f'<img src="{self.src()}" alt="{html.escape(self.alt)}"{self.attributes()} style="max-width:100%;height:auto">'
        if self.narrow is None:
            return image
        source = f'<source media="{NARROW_MEDIA}" srcset="{self.narrow.src()}"{self.narrow.attributes()}>'
        return f'<picture style="display:block">{source}{image}</picture>'


@dataclass
class Chart:
    """A drawn figure with its alt text; shows as an ``<img>`` with ``alt`` in Jupyter and in exported HTML (on a page, in a
    ``<picture>`` with its narrow layout for narrow screens).

    ``parts`` holds what a marker needs from the drawing (the axes, the curves, the legend), computed once.
    """

    figure: Figure
    alt: str
    parts: dict[str, Any] = field(default_factory=dict)
    talk: bool = False
    narrow: Chart | None = None  # the same chart in the narrow layout, for narrow pages (see :func:`narrow_layout`)
    in_narrow_layout: bool = field(default_factory=lambda: is_narrow())  # drawn in the narrow layout (marks are too)
    _frame: Frame | None = None
    _geometry: dict[str, str] | None = None

    def __post_init__(self):
        settle(self.figure)

    def mark(self, marker: Callable[[Chart, Any], str], value: Any) -> None:
        """Draw ``marker`` at ``value`` on this chart, in the same image; its sentence joins the alt text."""
        with self._drawing():
            self.alt = f"{self.alt} {marker(self, value)}"
        if self.narrow is not None:
            self.narrow.mark(marker, value)
        self._frame = self._geometry = None

    def layer(self, marker: Callable[[Chart, Any], str], value: Any) -> Frame:
        """The mark at ``value`` alone, as a transparent image of this very figure (so it lies exactly over it).

        Everything drawn before is hidden while the layer is rendered; what the marker drew is removed afterwards,
        so the chart can take the next mark.
        """
        geometry = self.geometry()  # the chart's own (drawn before anything is hidden); the layer shares it
        before = set(_artists(self.figure))
        with self._drawing():
            alt = marker(self, value)
        added = [a for a in _artists(self.figure) if a not in before]
        shown = [a for a in before if a.get_visible()]
        for artist in shown:
            artist.set_visible(False)
        try:
            frame = Frame(_png(self.figure, transparent=True), alt, geometry, _smallest_text_px(self.figure, added))
        finally:
            for artist in shown:
                artist.set_visible(True)
            for artist in added:
                artist.remove()
        if self.narrow is not None:  # the same mark on the narrow layout, so both lie over their own chart
            frame.narrow = self.narrow.layer(marker, value)
        return frame

    @contextmanager
    def _drawing(self) -> Iterator[None]:
        """The style and layout this chart was drawn in, for drawing a mark on it."""
        with house_style(self.talk):
            if self.in_narrow_layout:
                with narrow_layout():
                    yield
            else:
                yield

    def frame(self) -> Frame:
        if self._frame is None:
            png = _png(self.figure)  # drawn: the axes' extents are final, no second layout pass is needed
            self._geometry = self._geometry or self._measure()
            narrow = self.narrow.frame() if self.narrow is not None else None
            self._frame = Frame(png, self.alt, self._geometry, _smallest_text_px(self.figure, _artists(self.figure)), narrow)
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
            "title-pt": f"{(ax.title if ax.get_title() else self.figure._suptitle or ax.title).get_fontsize():g}",
        }

    def _repr_mimebundle_(self, include=None, exclude=None):
        return {"text/html": self.html(), "text/plain": self.alt}, {"text/html": {"alt": self.alt}}


def _artists(figure: Figure) -> list:
    """Everything drawn on ``figure``: its own artists and the children of each of its axes (not the axes themselves)."""
    found = []
    for child in figure.get_children():
        found.extend(child.get_children() if isinstance(child, Axes) else [child])
    return found


def _smallest_text_px(figure: Figure, artists: Iterable) -> float:
    """The type size, in image pixels, of the smallest visible text among ``artists`` and their children."""
    sizes = [t.get_fontsize() for a in artists for t in a.findobj(Text)
             if t.get_visible() and t.get_text().strip() and a.get_visible()]
    return min(sizes, default=0.0) * figure.dpi / 72


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


#: The narrow layout: a figure this wide (inches) shown 356 px wide on a 390 px phone, so that 1 pt of type is about
#: 1.18 px there; drawn at a higher resolution than the page's charts, for the sharp screens of phones.
NARROW_WIDTH, NARROW_DPI = 4.2, 135
_NARROW = contextvars.ContextVar("narrow_layout", default=False)


@contextmanager
def narrow_layout() -> Iterator[None]:
    """Draw charts in their narrow layout while inside: one column, legends below the axes, long text wrapped.

    A chart function asks :func:`is_narrow` (or :func:`pick`) where its wide layout and its narrow one differ; its
    figure from :func:`new_figure` is then laid out by matplotlib's constrained layout, run once and kept
    (:func:`settle`), so that a mark drawn later as a layer lies over the very same axes.
    """
    token = _NARROW.set(True)
    try:
        yield
    finally:
        _NARROW.reset(token)


def is_narrow() -> bool:
    return _NARROW.get()


def pick(wide, narrow):
    """``narrow`` while drawing the narrow layout, else ``wide``."""
    return narrow if is_narrow() else wide


def wrap(text: str, chars: int) -> str:
    """``text`` in lines of at most ``chars`` characters in the narrow layout; unchanged in the wide one."""
    return textwrap.fill(text, chars, break_on_hyphens=False) if is_narrow() else text


def new_figure(width: float = 10.0, height: float = 5.8, talk_scale: float = TALK_SCALE,
               narrow_height: float | None = None) -> Figure:
    """A figure of the house size (inches on the page); call inside :func:`~ketamine_explainer.style.house_style`.

    In the narrow layout it is :data:`NARROW_WIDTH` wide and ``narrow_height`` high, laid out by constrained layout.
    """
    if is_narrow():
        figure = Figure(figsize=(NARROW_WIDTH, narrow_height or height), dpi=NARROW_DPI, layout="constrained")
        figure.get_layout_engine().set(w_pad=3 / 72, h_pad=3 / 72)
    else:
        if is_talk():
            width, height = width * talk_scale, height * talk_scale
        figure = Figure(figsize=(width, height))
    FigureCanvasAgg(figure)
    return figure


def title(ax: Axes, text: str) -> None:
    """The chart's title, bold, from the left edge of the axes; in the narrow layout from the image's edge, wrapped."""
    if is_narrow():
        ax.figure.suptitle(wrap(text, 30), x=0.02, ha="left", fontsize=matplotlib.rcParams["axes.titlesize"],
                           fontweight="bold")
    else:
        ax.set_title(text)


def keep_inside(text: Text, ax: Axes) -> None:
    """Shift ``text`` (an annotation placed in offset points) sideways as far as needed to lie within the axes, its
    box (if it has one) clear of the axis lines by two pixels."""
    renderer = ax.figure.canvas.get_renderer()
    text.draw(renderer)  # places the box round the text
    patch = text.get_bbox_patch()
    box = ax.get_window_extent(renderer)
    extent = patch.get_window_extent(renderer) if patch is not None else text.get_window_extent(renderer)
    shift = max(box.x0 + 2 - extent.x0, 0) + min(box.x1 - 2 - extent.x1, 0)  # pixels
    if shift:
        dx, dy = text.xyann
        text.xyann = (dx + shift * 72 / ax.figure.dpi, dy)


def main_axes(figure: Figure, rect: tuple[float, float, float, float]) -> Axes:
    """The chart's axes: at ``rect`` (figure fractions) in the wide layout, placed by constrained layout in the narrow."""
    return figure.add_subplot() if is_narrow() else figure.add_axes(rect)


def settle(figure: Figure) -> None:
    """Run a constrained layout once and keep it: nothing moves when marks are drawn or parts hidden afterwards."""
    engine = figure.get_layout_engine()
    if isinstance(engine, ConstrainedLayoutEngine):
        figure.draw_without_rendering()
        figure.set_layout_engine("none")
        bottom = engine.get()["rect"][1]  # room kept for a footnote: legends below the axes sit just above it
        for legend in figure.legends:
            if bottom > 0 and legend._outside_loc == "lower":  # placed at the figure's foot, not in the layout's rect
                legend.set_bbox_to_anchor((0, bottom, 1, 1 - bottom), transform=figure.transFigure)


def resolve_talk(talk: bool | None) -> bool:
    return talk_mode() if talk is None else talk


def footnote(figure: Figure, text: str) -> None:
    """A note printed inside the image, so it travels with the chart into slides and previews.

    In the narrow layout it is wrapped, and the constrained layout keeps its lines clear of the axes and legends.
    """
    text = wrap(text, 54)
    note = figure.text(0.01, 0.012, text, fontsize="small", style="italic", color=GREY, va="bottom", ha="left")
    engine = figure.get_layout_engine()
    if isinstance(engine, ConstrainedLayoutEngine):
        height = (text.count("\n") + 1) * note.get_fontsize() * 1.25 / 72 + 0.08  # inches
        share = height / figure.get_figheight()
        engine.set(rect=(0, share, 1, 1 - share))


def is_talk() -> bool:
    """True while drawing in talk mode (inside ``house_style(talk=True)``)."""
    return matplotlib.rcParams["font.size"] > 12


LOG_TICKS = [HOUR, 4 * HOUR, 1, 3, WEEK, 2 * WEEK, 4 * WEEK, 8 * WEEK, 16 * WEEK]
LOG_TICK_LABELS = ["1 h", "4 h", "1 d", "3 d", "1 wk", "2 wk", "4 wk", "8 wk", "16 wk"]
NARROW_LOG_TICKS = [HOUR, 4 * HOUR, 1, WEEK, 4 * WEEK, 16 * WEEK]  # labels a narrow axis has room for


def time_axis(ax, scale: str, end_days: float, sparse: bool = False) -> None:
    """The shared time axis in days since the first dose: logarithmic (hours to months) or linear (weeks).

    ``sparse``: the fewer log-axis labels and the shorter title of the narrow layout, for a short axis in large type."""
    if scale == "log":
        ax.set_xscale("log")
        ax.set_xlim(HOUR, end_days)
        ticks = [t for t in LOG_TICKS if t <= end_days and (t in NARROW_LOG_TICKS or not (is_narrow() or sparse))]
        ax.set_xticks(ticks, [LOG_TICK_LABELS[LOG_TICKS.index(t)] for t in ticks])
        ax.minorticks_off()
        ax.tick_params(axis="x", pad=6)  # "1 h" at the corner stays clear of the y axis's lowest label
        ax.set_xlabel("Time since the first dose (log scale)" if is_narrow() or sparse
                      else "Time since the first dose or session (logarithmic scale)")
    elif scale == "linear":
        ax.set_xlim(0, end_days)
        step = (2 * WEEK if end_days > 6 * WEEK else WEEK) * pick(1, 2 if end_days > 6 * WEEK else 1)
        ticks = np.arange(0, end_days + 1e-9, step)
        ax.set_xticks(ticks, [f"{t / WEEK:g}" for t in ticks])
        ax.set_xlabel("Weeks since the first dose or session")
    else:
        raise ValueError(f"scale must be 'log' or 'linear', not {scale!r}")


def time_line(ax: Axes, x: float, pad_px: float = 3.0, **style) -> list:
    """A vertical line at ``x`` across the axes that stops short of every label it would otherwise cross: one
    segment per gap between the texts (and annotations) already drawn in the axes at that ``x``. Returns the segments."""
    renderer = ax.figure.canvas.get_renderer()
    box = ax.get_window_extent(renderer)
    at = ax.transData.transform((x, 0))[0]
    blocked = []
    for text in ax.texts:
        if not text.get_visible() or not text.get_text().strip():
            continue
        extent = text.get_window_extent(renderer)
        patch = text.get_bbox_patch()
        if patch is not None:
            text.draw(renderer)
            extent = patch.get_window_extent(renderer)
        if extent.x0 - pad_px <= at <= extent.x1 + pad_px:
            blocked.append(((extent.y0 - pad_px - box.y0) / box.height, (extent.y1 + pad_px - box.y0) / box.height))
    segments, start = [], 0.0
    for low, high in sorted(blocked):
        if low > start:
            segments.append(ax.axvline(x, ymin=start, ymax=min(low, 1.0), **style))
        start = max(start, high)
    if start < 1.0:
        segments.append(ax.axvline(x, ymin=start, ymax=1.0, **style))
    return segments


def spread(wanted: list[float], gap: float, low: float, high: float) -> list[float]:
    """Positions as close as possible to ``wanted`` (any order, any units) that keep at least ``gap`` apart and lie
    within ``low``..``high``: labels at the ends of lines, moved apart just enough not to overlap. Touching labels form
    a cluster centred on what its members wanted (pool adjacent violators)."""
    order = sorted(range(len(wanted)), key=lambda k: wanted[k])
    clusters: list[tuple[list[int], float]] = []  # (members in order, position of the first)

    def place(members: list[int]) -> float:
        first = float(np.mean([wanted[m] - i * gap for i, m in enumerate(members)]))
        return min(max(first, low), high - (len(members) - 1) * gap)

    for k in order:
        clusters.append(([k], place([k])))
        while len(clusters) > 1 and clusters[-2][1] + len(clusters[-2][0]) * gap > clusters[-1][1] + 1e-9:
            members = clusters[-2][0] + clusters.pop()[0]
            clusters[-1] = (members, place(members))
    result = [0.0] * len(wanted)
    for members, first in clusters:
        for i, m in enumerate(members):
            result[m] = first + i * gap
    return result


def note_beside(ax: Axes, x: float, y: float, texts: tuple[str, ...], prefer_right: bool = True, gap_pt: float = 4,
                dy_pt: float = 0, **style) -> Text:
    """A note beside a vertical line at data ``x`` (anchored at ``y``): the first of ``texts`` (a long wording, then
    shorter or wrapped ones) that fits whole inside the axes on one side of the line, the preferred side first, so it
    never lies across the line. If none fits, the last wording on the roomier side, shifted inside the axes."""
    renderer = ax.figure.canvas.get_renderer()
    box = ax.get_window_extent(renderer)
    at = ax.transData.transform((x, y))[0]
    sides = (1, -1) if prefer_right else (-1, 1)

    def put(text: str, side: int) -> Text:
        return ax.annotate(text, (x, y), xytext=(side * gap_pt, dy_pt), textcoords="offset points",
                           ha="left" if side > 0 else "right", **style)

    for text in texts:
        for side in sides:
            note = put(text, side)
            note.draw(renderer)
            patch = note.get_bbox_patch()
            extent = (patch or note).get_window_extent(renderer)
            if extent.x0 >= box.x0 + 2 and extent.x1 <= box.x1 - 2:
                return note
            note.remove()
    note = put(texts[-1], 1 if box.x1 - at > at - box.x0 else -1)
    keep_inside(note, ax)
    return note
