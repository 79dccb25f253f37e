"""The right frame, not just another frame: in the exported pages, in Chromium, every control is moved through every
combination of options, and the visible frames must be the ones for that exact state.

The expected alt text of each state is computed here from the control's options and the chart functions, never read
from the frames or from the order of the stacks. Where a time control moves an overlay mark, the mark must lie at its
time on the base chart's axes (within 1 px), and base and overlay must share position, size, axes box, limits and
scale. Questions must mark the reviewed answer (tests/reference/quiz_key.csv) correct.
"""

from __future__ import annotations

import csv
import json
import re
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from ketamine_explainer import export, notebooks

from .browser import VISIBLE_FEEDBACK, Offline
from .explorers import explore_calls, explore_cells
from .geometry import decode, expected_column, label_minutes, mark_column

pytestmark = pytest.mark.browser
REFERENCE = Path(__file__).resolve().parent / "reference"


STEMS = list(notebooks.NOTEBOOKS)
#: Time controls that move a mark: control name, and minutes per unit of the chart's time axis.
TIME_AXES = {"at_days": 1440, "at_minutes": 1}


def _expected_alts(data, call, labels: tuple[str, ...]) -> list[str]:
    """The alt text of the chart frame (and its mark's layer) for the state whose control labels are ``labels``.

    A time control's value is read from its words ("4 hours"), not from the control's options."""
    values = {}
    for control, label in zip(call.controls, labels):
        options = dict(control.options)
        assert label in options, f"{call.title}: the page shows option {label!r}, which {control.name} does not have"
        values[control.name] = label_minutes(label) / TIME_AXES[control.name] if control.name in TIME_AXES else options[label]
    if call.marker is None:
        return [call.chart(data, **call.fixed, **values).alt]
    mark = values.pop(call.marker)
    base = call.chart(data, **call.fixed, **values)
    full = call.chart(data, **call.fixed, **values, **{call.marker: mark})
    assert full.alt.startswith(base.alt + " ")
    return [base.alt, full.alt[len(base.alt) + 1:]]


def _snake(sizes: list[int]) -> Iterator[tuple[int, ...]]:
    """Every combination, each differing from the one before in one control by one step (a reflected odometer)."""
    if not sizes:
        yield ()
        return
    rest = list(_snake(sizes[1:]))
    for i in range(sizes[0]):
        for tail in rest if i % 2 == 0 else reversed(rest):
            yield (i, *tail)


STATE = """(root) => [...root.children].filter(c => c.matches('.widget-dropdown, .widget-slider, .widget-toggle-buttons')).map(c => {
    let text;
    if (c.matches('.widget-dropdown')) { const s = c.querySelector('select'); text = s.options[s.selectedIndex].text; }
    else if (c.matches('.widget-slider')) text = c.querySelector('.widget-readout').innerText;
    else text = c.querySelector('button.mod-active').innerText;
    return text.replace(/\u00a0/g, ' ').trim();
})"""
FRAMES = """(root) => [...root.querySelectorAll('img')].filter(i => i.offsetParent !== null).map(i => {
    const r = i.getBoundingClientRect();
    return {alt: i.alt, src: i.src, data: {...i.dataset}, rect: [r.x, r.y, r.width, r.height], natural: [i.naturalWidth, i.naturalHeight]};
})"""
CONTROLS = ":scope > .widget-dropdown, :scope > .widget-slider, :scope > .widget-toggle-buttons"


def _step(page, control, kind: str, target: int, forward: bool) -> None:
    """Move one control one option forward or back, with the keyboard only."""
    if kind == "slider":
        control.locator(".noUi-handle").focus()
        page.keyboard.press("ArrowRight" if forward else "ArrowLeft")
    elif kind == "dropdown":
        control.locator("select").focus()
        page.keyboard.press("ArrowDown" if forward else "ArrowUp")
    else:
        button = control.locator("button").nth(target)
        button.focus()
        page.keyboard.press("Space")


def _kind(control) -> str:
    classes = control.get_attribute("class")
    return "slider" if "widget-slider" in classes else "dropdown" if "widget-dropdown" in classes else "toggle"


def _wait_for_state(explorer, labels: list[str]) -> list[str]:
    deadline = time.monotonic() + 5
    while (state := explorer.evaluate(STATE)) != labels and time.monotonic() < deadline:
        time.sleep(0.02)
    return state


