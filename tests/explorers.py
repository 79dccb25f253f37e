"""The explorers a notebook asks for: each ``kx.explore(...)`` cell run with a stand-in that records the call.

Nothing is drawn. Each call gives the chart function, its fixed keywords and its controls (built from the chart's
declared wording and the values in the cell, as ``kx.explore`` builds them), in the order the page shows them.
"""

from __future__ import annotations

import json
from types import SimpleNamespace

import ketamine_explainer as kx
from ketamine_explainer import frames, notebooks


def explore_cells(stem: str) -> list[str]:
    cells = json.loads((notebooks.NOTEBOOK_DIR / f"{stem}.ipynb").read_text(encoding="utf-8"))["cells"]
    return ["".join(c["source"]) for c in cells if c["cell_type"] == "code" and "kx.explore(" in "".join(c["source"])]


def explore_calls(stem: str, data) -> list[SimpleNamespace]:
    """One record per ``kx.explore`` call in notebook ``stem``, in reading order."""
    calls = []

    def record(chart, data, *, title=None, **options):
        fixed = {k: v for k, v in options.items() if not frames.varies(v)}
        controls = tuple(frames._control(chart, data, k, v) for k, v in options.items() if k not in fixed)
        marker = chart.spec.marker_name if any(c.name == chart.spec.marker_name for c in controls) else None  # a layer
        calls.append(SimpleNamespace(chart=chart, fixed=fixed, controls=controls, title=title or chart.spec.title, marker=marker))

    stand_in = SimpleNamespace(explore=record, charts=kx.charts, units=kx.units)
    for source in explore_cells(stem):
        exec(compile(source, f"<{stem}>", "exec"), {"kx": stand_in, "data": data})  # noqa: S102 (the project's own notebooks)
    return calls
