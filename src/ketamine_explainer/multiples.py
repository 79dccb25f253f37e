"""Controls on paper: each explorer becomes *small multiples*, read from the notebook's stored widget state.

A control only switches between pre-rendered frames, and every frame is stored in the notebook's widget state. On
paper there is nothing to switch, so an explorer is printed as the frames its key control would show, side by side,
each labelled with its setting (the other controls as first shown). A question is printed without its answer.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

from .charts import kit

WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
WIDGET_STATE = "application/vnd.jupyter.widget-state+json"
#: At most this many settings of a control are printed side by side.
MAX_MULTIPLES = 6
PRINT_ONLY = "kx-print-only"
#: A frame's narrow layout (a ``<picture>``'s source for narrow screens), which paper never shows.
NARROW_SOURCE = re.compile(kit.NARROW_SOURCE)


def _model_id(ref: str) -> str:
    return ref.removeprefix("IPY_MODEL_")


@dataclass(frozen=True)
class WidgetState:
    """The widget models stored in a notebook, and the browser-side links between them."""

    models: dict[str, dict]

    @classmethod
    def of(cls, nb) -> WidgetState:
        stored = nb.metadata.get("widgets", {}).get(WIDGET_STATE, {}).get("state", {})
        return cls({key: value for key, value in stored.items()})

    def state(self, model_id: str) -> dict:
        return self.models[model_id]["state"]

    def name(self, model_id: str) -> str:
        return self.models[model_id]["model_name"]

    def children(self, model_id: str) -> list[str]:
        return [_model_id(ref) for ref in self.state(model_id).get("children", [])]

    def classes(self, model_id: str) -> list[str]:
        return self.state(model_id).get("_dom_classes", [])

    def linked_stacks(self, control_id: str) -> list[str]:
        """The stacks whose ``selected_index`` follows ``control_id``'s ``index`` (its jslinks)."""
        stacks = []
        for model in self.models.values():
            if model["model_name"] == "LinkModel":
                (source, source_attr), (target, target_attr) = model["state"]["source"], model["state"]["target"]
                if _model_id(source) == control_id and (source_attr, target_attr) == ("index", "selected_index"):
                    stacks.append(_model_id(target))
        return stacks


@dataclass(frozen=True)
class Setting:
    """One printed frame: the control's label for it and the image layers (HTML) drawn over each other."""

    label: str
    layers: tuple[str, ...]


@dataclass(frozen=True)
class Multiples:
    """An explorer on paper: one control's key settings, the others at their first setting."""

    control: str
    fixed: tuple[str, ...]
    settings: tuple[Setting, ...]

    def html(self) -> str:
        held = f' Other controls as first shown: {html.escape("; ".join(self.fixed))}.' if self.fixed else ""
        cells = "".join(
            f'<figure class="kx-multiple"><div class="kx-layers">{"".join(s.layers)}</div>'
            f"<figcaption>{html.escape(s.label)}</figcaption></figure>"
            for s in self.settings
        )
        return (f'<div class="{PRINT_ONLY} kx-multiples"><p class="kx-multiples-caption"><strong>On paper:</strong> '
                f'the chart at {len(self.settings)} settings of &ldquo;{html.escape(self.control)}&rdquo;.{held}</p>'
                f'<div class="kx-multiples-grid">{cells}</div></div>')


def _key_control(state: WidgetState, controls: list[str]) -> str:
    """The control to vary on paper: the first slider (usually time), else the one with the most settings."""
    sliders = [c for c in controls if state.name(c) == "SelectionSliderModel"]
    if sliders:
        return sliders[0]
    return max(controls, key=lambda c: len(state.state(c)["_options_labels"]))


def _spread(count: int, limit: int = MAX_MULTIPLES) -> list[int]:
    """Up to ``limit`` indices spread evenly over ``count`` settings, first and last included."""
    if count <= limit:
        return list(range(count))
    return sorted({round(i * (count - 1) / (limit - 1)) for i in range(limit)})


def _visible_layers(state: WidgetState, frame_box: str, selected: dict[str, int]) -> tuple[str, ...]:
    """Follow each stack's selected child down to the frame (an HTML widget holding an <img>)."""
    roots = state.children(frame_box) if state.name(frame_box) == "GridBoxModel" else [frame_box]
    layers = []
    for node in roots:
        while state.name(node) == "StackModel":
            index = selected.get(node, state.state(node).get("selected_index"))
            node = state.children(node)[index]
        layers.append(on_paper(state.state(node)["value"]))
    return tuple(layers)


_SOURCE_PARTS = re.compile(r'<source media="[^"]*" srcset="(data:image/png;base64,[A-Za-z0-9+/=]+)"((?: data-[a-z-]+="[^"<>]*")*)>')
_ALT = re.compile(r' alt="([^"]*)"')


def on_paper(frame: str) -> str:
    """A frame as small multiples print it: its narrow layout as a plain image, where it has one.

    The narrow layout is drawn 4.2 inches wide with the same type as the page's 10-inch chart, so two of them side by
    side on A4 or Letter print their smallest text at about 8 pt, where the wide chart at half the page would print
    at under 4 pt. A frame without a narrow layout prints as it is."""
    narrow = _SOURCE_PARTS.search(frame)
    if narrow is None:
        return NARROW_SOURCE.sub("", frame)
    alt = _ALT.search(frame)
    return (f'<img src="{narrow.group(1)}" alt="{alt.group(1) if alt else ""}"{narrow.group(2)} '
            'style="max-width:100%;height:auto">')


def explorer_multiples(state: WidgetState, root: str) -> Multiples:
    """The small multiples of the explorer whose top widget is ``root``."""
    *controls, frame_box = state.children(root)
    key = _key_control(state, controls)
    fixed = tuple(f'{state.state(c)["description"]}: {state.state(c)["_options_labels"][state.state(c)["index"]]}'
                  for c in controls if c != key)
    base = {}
    for control in controls:
        for stack in state.linked_stacks(control):
            base[stack] = state.state(control)["index"]
    labels = state.state(key)["_options_labels"]
    settings = []
    for index in _spread(len(labels)):
        selected = dict(base, **{stack: index for stack in state.linked_stacks(key)})
        settings.append(Setting(labels[index], _visible_layers(state, frame_box, selected)))
    return Multiples(state.state(key)["description"], fixed, tuple(settings))


def quiz_on_paper(state: WidgetState, root: str) -> str:
    """A question with its options and no answer."""
    title, choice, _ = state.children(root)
    options = "".join(f"<li>{html.escape(label)}</li>" for label in state.state(choice)["_options_labels"])  # lettered
    return f'<div class="{PRINT_ONLY} kx-quiz-paper">{state.state(title)["value"]}<ul class="kx-options">{options}</ul></div>'


def static_html(state: WidgetState, model_id: str) -> str | None:
    """What a widget output becomes on paper, or None for a widget this module does not know."""
    if model_id not in state.models:
        return None
    classes = state.classes(model_id)
    if "kx-explorer" in classes:
        return explorer_multiples(state, model_id).html()
    if "kx-quiz" in classes:
        return quiz_on_paper(state, model_id)
    return None
