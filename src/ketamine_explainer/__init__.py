"""Ketamine therapy for depression: an evidence-checked interactive explainer.

Notebooks start with ``import ketamine_explainer as kx`` and ``data = kx.load()``;
everything they show comes from the CSV tables in ``data/``.
"""

from . import charts, content, models, units, views
from .content import bibliography, comparison_table, glossary, help_lines, measured_points_table, sources
from .data import DataError, Dataset, load
from .frames import explore
from .style import set_talk_mode
from .views import quiz

__all__ = [
    "DataError",
    "Dataset",
    "bibliography",
    "charts",
    "comparison_table",
    "content",
    "explore",
    "glossary",
    "help_lines",
    "load",
    "measured_points_table",
    "models",
    "quiz",
    "set_talk_mode",
    "sources",
    "units",
    "views",
]
__version__ = "0.1.0"
