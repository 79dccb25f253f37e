"""One function per chart. Each returns a :class:`Chart`: the figure plus alt text saying what it shows."""

from __future__ import annotations

import base64
import html
import io
from dataclasses import dataclass

import matplotlib
import matplotlib.colors
import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from PIL import Image

from . import models
from .data import Dataset
from .style import GREY, OKABE_ITO, TREATMENT_STYLE, house_style, talk_mode

HOUR = 1 / 24
WEEK = 7.0


@dataclass
class Chart:
    """A rendered figure with its alt text; shows as an ``<img>`` with ``alt`` in Jupyter and in exported HTML."""

    figure: Figure
    alt: str
    _png: bytes | None = None

    def png(self) -> bytes:
        """PNG bytes on white, quantized to 64 colours (small, and identical on every run)."""
        if self._png is None:
            canvas = self.figure.canvas
            canvas.draw()
            rgba = np.asarray(canvas.buffer_rgba())
            transparent = self.figure.patch.get_alpha() == 0
            # Straight from the Agg buffer (no intermediate PNG), then a fast octree palette: about 40% quicker
            # than savefig + median cut, and smaller files. Overlay layers keep their transparency.
            image = Image.fromarray(rgba if transparent else rgba[..., :3])
            image = image.quantize(colors=64, method=Image.Quantize.FASTOCTREE, dither=Image.Dither.NONE)
            if not transparent:
                _keep_background_white(image)
            out = io.BytesIO()
            image.save(out, format="png", optimize=True)
            self._png = out.getvalue()
        return self._png

    def geometry(self) -> dict[str, str]:
        """Where the main axes lie in the PNG and what they show, as ``data-`` attributes of the ``<img>``.

        ``axes``: left, top, right and bottom edges in image pixels from the top left; ``xlim`` and ``xscale``: the
        time axis; ``title-pt``: the title's type size in points (larger in talk mode). Tests use these to check that
        a time mark lies at its time and that an overlay lies exactly over its base chart.
        """
        self.png()  # geometry is read after drawing
        ax = self.figure.axes[0]
        height = self.figure.bbox.height
        box = ax.get_window_extent()
        return {
            "axes": " ".join(f"{v:.2f}" for v in (box.x0, height - box.y1, box.x1, height - box.y0)),
            "xlim": " ".join(f"{v:.6g}" for v in ax.get_xlim()),
            "xscale": ax.get_xscale(),
            "title-pt": f"{ax.title.get_fontsize():g}",
        }

    def html(self) -> str:
        data = base64.b64encode(self.png()).decode("ascii")
        attributes = "".join(f' data-{key}="{html.escape(value)}"' for key, value in self.geometry().items())
        return (f'<img src="data:image/png;base64,{data}" alt="{html.escape(self.alt)}"{attributes} '
                'style="max-width:100%;height:auto">')

    def _repr_mimebundle_(self, include=None, exclude=None):
        return {"text/html": self.html(), "text/plain": self.alt}, {"text/html": {"alt": self.alt}}


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
#: fixed axis (timeline, plasma, acute effects, timing) use WIDE_TALK_SCALE. The layouts below are in figure
#: fractions, so both modes share them.
TALK_SCALE, WIDE_TALK_SCALE = 1.15, 1.3


def _new_figure(width: float = 10.0, height: float = 5.8, talk_scale: float = TALK_SCALE) -> Figure:
    if matplotlib.rcParams["font.size"] > 12:  # drawn inside house_style(talk=True)
        width, height = width * talk_scale, height * talk_scale
    figure = Figure(figsize=(width, height))
    FigureCanvasAgg(figure)
    return figure


def format_days(days: float) -> str:
    """A time since the first dose in words: '110 minutes', '4 hours', '1 day', '2 weeks'."""
    if days < HOUR * 2:
        value, unit = days * 1440, "minute"
    elif days < 1:
        value, unit = days * 24, "hour"
    elif days < 14 and not (days >= WEEK and days % WEEK == 0):
        value, unit = days, "day"
    else:
        value, unit = days / WEEK, "week"
    value = round(value, 1)
    text = f"{value:g}"
    return f"{text} {unit}" + ("" if value == 1 else "s")


LOG_TICKS = [HOUR, 4 * HOUR, 1, 3, WEEK, 2 * WEEK, 4 * WEEK, 8 * WEEK, 16 * WEEK]
LOG_TICK_LABELS = ["1 h", "4 h", "1 d", "3 d", "1 wk", "2 wk", "4 wk", "8 wk", "16 wk"]


def _time_axis(ax, scale: str, end_days: float):
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


def onset_value(data: Dataset, treatment: str, days: float) -> float | None:
    """The illustrative curve's value at ``days``, or None where the curve has no data (not a measurement)."""
    value = float(models.onset_curve(data, treatment)(days))
    return None if np.isnan(value) else value


#: A reading is shown for a moment only within this factor in time of a measured point (of the curve's own measure).
NEAR_FACTOR = 1.2
POPULATION_NOTE = "Trials in different populations (see each study's population): compare shapes, not heights."


def onset_reading(data: Dataset, treatment: str, days: float):
    """The measured point a reading at ``days`` may report, or None: then the chart says "no measurement".

    Only a measured (not illustrative) point of the curve's own measure at, or within :data:`NEAR_FACTOR` in time of,
    ``days`` counts; a point the curve passes through is preferred, then the nearest in time.
    """
    curve = models.onset_curve(data, treatment)
    points = models.measured_points(data, treatment, (curve.measure,))
    near = [p for p in points if max(p.days, days) / min(p.days, days) <= NEAR_FACTOR]
    return min(near, key=lambda p: (not p.curve, abs(np.log(p.days / days))), default=None)


def _nearest_measured(data: Dataset, treatment: str, days: float):
    curve = models.onset_curve(data, treatment)
    points = [p for p in models.measured_points(data, treatment, (curve.measure,)) if p.curve]
    return min(points, key=lambda p: abs(np.log(p.days / days)), default=None)


def _reading_text(point, days: float) -> str:
    """The words after a treatment's name: its measured value there, or that there is no measurement."""
    if point is None:
        return ": no measurement"
    when = format_days(point.days).replace(" weeks", " wk").replace(" week", " wk").replace(" days", " d").replace(" day", " d")
    return f": {point.value_pct:g}%" + ("" if np.isclose(point.days, days) else f" ({when})")


