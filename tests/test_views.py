"""Views: every combination is pre-rendered, and each control is linked in the browser to its level of stacks."""

import ipywidgets as widgets
import pytest

from ketamine_explainer import charts, sections
from ketamine_explainer.views import Control, explorer


@pytest.fixture(scope="module")
def onset(data):
    return sections.onset_explorer(data)


def test_one_frame_per_combination_of_options(onset):
    sizes = [len(c.options) for c in onset.controls]
    assert len(onset.frames) == sizes[0] * sizes[1] * sizes[2]
    assert len(set(onset.frames.values())) == len(onset.frames), "every frame must differ"


def test_each_control_is_jslinked_to_every_stack_of_its_level(onset):
    for control, level in zip(onset.control_widgets, onset.stacks):
        linked = [link for link in onset.links if link.source[0] is control]
        assert {id(link.target[0]) for link in linked} == {id(stack) for stack in level}
        assert all(isinstance(link, widgets.widget_link.Link) for link in linked)
        assert all(link.source[1] == "index" and link.target[1] == "selected_index" for link in linked)


def test_stacks_start_at_each_controls_initial_option(onset):
    for control, level in zip(onset.controls, onset.stacks):
        assert all(stack.selected_index == control.initial for stack in level)


def test_frame_reached_through_the_stacks_matches_its_options(onset, data):
    index = (2, 3, 1)  # IV ketamine vs esketamine, 4 weeks, linear
    widget = onset.children[-1]
    for i in index:
        widget = widget.children[i]
    assert widget.value == onset.frames[index]
    expected = charts.plot_onset_timelines(data, sections.ONSET_PRESETS[2][1], sections.ONSET_TIMES[3][1], "linear")
    assert onset.alts[index] == expected.alt


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
    with pytest.raises(ValueError, match="unique"):
        c = Control("x", "X", [("a", 1), ("b", 2)])
        explorer(lambda x: charts.plot_single_vs_course(data), [c, c], "t")
