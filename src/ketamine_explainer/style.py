"""The house style: one palette, one look per treatment, a talk mode for projection."""

from __future__ import annotations

import contextvars
import os
import sys
from contextlib import contextmanager
from dataclasses import dataclass

import matplotlib

#: Okabe & Ito (2008) colour-blind-safe palette.
OKABE_ITO = {
    "black": "#000000",
    "orange": "#E69F00",
    "sky_blue": "#56B4E9",
    "bluish_green": "#009E73",
    "yellow": "#F0E442",
    "blue": "#0072B2",
    "vermillion": "#D55E00",
    "reddish_purple": "#CC79A7",
}
GREY = "#6E6E6E"


@dataclass(frozen=True)
class SeriesStyle:
    """How one treatment looks in every chart: colour, line style and marker, so colour is never the only cue."""

    color: str
    linestyle: str | tuple
    marker: str


TREATMENT_STYLE = {
    "iv_single": SeriesStyle(OKABE_ITO["vermillion"], "-", "o"),
    "iv_course": SeriesStyle(OKABE_ITO["reddish_purple"], (0, (6, 2)), "D"),
    "esketamine": SeriesStyle(OKABE_ITO["orange"], "--", "^"),
    "ssri": SeriesStyle(OKABE_ITO["blue"], ":", "s"),
    "cbt": SeriesStyle(OKABE_ITO["bluish_green"], "-.", "P"),
    "ect": SeriesStyle(OKABE_ITO["black"], (0, (3, 1, 1, 1, 1, 1)), "X"),
}


def talk_mode() -> bool:
    """True when charts should be drawn for projection (``KETAMINE_TALK=1``, or :func:`set_talk_mode`)."""
    return os.environ.get("KETAMINE_TALK", "0") not in ("", "0", "false", "no")


def live_session() -> bool:
    """True inside a kernel that a Jupyter server started for a learner's notebook (JupyterLab, Notebook 7, a hub):
    the server names the notebook in ``JPY_SESSION_NAME``. Not when a notebook is executed to be stored or exported
    (``make execute``, the builds, nbval), where every frame is drawn before the cell's output is written."""
    return bool(os.environ.get("JPY_SESSION_NAME")) and "ipykernel" in sys.modules


_NARROW_TOO: contextvars.ContextVar[bool | None] = contextvars.ContextVar("narrow_too", default=None)


@contextmanager
def narrow_too(wanted: bool):
    """Inside, charts get their narrow layout as well exactly when ``wanted`` (a job drawn elsewhere says which)."""
    token = _NARROW_TOO.set(wanted)
    try:
        yield
    finally:
        _NARROW_TOO.reset(token)


def narrow_wanted() -> bool:
    """True when charts also get their narrow (phone) layout: for the stored notebooks and the exported pages, not
    for a learner's live session, where nothing shows it (``KETAMINE_NARROW=1`` or ``0`` decides instead)."""
    if _NARROW_TOO.get() is not None:
        return _NARROW_TOO.get()
    given = os.environ.get("KETAMINE_NARROW", "").strip()
    if given:
        return given not in ("0", "false", "no")
    return not live_session()


def set_talk_mode(on: bool = True) -> None:
    """Switch every chart drawn from now on to large type and thick lines (for slides and projectors)."""
    os.environ["KETAMINE_TALK"] = "1" if on else "0"


def rc(talk: bool | None = None) -> dict:
    """Matplotlib settings of the house style."""
    talk = talk_mode() if talk is None else talk
    base = 17 if talk else 12
    return {
        "font.family": "DejaVu Sans",
        "font.size": base,
        "axes.titlesize": base + 3,
        "axes.titleweight": "bold",
        "axes.titlelocation": "left",
        "axes.labelsize": base + 1,
        "xtick.labelsize": base - 1,
        "ytick.labelsize": base - 1,
        "legend.fontsize": base - 1,
        "legend.frameon": False,
        "lines.linewidth": 3.4 if talk else 2.4,
        "lines.markersize": 11 if talk else 8,
        "axes.spines.top": False,
        "axes.spines.right": False,
        "axes.grid": True,
        "grid.color": "#DDDDDD",
        "grid.linewidth": 0.8,
        "axes.prop_cycle": matplotlib.cycler(color=list(OKABE_ITO.values())),
        "figure.dpi": 90,
        "savefig.dpi": 90,
        "svg.hashsalt": "ketamine-explainer",
        "text.parse_math": False,  # text comes from data: a "$" is a dollar sign, never the start of a formula
    }


@contextmanager
def house_style(talk: bool | None = None):
    with matplotlib.rc_context(rc(talk)):
        yield
