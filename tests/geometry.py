"""Where things are in a chart image: the pixel column of a data value, and the column of a drawn time mark.

Charts carry their axes geometry as ``data-`` attributes of the ``<img>`` (see ``Chart.geometry``): the axes box in
image pixels from the top left, the x-limits and the x-scale. The expected column of a time is computed from those
numbers here, with no help from matplotlib, and the drawn mark is found in the decoded PNG.
"""

from __future__ import annotations

import base64
import io
import math
import re

import numpy as np
from PIL import Image

MARK_GREY = (110, 110, 110)  # style.GREY, the colour of every time mark
UNITS = {"minute": 1, "hour": 60, "day": 1440, "week": 7 * 1440}


def label_minutes(label: str) -> float:
    """A time written on a control ('110 minutes', '4 hours', '1 day', '12 weeks') in minutes."""
    match = re.fullmatch(r"\s*([\d.]+)\s+(minute|hour|day|week)s?\s*", label)
    if not match:
        raise ValueError(f"not a time: {label!r}")
    return float(match.group(1)) * UNITS[match.group(2)]


def expected_column(geometry: dict[str, str], x: float) -> float:
    """The image x coordinate (pixels from the left edge) of data value ``x`` on the chart's time axis."""
    left, _, right, _ = map(float, geometry["axes"].split())
    low, high = map(float, geometry["xlim"].split())
    f = {"log": math.log10, "linear": float}[geometry["xscale"]]
    return left + (f(x) - f(low)) / (f(high) - f(low)) * (right - left)


def decode(src: str) -> np.ndarray:
    """An ``<img>`` data URL as an RGBA array."""
    head, data = src.split(",", 1)
    assert head == "data:image/png;base64", head
    return np.asarray(Image.open(io.BytesIO(base64.b64decode(data))).convert("RGBA")).astype(float)


def mark_column(image: np.ndarray, geometry: dict[str, str]) -> float:
    """The x coordinate of the vertical grey time mark: the columns that are mark-grey over most of the axes height."""
    _, top, _, bottom = (int(round(v)) for v in map(float, geometry["axes"].split()))
    band = image[top + (bottom - top) // 8: bottom - 4]  # below the time label written at the top of the mark
    grey = np.all(np.abs(band[..., :3] - MARK_GREY) < 40, axis=-1) & (band[..., 3] > 100)
    share = grey.mean(axis=0)
    columns = np.flatnonzero(share > 0.5)
    assert len(columns), "no vertical time mark found"
    assert columns[-1] - columns[0] <= 4, f"more than one vertical mark: columns {columns.tolist()}"
    return float(np.average(columns + 0.5, weights=share[columns]))