def _source_name(data: Dataset, source_id: str) -> str:
    s = data.source(source_id)
    return f"{s.authors.split(',')[0].split(' ')[0]} {s.year}"


ONSET_LAYERS = ("all", "base", "marker")


def plot_onset_timelines(
    data: Dataset,
    treatments: tuple[str, ...] | None = None,
    at_days: float | None = None,
    scale: str = "log",
    talk: bool | None = None,
    layer: str = "all",
) -> Chart:
    """Response over time for each treatment: measured points as markers, illustrative curves as lines.

    ``at_days`` marks a moment with a vertical line and reports each curve's value there, after its name in the
    legend. ``layer="base"`` draws the chart without the mark; ``layer="marker"`` draws only the mark, on a
    transparent image of the same size that lies exactly over the base (so a time control can switch a small
    overlay instead of the whole chart).
    """
    known = [t.id for t in data.treatments]
    treatments = tuple(known) if treatments is None else tuple(treatments)
    for treatment in treatments:
        if treatment not in known:
            raise ValueError(f"unknown treatment '{treatment}'; choose from {', '.join(known)}")
    if at_days is not None and at_days <= 0:
        raise ValueError("at_days must be a positive time in days")
    if layer not in ONSET_LAYERS:
        raise ValueError(f"layer must be one of {', '.join(ONSET_LAYERS)}")
    if layer == "marker" and at_days is None:
        raise ValueError("the marker layer needs at_days")
    talk = talk_mode() if talk is None else talk
    with house_style(talk):
        if layer == "marker":
            figure = _new_figure(*ONSET_SIZE)
            ax = figure.add_axes(ONSET_AXES)
            _time_axis(ax, scale, ONSET_END)
            ax.set_ylim(0, 100)
            _draw_onset_mark(figure, ax, data, treatments, at_days, _reading_positions(data, treatments, scale, talk))
            _as_overlay(figure)
        else:
            figure, ax, names = _onset_base(data, treatments, scale)
            if at_days is not None:
                _draw_onset_mark(figure, ax, data, treatments, at_days, _positions_after(figure, names))
    base_alt = _onset_alt(data, treatments, scale, ONSET_END)
    marker_alt = _onset_marker_alt(data, treatments, at_days) if at_days is not None and layer != "base" else ""
    alt = {"base": base_alt, "marker": marker_alt}.get(layer, f"{base_alt} {marker_alt}".strip())
    return Chart(figure, alt)


ONSET_SIZE, ONSET_AXES, ONSET_END = (10.0, 6.8), (0.08, 0.42, 0.87, 0.51), 16 * WEEK


def _onset_base(data: Dataset, treatments: tuple[str, ...], scale: str):
    """The onset chart without a time mark; returns the figure, its axes and the legend of treatment names."""
    figure = _new_figure(*ONSET_SIZE)
    ax = figure.add_axes(ONSET_AXES)
    days = np.geomspace(HOUR / 2, ONSET_END, 240) if scale == "log" else np.linspace(0, ONSET_END, 240)
    legend = []
    for treatment in treatments:
        style = TREATMENT_STYLE[treatment]
        curve = models.onset_curve(data, treatment)
        ax.plot(days, curve(days), color=style.color, linestyle=style.linestyle, zorder=2)
        for point in models.measured_points(data, treatment):
            filled = point.measure == "response"
            ax.plot(point.days, point.value_pct, linestyle="none", marker=style.marker, color=style.color,
                    markerfacecolor=style.color if filled else "white", markeredgewidth=2, zorder=3)
        first = models.first_effect(data, treatment)
        if first is not None:
            ax.plot(first.days, 0, marker="|", markersize=18, markeredgewidth=3, color=style.color, clip_on=False, zorder=4)
    for treatment, label in zip(treatments, _onset_labels(data, treatments)):
        style = TREATMENT_STYLE[treatment]
        legend.append(Line2D([], [], color=style.color, linestyle=style.linestyle, marker=style.marker, label=label))
    _time_axis(ax, scale, ONSET_END)
    ax.set_ylim(0, 100)
    ax.set_ylabel("Patients responding (%)")
    ax.set_title("How fast do depression treatments work?")
    key = [
        Line2D([], [], color=GREY, marker="o", linestyle="none", label="measured (trial data)"),
        Line2D([], [], color=GREY, marker="o", markerfacecolor="white", linestyle="none", label="measured remission"),
        Line2D([], [], color=GREY, label="illustrative curve between points"),
        Line2D([], [], color=GREY, marker="|", markersize=14, markeredgewidth=3, linestyle="none", label="first noticeable effect"),
    ]
    names = figure.legend(handles=legend, loc="lower left", bbox_to_anchor=(0.0, 0.105), ncols=2, handlelength=2.5,
                          columnspacing=11)  # room for the readings written after the names
    figure.legend(handles=key, loc="lower left", bbox_to_anchor=(0.0, 0.04), ncols=4, columnspacing=1.2,
                  fontsize="x-small" if matplotlib.rcParams["font.size"] > 12 else "small")  # the key fits one row
    _footnote(figure, POPULATION_NOTE)
    return figure, ax, names


def _footnote(figure: Figure, text: str) -> None:
    """A note printed inside the image, so it travels with the chart into slides and previews."""
    figure.text(0.01, 0.012, text, fontsize="small", style="italic", color=GREY, va="bottom", ha="left")


#: Short legend names, so each name keeps room for its reading (the alt text and tables use the full labels).
SHORT_LABELS = {"iv_single": "IV ketamine, one infusion", "iv_course": "IV ketamine, course", "esketamine": "Esketamine spray",
                "ssri": "SSRI or SNRI", "cbt": "CBT", "ect": "ECT"}


def _onset_labels(data: Dataset, treatments: tuple[str, ...]) -> tuple[str, ...]:
    """Legend names; ECT's curve is remission, and says so."""
    return tuple(SHORT_LABELS.get(t, data.treatment(t).label)
                 + (" (remission)" if models.onset_curve(data, t).measure == "remission" else "") for t in treatments)


def _positions_after(figure: Figure, names) -> list[tuple[float, float, float]]:
    """Where each reading goes: just after its treatment's name in the legend (figure fractions, font size)."""
    figure.draw_without_rendering()
    width, height = figure.bbox.width, figure.bbox.height
    return [((box.x1 + 2) / width, (box.y0 + box.y1) / 2 / height, text.get_fontsize())
            for text in names.get_texts() for box in [text.get_window_extent()]]


