"""What a learner's kernel pays for: importing the package starts nothing and imports no Jupyter machinery, loading the
data reads no notebook, and a live session draws no frame that only the exported pages show. (How fast is measured
by `make bench`, against baselines of the same run.)"""

import json
import subprocess
import sys

import pytest

import ketamine_explainer as kx
from ketamine_explainer import charts, frames, style

PROBE = """
import json, sys, threading, multiprocessing
import numpy, scipy.interpolate, matplotlib.figure, ipywidgets, PIL.Image
before = set(sys.modules)
import ketamine_explainer as kx
imported = set(sys.modules) - before
data = kx.load()
loaded = set(sys.modules) - before
print(json.dumps({"imported": sorted(imported), "loaded": sorted(loaded), "threads": threading.active_count(),
                  "children": len(multiprocessing.active_children())}))
"""
JUPYTER = ("nbformat", "nbclient", "nbconvert", "jupyter_client", "jupyter_server", "jupyterlab", "notebook", "jsonschema")


def test_importing_the_package_and_loading_the_data_start_nothing_and_import_no_jupyter_machinery():
    result = subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True, timeout=120, check=True)
    seen = json.loads(result.stdout)
    heavy = sorted({m.split(".")[0] for m in seen["loaded"] if m.split(".")[0] in JUPYTER})
    assert heavy == [], f"importing the package or loading the data imported {heavy}"
    assert not any(m.startswith("ketamine_explainer.notebooks") or m == "ketamine_explainer.generate" for m in seen["loaded"])
    assert seen["threads"] == 1 and seen["children"] == 0, "no thread and no process is started"


@pytest.fixture
def live(monkeypatch):
    """A learner's live session: a kernel the Jupyter server started for a notebook."""
    monkeypatch.setenv("JPY_SESSION_NAME", "notebooks/05_rapid_onset.ipynb")
    monkeypatch.setitem(sys.modules, "ipykernel", sys.modules.get("ipykernel") or object())
    monkeypatch.setenv("KETAMINE_WORKERS", "1")
    monkeypatch.setattr("ketamine_explainer.views.Described.show", lambda self, update=False: None)
    assert style.live_session()


def test_a_live_session_draws_no_phone_layout_and_the_stored_notebooks_keep_it(data, live, monkeypatch):
    explorer = kx.explore(charts.plot_stard, data, steps=[1, 4], weeks_per_step=[8, 12])
    html = " ".join(layer_frame for layer in explorer.layers for layer_frame in layer.frames.values())
    assert "<img" in html and "<picture" not in html, "no narrow frame where nothing shows it"
    assert "<picture" not in charts.plot_single_vs_course(data).html()
    monkeypatch.delenv("JPY_SESSION_NAME")
    assert "<picture" in charts.plot_single_vs_course(data).html(), "the stored notebooks and the pages keep it"


def test_a_live_explorer_shows_its_first_frame_at_once_and_its_controls_work_once_every_frame_is_drawn(data, live, monkeypatch):
    """The first combination is drawn before the explorer is shown (its controls off, with a status line); the other
    frames fill in; then the controls come on, the status line goes, and the output is shown again, whole."""
    events = []

    def show(self, update=False):
        drawn = sum(bool(p.value) for layer in self.layers for p in layer.pictures.values())
        busy = all(w.disabled for w in self.control_widgets) and self.status is not None and "Drawing" in self.status.value
        events.append(("show", update, drawn, busy))

    monkeypatch.setattr("ketamine_explainer.views.Described.show", show)
    original = frames.drawn_groups

    def watched(job, combos):
        for drawn in original(job, combos):
            events.append(("drawn", len(drawn)))
            yield drawn

    monkeypatch.setattr(frames, "drawn_groups", watched)
    explorer = kx.explore(charts.plot_stard, data, steps=[1, 2, 4], weeks_per_step=[8, 12])
    assert events[0] == ("show", False, 1, True), "shown with one frame, the controls off and saying so"
    assert [e[0] for e in events[1:-1]] == ["drawn"] * 5
    assert events[-1] == ("show", True, 6, False), "shown again whole, every control working"
    assert explorer.status is None and not any(w.disabled for w in explorer.control_widgets)


def test_a_live_explorer_with_a_time_mark_shows_the_chart_and_its_first_mark_before_drawing_the_other_marks(data, live, monkeypatch):
    """A chart with a time mark is shown once the chart and the mark the controls start at are drawn; the other
    marks of that chart, then the other combinations, fill in while the controls say so."""
    events = []

    def show(self, update=False):
        pictures = {layer_index: {i for i, p in layer.pictures.items() if p.value} for layer_index, layer in enumerate(self.layers)}
        busy = all(w.disabled for w in self.control_widgets)
        events.append((update, pictures, busy))

    monkeypatch.setattr("ketamine_explainer.views.Described.show", show)
    marks = [4 / 24, 1, 7, 28, 84]
    explorer = kx.explore(charts.plot_onset_timelines, data, at_days=marks, scale=["log", "linear"])
    at = next(c for c in explorer.controls if c.name == "at_days")
    scale = next(c for c in explorer.controls if c.name == "scale")
    first = (update, pictures, busy) = events[0]
    assert not update and busy, first
    assert pictures == {0: {(scale.initial,)}, 1: {(scale.initial, at.initial)}}, "the chart and the mark it starts at, only"
    assert at.options[at.initial][1] == 1, "the time mark starts at 1 day"
    update, pictures, busy = events[-1]
    assert update and not busy and len(events) == 2
    assert len(pictures[0]) == 2 and len(pictures[1]) == 2 * len(marks), "every frame drawn in the end"
    stored = kx.explore(charts.plot_onset_timelines, data, at_days=marks, scale=["log", "linear"])
    monkeypatch.delenv("JPY_SESSION_NAME")
    executed = kx.explore(charts.plot_onset_timelines, data, at_days=marks, scale=["log", "linear"])
    assert [layer.frames for layer in stored.layers] == [layer.frames for layer in explorer.layers]
    assert [layer.alts for layer in executed.layers] == [layer.alts for layer in explorer.layers], "same frames in any order"
