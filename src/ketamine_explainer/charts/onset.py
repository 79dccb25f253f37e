"""How fast treatments work: the central onset chart and its time mark, one infusion against a course, and the
reported times side by side."""

from __future__ import annotations

from typing import Annotated

import numpy as np
from matplotlib.lines import Line2D

from .. import models
from ..data import Dataset
from ..style import GREY, TREATMENT_STYLE, house_style
from ..units import HOUR, WEEK, format_days, short_days
from .kit import (
    WIDE_TALK_SCALE,
    Chart,
    Vary,
    Within,
    chart,
    footnote,
    is_narrow,
    is_talk,
    main_axes,
    new_figure,
    note_beside,
    pick,
    resolve_talk,
    settle,
    spread,
    time_axis,
    time_line,
    title,
    wrap,
)

POPULATION_NOTE = "Trials in different populations (see each study's population): compare shapes, not heights."
ONSET_END = 16 * WEEK

#: Short legend names, so each name keeps room for its reading (the alt text and tables use the full labels).
SHORT_LABELS = {"iv_single": "IV ketamine, one infusion", "iv_course": "IV ketamine, course", "esketamine": "Esketamine spray",
                "ssri": "SSRI or SNRI", "cbt": "CBT", "ect": "ECT"}
SCALES = {"log": "Logarithmic (hours to months)", "linear": "Linear (weeks)"}


def treatments_label(treatments: tuple[str, ...] | None) -> str:
    """How a set of treatments reads on a control: 'All treatments', or their short names."""
    if treatments is None:
        return "All treatments"
    names = [SHORT_LABELS.get(t, t) for t in treatments]
    return ", ".join(names[:-1]) + f" against {names[-1]}" if len(names) > 1 else names[0]


def short_days_range(low: float, high: float) -> str:
    """'12-14 days': a span of whole days (or as format_days writes each end, when they are not whole days)."""
    if float(low).is_integer() and float(high).is_integer():
        return f"{low:g}-{high:g} days"
    return f"{format_days(low)} to {format_days(high)}"


def source_name(data: Dataset, source_id: str) -> str:
    """'Han 2016': first author's surname and year."""
    return data.source(source_id).short


def _reading_text(point, days: float) -> str:
    """The words after a treatment's name: its measured value there, or that there is no measurement."""
    if point is None:
        return ": no measurement"
    return f": {point.value_pct:g}%" + ("" if np.isclose(point.days, days) else f" ({short_days(point.days)})")


ONSET_TIMES = Within(HOUR, ONSET_END, "days", format_days, "7 (a week) or 0.5 (12 hours)")


def mark_onset(chart: Chart, at_days: Annotated[float, Vary("Where does each stand at", "time since first dose", "slider",
                                                              format_days, start=1.0, within=ONSET_TIMES)]) -> str:
    """The time mark: a vertical line, each treatment's measured value near that time after its legend name (or "no
    measurement"), a ring round that measured point; returns the sentence for the alt text."""
    data, figure, ax, curves = chart.parts["data"], chart.figure, chart.parts["ax"], chart.parts["curves"]
    left = ax.transAxes.inverted().transform(ax.transData.transform((at_days, 0)))[0] < 0.5
    words = f"{format_days(at_days)}:", "measured values only"
    note_beside(ax, at_days, 100, (" ".join(words), "\n".join(words)) if not is_narrow() else ("\n".join(words),),
                prefer_right=left, dy_pt=-2, va="top", color=GREY, fontweight="bold", fontsize=pick("medium", "small"))
    time_line(ax, at_days, color=GREY, linewidth=1.5, zorder=1)  # after the note: it never runs through a label
    sentences = []
    for (treatment, curve), (x, y, size) in zip(curves.items(), chart.parts["reading_at"]):
        style, point = TREATMENT_STYLE[treatment], models.onset_reading(data, curve, at_days)
        if point is not None:  # ring the measured point itself, never a spot on the illustrative line
            ax.plot(point.days, point.value_pct, marker=style.marker, markersize=16, color=style.color,
                    markerfacecolor="none", markeredgewidth=2.5, zorder=5)
        figure.text(x, y, _reading_text(point, at_days), va="center", fontsize=size, fontweight="bold")
        sentences.append(_reading_sentence(data, curve, point, at_days))
    return f"Marked at {format_days(at_days)}: " + "; ".join(sentences) + "."


