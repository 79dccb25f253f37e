"""Controls bound to charts in a form that works live *and* in exported HTML with no kernel.

Every combination of control values is rendered once, up front, into a frame
(an ``<img>`` with alt text, in a ``<picture>`` with its narrow layout on a page). Frames sit in nested ``ipywidgets.Stack`` widgets,
and each control is linked to its level of stacks in the browser with
``jslink``, so moving a control only changes which frame is visible: no round
trip to Python, hence it works the same in JupyterLab, in an exported page and
in the slides.
"""

from __future__ import annotations

import html
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import ipywidgets as widgets

KINDS = {
    "dropdown": widgets.Dropdown,
    "slider": widgets.SelectionSlider,
    "toggle": widgets.ToggleButtons,
    "radio": widgets.RadioButtons,
}


@dataclass(frozen=True)
class Control:
    """One control: ``name`` is the keyword passed to the render function; ``description`` says what it sets, with units."""

    name: str
    description: str
    options: Sequence[tuple[str, Any]]
    kind: str = "dropdown"
    initial: int = 0

    def __post_init__(self):
        if self.kind not in KINDS:
            raise ValueError(f"control kind must be one of {', '.join(KINDS)}, not {self.kind!r}")
        if len(self.options) < 2:
            raise ValueError(f"control '{self.name}' needs at least two options")
        if not 0 <= self.initial < len(self.options):
            raise ValueError(f"control '{self.name}': initial index {self.initial} is out of range")

    def widget(self) -> widgets.Widget:
        labels = [label for label, _ in self.options]
        kwargs = {"options": labels, "index": self.initial, "description": self.description,
                  "style": {"description_width": "initial"}}
        if self.kind == "slider":
            kwargs.update(continuous_update=True, readout=True, layout=widgets.Layout(width="95%"))
        if self.kind == "dropdown":
            kwargs["layout"] = widgets.Layout(width="max-content")
        return KINDS[self.kind](**kwargs)


WIDGET_NOTE = (
    '<div class="kx-widget-note" role="note" style="border: 1px dashed #888; border-radius: 6px; padding: .5em .9em; margin: .3em 0">'
    "<style>.jp-OutputArea:has(.kx-explorer, .kx-quiz) .kx-widget-note {{ display: none; }}"
    # The controls work with no kernel: no "disconnected" (broken link) badge on them before a cell has run.
    ":is(.kx-explorer, .kx-quiz).jupyter-widgets-disconnected::before, :is(.kx-explorer, .kx-quiz) "
    ".jupyter-widgets-disconnected::before {{ content: none; display: none; }}</style>"
    "<strong>This {what} needs the explainer's export to work here.</strong> Its controls run in the browser with the "
    "Jupyter widget library, which this page did not load: it was exported without the explainer's settings, or it is "
    "offline. Open the notebook in JupyterLab (<code>make lab</code>), or export it with "
    "<code>python -m ketamine_explainer page</code> for a page that works offline. {description}</div>"
)


#: In JupyterLab and Notebook 7 (where the exported pages' a11y.js does not run), a slider handle says its value in
#: words ("1 day", not "1") and is named by its label, and a toggle button says whether it is pressed. It runs from the
#: note's trusted HTML output and watches only its own output area.
SPEAK_VALUES = (
    "<script>(function (script) {"
    " var area = script && script.closest('.jp-OutputArea'); if (!area || area.kxSpeaks) { return; } area.kxSpeaks = true;"
    " function set(e, name, value) { if (value && e.getAttribute(name) !== value) { e.setAttribute(name, value); } }"
    " function sync() {"
    "  area.querySelectorAll('.kx-explorer .widget-slider').forEach(function (control) {"
    "   var handle = control.querySelector('.noUi-handle'), readout = control.querySelector('.widget-readout'),"
    "       label = control.querySelector('.widget-label'); if (!handle) { return; }"
    "   set(handle, 'aria-valuetext', readout && readout.textContent.trim());"
    "   set(handle, 'aria-label', label && label.textContent.trim()); });"
    "  area.querySelectorAll('.kx-explorer .widget-toggle-button').forEach(function (button) {"
    "   set(button, 'aria-pressed', button.classList.contains('mod-active') ? 'true' : 'false'); }); }"
    " new MutationObserver(sync).observe(area, {subtree: true, childList: true, characterData: true, attributes: true,"
    " attributeFilter: ['class', 'aria-valuenow']}); sync();"
    "})(document.currentScript);</script>"
)