_POSITIONS: dict[tuple, list[tuple[float, float, float]]] = {}


def _reading_positions(data: Dataset, treatments: tuple[str, ...], scale: str, talk: bool):
    """The reading positions of a base chart, laid out once per chart (the overlay frames only need these)."""
    key = (_onset_labels(data, treatments), scale, talk)  # the layout depends only on the legend's text
    if key not in _POSITIONS:
        figure, _, names = _onset_base(data, treatments, scale)
        _POSITIONS[key] = _positions_after(figure, names)
    return _POSITIONS[key]


def _draw_onset_mark(figure, ax, data, treatments, at_days, positions) -> None:
    """The time mark: a vertical line, each curve's value there, and the readings after the legend names."""
    ax.axvline(at_days, color=GREY, linewidth=1.5, zorder=1)
    left = ax.transAxes.inverted().transform(ax.transData.transform((at_days, 0)))[0] < 0.5
    ax.annotate(f"{format_days(at_days)}: measured values only", (at_days, 100), xytext=(4 if left else -4, -2),
                textcoords="offset points", va="top", ha="left" if left else "right", color=GREY, fontweight="bold")
    for treatment, (x, y, size) in zip(treatments, positions):
        style, point = TREATMENT_STYLE[treatment], onset_reading(data, treatment, at_days)
        if point is not None:  # ring the measured point itself, never a spot on the illustrative line
            ax.plot(point.days, point.value_pct, marker=style.marker, markersize=16, color=style.color,
                    markerfacecolor="none", markeredgewidth=2.5, zorder=5)
        figure.text(x, y, _reading_text(point, at_days), va="center", fontsize=size, fontweight="bold")


def _as_overlay(figure: Figure) -> None:
    """Make a figure an overlay layer: transparent background, no axes decorations, only what was drawn on it."""
    figure.patch.set_alpha(0)
    for ax in figure.axes:
        ax.patch.set_visible(False)
        ax.title.set_visible(False)
        ax.xaxis.set_visible(False)
        ax.yaxis.set_visible(False)
        for spine in ax.spines.values():
            spine.set_visible(False)


def _overlay_chart(talk, size, rect, at_minutes, mark, talk_scale: float = TALK_SCALE) -> Chart:
    """A time mark alone, as a transparent overlay of a chart of the same ``size`` and axes ``rect``."""
    if at_minutes is None:
        raise ValueError("the marker layer needs at_minutes")
    with house_style(talk):
        figure = _new_figure(*size, talk_scale=talk_scale)
        alt = mark(figure.add_axes(rect))
        _as_overlay(figure)
    return Chart(figure, alt)


def _onset_alt(data, treatments, scale, end) -> str:
    parts = [
        "Line chart: percent of patients responding (0 to 100) against time since the first dose, "
        f"on a {'logarithmic axis from 1 hour' if scale == 'log' else 'linear axis from 0'} to {format_days(end)}. "
        "Markers are measured trial results; lines between them are illustrative curves, not measurements."
    ]
    for treatment in treatments:
        curve = models.onset_curve(data, treatment)
        measured = [p for p in curve.anchors if p.measured]
        text = (f"{data.treatment(treatment).label}: {curve.measure} measured "
                + ", ".join(f"{p.value_pct:g}% at {format_days(p.days)}" for p in measured))
        anchors = [p for p in curve.anchors if not p.measured]
        if anchors:
            text += ("; the line is drawn on to " + ", ".join(f"{p.value_pct:g}% at {format_days(p.days)}" for p in anchors)
                     + ", an illustrative anchor with no measurement there")
        first = models.first_effect(data, treatment)
        if first is not None:
            text += f"; first effect reported at {format_days(first.days)} ({first.population})"
        parts.append(text + ".")
    parts.append(POPULATION_NOTE)
    return " ".join(parts)


def _onset_marker_alt(data, treatments, at_days) -> str:
    values = []
    for treatment in treatments:
        label, point = data.treatment(treatment).label, onset_reading(data, treatment, at_days)
        if point is not None:
            values.append(f"{label} {point.value_pct:g}% measured at {format_days(point.days)} "
                          f"({_source_name(data, point.source_id)})")
        else:
            nearest = _nearest_measured(data, treatment, at_days)
            values.append(f"{label} no measurement" + (f" (nearest measured: {nearest.value_pct:g}% at "
                                                       f"{format_days(nearest.days)})" if nearest else ""))
    return f"Marked at {format_days(at_days)}: " + "; ".join(values) + "."


def plot_single_vs_course(data: Dataset, talk: bool | None = None) -> Chart:
    """One infusion against a course of six over four weeks, with the measured points of each."""
    end = 4 * WEEK
    with house_style(talk):
        figure = _new_figure(10.0, 5.2, talk_scale=1.2)  # room for the title in talk mode
        ax = figure.add_axes((0.08, 0.2, 0.9, 0.68))
        days = np.linspace(0, end, 400)
        for treatment in ("iv_single", "iv_course"):
            style, label = TREATMENT_STYLE[treatment], data.treatment(treatment).label
            ax.plot(days, models.onset_curve(data, treatment)(days), color=style.color, linestyle=style.linestyle,
                    label=f"{label} (illustrative curve)")
            points = [p for p in models.measured_points(data, treatment, ("response",)) if p.curve]
            ax.plot([p.days for p in points], [p.value_pct for p in points], linestyle="none", marker=style.marker,
                    color=style.color, label=f"{label}: measured response")
        ax.axvspan(12, 14, color="#EEEEEE", zorder=0)
        ax.annotate("single infusion no longer\nbetter than control (12-14 days)", (13, 92), ha="center", va="top",
                    color=GREY, fontsize="small")
        _time_axis(ax, "linear", end)
        ax.set_ylim(0, 100)
        ax.set_ylabel("Patients responding (%)")
        ax.set_title("One infusion fades within about a week; a course holds while it lasts")
        ax.legend(loc="lower right")
    single = models.onset_curve(data, "iv_single")
    course = models.onset_curve(data, "iv_course")
    alt = (
        "Line chart over 4 weeks of the percent of patients responding. "
        f"One IV ketamine infusion: {single.anchors[0].value_pct:g}% measured at 1 day, {single.anchors[2].value_pct:g}% at 7 days; "
        f"the line is then drawn down to {single.anchors[-1].value_pct:g}% at 14 days, an illustrative anchor (the 24-hour "
        "response rate on midazolam, an active placebo), not a 14-day measurement: the few studies at 12-14 days found no "
        "significant difference from control. "
        f"A course of twice-weekly infusions: {course.anchors[-1].value_pct:g}% responding at the end of 3 weeks. "
        "Lines between measured points are illustrative."
    )
    return Chart(figure, alt)


