"""Ketamine therapy for depression: an evidence-checked interactive explainer.

Notebooks start with ``import ketamine_explainer as kx`` and ``data = kx.load()``;
everything they show comes from the CSV tables in ``data/``.

The names below are imported on first use (PEP 562), so importing the package costs nothing until a notebook asks
for a chart, and a worker process can import one of its modules without the rest.
"""

import importlib

_NAMES = {
    "DataError": "data",
    "Dataset": "data",
    "bibliography": "content",
    "comparison_table": "content",
    "explore": "frames",
    "glossary": "content",
    "help_lines": "content",
    "load": "data",
    "measured_points_table": "content",
    "quiz": "views",
    "set_talk_mode": "style",
    "sources": "content",
}
_MODULES = ("charts", "content", "models", "units", "views")

__all__ = sorted([*_NAMES, *_MODULES])
__version__ = "0.1.0"


def __getattr__(name: str):
    if name in _MODULES:
        value = importlib.import_module(f".{name}", __name__)
    elif name in _NAMES:
        value = getattr(importlib.import_module(f".{_NAMES[name]}", __name__), name)
    else:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