def _execution_count() -> int | None:
    """The number of the cell running now in IPython (None outside IPython)."""
    from IPython import get_ipython

    shell = get_ipython()
    return getattr(shell, "execution_count", None) if shell is not None else None


class Described:
    """A widget whose plain-text output is its own description (what nbval compares; where widgets cannot show).

    Displayed, it adds a second output: a note that says the widget needs the explainer's export. A style rule
    inside the note hides it wherever the widget renders (JupyterLab, the explainer's exports, nbconvert online),
    so it is seen only where the widget library did not load, e.g. a plain ``jupyter nbconvert`` page offline.
    """

    what = "interactive chart"
    script = SPEAK_VALUES

    def describe(self) -> str:
        raise NotImplementedError

    def __repr__(self) -> str:
        return self.describe()

    def _repr_mimebundle_(self, **kwargs):
        bundle = super()._repr_mimebundle_(**kwargs)
        bundle["text/plain"] = self.describe()
        return bundle

    def note(self) -> dict[str, str]:
        return {"text/html": WIDGET_NOTE.format(what=self.what, description=html.escape(self.describe())) + self.script,
                "text/plain": f"(This {self.what} needs Jupyter widgets.)"}

    def carried_state(self) -> dict[str, dict]:
        """The state of this widget, everything it shows and the links between them: carried in its output's metadata,
        so that a save keeps it whatever the frontend sends (see :mod:`ketamine_explainer.widgetstate`)."""
        from ipywidgets.embed import dependency_state

        return dependency_state(self, drop_defaults=False)  # whole: some Python defaults differ from the browser's

    def _ipython_display_(self):
        if getattr(self, "_shown_in", None) == _execution_count():  # shown already, by this same cell (:meth:`show`)
            return
        self._display()

    def _display(self, update: bool = False):
        from IPython.display import display

        from .widgetstate import CARRIED

        self._display_id = getattr(self, "_display_id", None) or f"kx-{self.model_id}"
        display(self._repr_mimebundle_(), metadata={CARRIED: self.carried_state()}, raw=True,
                display_id=self._display_id, update=update)
        if not update:
            display(self.note(), raw=True)

    def show(self, update: bool = False) -> None:
        """Show this widget now, before the cell that made it ends (``update``: show it again, whole, in place: the
        output then carries its final state, which a save keeps). The cell's own display of it is then skipped."""
        self._display(update=update)
        self._shown_in = _execution_count()