# 01 Depression -------------------------------------------------------------------
PREVALENCE_VIEWS = {
    "world_sex": ("world", "sex", "Worldwide, by sex (WHO)", "All adults"),
    "world_age": ("world", "age", "Worldwide, by age (WHO)", "Whole population"),
    "us_sex": ("us", "sex", "United States 2021, by sex (NIMH)", "All adults"),
    "us_age": ("us", "age", "United States 2021, by age (NIMH)", "All adults"),
}


def plot_prevalence(data: Dataset, view: str = "world_sex", talk: bool | None = None) -> Chart:
    """Share of each group with depression, against the whole group's share ('if it were equal')."""
    if view not in PREVALENCE_VIEWS:
        raise ValueError(f"view must be one of {', '.join(PREVALENCE_VIEWS)}")
    scope, grouping, title, reference = PREVALENCE_VIEWS[view]
    rows = [r for r in data.prevalence if r.scope == scope and r.grouping == grouping]
    overall = next(r for r in rows if r.group == reference)
    with house_style(talk):
        figure = _new_figure(10.0, 4.8)
        ax = figure.add_axes((0.25, 0.2, 0.7, 0.66))
        names = [r.group for r in rows]
        colors = [GREY if r is overall else OKABE_ITO["blue"] for r in rows]
        bars = ax.barh(names, [r.value_pct for r in rows], color=colors, hatch=[("//" if r is overall else "") for r in rows],
                       edgecolor="white")
        ax.bar_label(bars, labels=[f"{r.value_pct:g}%" for r in rows], padding=4)
        ax.axvline(overall.value_pct, color=OKABE_ITO["vermillion"], linestyle="--", linewidth=2)
        ax.annotate("dashed line: if every group\nwere affected equally", (overall.value_pct, -0.55), xytext=(6, 0),
                    textcoords="offset points", color=OKABE_ITO["vermillion"], va="bottom", fontsize="small")
        ax.set_ylim(len(rows) - 0.5, -1.1)
        ax.set_xlim(0, max(r.value_pct for r in rows) * 1.3)
        ax.set_xlabel(f"{overall.measure} (%)")
        ax.grid(axis="y", visible=False)
        ax.set_title(title)
    values = "; ".join(f"{r.group} {r.value_pct:g}%" for r in rows)
    alt = (f"Horizontal bar chart, {title}: {overall.measure.lower()} by group. {values}. "
           f"A dashed line at {overall.value_pct:g}% marks what equal rates would look like; the groups differ from it.")
    return Chart(figure, alt)


# 02 Conventional treatment -----------------------------------------------------
def plot_stard(data: Dataset, steps: int = 4, weeks_per_step: int = 12, talk: bool | None = None) -> Chart:
    """STAR*D: remission at each step, the cumulative figure it implies, and the weeks it takes."""
    rates = [r.value_pct for r in sorted((r for r in data.stard if r.measure == "step_remission"), key=lambda r: r.step)]
    if not 1 <= steps <= len(rates):
        raise ValueError(f"steps must be between 1 and {len(rates)}")
    if weeks_per_step <= 0:
        raise ValueError("weeks_per_step must be positive")
    reported = next(r for r in data.stard if r.measure == "cumulative_reported")
    reanalysis = next(r for r in data.stard if r.measure == "cumulative_reanalysis")
    cumulative = models.cumulative_remission(rates[:steps])
    ends = np.arange(1, steps + 1) * weeks_per_step
    with house_style(talk):
        figure = _new_figure(10.0, 5.4)
        ax = figure.add_axes((0.08, 0.24, 0.9, 0.64))
        bars = ax.bar(ends - weeks_per_step / 2, rates[:steps], width=weeks_per_step * 0.8, color=OKABE_ITO["sky_blue"],
                      label="remitted at this step (% of those who entered it)")
        # Inside the bars on a white box drawn over the lines, so no value label collides with the reanalysis line or the
        # cumulative curve.
        ax.bar_label(bars, labels=[f"{r:g}%" for r in rates[:steps]], label_type="center", fontfamily="DejaVu Sans", zorder=5,
                     bbox={"boxstyle": "round,pad=0.2", "facecolor": "white", "edgecolor": "none", "alpha": 0.95})
        ax.plot(np.concatenate([[0], ends]), np.concatenate([[0], cumulative]), color=OKABE_ITO["blue"], marker="o",
                label="cumulative, if nobody dropped out (how 67% was reached)")
        ax.axhline(reanalysis.value_pct, color=OKABE_ITO["vermillion"], linestyle="--", linewidth=2,
                   label=f"cumulative on reanalysis: about {reanalysis.value_pct:g}% (Pigott 2023)")
        ax.set_xlim(0, 4 * 14)
        ax.set_ylim(0, 100)
        ax.set_xticks(np.arange(0, 4 * 14 + 1, 8))
        ax.set_xlabel(f"Weeks of treatment ({weeks_per_step} weeks per step, an assumption for illustration)")
        ax.set_ylabel("Patients remitting (%)")
        ax.set_title(f"{steps} treatment step{'s' if steps > 1 else ''}: up to {steps * weeks_per_step} weeks")
        ax.legend(loc="upper left", fontsize="small")
    alt = (f"Bar and line chart of STAR*D remission over {steps} sequential step(s) of {weeks_per_step} weeks each, "
           f"{steps * weeks_per_step} weeks in all. Remission at each step: {', '.join(f'{r:g}%' for r in rates[:steps])}. "
           f"Cumulative if nobody dropped out: {cumulative[-1]:.0f}% (reported {reported.value_pct:g}% after 4 steps); "
           f"a reanalysis found about {reanalysis.value_pct:g}%.")
    return Chart(figure, alt)


