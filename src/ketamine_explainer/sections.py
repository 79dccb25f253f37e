"""The interactive figure of each section: which chart, which controls, which options."""

from __future__ import annotations

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
        lambda treatments, at_days, scale: charts.plot_onset_timelines(data, treatments, at_days, scale),
        controls,
        "How fast do depression treatments work? (interactive)",
    )