@dataclass
class Layer:
    """One image layer of an explorer: a frame per combination of its controls, in nested stacks.

    A frame not drawn yet is an empty picture until :meth:`fill` gives it (a learner's live session shows the first
    frame at once and the others as they are drawn)."""

    controls: tuple[Control, ...]
    frames: dict[tuple[int, ...], str]
    alts: dict[tuple[int, ...], str]
    stacks: list[list[widgets.Stack]]
    root: widgets.Widget | None = None
    pictures: dict[tuple[int, ...], widgets.HTML] = field(default_factory=dict)

    @classmethod
    def build(cls, controls: Sequence[Control], drawn: dict[tuple[int, ...], tuple[str, str]]) -> Layer:
        """Stacks over ``controls`` (outermost first) of the frames ``drawn`` as (html, alt) by combination."""
        layer = cls(tuple(controls), {i: h for i, (h, _) in drawn.items()}, {i: a for i, (_, a) in drawn.items()},
                    [[] for _ in controls])
        layer.root = layer._stack(0, ()) if controls else layer._picture(())  # a fixed base: one frame
        return layer

    def _picture(self, index: tuple[int, ...]) -> widgets.HTML:
        self.pictures[index] = widgets.HTML(self.frames.get(index, ""))
        return self.pictures[index]

    def _stack(self, level: int, prefix: tuple[int, ...]) -> widgets.Widget:
        control = self.controls[level]
        children = []
        for i in range(len(control.options)):
            index = (*prefix, i)
            if level + 1 == len(self.controls):
                children.append(self._picture(index))
            else:
                children.append(self._stack(level + 1, index))
        stack = widgets.Stack(children=children, selected_index=control.initial)
        self.stacks[level].append(stack)
        return stack

    def fill(self, index: tuple[int, ...], frame: tuple[str, str]) -> None:
        """Show the frame drawn for combination ``index`` (html, alt)."""
        self.frames[index], self.alts[index] = frame
        self.pictures[index].value = frame[0]

    @property
    def initial_alt(self) -> str:
        return self.alts[tuple(c.initial for c in self.controls)]


class Explorer(Described, widgets.VBox):
    """Controls above stacks of pre-drawn chart frames, linked in the browser (made by :func:`ketamine_explainer.explore`).

    ``base`` holds the chart's frames by combination of the controls other than ``marker``; with a marker control,
    ``marks`` holds the transparent layer of each mark by combination of all controls (the marker's index last), and
    the two layers are stacked in one grid cell, so they lie over each other in every frontend.
    """

    def __init__(self, title: str, controls: Sequence[Control], base: dict, marks: dict | None = None,
                 marker: Control | None = None):
        names = [c.name for c in controls]
        if len(set(names)) != len(names):
            raise ValueError("control names must be unique")
        if (marker is None) != (not marks) or (marker is not None and marker not in controls):
            raise ValueError("a mark layer needs its marker control among the controls, and frames for it")
        self.title, self.controls = title, tuple(controls)
        base_controls = tuple(c for c in self.controls if c is not marker)
        self.layers = [Layer.build(base_controls, base)]
        if marker is not None:
            self.layers.append(Layer.build((*base_controls, marker), marks))
        self.control_widgets = [c.widget() for c in self.controls]
        self.links = [
            widgets.jslink((widget, "index"), (stack, "selected_index"))
            for control, widget in zip(self.controls, self.control_widgets)
            for layer in self.layers if control in layer.controls
            for stack in layer.stacks[layer.controls.index(control)]
        ]
        if len(self.layers) == 1:
            frame_box = self.layers[0].root
        else:
            for layer in self.layers:
                layer.root.layout = widgets.Layout(grid_area="chart", width="100%")
            frame_box = widgets.GridBox([layer.root for layer in self.layers],
                                        layout=widgets.Layout(grid_template_areas='"chart"', width="100%"))
        self.status: widgets.HTML | None = None  # says that frames are still being drawn (see :meth:`drawing`)
        super().__init__(children=[*self.control_widgets, frame_box], layout=widgets.Layout(width="100%"))
        self.add_class("kx-explorer")

    def fill(self, frames: dict[tuple[int, ...], tuple[str, str]], marks: dict[tuple[int, ...], tuple[str, str]]) -> None:
        """Show frames drawn after the explorer was displayed (chart frames, and mark layers, by combination)."""
        for layer, drawn in zip(self.layers, (frames, marks)):
            for index, frame in drawn.items():
                layer.fill(index, frame)

    def drawing(self, done: int, total: int) -> None:
        """While frames are still being drawn, the controls are off and say so; at ``done == total`` they work."""
        busy = done < total
        if busy:
            for widget in self.control_widgets:
                widget.disabled = True
            text = (f"Drawing the other settings: {done} of {total} pictures ready. The controls work once every "
                    "picture is drawn.")
            if self.status is None:
                self.status = widgets.HTML()
                self.status.add_class("kx-status")
                self.children = (*self.control_widgets, self.status, *self.children[len(self.control_widgets):])
            self.status.value = f'<p role="status">{html.escape(text)}</p>'
        else:  # the status line goes first, then the controls come on: never a working control beside it
            if self.status is not None:
                self.children = tuple(c for c in self.children if c is not self.status)
                self.status.close()
                self.status = None
            for widget in self.control_widgets:
                widget.disabled = False

    @property
    def frame_count(self) -> int:
        return sum(math.prod(len(c.options) for c in layer.controls) for layer in self.layers)

    @property
    def initial_alt(self) -> str:
        return " ".join(layer.initial_alt for layer in self.layers)

    def describe(self) -> str:
        """Plain text shown where widgets cannot be (and compared by nbval): the controls and the first frame."""
        controls = "; ".join(f"{c.description} ({', '.join(label for label, _ in c.options)})" for c in self.controls)
        title = self.title if self.title.endswith((".", "?", "!")) else f"{self.title}."
        return f"{title} Controls: {controls}. {self.frame_count} pre-rendered frames. Shown first: {self.initial_alt}"