def plot_side_effects(data: Dataset, drug: str = "esketamine", category: str | None = None, talk: bool | None = None) -> Chart:
    """Adverse-effect rates on a drug, against placebo where the source gives it."""
    rows = [r for r in data.side_effects if r.drug == drug and (category is None or r.category == category)]
    if not rows:
        raise ValueError(f"no side-effect rows for drug={drug!r}, category={category!r}")
    rows.sort(key=lambda r: r.active_pct, reverse=True)
    has_placebo = all(r.placebo_pct is not None for r in rows)
    with house_style(talk):
        # on the page; margins in fractions of it. At least 4.4 inches, so a short list still fills a 16:9 slide's height.
        inches = max(1.6 + 0.42 * len(rows) + (0.3 if has_placebo else 0), 4.4)
        figure = _new_figure(10.0, inches)
        ax = figure.add_axes((0.3, 0.9 / inches + 0.05, 0.66, 1 - 1.6 / inches))
        y = np.arange(len(rows))
        height = 0.4 if has_placebo else 0.7
        bars = ax.barh(y - (height / 2 if has_placebo else 0), [r.active_pct for r in rows], height=height,
                       color=OKABE_ITO["orange"], label=drug)
        ax.bar_label(bars, labels=[f"{r.active_pct:g}%" for r in rows], padding=3, fontsize="small")
        if has_placebo:
            pbars = ax.barh(y + height / 2, [r.placebo_pct for r in rows], height=height, color=GREY, hatch="//",
                            edgecolor="white", label="placebo")
            ax.bar_label(pbars, labels=[f"{r.placebo_pct:g}%" for r in rows], padding=3, fontsize="small")
            ax.legend(loc="lower right")
        ax.set_yticks(y, [r.effect for r in rows])
        ax.invert_yaxis()
        ax.set_xlim(0, max(r.active_pct for r in rows) * 1.2)
        ax.grid(axis="y", visible=False)
        ax.set_xlabel("Patients reporting the effect (%)")
        scope = category.lower() if category else "all listed effects"
        ax.set_title(f"Side effects of {drug}: {scope}")
        if not has_placebo:
            _footnote(figure, NO_PLACEBO_NOTE)
    if has_placebo:
        listed = "; ".join(f"{r.effect} {r.active_pct:g}% vs {r.placebo_pct:g}%" for r in rows)
        alt = f"Paired horizontal bars of side effects reported on {drug} against placebo, {scope}: {listed}."
    else:
        listed = "; ".join(f"{r.effect} {r.active_pct:g}%" for r in rows)
        alt = (f"Horizontal bars of side effects reported on {drug} in depression trials: {listed}. "
               f"{NO_PLACEBO_NOTE}")
    return Chart(figure, alt)


NO_PLACEBO_NOTE = "Placebo rates are not shown: they could not be confirmed from the label here."


# 03 History ------------------------------------------------------------------------
CATEGORY_STYLE = {
    "Anaesthesia": (OKABE_ITO["sky_blue"], "o"),
    "Regulation": (OKABE_ITO["black"], "s"),
    "Depression research": (OKABE_ITO["vermillion"], "D"),
    "Approval": (OKABE_ITO["orange"], "^"),
}


def plot_timeline(data: Dataset, up_to_year: int = 2025, talk: bool | None = None) -> Chart:
    """Ketamine's history, one row per milestone; milestones after ``up_to_year`` are faded."""
    events = sorted(data.timeline, key=lambda e: (e.year, e.id))
    with house_style(talk):
        figure = _new_figure(10.0, 6.4, talk_scale=WIDE_TALK_SCALE)
        ax = figure.add_axes((0.06, 0.1, 0.92, 0.8))
        for row, event in enumerate(events):
            color, marker = CATEGORY_STYLE[event.category]
            shown = event.year <= up_to_year
            ax.plot(event.year, row, marker=marker, color=color if shown else "#CCCCCC", markersize=11, linestyle="none")
            right = event.year < 1995
            ax.annotate(f"{event.when}: {event.event}", (event.year, row), xytext=(10 if right else -10, 0),
                        textcoords="offset points", ha="left" if right else "right", va="center", fontsize="small",
                        color="black" if shown else "#BBBBBB")
        ax.axvline(up_to_year + 0.5, color=GREY, linewidth=1.5)
        ax.set_xlim(1958, 2028)
        ax.set_ylim(len(events) + 1.3, -0.8)  # two empty rows at the bottom for the legend, clear of the last milestone
        ax.set_yticks([])
        ax.grid(axis="y", visible=False)
        ax.spines["left"].set_visible(False)
        ax.set_xlabel("Year")
        ax.set_title(f"From anaesthetic to antidepressant: up to {up_to_year}")
        handles = [Line2D([], [], color=c, marker=m, linestyle="none", label=k) for k, (c, m) in CATEGORY_STYLE.items()]
        ax.legend(handles=handles, loc="lower left", ncols=2, fontsize="small")
    shown = [e for e in events if e.year <= up_to_year]
    alt = (f"Timeline from 1962 to 2025 with {len(events)} milestones, {len(shown)} of them up to {up_to_year}: "
           + "; ".join(f"{e.when} {e.event}" for e in shown) + ".")
    return Chart(figure, alt)


# 04 Mechanism ------------------------------------------------------------------
EVIDENCE_STYLE = {
    "human": (OKABE_ITO["blue"], "o", "shown in humans"),
    "animal": (OKABE_ITO["orange"], "s", "animal studies only"),
    "debated": (OKABE_ITO["reddish_purple"], "D", "debated"),
}


