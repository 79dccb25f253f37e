"""The interactive figure of each section: which chart, which controls, which options.

Render functions are ``functools.partial`` objects of chart functions (never lambdas), with each control named
after the chart function's keyword: they can be pickled to the worker processes that draw the frames.
"""

from __future__ import annotations

from functools import partial

from . import charts
from .charts import WEEK
from .data import Dataset
from .views import Control, Explorer, explorer

ONSET_PRESETS = (
    ("All six treatments", None),
    ("One ketamine infusion against an SSRI and CBT", ("iv_single", "ssri", "cbt")),
    ("IV ketamine against esketamine nasal spray", ("iv_single", "iv_course", "esketamine")),
    ("Ketamine course against ECT", ("iv_course", "ect")),
)
ONSET_TIMES = (("4 hours", 4 / 24), ("1 day", 1.0), ("1 week", WEEK), ("4 weeks", 4 * WEEK), ("12 weeks", 12 * WEEK))


def onset_explorer(data: Dataset) -> Explorer:
    """The central chart with its three controls: treatments compared, the moment marked, linear or log time."""
    controls = [
        Control("treatments", "Compare", ONSET_PRESETS, "dropdown"),
        Control("at_days", "Where does each stand at (time since first dose)", ONSET_TIMES, "slider", initial=1),
        Control("scale", "Time axis", (("Logarithmic (hours to months)", "log"), ("Linear (weeks)", "linear")), "toggle"),
    ]
    return explorer(
        partial(charts.plot_onset_timelines, data, at_days=None, layer="base"),
        controls,
        "How fast do depression treatments work? (interactive)",
        overlay=partial(charts.plot_onset_timelines, data, layer="marker"),
        overlay_only=("at_days",),
    )


def onset_preview(data: Dataset) -> Explorer:
    """The start page's taste of the central chart: one infusion against an SSRI, on either time axis."""
    return explorer(
        partial(charts.plot_onset_timelines, data, ("iv_single", "ssri"), 1.0),
        [Control("scale", "Time axis", (("Logarithmic (hours to months)", "log"), ("Linear (weeks)", "linear")), "toggle")],
        "Preview: one ketamine infusion against a standard antidepressant",
    )


def prevalence_explorer(data: Dataset) -> Explorer:
    options = [(view[2], key) for key, view in charts.PREVALENCE_VIEWS.items()]
    return explorer(partial(charts.plot_prevalence, data), [Control("view", "Group people", options, "dropdown")],
                    "Who is affected by depression?")


def stard_explorer(data: Dataset) -> Explorer:
    steps = [(f"{n} step{'s' if n > 1 else ''}", n) for n in range(1, 5)]
    weeks = [(f"{w} weeks", w) for w in (8, 12, 14)]
    return explorer(
        partial(charts.plot_stard, data),
        [Control("steps", "Treatment steps tried (number)", steps, "slider", initial=3),
         Control("weeks_per_step", "Length of each step (weeks)", weeks, "toggle", initial=1)],
        "Sequential treatment steps in STAR*D",
    )


def timeline_explorer(data: Dataset) -> Explorer:
    years = [(str(y), y) for y in (1962, 1970, 1999, 2006, 2013, 2019, 2025)]
    return explorer(partial(charts.plot_timeline, data),
                    [Control("up_to_year", "Show milestones up to (year)", years, "slider", initial=len(years) - 1)],
                    "Ketamine's history, 1962 to 2025")


def cascade_explorer(data: Dataset) -> Explorer:
    steps = [(f"{s.order}. {s.step}", s.order) for s in sorted(data.mechanism, key=lambda s: s.order)]
    return explorer(partial(charts.plot_cascade, data),
                    [Control("up_to_step", "Reveal the cascade up to step (number)", steps, "slider", initial=len(steps) - 1)],
                    "The proposed cascade")


def plasma_explorer(data: Dataset) -> Explorer:
    times = [(charts.format_days(m / 1440), m) for m in (20, 40, 80, 120, 240, 480)]
    return explorer(partial(charts.plot_plasma, data, layer="base"),
                    [Control("at_minutes", "Time after the start of the infusion (minutes and hours)", times, "slider", initial=1)],
                    "Illustrative plasma curve",
                    overlay=partial(charts.plot_plasma, data, layer="marker"), overlay_only=("at_minutes",))


def acute_effects_explorer(data: Dataset) -> Explorer:
    times = [(charts.format_days(m / 1440), m) for m in (15, 30, 40, 60, 90, 120, 180)]
    return explorer(partial(charts.plot_acute_effects, data, layer="base"),
                    [Control("at_minutes", "Time after the start of a dose (minutes and hours)", times, "slider", initial=2)],
                    "Acute effects after a dose",
                    overlay=partial(charts.plot_acute_effects, data, layer="marker"), overlay_only=("at_minutes",))


def side_effects_explorer(data: Dataset) -> Explorer:
    categories = [("All listed effects", None), ("Perception", "Perception"), ("Body", "Body"),
                  ("Mood and alertness", "Mood and alertness")]
    return explorer(partial(charts.plot_side_effects, data, "esketamine"),
                    [Control("category", "Adverse effects shown", categories, "dropdown")],
                    "Esketamine adverse effects against placebo")


def timing_explorer(data: Dataset) -> Explorer:
    """07's side-by-side timing: reported times of first effects or of measured results, with their sources."""
    options = [(title, key) for key, title in (("first", "First effect reported"), ("measured", "Response or remission measured"))]
    return explorer(partial(charts.plot_timing, data),
                    [Control("show", "Show the times when", options, "toggle")],
                    "Treatments side by side: reported times, with their sources")
