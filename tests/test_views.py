"""Views: every combination is pre-rendered, and each control is linked in the browser to its level of stacks."""

import ipywidgets as widgets
import numpy as np
import pytest

from ketamine_explainer import charts, sections
from ketamine_explainer.views import Control, explorer


@pytest.fixture(scope="module")
def onset(data):
    return sections.onset_explorer(data)


def test_one_frame_per_combination_of_each_layers_controls(onset):
    base, overlay = onset.layers
    assert [c.name for c in base.controls] == ["treatments", "scale"], "the time control only moves the overlay"
    assert [c.name for c in overlay.controls] == ["treatments", "at_days", "scale"]
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
    widget = overlay.root.children[2].children[3].children[1]  # ... at 4 weeks
    assert widget.value == overlay.frames[(2, 3, 1)]
    expected = charts.plot_onset_timelines(data, sections.ONSET_PRESETS[2][1], sections.ONSET_TIMES[3][1], "linear", layer="marker")
    assert overlay.alts[(2, 3, 1)] == expected.alt


def test_a_single_layer_explorer_shows_its_stack_directly(data):
    e = sections.prevalence_explorer(data)
    assert len(e.layers) == 1 and e.children[-1] is e.layers[0].root and e.frame_count == 4


def test_every_control_has_a_description_in_words(onset):
    for control in onset.control_widgets:
        assert len(control.description) > 5


def test_plain_text_describes_controls_and_first_frame(onset):
    text = onset._repr_mimebundle_()["text/plain"]
    assert "Controls: Compare (All six treatments" in text
    assert "Marked at 1 day" in text
    assert "application/vnd.jupyter.widget-view+json" in onset._repr_mimebundle_()


def test_bad_controls_are_rejected(data):
    with pytest.raises(ValueError, match="at least two options"):
        Control("x", "X", [("only", 1)])
    with pytest.raises(ValueError, match="kind must be"):
        Control("x", "X", [("a", 1), ("b", 2)], kind="knob")
    with pytest.raises(ValueError, match="out of range"):
        Control("x", "X", [("a", 1), ("b", 2)], initial=2)
    with pytest.raises(ValueError, match="overlay_only"):
        explorer(lambda x: charts.plot_single_vs_course(data), [Control("x", "X", [("a", 1), ("b", 2)])], "t", overlay_only=("x",))
    with pytest.raises(ValueError, match="unique"):
        c = Control("x", "X", [("a", 1), ("b", 2)])
        explorer(lambda x: charts.plot_single_vs_course(data), [c, c], "t")


# Worker processes (issue 9): started by a fork server, never forked from the (threaded) notebook process.
SECTION_EXPLORERS = [name for name in dir(sections) if name.endswith(("_explorer", "_preview"))]


@pytest.mark.parametrize("name", SECTION_EXPLORERS)
def test_every_sections_render_functions_can_be_sent_to_workers(name, data, monkeypatch):
    import pickle

    captured = {}
    monkeypatch.setattr(sections, "explorer", lambda render, controls, title, overlay=None, overlay_only=(): captured.update(
        render=render, overlay=overlay, controls=controls))
    getattr(sections, name)(data)
    for function in (captured["render"], captured["overlay"]):
        if function is not None:
            restored = pickle.loads(pickle.dumps(function))
            names = {c.name for c in captured["controls"]}
            assert restored.func is function.func and names, "a picklable partial of a chart function"


def test_workers_draw_the_same_frames_in_processes_from_a_fork_server(data, monkeypatch):
    import os
    from functools import partial

    from ketamine_explainer import views, workers

    monkeypatch.setattr(workers, "_main_is_safe", lambda: True)  # however pytest was started
    controls = [Control("steps", "Steps", [("1", 1), ("2", 2), ("3", 3)], "slider"), Control("weeks_per_step", "Weeks", [("8", 8), ("12", 12)])]
    combos = [(i, j) for i in range(3) for j in range(2)]
    render = partial(charts.plot_stard, data)
    monkeypatch.setenv("KETAMINE_WORKERS", "1")
    alone = views.render_frames(render, controls, combos)
    monkeypatch.setenv("KETAMINE_WORKERS", "2")
    pooled = views.render_frames(render, controls, combos)
    assert pooled == alone
    pid, count, pool = workers._POOL
    assert (pid, count) == (os.getpid(), 2) and pool._ctx.get_start_method() == "forkserver"
    assert all(p.pid != os.getpid() for p in pool._pool)
    monkeypatch.setenv("KETAMINE_TALK", "1")  # the workers follow the notebook's talk mode
    assert views.render_frames(render, controls, combos[:2]) != alone[:2]


def test_a_bad_worker_count_is_a_clear_error(monkeypatch):
    from ketamine_explainer import workers

    for bad in ("0", "x", "\u0662", "1.5"):
        monkeypatch.setenv("KETAMINE_WORKERS", bad)
        with pytest.raises(ValueError, match="KETAMINE_WORKERS must be a whole number"):
            workers.worker_count()
    monkeypatch.setenv("KETAMINE_WORKERS", "3")
    assert workers.worker_count() == 3