def _check_frames(data, call, explorer, state) -> None:
    name = call.title
    frames = explorer.evaluate(FRAMES)
    expected = _expected_alts(data, call, tuple(state))
    assert [f["alt"] for f in frames] == expected, f"{name} at {state}: a frame for another state is visible"
    if len(frames) == 2:
        base, overlay = frames
        for key in ("axes", "xlim", "xscale"):
            assert base["data"][key] == overlay["data"][key], f"{name} at {state}: overlay {key} differs from the base chart's"
        assert base["natural"] == overlay["natural"], f"{name} at {state}: overlay and base images differ in size"
        assert all(abs(a - b) <= 0.5 for a, b in zip(base["rect"], overlay["rect"])), f"{name} at {state}: overlay is not over the base"
        time_control = next((c for c in call.controls if c.name == call.marker and c.name in TIME_AXES), None)
        if time_control is not None:
            label = state[call.controls.index(time_control)]
            x = label_minutes(label) / TIME_AXES[time_control.name]
            found = mark_column(decode(overlay["src"]), base["data"])
            want = expected_column(base["data"], x)
            assert abs(found - want) <= 1, f"{name}: the mark for {label} is at x={found:.1f} px, its time is at x={want:.1f} px"


def _open(browser, url):
    page = browser.new_page(viewport={"width": 1200, "height": 900})
    offline = Offline(page)
    page.goto(url)
    page.wait_for_load_state("load")
    return page, offline


@pytest.mark.parametrize("stem", [s for s in STEMS if explore_cells(s)])
def test_every_state_of_every_control_shows_its_own_frame(browser, site, data, stem):
    calls = explore_calls(stem, data)
    page, offline = _open(browser, (site / export.page_name(stem, slides=False)).as_uri())
    page.wait_for_function(f"document.querySelectorAll('.kx-explorer img').length >= {len(calls)}", timeout=30_000)
    explorers = page.locator(".kx-explorer")
    assert explorers.count() == len(calls), f"{stem}: expected the explorers {[c.title for c in calls]}"
    states = 0
    for i, spec in enumerate(calls):
        name = spec.title
        explorer = explorers.nth(i)
        controls = explorer.locator(CONTROLS)
        assert controls.count() == len(spec.controls)
        labels = [[label for label, _ in c.options] for c in spec.controls]
        state = explorer.evaluate(STATE)
        assert state == [options[c.initial] for options, c in zip(labels, spec.controls)], f"{name} starts at its initial options"
        _check_frames(data, spec, explorer, state)
        current = [c.initial for c in spec.controls]
        for target in [*_snake([len(c.options) for c in spec.controls])]:
            # reach the target one step at a time (the first target may be several steps from the initial state)
            for k, control in enumerate(spec.controls):
                while current[k] != target[k]:
                    forward = target[k] > current[k]
                    current[k] += 1 if forward else -1
                    _step(page, controls.nth(k), _kind(controls.nth(k)), current[k], forward)
                    wanted = [options[j] for options, j in zip(labels, current)]
                    state = _wait_for_state(explorer, wanted)
                    assert state == wanted, f"{name}: moving {control.name} did not select {wanted[k]!r}"
                    _check_frames(data, spec, explorer, state)
                    states += 1
    assert states >= 1
    assert offline.blocked == [] and offline.errors == []
    page.close()


def _quiz_key() -> dict[str, dict[str, str]]:
    with (REFERENCE / "quiz_key.csv").open(encoding="utf-8", newline="") as handle:
        return {row["question_id"]: row for row in csv.DictReader(handle)}


def _quizzes_in(stem: str) -> list[str]:
    cells = json.loads((notebooks.NOTEBOOK_DIR / f"{stem}.ipynb").read_text(encoding="utf-8"))["cells"]
    return [q for c in cells if c["cell_type"] == "code" for q in re.findall(r'kx\.quiz\(data, "(\w+)"\)', "".join(c["source"]))]


@pytest.mark.parametrize("stem", [s for s in STEMS if _quizzes_in(s)])
def test_questions_mark_the_reviewed_answer_correct(browser, site, stem):
    key = _quiz_key()
    page, offline = _open(browser, (site / export.page_name(stem, slides=False)).as_uri())
    questions = _quizzes_in(stem)
    page.wait_for_function(f"document.querySelectorAll('.kx-quiz input[type=radio]').length >= {2 * len(questions)}", timeout=30_000)
    quizzes = page.locator(".kx-quiz")
    assert quizzes.count() == len(questions)
    for i, qid in enumerate(questions):
        quiz = quizzes.nth(i)
        options = quiz.locator("label:has(input[type=radio])")
        texts = [t.lower() for t in options.all_inner_texts()]
        for phrase, verdict in ((key[qid]["correct_phrase"], "Correct."), (key[qid]["wrong_phrase"], "Not quite.")):
            index = next(j for j, t in enumerate(texts) if phrase in t)
            quiz.locator("input[type=radio]").nth(index).check()
            feedback = quiz.evaluate(VISIBLE_FEEDBACK)
            assert len(feedback) == 1 and feedback[0].startswith(verdict), f"{stem} {qid}: choosing {texts[index]!r} shows {feedback}"
    assert offline.blocked == [] and offline.errors == []
    page.close()