def _reading_sentence(data: Dataset, curve: models.OnsetCurve, point, at_days: float) -> str:
    label = data.treatment(curve.treatment).label
    if point is not None:
        # Short: this is what a screen reader announces after the mark moves; the chart's own alt text and the
        # measured-points table give each population.
        return f"{label} {point.value_pct:g}% measured at {format_days(point.days)} ({source_name(data, point.source_id)})"
    nearest = models.nearest_measured(data, curve, at_days)
    return f"{label} no measurement" + (f" (nearest: {nearest.value_pct:g}% at {format_days(nearest.days)})"
                                        if nearest else "")


@chart("How fast do depression treatments work?", marker=mark_onset)
def plot_onset_timelines(
    data: Dataset,
    treatments: Annotated[tuple[str, ...] | None, Vary("Compare", "", "dropdown", treatments_label)] = None,
    scale: Annotated[str, Vary("Time axis", "", "toggle", SCALES)] = "log",
    talk: bool | None = None,
) -> Chart:
    """Response over time for each treatment: measured points as markers, illustrative curves as lines, each line
    named at its end; under the axes, a strip with each treatment's first noticeable effect.

    ``at_days`` marks a moment (:func:`mark_onset`): a vertical line, and each treatment's measured value near that
    time after its name.
    """
    known = [t.id for t in data.treatments]
    treatments = tuple(known) if treatments is None else tuple(treatments)
    for treatment in treatments:
        if treatment not in known:
            raise ValueError(f"unknown treatment '{treatment}'; choose from {', '.join(known)}")
    talk = resolve_talk(talk)
    curves = {t: models.onset_curve(data, t) for t in treatments}  # computed once for the chart, its mark and its alt
    with house_style(talk):
        figure = new_figure(10.0, 6.8, narrow_height=9.0)
        if is_narrow():
            ax, strip = figure.subplots(2, 1, sharex=True, height_ratios=[12, 1])
        else:
            layout = WIDE["talk" if talk else "page"]
            ax = main_axes(figure, layout["axes"])
            left, bottom, width, _ = layout["axes"]
            strip = figure.add_axes((left, bottom - layout["strip"], width, layout["strip"]), sharex=ax)
        _draw_curves(ax, data, curves, scale)
        time_axis(strip, scale, ONSET_END, sparse=talk)
        ax.tick_params(axis="x", labelbottom=False)
        ax.set_ylim(0, 100)
        ax.set_ylabel("Patients responding (%)")
        title(ax, "How fast do depression treatments work?")
        _first_effect_strip(strip, data, curves)
        _separate_studies(ax, data, curves)
        footnote(figure, POPULATION_NOTE)
        names = _names(figure, ax, data, curves)
        settle(figure)
        figure.draw_without_rendering()
    width, height = figure.bbox.width, figure.bbox.height
    reading_at = [((box.x1 + 2) / width, (box.y0 + box.y1) / 2 / height, text.get_fontsize())
                  for text in names for box in [text.get_window_extent()]]
    return Chart(figure, _onset_alt(data, curves, scale), {"data": data, "ax": ax, "curves": curves, "reading_at": reading_at},
                 talk)


#: The wide layouts (page and talk), in figure fractions: the axes (room on the right for the names at the ends of
#: the lines and the readings after them), the height of the first-effect strip under the axes, where the names start.
#: Their least spacing is NAME_GAP_PT points (at the talk size in talk mode).
WIDE = {"page": {"axes": (0.08, 0.27, 0.54, 0.65), "strip": 0.05, "names_x": 0.64},
        "talk": {"axes": (0.08, 0.27, 0.43, 0.65), "strip": 0.05, "names_x": 0.54}}
NAME_GAP_PT = 15


def _curve_days(scale: str) -> np.ndarray:
    return np.geomspace(HOUR / 2, ONSET_END, 240) if scale == "log" else np.linspace(0, ONSET_END, 240)


def _draw_curves(ax, data: Dataset, curves: dict[str, models.OnsetCurve], scale: str) -> None:
    days = _curve_days(scale)
    for treatment, curve in curves.items():
        style = TREATMENT_STYLE[treatment]
        ax.plot(days, curve(days), color=style.color, linestyle=style.linestyle, zorder=2)
        for point in _drawn_points(data, curve):
            filled = point.measure == "response"
            ax.plot(point.days, point.value_pct, linestyle="none", marker=style.marker, color=style.color,
                    markerfacecolor=style.color if filled else "white", markeredgewidth=2, zorder=3,
                    clip_on=False)  # whole, even at the axis's end (16 weeks)


def _line_end(curve: models.OnsetCurve, scale: str) -> tuple[float, float]:
    """Where a treatment's drawn line ends: its last point with a value."""
    days = _curve_days(scale)
    values = curve(days)
    last = np.flatnonzero(np.isfinite(values))[-1]
    return float(days[last]), float(values[last])


