"""Views: every combination is pre-rendered, and each control is linked in the browser to its level of stacks."""

import ipywidgets as widgets
import numpy as np
import pytest

import ketamine_explainer as kx
from ketamine_explainer import charts
from ketamine_explainer.frames import MAX_FRAMES, Job
from ketamine_explainer.views import Control, Explorer

PRESETS = {"All six": None, "One infusion, SSRI and CBT": ("iv_single", "ssri", "cbt"),
           "IV against esketamine": ("iv_single", "iv_course", "esketamine"), "Course against ECT": ("iv_course", "ect")}
TIMES = [4 / 24, 1, 7, 28, 84]


@pytest.fixture(scope="module")
def onset(data):
    return kx.explore(charts.plot_onset_timelines, data, treatments=PRESETS, at_days=TIMES, scale=["log", "linear"])


def test_one_frame_per_combination_of_each_layers_controls(onset):
    base, overlay = onset.layers
    assert [c.name for c in base.controls] == ["treatments", "scale"], "the time control only moves the overlay"
    assert [c.name for c in overlay.controls] == ["treatments", "scale", "at_days"]
    for layer in onset.layers:
        sizes = [len(c.options) for c in layer.controls]
        assert len(layer.frames) == int(np.prod(sizes))
        assert len(set(layer.frames.values())) == len(layer.frames), "every frame must differ"
    assert onset.frame_count == len(base.frames) + len(overlay.frames) == 4 * 2 + 4 * 5 * 2


def test_each_control_is_jslinked_to_every_stack_of_its_level_in_every_layer(onset):
    for control, widget in zip(onset.controls, onset.control_widgets):
        expected = {id(stack) for layer in onset.layers if control in layer.controls
                    for stack in layer.stacks[layer.controls.index(control)]}
        linked = [link for link in onset.links if link.source[0] is widget]
        assert {id(link.target[0]) for link in linked} == expected and expected
        assert all(link.source[1] == "index" and link.target[1] == "selected_index" for link in linked)


def test_stacks_start_at_each_controls_initial_option(onset):
    for layer in onset.layers:
        for control, level in zip(layer.controls, layer.stacks):
            assert all(stack.selected_index == control.initial for stack in level)


def test_layers_overlap_in_one_grid_cell(onset):
    grid = onset.children[-1]
    assert isinstance(grid, widgets.GridBox) and grid.layout.grid_template_areas == '"chart"'
    assert [child.layout.grid_area for child in grid.children] == ["chart", "chart"]


def test_frames_reached_through_the_stacks_match_their_options(onset, data):
    base, overlay = onset.layers
    widget = base.root.children[2].children[1]  # IV ketamine vs esketamine, linear
    assert widget.value == base.frames[(2, 1)]
    widget = overlay.root.children[2].children[1].children[3]  # ... at 4 weeks (the mark's control is innermost)
    assert widget.value == overlay.frames[(2, 1, 3)]
    base_alt = charts.plot_onset_timelines(data, treatments=PRESETS["IV against esketamine"], scale="linear").alt
    full_alt = charts.plot_onset_timelines(data, treatments=PRESETS["IV against esketamine"], at_days=28, scale="linear").alt
    assert overlay.alts[(2, 1, 3)] == full_alt[len(base_alt) + 1:] and overlay.alts[(2, 1, 3)].startswith("Marked at 4 weeks")


def test_a_single_layer_explorer_shows_its_stack_directly(data):
    e = kx.explore(charts.plot_prevalence, data, view=["world_sex", "world_age", "us_sex", "us_age"])
    assert len(e.layers) == 1 and e.children[-1] is e.layers[0].root and e.frame_count == 4


def test_every_control_has_a_description_in_words(onset):
    for control in onset.control_widgets:
        assert len(control.description) > 5


def test_plain_text_describes_controls_and_first_frame(onset):
    text = onset._repr_mimebundle_()["text/plain"]
    assert "Controls: Compare (All six, One infusion" in text
    assert "Marked at 1 day" in text
    assert "application/vnd.jupyter.widget-view+json" in onset._repr_mimebundle_()


def test_controls_appear_in_the_order_of_the_call_with_the_charts_wording(onset):
    assert [c.name for c in onset.controls] == ["treatments", "at_days", "scale"]
    assert [w.description for w in onset.control_widgets] == ["Compare", "Where does each stand at (time since first dose)",
                                                              "Time axis"]
    assert [label for label, _ in onset.controls[1].options] == ["4 hours", "1 day", "1 week", "4 weeks", "12 weeks"]
    assert onset.controls[1].initial == 1, "the time starts at the chart's declared start, 1 day"


def test_a_learner_adds_a_value_and_gets_that_option(data):
    e = kx.explore(charts.plot_stard, data, steps=[1, 2, 3, 4], weeks_per_step=[8, 12, 14, 20])
    assert [label for label, _ in e.controls[1].options][-1] == "20 weeks"
    assert e.controls[0].initial == 3 and e.controls[1].initial == 1, "the chart's defaults (4 steps, 12 weeks) show first"
    assert "80 weeks in all" in e.layers[0].alts[(3, 3)]


def test_explore_refuses_too_many_frames_and_says_how_many_and_why(data):
    with pytest.raises(ValueError, match=r"these options make 80 frames, more than the 64 .* picture stored in the notebook"):
        kx.explore(charts.plot_onset_timelines, data, treatments=PRESETS, at_days=[1, 2, 3, 4, 5, 6, 7, 8, 9], scale=["log", "linear"])
    assert MAX_FRAMES == 64