def plot_cascade(data: Dataset, up_to_step: int | None = None, talk: bool | None = None) -> Chart:
    """The proposed cascade on a minutes-to-days axis, each step marked by the strength of its evidence."""
    steps = sorted(data.mechanism, key=lambda s: s.order)
    up_to_step = len(steps) if up_to_step is None else up_to_step
    if not 1 <= up_to_step <= len(steps):
        raise ValueError(f"up_to_step must be between 1 and {len(steps)}")
    first = models.first_effect(data, "iv_single")
    peak = max(models.onset_curve(data, "iv_single").anchors, key=lambda p: p.value_pct)
    with house_style(talk):
        figure = _new_figure(10.0, 5.8)
        ax = figure.add_axes((0.3, 0.22, 0.66, 0.68))
        ax.axvspan(first.days * 1440, peak.days * 1440, color="#E8F1FA", zorder=0)
        # labelled at the top of the band, clear of the steps (the first ones lie before the band)
        ax.annotate("patients: first effect\nto peak (measured)", (np.sqrt(first.days * peak.days) * 1440, 0.5),
                    ha="center", va="center", fontsize="small", color=OKABE_ITO["blue"])
        for row, step in enumerate(steps):
            color, marker, _ = EVIDENCE_STYLE[step.evidence]
            shown = step.order <= up_to_step
            ax.plot(step.minutes_illustrative, row, marker=marker, markersize=13, linestyle="none",
                    color=color if shown else "#DDDDDD", markerfacecolor=(color if shown and step.evidence != "debated" else "white"),
                    markeredgewidth=2.5)
        ax.set_yticks(range(len(steps)), [s.step for s in steps])
        for label, step in zip(ax.get_yticklabels(), steps):
            label.set_color("black" if step.order <= up_to_step else "#BBBBBB")
        ax.set_ylim(len(steps) - 0.4, -1.5)
        ax.set_xscale("log")
        ax.set_xlim(2, 3 * 1440)
        ax.set_xticks([5, 30, 60, 240, 1440], ["5 min", "30 min", "1 h", "4 h", "1 day"])
        ax.minorticks_off()
        ax.set_xlabel("Time after the dose (step positions are illustrative: order, not measured times)", loc="right")
        ax.set_title("The proposed cascade, step by step")
        handles = [Line2D([], [], color=c, marker=m, linestyle="none", markerfacecolor=c if k != "debated" else "white",
                          markeredgewidth=2, label=lab) for k, (c, m, lab) in EVIDENCE_STYLE.items()]
        figure.legend(handles=handles, loc="lower left", bbox_to_anchor=(0.0, 0.0), ncols=3)
    shown = [s for s in steps if s.order <= up_to_step]
    alt = (f"Dot chart of {len(steps)} proposed steps of ketamine's action on a time axis from minutes to a day; "
           f"{len(shown)} shown: " + "; ".join(f"{s.step} ({EVIDENCE_STYLE[s.evidence][2]})" for s in shown)
           + f". A shaded band marks when patients first improve ({format_days(first.days)}) to the peak ({format_days(peak.days)}).")
    return Chart(figure, alt)


def pk_model(data: Dataset) -> tuple[models.TwoCompartment, float, float]:
    """The illustrative two-compartment model, the modelled dose (mg) and the infusion length (min) from data."""
    model = models.two_compartment_from_half_lives(data.pk("clearance").value, data.pk("volume_steady_state").value,
                                                   data.pk("half_life_alpha").value, data.pk("half_life_beta").value)
    dose = data.pk("dose_per_kg").value * data.pk("body_weight").value
    return model, dose, data.pk("infusion_minutes").value


PLASMA_SIZE, PLASMA_AXES = (10.0, 5.6), (0.1, 0.14, 0.54, 0.74)


def _plasma_axes(ax) -> None:
    ax.set_yscale("log")
    ax.set_ylim(10, 3000)
    ax.set_xlim(0, 480)


def _plasma_mark(ax, data: Dataset, at_minutes: float) -> str:
    """Mark a time on the plasma curve; returns the sentence for the alt text."""
    model, dose, infusion = pk_model(data)
    value = float(models.plasma_concentration(model, [at_minutes], dose, infusion)[0])
    _plasma_axes(ax)
    ax.axvline(at_minutes, color=GREY, linewidth=1.5)
    ax.plot(at_minutes, value, marker="o", markersize=12, color=TREATMENT_STYLE["iv_single"].color, markerfacecolor="white",
            markeredgewidth=2.5)
    right = at_minutes > 300
    ax.annotate(f"{format_days(at_minutes / 1440)}: ≈{value:.0f} ng/mL\n(illustrative model)", (at_minutes, value),
                xytext=(-8 if right else 8, 10), textcoords="offset points", fontweight="bold", ha="right" if right else "left")
    return (f"At {format_days(at_minutes / 1440)} the illustrative model gives about {value:.0f} ng/mL "
            "(a model value, not a measurement).")


def plot_plasma(data: Dataset, at_minutes: float | None = None, talk: bool | None = None, layer: str = "all") -> Chart:
    """Illustrative plasma curve of the research infusion against reported levels for other uses.

    ``layer`` works as in :func:`plot_onset_timelines`: ``"marker"`` draws only the time mark, as an overlay.
    """
    if layer == "marker":
        return _overlay_chart(talk, PLASMA_SIZE, PLASMA_AXES, at_minutes, lambda ax: _plasma_mark(ax, data, at_minutes),
                              WIDE_TALK_SCALE)
    model, dose, infusion = pk_model(data)
    minutes = np.linspace(0, 480, 481)
    conc = models.plasma_concentration(model, minutes, dose, infusion)
    band_colors = [OKABE_ITO["bluish_green"], OKABE_ITO["vermillion"], OKABE_ITO["reddish_purple"], OKABE_ITO["black"]]
    # Each band is told apart by more than its tint, so two overlapping ranges never look like the grey anaesthesia band:
    # analgesia a green fill, dissociation purple hatching with no fill, anaesthesia dark cross-hatching; all with edges.
    band_fills, band_hatches = (0.22, 0.0, 0.0, 0.12), ("", "", "////", "xx")
    with house_style(talk):
        figure = _new_figure(*PLASMA_SIZE, talk_scale=WIDE_TALK_SCALE)
        ax = figure.add_axes(PLASMA_AXES)
        handles = [Line2D([], [], color=TREATMENT_STYLE["iv_single"].color, label="illustrative model\n(not for dosing)")]
        for level, color, fill, hatch in zip(data.plasma_levels, band_colors, band_fills, band_hatches):
            label = f"{level.use}: {level.low_ng_ml:g}" + (f"-{level.high_ng_ml:g}" if level.high_ng_ml > level.low_ng_ml else "") + " ng/mL"
            if level.high_ng_ml > level.low_ng_ml:
                face = matplotlib.colors.to_rgba(color, fill)
                handles.append(ax.axhspan(level.low_ng_ml, level.high_ng_ml, facecolor=face, hatch=hatch,
                                          edgecolor=matplotlib.colors.to_rgba(color, 0.7), linewidth=1.2, label=label))
            else:
                handles.append(ax.axhline(level.low_ng_ml, color=color, linestyle="--", linewidth=2, label=label))
        ax.plot(minutes, conc, color=TREATMENT_STYLE["iv_single"].color)
        ax.axvspan(0, infusion, color="#F3F3F3", zorder=0)
        ax.annotate("infusion", (infusion / 2, 12), ha="center", color=GREY, fontsize="small")
        reading = f" {_plasma_mark(ax, data, at_minutes)}" if at_minutes is not None and layer != "base" else ""
        _plasma_axes(ax)
        ax.set_xticks(np.arange(0, 481, 60), [f"{h}" for h in range(9)])
        ax.set_xlabel("Hours after the start of the infusion")
        ax.set_ylabel("Plasma ketamine (ng/mL, log scale)")
        ax.set_title("Illustrative plasma curve: far below anaesthetic levels")
        figure.legend(handles=handles, loc="center left", bbox_to_anchor=(0.64, 0.5), fontsize="small", title="Reported peak levels")
    alt = (f"Line chart, log scale, of an illustrative two-compartment model of plasma ketamine over 8 hours after "
           f"{data.pk('dose_per_kg').value:g} mg/kg over {infusion:g} minutes: peak about {conc.max():.0f} ng/mL at {infusion:g} minutes, "
           f"about {conc[120]:.0f} ng/mL at 2 hours and {conc[480]:.0f} at 8 hours. Reported ranges: "
           + "; ".join(f"{lv.use} {lv.low_ng_ml:g}-{lv.high_ng_ml:g} ng/mL" for lv in data.plasma_levels) + "." + reading)
    return Chart(figure, alt)