def _label(data: Dataset, treatment: str, curve: models.OnsetCurve) -> str:
    """A treatment's short name; ECT's curve is remission, and says so."""
    return SHORT_LABELS.get(treatment, data.treatment(treatment).label) + (
        " (remission)" if curve.measure == "remission" else "")


def _names(figure, ax, data: Dataset, curves: dict[str, models.OnsetCurve]) -> list:
    """Each line's name beside the axes at the height where the line ends (wide), moved apart just enough not to
    overlap, with a short leader in the margin and the line's marker; in the narrow layout, a legend under the axes.
    Below either, the key to markers and lines. Returns the name texts, in the order of ``curves`` (a reading is
    written after each)."""
    key = [
        Line2D([], [], color=GREY, marker="o", linestyle="none", label="measured response (trial data)"),
        Line2D([], [], color=GREY, marker="o", markerfacecolor="white", linestyle="none", label="measured remission"),
        Line2D([], [], color=GREY, label="illustrative curve between points"),
    ]
    if is_narrow():
        handles = [Line2D([], [], color=TREATMENT_STYLE[t].color, linestyle=TREATMENT_STYLE[t].linestyle,
                          marker=TREATMENT_STYLE[t].marker, label=_label(data, t, c)) for t, c in curves.items()]
        legend = figure.legend(handles=[*handles, *key], loc="outside lower left", handlelength=2.0)
        return legend.get_texts()[: len(handles)]
    figure.legend(handles=key, loc="lower left", bbox_to_anchor=(0.0, 0.045), ncols=3, columnspacing=1.5,
                  fontsize="small")
    scale = ax.get_xscale()
    ends = {t: _line_end(c, "log" if scale == "log" else "linear") for t, c in curves.items()}
    to_figure = figure.transFigure.inverted()
    end_points = {t: to_figure.transform(ax.transData.transform(end)) for t, end in ends.items()}
    layout = WIDE["talk" if is_talk() else "page"]
    gap = NAME_GAP_PT * (1.3 if is_talk() else 1.0) / 72 / figure.get_figheight()
    bottom, top = layout["axes"][1], layout["axes"][1] + layout["axes"][3]
    names_x = layout["names_x"]
    heights = spread([end_points[t][1] for t in curves], gap, bottom, top)
    names, right = [], layout["axes"][0] + layout["axes"][2]
    for (treatment, curve), y in zip(curves.items(), heights):
        style = TREATMENT_STYLE[treatment]
        # A short leader in the margin only, from the height where the line ends: across the axes it would read as the
        # line going on.
        figure.add_artist(Line2D([right + 0.004, names_x - 0.008], [end_points[treatment][1], y],
                                 transform=figure.transFigure, color=style.color, linewidth=1, alpha=0.8))
        figure.add_artist(Line2D([names_x], [y], transform=figure.transFigure, marker=style.marker, color=style.color,
                                 markersize=7))  # the line's own marker: its colour is never the only cue
        names.append(figure.text(names_x + 0.012, y, _label(data, treatment, curve), va="center", ha="left",
                                 fontweight="bold", fontsize="small"))
    return names


def _first_effect_strip(strip, data: Dataset, curves: dict[str, models.OnsetCurve]) -> None:
    """Under the axes, on the same time axis: each treatment's first noticeable effect as its marker, and a label."""
    strip.set_ylim(0, 1)
    strip.set_yticks([])
    for side in ("left", "right", "top"):
        strip.spines[side].set_visible(False)
    firsts = []
    for treatment in curves:
        first = models.first_effect(data, treatment)
        if first is not None:
            style = TREATMENT_STYLE[treatment]
            strip.plot(first.days, 0.5, marker=style.marker, markersize=9, color=style.color, linestyle="none",
                       clip_on=False)
            firsts.append(first.days)
    if firsts:
        strip.annotate("\u25c2 first noticeable effect" if not is_narrow() else "\u25c2 first effect",
                       (max(firsts), 0.5), xytext=(10, 0), textcoords="offset points", va="center", ha="left",
                       color=GREY, fontsize="small", fontweight="bold")


def _separate_studies(ax, data: Dataset, curves: dict[str, models.OnsetCurve]) -> None:
    """Where one treatment shows points from several studies at one time, a note beside the highest: the points are
    separate studies, not a spread within one."""
    for treatment, curve in curves.items():
        points = _drawn_points(data, curve)
        for days in sorted({p.days for p in points}):
            here = [p for p in points if p.days == days]
            studies = {p.source_id for p in here}
            if len(studies) >= 3:
                top = max(here, key=lambda p: p.value_pct)
                ax.annotate(f"{len(studies)} separate studies", (top.days, top.value_pct), xytext=(12, 0),
                            textcoords="offset points", va="center", ha="left", fontsize="small", style="italic",
                            color=TREATMENT_STYLE[treatment].color)