def test_bad_explore_calls_are_rejected_with_a_clear_message(data):
    with pytest.raises(TypeError, match="has no parameter 'weeks'"):
        kx.explore(charts.plot_stard, data, weeks=[8, 12])
    with pytest.raises(ValueError, match="cannot vary 'drug'"):
        kx.explore(charts.plot_side_effects, data, drug=["esketamine", "escitalopram"])
    with pytest.raises(ValueError, match="at least one parameter to vary"):
        kx.explore(charts.plot_stard, data, steps=2)
    with pytest.raises(TypeError, match="is not a chart"):
        kx.explore(lambda data, x: None, data, x=[1, 2])
    with pytest.raises(ValueError, match="at least two options"):
        kx.explore(charts.plot_stard, data, steps=[2])
    with pytest.raises(ValueError, match="read the same"):
        kx.explore(charts.plot_stard, data, steps=[2, 2])


@pytest.mark.parametrize("options, message", [
    ({"scale": ["log", "logarithmic"]}, "scale 'logarithmic' is not one of its values: choose from 'log', 'linear'"),
    ({"at_days": ["1 week", 7]}, "at_days takes a number of days, like 7 .*; '1 week' is not a number"),
    ({"at_days": [1, 200]}, "at_days 200 days is outside the chart's axis, which runs from .* to 16 weeks"),
    ({"at_days": [1, 7], "scale": "logarithmic"}, "scale 'logarithmic' is not one of its values"),
    ({"at_days": [1, float("nan")]}, "is not a number"),
])
def test_a_learners_wrong_value_gets_one_clear_line(data, options, message):
    with pytest.raises(ValueError, match=message) as caught:
        kx.explore(charts.plot_onset_timelines, data, **options)
    assert "\n" not in str(caught.value)


def test_a_misspelt_keyword_lists_what_a_learner_may_pass_and_nothing_internal(data):
    with pytest.raises(TypeError) as caught:
        kx.explore(charts.plot_onset_timelines, data, scal=["log", "linear"])
    assert str(caught.value) == ("plot_onset_timelines has no parameter 'scal'; you may give treatments, scale, at_days, "
                                 "title")


def test_bad_controls_are_rejected(data):
    with pytest.raises(ValueError, match="at least two options"):
        Control("x", "X", [("only", 1)])
    with pytest.raises(ValueError, match="kind must be"):
        Control("x", "X", [("a", 1), ("b", 2)], kind="knob")
    with pytest.raises(ValueError, match="out of range"):
        Control("x", "X", [("a", 1), ("b", 2)], initial=2)
    c = Control("x", "X", [("a", 1), ("b", 2)])
    with pytest.raises(ValueError, match="marker control"):
        Explorer("t", [c], {(0,): ("", ""), (1,): ("", "")}, marks={}, marker=c)
    with pytest.raises(ValueError, match="unique"):
        Explorer("t", [c, c], {})


def test_every_notebook_explorer_can_be_sent_to_workers(data):
    import pickle

    from ketamine_explainer import notebooks

    from .explorers import explore_calls

    calls = [call for stem in notebooks.NOTEBOOKS for call in explore_calls(stem, data)]
    assert len(calls) >= 10
    for call in calls:
        job = Job(call.chart, data, call.fixed, call.controls)
        restored = pickle.loads(pickle.dumps(job))
        assert restored.chart is call.chart and restored.controls == job.controls


def test_workers_draw_the_same_frames_in_processes_from_a_fork_server(data, monkeypatch):
    import os

    from ketamine_explainer import frames, workers

    monkeypatch.setattr(workers, "_main_is_safe", lambda: True)  # however pytest was started
    controls = [Control("steps", "Steps", [("1", 1), ("2", 2), ("3", 3)], "slider"), Control("weeks_per_step", "Weeks", [("8", 8), ("12", 12)])]
    combos = [(i, j) for i in range(3) for j in range(2)]
    job = Job(charts.plot_stard, data, {}, tuple(controls))
    monkeypatch.setenv("KETAMINE_WORKERS", "1")
    alone = frames.render_groups(job, combos)
    monkeypatch.setenv("KETAMINE_WORKERS", "2")
    pooled = frames.render_groups(job, combos)
    assert pooled == alone
    pid, count, pool = workers._POOL
    assert (pid, count) == (os.getpid(), 2) and pool._ctx.get_start_method() == "forkserver"
    assert all(p.pid != os.getpid() for p in pool._pool)
    monkeypatch.setenv("KETAMINE_TALK", "1")  # the workers follow the notebook's talk mode
    assert frames.render_groups(job, combos[:2]) != alone[:2]
    marked = Job(charts.plot_plasma, data, {}, (Control("at_minutes", "Time", [("40", 40), ("80", 80)], "slider"),))
    monkeypatch.setenv("KETAMINE_TALK", "0")
    (frames,) = frames.render_groups(marked, [()])
    assert len(frames) == 3, "one chart and a layer per mark, drawn from one figure"


def test_a_bad_worker_count_is_a_clear_error(monkeypatch):
    from ketamine_explainer import workers

    for bad in ("0", "x", "\u0662", "1.5"):
        monkeypatch.setenv("KETAMINE_WORKERS", bad)
        with pytest.raises(ValueError, match="KETAMINE_WORKERS must be a whole number"):
            workers.worker_count()
    monkeypatch.setenv("KETAMINE_WORKERS", "3")
    assert workers.worker_count() == 3
