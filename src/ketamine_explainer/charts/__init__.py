"""The explainer's charts, one function per chart, split by subject; :mod:`.kit` is the figure kit they share.

Every chart function takes the data set first and returns a :class:`~.kit.Chart`. Parameters a learner may vary are
declared next to themselves with :class:`~.kit.Vary`; ``kx.explore(chart, data, name=[values...])`` turns them into
controls.
"""

from .context import plot_cascade, plot_prevalence, plot_stard, plot_timeline
from .kit import Chart, Frame, Vary, chart
from .onset import POPULATION_NOTE, SHORT_LABELS, plot_onset_timelines, plot_single_vs_course, plot_timing
from .safety import NO_PLACEBO_NOTE, plot_acute_effects, plot_dose_levels, plot_plasma, plot_side_effects

__all__ = [
    "NO_PLACEBO_NOTE",
    "POPULATION_NOTE",
    "SHORT_LABELS",
    "Chart",
    "Frame",
    "Vary",
    "chart",
    "plot_acute_effects",
    "plot_cascade",
    "plot_dose_levels",
    "plot_onset_timelines",
    "plot_plasma",
    "plot_prevalence",
    "plot_side_effects",
    "plot_single_vs_course",
    "plot_stard",
    "plot_timeline",
    "plot_timing",
]