def _drawn_points(data: Dataset, curve: models.OnsetCurve) -> list:
    """The measured points drawn with a treatment's curve. A remission curve (ECT) shows remission only: a response
    point from another trial, drawn under it, would read as fewer people responding than remitting."""
    points = models.measured_points(data, curve.treatment)
    return [p for p in points if p.measure == "remission"] if curve.measure == "remission" else points


def _points_text(data: Dataset, points: list) -> str:
    """'52.2% at 1 day, 47.9% at 3 days (Han 2016: depression, meta-analysis ...)': each run of points from one
    source and population, with that source and population."""
    runs: list[list] = []
    for p in points:
        if runs and (runs[-1][0].source_id, runs[-1][0].population) == (p.source_id, p.population):
            runs[-1].append(p)
        else:
            runs.append([p])
    return ", ".join(", ".join(f"{p.value_pct:g}% at {format_days(p.days)}" for p in run)
                     + f" ({data.source(run[0].source_id).short}: {run[0].population})" for run in runs)


def _onset_alt(data: Dataset, curves: dict[str, models.OnsetCurve], scale: str) -> str:
    parts = [
        "Line chart: percent of patients responding (0 to 100) against time since the first dose, "
        f"on a {'logarithmic axis from 1 hour' if scale == 'log' else 'linear axis from 0'} to {format_days(ONSET_END)}. "
        "Markers are measured trial results; lines between them are illustrative curves, not measurements."
    ]
    for treatment, curve in curves.items():
        measured = [p for p in curve.anchors if p.measured]
        text = f"{data.treatment(treatment).label}: {curve.measure} measured " + _points_text(data, measured)
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


@chart("One infusion against a course")
def plot_single_vs_course(data: Dataset, talk: bool | None = None) -> Chart:
    """One infusion against a course of six over four weeks, with the measured points of each."""
    end, talk = 4 * WEEK, resolve_talk(talk)
    single, course = models.onset_curve(data, "iv_single"), models.onset_curve(data, "iv_course")
    with house_style(talk):
        figure = new_figure(10.0, 5.7, talk_scale=1.2, narrow_height=6.4)  # room for the title in talk mode
        ax = main_axes(figure, (0.08, 0.26, 0.9, 0.64))  # the legend goes below: inside, it lay over the fading curve
        days = np.linspace(0, end, 400)
        for curve in (single, course):
            style, label = TREATMENT_STYLE[curve.treatment], data.treatment(curve.treatment).label
            ax.plot(days, curve(days), color=style.color, linestyle=style.linestyle, label=wrap(f"{label} (illustrative curve)", 38))
            points = [p for p in models.measured_points(data, curve.treatment, ("response",)) if p.curve]
            ax.plot([p.days for p in points], [p.value_pct for p in points], linestyle="none", marker=style.marker,
                    color=style.color, label=wrap(f"{label}: measured response", 38))
        faded = sorted(p.days for p in data.onset if p.treatment == "iv_single" and p.measure == "not_significant")
        if faded:  # the times at which the few studies found no significant benefit of one infusion
            ax.axvspan(faded[0], faded[-1], color="#EEEEEE", zorder=0)
            ax.annotate(f"few studies at {short_days_range(faded[0], faded[-1])}:\nno significant benefit",
                        ((faded[0] + faded[-1]) / 2, 92), ha="center", va="top", color=GREY, fontsize="small")
        time_axis(ax, "linear", end)
        ax.set_ylim(0, 100)
        ax.set_ylabel("Patients responding (%)")
        title(ax, "One infusion fades within a week; the gain from a course is uncertain")
        if is_narrow():
            figure.legend(loc="outside lower left")
        else:
            figure.legend(loc="lower left", bbox_to_anchor=(0.02, 0), ncols=2, fontsize="small")
    measured = [p for p in single.anchors if p.measured]
    anchor, last = single.anchors[-1], course.anchors[-1]
    alt = (
        f"Line chart over {format_days(end)} of the percent of patients responding. One IV ketamine infusion: "
        + ", ".join(f"{p.value_pct:g}% measured at {format_days(p.days)}" for p in measured)
        + f" ({data.source(measured[0].source_id).short}; {measured[0].population}); the line is then drawn down to "
        f"{anchor.value_pct:g}% at {format_days(anchor.days)}, an illustrative anchor (the 24-hour response rate on midazolam, "
        f"an active placebo), not a measurement at {format_days(anchor.days)}"
        + (f": the few studies at {short_days_range(faded[0], faded[-1])} found no significant benefit. " if faded else ". ")
        + f"A course: {last.value_pct:g}% responding at {format_days(last.days)} ({data.source(last.source_id).short}; "
        f"{last.population}; an open-label trial against ECT, with no placebo arm). Lines between measured points are "
        "illustrative; whether a course adds to one infusion is uncertain."
    )
    return Chart(figure, alt, talk=talk)