# 06 Safety ------------------------------------------------------------------------
ACUTE_SIZE, ACUTE_AXES, ACUTE_END = (10.0, 5.4), (0.12, 0.24, 0.86, 0.64), 270


def _esketamine_bp_end(data: Dataset) -> float:
    return next(r.minutes for r in data.acute_effects if r.effect == "Esketamine blood pressure" and r.event == "resolved")


def _acute_mark(ax, data: Dataset, at_minutes: float) -> str:
    """Mark a time after the dose and say whether it is inside the monitoring window; returns the alt sentence."""
    window = next(r.minutes for r in data.acute_effects if r.event == "window")
    ax.set_xlim(0, ACUTE_END)
    ax.set_ylim(0, 1.3)
    ax.axvline(at_minutes, color=GREY, linewidth=2)
    where = "inside the monitoring window" if at_minutes <= window else "after the monitoring window"
    if at_minutes > window and at_minutes <= _esketamine_bp_end(data):
        where += "; esketamine's blood pressure may still be raised"
    # On a white box, so the curves passing behind it never run through its words.
    ax.annotate(f"{format_days(at_minutes / 1440)}: {where}".replace("; ", ";\n"), (at_minutes, 0.55), xytext=(6, 0), textcoords="offset points",
                fontweight="bold", ha="left" if at_minutes < 170 else "right",
                bbox={"boxstyle": "round,pad=0.25", "facecolor": "white", "edgecolor": "none", "alpha": 0.9})
    return f"Marked at {format_days(at_minutes / 1440)}, {where}."


def plot_acute_effects(data: Dataset, at_minutes: float | None = None, talk: bool | None = None, layer: str = "all") -> Chart:
    """Acute effects over the hours after a dose against the 2-hour monitoring window.

    ``layer`` works as in :func:`plot_onset_timelines`: ``"marker"`` draws only the time mark, as an overlay.
    """
    if layer == "marker":
        return _overlay_chart(talk, ACUTE_SIZE, ACUTE_AXES, at_minutes, lambda ax: _acute_mark(ax, data, at_minutes),
                              WIDE_TALK_SCALE)
    rows = {(r.effect, r.event): r for r in data.acute_effects}
    window = rows[("Monitoring", "window")].minutes
    effects = [("Dissociation", OKABE_ITO["reddish_purple"], "-", "o"), ("Blood pressure", OKABE_ITO["vermillion"], "--", "s")]
    minutes = np.linspace(0, ACUTE_END, 541)
    esk_peak = 40  # label: the esketamine blood-pressure rise peaks about 40 minutes after dosing
    esk_end = _esketamine_bp_end(data)
    with house_style(talk):
        figure = _new_figure(*ACUTE_SIZE, talk_scale=WIDE_TALK_SCALE)
        ax = figure.add_axes(ACUTE_AXES)
        ax.axvspan(0, window, color="#EAF4EA", zorder=0)
        ax.annotate(f"esketamine REMS: monitoring for at least {window / 60:g} hours", (3, 1.17), ha="left",
                    color=OKABE_ITO["bluish_green"], fontweight="bold")
        ax.plot([esk_peak, esk_end], [0.32, 0.32], color=OKABE_ITO["orange"], linewidth=6, solid_capstyle="butt")
        ax.annotate("esketamine (label): blood pressure peaks about 40 min, lasts about 4 h", (esk_end, 0.32), xytext=(-4, 8),
                    textcoords="offset points", ha="right", color=GREY, fontsize="small")
        for effect, color, linestyle, marker in effects:
            peak, resolved = rows[(effect, "peak")], rows[(effect, "resolved")]
            ax.plot(minutes, models.acute_effect_curve(peak.minutes, resolved.minutes, minutes), color=color, linestyle=linestyle,
                    label=f"{effect} (illustrative shape)")
            ax.plot([peak.minutes, resolved.minutes], [1, 0], linestyle="none", marker=marker, color=color, markersize=11,
                    label=f"{effect}: reported peak and return to baseline")
        bp = rows[("Blood pressure", "peak")]
        ax.annotate(f"mean rise +{bp.value:g} {bp.unit}", (bp.minutes, 1), xytext=(8, 3), textcoords="offset points",
                    color=OKABE_ITO["vermillion"], fontsize="small")
        reading = f" {_acute_mark(ax, data, at_minutes)}" if at_minutes is not None and layer != "base" else ""
        ax.set_xlim(0, ACUTE_END)
        ax.set_ylim(0, 1.3)
        ax.set_xticks(np.arange(0, 241, 30), ["0", "30 min", "1 h", "1.5 h", "2 h", "2.5 h", "3 h", "3.5 h", "4 h"])
        ax.set_yticks([0, 1], ["baseline", "peak"])
        ax.set_xlabel("Time after the start of a dose")
        ax.set_ylabel("Relative size of the effect")
        ax.set_title("Acute effects after a dose")
        figure.legend(loc="lower left", bbox_to_anchor=(0, 0), ncols=2, fontsize="small")
    diss, bpr = rows[("Dissociation", "peak")], rows[("Blood pressure", "resolved")]
    alt = (f"Line chart of the relative size of acute effects over 4.5 hours after a dose. After a 40-minute IV ketamine "
           f"infusion, dissociation peaks at {diss.minutes:g} minutes and is near baseline by "
           f"{rows[('Dissociation', 'resolved')].minutes:g} minutes; blood pressure peaks at {bp.minutes:g} minutes "
           f"(mean +{bp.value:g} mmHg systolic) and is back to baseline by {bpr.minutes:g} minutes. For esketamine nasal spray the "
           f"label says the blood-pressure rise peaks about {esk_peak} minutes after dosing and lasts about {esk_end / 60:g} hours, "
           f"beyond the first {window:g} minutes, shaded as the monitoring window its REMS requires. Curve shapes are "
           "illustrative." + reading)
    return Chart(figure, alt)


