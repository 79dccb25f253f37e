"""One function per chart. Each returns a :class:`Chart`: the figure plus alt text saying what it shows."""

from __future__ import annotations

import base64
import html
import io
from dataclasses import dataclass

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from PIL import Image

from . import models
from .data import Dataset
from .style import GREY, TREATMENT_STYLE, house_style

HOUR = 1 / 24
WEEK = 7.0


@dataclass
class Chart:
    """A rendered figure with its alt text; shows as an ``<img>`` with ``alt`` in Jupyter and in exported HTML."""

    figure: Figure
    alt: str
    _png: bytes | None = None

    def png(self) -> bytes:
        """PNG bytes, quantized to 64 colours (small, and identical on every run)."""
        if self._png is None:
            buffer = io.BytesIO()
            self.figure.savefig(buffer, format="png", metadata={"Software": None}, facecolor="white")
            image = Image.open(buffer).convert("RGB").quantize(colors=64, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE)
            out = io.BytesIO()
            image.save(out, format="png", optimize=True)
            self._png = out.getvalue()
        return self._png

    def html(self) -> str:
        data = base64.b64encode(self.png()).decode("ascii")
        return f'<img src="data:image/png;base64,{data}" alt="{html.escape(self.alt)}" style="max-width:100%;height:auto">'

    def _repr_mimebundle_(self, include=None, exclude=None):
        return {"text/html": self.html(), "text/plain": self.alt}


def _new_figure(width: float = 10.0, height: float = 5.8) -> Figure:
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
    """The illustrative curve's value at ``days``, or None where the curve has no data."""
    value = float(models.onset_curve(data, treatment)(days))
    return None if np.isnan(value) else value


def plot_onset_timelines(
    data: Dataset,
    treatments: tuple[str, ...] | None = None,
    at_days: float | None = None,
    scale: str = "log",
    talk: bool | None = None,
) -> Chart:
    """Response over time for each treatment: measured points as markers, illustrative curves as lines.

    ``at_days`` marks a moment with a vertical line and reports each curve's value there.
    """
    known = [t.id for t in data.treatments]
    treatments = tuple(known) if treatments is None else tuple(treatments)
    for treatment in treatments:
        if treatment not in known:
            raise ValueError(f"unknown treatment '{treatment}'; choose from {', '.join(known)}")
    if at_days is not None and at_days <= 0:
        raise ValueError("at_days must be a positive time in days")
    end = 16 * WEEK
    with house_style(talk):
        figure = _new_figure(10.0, 6.4)
        ax = figure.add_axes((0.08, 0.38, 0.87, 0.55))
        days = np.geomspace(HOUR / 2, end, 400) if scale == "log" else np.linspace(0, end, 400)
        legend, readings = [], []
        for treatment in treatments:
            style, row = TREATMENT_STYLE[treatment], data.treatment(treatment)
            curve = models.onset_curve(data, treatment)
            ax.plot(days, curve(days), color=style.color, linestyle=style.linestyle, zorder=2)
            for point in models.measured_points(data, treatment):
                filled = point.measure == "response"
                ax.plot(point.days, point.value_pct, linestyle="none", marker=style.marker, color=style.color,
                        markerfacecolor=style.color if filled else "white", markeredgewidth=2, zorder=3)
            first = models.first_effect(data, treatment)
            if first is not None:
                ax.plot(first.days, 0, marker="|", markersize=18, markeredgewidth=3, color=style.color, clip_on=False, zorder=4)
            label = row.label + (" (remission)" if curve.measure == "remission" else "")
            if at_days is not None:
                value = onset_value(data, treatment, at_days)
                reading = "no data" if value is None else f"≈{value:.0f}%"
                readings.append(f"{row.label}: {reading}")
                label += f": {reading}"
                if value is not None:
                    ax.plot(at_days, value, marker=style.marker, markersize=14, color=style.color,
                            markerfacecolor="white", markeredgewidth=2.5, zorder=5)
            legend.append(Line2D([], [], color=style.color, linestyle=style.linestyle, marker=style.marker, label=label))
        if at_days is not None:
            ax.axvline(at_days, color=GREY, linewidth=1.5, zorder=1)
            ax.annotate(format_days(at_days), (at_days, 100), xytext=(4, -2), textcoords="offset points",
                        va="top", color=GREY, fontweight="bold")
        _time_axis(ax, scale, end)
        ax.set_ylim(0, 100)
        ax.set_ylabel("Patients responding (%)")
        ax.set_title("How fast do depression treatments work?")
        key = [
            Line2D([], [], color=GREY, marker="o", linestyle="none", label="measured (trial data)"),
            Line2D([], [], color=GREY, marker="o", markerfacecolor="white", linestyle="none", label="measured remission"),
            Line2D([], [], color=GREY, label="illustrative curve between points"),
            Line2D([], [], color=GREY, marker="|", markersize=14, markeredgewidth=3, linestyle="none",
                   label="first noticeable effect"),
        ]
        figure.legend(handles=legend, loc="lower left", bbox_to_anchor=(0.0, 0.07), ncols=2, handlelength=3)
        figure.legend(handles=key, loc="lower left", bbox_to_anchor=(0.0, 0.0), ncols=4, fontsize="small")
    return Chart(figure, _onset_alt(data, treatments, at_days, scale, end))


def _onset_alt(data, treatments, at_days, scale, end) -> str:
    parts = [
        "Line chart: percent of patients responding (0 to 100) against time since the first dose, "
        f"on a {'logarithmic axis from 1 hour' if scale == 'log' else 'linear axis from 0'} to {format_days(end)}. "
        "Lines are illustrative curves drawn through measured trial points."
    ]
    for treatment in treatments:
        curve = models.onset_curve(data, treatment)
        peak = max(curve.anchors, key=lambda p: p.value_pct)
        last = curve.anchors[-1]
        text = f"{data.treatment(treatment).label}: {curve.measure} reaches {peak.value_pct:g}% at {format_days(peak.days)}"
        if last is not peak:
            text += f", then {last.value_pct:g}% at {format_days(last.days)}"
        parts.append(text + ".")
    if at_days is not None:
        values = []
        for treatment in treatments:
            value = onset_value(data, treatment, at_days)
            values.append(f"{data.treatment(treatment).label} {'no data' if value is None else f'about {value:.0f}%'}")
        parts.append(f"Marked at {format_days(at_days)}: " + "; ".join(values) + ".")
    return " ".join(parts)


def plot_single_vs_course(data: Dataset, talk: bool | None = None) -> Chart:
    """One infusion against a course of six over four weeks, with the measured points of each."""
    end = 4 * WEEK
    with house_style(talk):
        figure = _new_figure(10.0, 5.2)
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
        ax.legend(loc="upper right", bbox_to_anchor=(1.0, 0.8))
    single = models.onset_curve(data, "iv_single")
    course = models.onset_curve(data, "iv_course")
    alt = (
        "Line chart over 4 weeks of the percent of patients responding. "
        f"One IV ketamine infusion: {single.anchors[0].value_pct:g}% at 1 day, {single.anchors[2].value_pct:g}% at 7 days, "
        f"back to about {single.anchors[-1].value_pct:g}% (the active-placebo level) by 14 days. "
        f"A course of twice-weekly infusions: {course.anchors[-1].value_pct:g}% responding at the end of 3 weeks. "
        "Lines between measured points are illustrative."
    )
    return Chart(figure, alt)