class Quiz(Described, widgets.VBox):
    """A check-your-understanding question: choosing an option shows its feedback, linked in the browser (no kernel)."""

    what = "check-your-understanding question"
    script = ""

    def __init__(self, question: str, options: Sequence[tuple[str, str, bool]], number: int = 1):
        self.question, self.options, self.number = question, tuple(options), number
        self.choice = widgets.RadioButtons(
            options=[f"{letter}. {label}" for letter, (label, _, _) in zip(LETTERS, options)], index=None,
            description="Your answer:",
            style={"description_width": "initial"}, layout=widgets.Layout(width="max-content"),
        )
        feedback = [
            widgets.HTML(f'<div class="kx-feedback kx-{"right" if correct else "wrong"}" role="status">'
                         f'<strong>{"Correct." if correct else "Not quite."}</strong> {html.escape(text)}</div>')
            for _, text, correct in options
        ]
        self.feedback = widgets.Stack(children=feedback, selected_index=None)
        self.link = widgets.jslink((self.choice, "index"), (self.feedback, "selected_index"))
        title = widgets.HTML(f'<p class="kx-question"><strong>Question {number:d}.</strong> {html.escape(question)}</p>')
        super().__init__(children=[title, self.choice, self.feedback])
        self.add_class("kx-quiz")

    def describe(self) -> str:
        return (f"Question {self.number}: {self.question} Options: "
                + " / ".join(f"{letter}. {label}" for letter, (label, _, _) in zip(LETTERS, self.options)))


#: How options are named in every medium: the site, the slides, the handout and the answer key.
LETTERS = "ABCDEFGH"


def question_number(data, question_id: str) -> int:
    """A question's number within its notebook: its place among that notebook's questions in ``quiz.csv``."""
    notebook = next(o.notebook for o in data.quiz if o.question_id == question_id)
    ids = list(dict.fromkeys(o.question_id for o in data.quiz if o.notebook == notebook))
    return ids.index(question_id) + 1


def quiz(data, question_id: str) -> Quiz:
    """The question ``question_id`` from ``data/quiz.csv``, numbered within its notebook, its options lettered; each
    option's feedback names its source."""
    rows = [o for o in data.quiz if o.question_id == question_id]
    if not rows:
        raise KeyError(f"no question '{question_id}' in quiz.csv")
    if len(rows) > len(LETTERS):
        raise ValueError(f"question '{question_id}' has more than {len(LETTERS)} options")
    options = []
    for row in rows:
        source = data.source(row.source_id)
        author = source.authors.split(",")[0]
        options.append((row.option, f"{row.feedback} (Source: {author} {source.year}.)", row.correct))
    return Quiz(rows[0].question, options, question_number(data, question_id))