def plot_dose_levels(data: Dataset, talk: bool | None = None) -> Chart:
    """Reported dose ranges by use on a log scale (a comparison, not a dosing guide)."""
    rows = sorted(data.dose_levels, key=lambda r: r.low_mg_kg)
    colors = [OKABE_ITO["bluish_green"], TREATMENT_STYLE["iv_single"].color, OKABE_ITO["black"]]
    with house_style(talk):
        figure = _new_figure(10.0, 4.4)  # tall enough to fill a 16:9 slide
        ax = figure.add_axes((0.3, 0.26, 0.66, 0.58))
        for row, (level, color) in enumerate(zip(rows, colors)):
            if level.high_mg_kg > level.low_mg_kg:
                ax.plot([level.low_mg_kg, level.high_mg_kg], [row, row], color=color, linewidth=10, solid_capstyle="butt")
                text = f"{level.low_mg_kg:g}-{level.high_mg_kg:g} mg/kg"
            else:
                ax.plot(level.low_mg_kg, row, marker="o", markersize=13, color=color)
                text = f"{level.low_mg_kg:g} mg/kg"
            ax.annotate(text, (level.high_mg_kg, row), xytext=(10, 0), textcoords="offset points", va="center")
        ax.set_yticks(range(len(rows)), [f"{r.use}\n({r.route})" for r in rows])
        ax.set_ylim(len(rows) - 0.5, -0.5)
        ax.set_xscale("log")
        ax.set_xlim(0.1, 12)
        ax.set_xticks([0.1, 0.5, 1, 2, 5, 10], ["0.1", "0.5", "1", "2", "5", "10"])
        ax.minorticks_off()
        ax.grid(axis="y", visible=False)
        ax.set_xlabel("Reported dose (mg per kg, log scale): a comparison, not a dosing guide", loc="right")
        ax.set_title("Research doses sit below anaesthetic doses")
    alt = ("Range chart on a log scale of reported ketamine doses by use: "
           + "; ".join(f"{r.use} {r.low_mg_kg:g}" + (f" to {r.high_mg_kg:g}" if r.high_mg_kg > r.low_mg_kg else "") + " mg/kg"
                       for r in rows)
           + ". The antidepressant research dose is 2 to 9 times lower than the anaesthetic induction range.")
    return Chart(figure, alt)


# 07 Summary ---------------------------------------------------------------------
TIMING_VIEWS = {
    "first": "When was a first effect reported?",
    "measured": "When were response and remission measured?",
}


def timing_points(data: Dataset, treatment: str, show: str) -> list:
    """The onset rows behind one row of the timing chart: first effects (and first responses), or measured results."""
    if show == "first":
        return sorted((p for p in data.onset if p.treatment == treatment and not p.comparator
                       and p.measure in ("first_effect", "first_response")), key=lambda p: p.days)
    return models.measured_points(data, treatment)


def plot_timing(data: Dataset, show: str = "first", talk: bool | None = None) -> Chart:
    """For each treatment, the range of times at which a first effect was reported, or at which results were measured.

    Every mark is a reported time from one source; nothing is read off the illustrative curves.
    """
    if show not in TIMING_VIEWS:
        raise ValueError(f"show must be one of {', '.join(TIMING_VIEWS)}")
    treatments = list(data.treatments)
    with house_style(talk):
        figure = _new_figure(10.0, 6.2, talk_scale=WIDE_TALK_SCALE)
        ax = figure.add_axes((0.24, 0.17, 0.72, 0.73))
        results = []
        for row, t in enumerate(treatments):
            style, points = TREATMENT_STYLE[t.id], timing_points(data, t.id, show)
            if not points:
                ax.annotate("no time reported in the data", (HOUR, row), xytext=(4, 0), textcoords="offset points",
                            va="center", color=GREY, fontsize="small")
                results.append(f"{t.label}: none in the data")
                continue
            low, high = points[0].days, points[-1].days
            ax.plot([low, high], [row, row], color=style.color, linewidth=8, alpha=0.35, solid_capstyle="round")
            ax.plot([p.days for p in points], [row] * len(points), linestyle="none", marker=style.marker, color=style.color,
                    markersize=10)
            sources = sorted({_source_name(data, p.source_id) for p in points})
            span = format_days(low) if np.isclose(low, high) else f"{format_days(low)} to {format_days(high)}"
            ax.annotate(f"{span} ({'; '.join(sources)})", (HOUR, row - 0.3), xytext=(4, 0), textcoords="offset points",
                        va="center", fontsize="small")
            results.append(f"{t.label}: {span} ({'; '.join(sources)})")
        ax.set_yticks(range(len(treatments)), [SHORT_LABELS.get(t.id, t.label) for t in treatments])
        ax.set_ylim(len(treatments) - 0.5, -0.75)
        _time_axis(ax, "log", 16 * WEEK)
        ax.set_xticks([HOUR, 4 * HOUR, 1, WEEK, 4 * WEEK, 16 * WEEK], ["1 h", "4 h", "1 d", "1 wk", "4 wk", "16 wk"])
        ax.set_xlabel("Time since the first dose or session (log scale)")
        ax.grid(axis="y", visible=False)
        ax.set_title(TIMING_VIEWS[show])
        _footnote(figure, "Each mark is a reported time. " + POPULATION_NOTE)
    alt = (f"Range chart on a log time axis: {TIMING_VIEWS[show].lower()} For each treatment, the reported times and their "
           "sources: " + "; ".join(results) + f". {POPULATION_NOTE}")
    return Chart(figure, alt)