TIMING_VIEWS = {
    "first": "When was a first effect reported?",
    "measured": "When were response and remission measured?",
}
TIMING_OPTIONS = {"first": "First effect reported", "measured": "Response or remission measured"}


def timing_points(data: Dataset, treatment: str, show: str) -> list:
    """The onset rows behind one row of the timing chart: first effects (and first responses), or measured results."""
    if show == "first":
        return sorted((p for p in data.onset if p.treatment == treatment and not p.comparator
                       and p.measure in ("first_effect", "first_response")), key=lambda p: p.days)
    return models.measured_points(data, treatment)


@chart("Treatments side by side: reported times, with their sources")
def plot_timing(data: Dataset, show: Annotated[str, Vary("Show the times when", "", "toggle", TIMING_OPTIONS)] = "first",
                talk: bool | None = None) -> Chart:
    """For each treatment, the range of times at which a first effect was reported, or at which results were measured.

    Every mark is a reported time from one source; nothing is read off the illustrative curves.
    """
    if show not in TIMING_VIEWS:
        raise ValueError(f"show must be one of {', '.join(TIMING_VIEWS)}")
    treatments, talk = list(data.treatments), resolve_talk(talk)
    with house_style(talk):
        figure = new_figure(10.0, 6.2, talk_scale=WIDE_TALK_SCALE, narrow_height=8.2)
        ax = main_axes(figure, (0.24, 0.17, 0.72, 0.73))
        results = [_timing_row(ax, data, row, t, show) for row, t in enumerate(treatments)]
        names = [SHORT_LABELS.get(t.id, t.label) for t in treatments]
        if is_narrow():  # each name above its row, so the reported times have the whole width
            ax.set_yticks([])
            for row, name in enumerate(names):
                ax.annotate(name, (HOUR, row - 0.36), xytext=(4, 0), textcoords="offset points", va="center", fontweight="bold")
        else:
            ax.set_yticks(range(len(treatments)), names)
        ax.set_ylim(len(treatments) - pick(0.5, 0.3), -0.75)
        time_axis(ax, "log", 16 * WEEK)
        ax.set_xticks([HOUR, 4 * HOUR, 1, WEEK, 4 * WEEK, 16 * WEEK], ["1 h", "4 h", "1 d", "1 wk", "4 wk", "16 wk"])
        ax.set_xlabel(pick("Time since the first dose or session (log scale)", "Time since the first dose (log scale)"))
        ax.grid(axis="y", visible=False)
        title(ax, TIMING_VIEWS[show])
        footnote(figure, "Each mark is a reported time. " + POPULATION_NOTE)
    alt = (f"Range chart on a log time axis: {TIMING_VIEWS[show].lower()} For each treatment, the reported times and their "
           "sources: " + "; ".join(results) + f". {POPULATION_NOTE}")
    return Chart(figure, alt, talk=talk)


def _timing_row(ax, data: Dataset, row: int, treatment, show: str) -> str:
    """One treatment's reported times as a range with marks and sources; returns its words for the alt text."""
    style, points = TREATMENT_STYLE[treatment.id], timing_points(data, treatment.id, show)
    if not points:
        ax.annotate("no time reported in the data", (HOUR, row), xytext=(4, 0), textcoords="offset points",
                    va="center", color=GREY, fontsize="small")
        return f"{treatment.label}: none in the data"
    low, high = points[0].days, points[-1].days
    ax.plot([low, high], [row, row], color=style.color, linewidth=8, alpha=0.35, solid_capstyle="round")
    ax.plot([p.days for p in points], [row] * len(points), linestyle="none", marker=style.marker, color=style.color,
            markersize=10)
    sources = "; ".join(sorted({source_name(data, p.source_id) for p in points}))
    span = format_days(low) if np.isclose(low, high) else f"{format_days(low)} to {format_days(high)}"
    ax.annotate(wrap(f"{span} ({sources})", 52), (HOUR, row + pick(-0.3, 0.18)), xytext=(4, 0), textcoords="offset points",
                va=pick("center", "top"), fontsize="small")
    return f"{treatment.label}: {span} ({sources})"
