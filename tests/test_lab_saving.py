"""Nothing a learner does in JupyterLab or Notebook 7 loses a chart: open, save, reopen; Run All, save, reopen; change
one cell, run it, save (autosave in JupyterLab), reopen. Each time the file on disk stores the state of every widget
an output shows, and the reopened notebook shows every chart, working, before any cell runs."""

import json
import shutil
import time

import pytest

from ketamine_explainer import notebooks, widgetstate

from .browser import ARGS, VISIBLE_FRAMES, Offline, require_chromium
from .lab import api, autosave, notebook_url

pytestmark = pytest.mark.browser
CENTRAL = "kx.charts.plot_onset_timelines, data,"
DIRTY = "() => window.jupyterapp.shell.currentWidget.context.model.dirty"
IDLE = "() => { const s = window.jupyterapp.shell.currentWidget.sessionContext.session; return s && s.kernel && s.kernel.status === 'idle'; }"
#: What a reader sees of each explorer: how many images it shows, and any widget error in the notebook.
SEEN = """() => ({
  explorers: [...document.querySelectorAll('.jp-Notebook .kx-explorer')].map(e =>
      [...e.querySelectorAll('img')].filter(i => i.offsetParent !== null && i.complete && i.naturalWidth > 0).length),
  quizzes: document.querySelectorAll('.jp-Notebook .kx-quiz input[type=radio]').length,
  errors: [...document.querySelectorAll('.jp-Notebook .jp-OutputArea-output')].map(o => o.innerText)
      .filter(t => /Error displaying widget|model not found/.test(t)).map(t => t.slice(0, 120))})"""


def widget_outputs(nb: dict) -> int:
    return sum(widgetstate.VIEW_MIME in o.get("data", {}) for o in widgetstate.outputs(nb))


def check_file(path, outputs_before: int) -> dict:
    """The notebook on disk: every shown widget has its state, every reference resolves, nothing is stored twice."""
    nb = json.loads(path.read_text(encoding="utf-8"))
    state = widgetstate.stored(nb)
    assert widget_outputs(nb) == outputs_before, "every chart and question is still in the file"
    assert all(model_id in state for model_id in widgetstate.shown(nb)), "every shown widget has stored state"
    dangling = {ref for m in state.values() for ref in widgetstate.references(m["state"]) if ref not in state}
    assert not dangling, f"references to models not stored: {sorted(dangling)[:3]}"
    assert not any(widgetstate.CARRIED in o.get("metadata", {}) for o in widgetstate.outputs(nb)), "state stored once"
    return nb


def open_notebook(page, server, name: str) -> None:
    page.goto(notebook_url(server.app, server.base, name))
    page.wait_for_selector(".jp-Notebook .kx-explorer img", state="attached", timeout=60_000)
    page.wait_for_function("() => window.jupyterapp && window.jupyterapp.shell.currentWidget && "
                           "window.jupyterapp.shell.currentWidget.context", timeout=30_000)


def close_sessions(server, name: str) -> None:
    """Shut the notebook's kernel down, so that what is shown next comes from the file alone."""
    for session in api(server.base, "sessions"):
        if session["path"].endswith(name):
            api(server.base, f"sessions/{session['id']}", "DELETE")


def save(page, path) -> None:
    """Ctrl+S, as a learner saves; wait for the server to answer the save, and for the notebook to be clean."""
    page.locator(".jp-Notebook").first.click(position={"x": 5, "y": 5})
    page.keyboard.press("Escape")
    with page.expect_response(lambda r: "/api/contents/" in r.url and r.request.method == "PUT", timeout=60_000) as answer:
        page.keyboard.press("Control+s")
    assert answer.value.ok, f"the save was refused: {answer.value.status}"
    page.wait_for_function(f"() => !({DIRTY})()", timeout=30_000)
    json.loads(path.read_text(encoding="utf-8"))  # the whole file is there


def check_screen(page, explorers: int, quizzes: int) -> dict:
    page.wait_for_function(f"() => document.querySelectorAll('.jp-Notebook .kx-explorer').length >= {explorers}", timeout=60_000)
    page.wait_for_timeout(1000)
    seen = page.evaluate(SEEN)
    assert seen["errors"] == [], f"a widget failed to show: {seen['errors']}"
    assert len(seen["explorers"]) == explorers and all(n >= 1 for n in seen["explorers"]), f"every chart shows: {seen}"
    assert seen["quizzes"] == quizzes, f"every question shows its options: {seen}"
    return seen


def counts(nb: dict) -> tuple[int, int]:
    """(explorers, quiz options) a notebook's stored state shows."""
    state = widgetstate.stored(nb)
    explorers = sum("kx-explorer" in m["state"].get("_dom_classes", []) for m in state.values())
    options = sum(len(m["state"].get("_options_labels", [])) for m in state.values() if m["model_name"] == "RadioButtonsModel")
    return explorers, options


@pytest.fixture
def browser_page():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=require_chromium(), args=ARGS)
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        yield page
        browser.close()


def copy_notebook(server, stem: str, name: str):
    target = server.notebooks / name
    shutil.copy(notebooks.NOTEBOOK_DIR / f"{stem}.ipynb", target)
    return target


@pytest.mark.parametrize("stem", ["05_rapid_onset", "02_conventional_treatment"])
def test_opening_marks_nothing_unsaved_and_a_save_keeps_every_chart(frontend, browser_page, stem):
    server, page = frontend, browser_page
    name = f"opened-{server.app}-{stem}.ipynb"
    path = copy_notebook(server, stem, name)
    original = json.loads(path.read_text(encoding="utf-8"))
    explorers, quizzes = counts(original)
    offline = Offline(page, allowed=(server.base, server.base.replace("http", "ws")))
    open_notebook(page, server, name)
    check_screen(page, explorers, quizzes)
    page.wait_for_timeout(3000)
    assert page.evaluate(DIRTY) is False, "opening a notebook marks nothing unsaved"
    if server.app == "jupyterlab":
        assert page.locator(".lm-TabBar-tab.jp-mod-dirty").count() == 0, "no unsaved mark on the tab"

    close_sessions(server, name)  # a save with no kernel running
    page.wait_for_timeout(500)
    save(page, path)
    saved = check_file(path, widget_outputs(original))
    assert set(widgetstate.stored(saved)) == set(widgetstate.stored(original)), "the save kept every stored model"

    open_notebook(page, server, name)
    check_screen(page, explorers, quizzes)
    explorer = page.locator(".jp-Notebook .kx-explorer").first
    before = explorer.evaluate(VISIBLE_FRAMES)
    control = explorer.locator(".widget-toggle-buttons button:not(.mod-active), .noUi-handle, select").first
    tag = control.evaluate("e => e.tagName")
    at_end = control.evaluate("e => e.getAttribute('aria-valuenow') === e.getAttribute('aria-valuemax')")
    control.focus()
    page.keyboard.press({"BUTTON": "Space", "SELECT": "ArrowDown"}.get(tag, "ArrowLeft" if at_end else "ArrowRight"))
    page.wait_for_timeout(300)
    assert explorer.evaluate(VISIBLE_FRAMES) != before, "a reopened chart's control still works with no cell run"
    known = {"Cannot read properties of undefined (reading 'schema')"} if server.app == "notebook" else set()
    assert offline.blocked == [] and [e for e in offline.errors if e not in known] == []


def test_run_all_then_save_and_reopen_keeps_every_chart(lab, browser_page):
    server, page = lab, browser_page
    name = "run-all-05.ipynb"
    path = copy_notebook(server, "05_rapid_onset", name)
    original = json.loads(path.read_text(encoding="utf-8"))
    explorers, quizzes = counts(original)
    open_notebook(page, server, name)
    page.wait_for_function(IDLE, timeout=60_000)
    code_cells = sum(c["cell_type"] == "code" for c in original["cells"])
    page.locator(".jp-Notebook").first.click(position={"x": 5, "y": 5})
    page.get_by_text("Run", exact=True).first.click()
    page.get_by_text("Run All Cells", exact=True).first.click()
    page.wait_for_function(
        """(n) => { const p = [...document.querySelectorAll('.jp-Notebook .jp-CodeCell .jp-InputPrompt')].map(e => e.textContent.trim());
                   return p.length === n && p.every(t => /^\\[\\d+\\]:$/.test(t)); }""", arg=code_cells, timeout=240_000)
    save(page, path)
    saved = check_file(path, widget_outputs(original))
    assert counts(saved) == (explorers, quizzes)
    assert not set(widgetstate.stored(saved)) & set(widgetstate.stored(original)), "the new run's models replace the old"

    close_sessions(server, name)
    open_notebook(page, server, name)
    check_screen(page, explorers, quizzes)


def test_a_learners_changed_chart_is_kept_and_every_other_chart_still_works(frontend, browser_page):
    """Add a time (2 days) to the central chart's cell and run it; save; reopen with no kernel: the chart offers the
    learner's time, spoken in words, and the other charts still work."""
    server, page = frontend, browser_page
    name = f"learner-{server.app}-05.ipynb"
    path = copy_notebook(server, "05_rapid_onset", name)
    original = json.loads(path.read_text(encoding="utf-8"))
    explorers, quizzes = counts(original)
    index = next(i for i, c in enumerate(original["cells"]) if CENTRAL in "".join(c["source"]))
    source = "".join(original["cells"][index]["source"])
    assert "at_days=[4 / 24, 1, 7, 28, 84]" in source
    open_notebook(page, server, name)
    page.wait_for_function(IDLE, timeout=60_000)
    for setup in (i for i, c in enumerate(original["cells"][:index]) if "kx.load()" in "".join(c["source"])):
        run_cell(page, setup)
    edited = source.replace("at_days=[4 / 24, 1, 7, 28, 84]", "at_days=[4 / 24, 1, 2, 7, 28, 84]")
    page.evaluate("([i, text]) => window.jupyterapp.shell.currentWidget.content.widgets[i].model.sharedModel.setSource(text)",
                  [index, edited])
    watch_cell(page, index)
    run_cell(page, index)
    seen = page.evaluate("() => window.kxWatch")
    assert seen["first"] is not None and seen["status"], f"the first frame showed while the others were drawn: {seen}"
    assert seen["busy_controls_on"] == 0, f"no control worked before every frame was drawn: {seen}"
    assert seen["ready"] is not None, f"then every control worked: {seen}"
    handle = page.locator(".jp-Notebook .jp-Cell").nth(index).locator(".kx-explorer .noUi-handle").first
    assert handle.get_attribute("aria-valuemax") in ("5", "5.0"), "the learner's sixth time is on the slider"
    save(page, path)
    saved = check_file(path, widget_outputs(original))
    assert counts(saved) == (explorers, quizzes)
    labels = [m["state"].get("_options_labels") for m in widgetstate.stored(saved).values() if m["model_name"] == "SelectionSliderModel"]
    assert any(labels_ and "2 days" in labels_ for labels_ in labels), f"the learner's time is stored: {labels}"
    rerun = widgetstate.shown({"cells": [saved["cells"][index]]})
    frames = [m for k, m in widgetstate.stored(saved).items() if k in widgetstate.closure(rerun, widgetstate.stored(saved))
              and m["model_name"] == "HTMLModel"]
    assert frames and all("<img" in m["state"]["value"] for m in frames), "every frame of the re-run chart is stored"
    kept = set(widgetstate.stored(saved)) & set(widgetstate.stored(original))
    assert kept and len(kept) < len(widgetstate.stored(original)), "untouched charts keep their models; the re-run one is new"

    close_sessions(server, name)
    open_notebook(page, server, name)
    check_screen(page, explorers, quizzes)
    cell = page.locator(".jp-Notebook .jp-Cell").nth(index)
    handle = cell.locator(".kx-explorer .noUi-handle").first
    handle.scroll_into_view_if_needed()
    assert handle.get_attribute("aria-valuetext") == "1 day", "the slider speaks its value in words"
    before = cell.evaluate(VISIBLE_FRAMES)
    handle.focus()
    page.keyboard.press("ArrowRight")
    page.wait_for_timeout(300)
    assert handle.get_attribute("aria-valuetext") == "2 days", "the learner's new time, with no kernel"
    assert cell.evaluate(VISIBLE_FRAMES) != before


#: Watches cell ``i`` of the open notebook as it runs: when its new chart first shows a picture, whether a status line
#: said that frames were still being drawn (and whether any control worked meanwhile), and when every control works.
WATCH = """(i) => {
  const cell = window.jupyterapp.shell.currentWidget.content.widgets[i].node, start = performance.now();
  const old = new Set(cell.querySelectorAll('.kx-explorer'));
  const w = window.kxWatch = {first: null, status: false, busy_controls_on: 0, ready: null};
  const check = () => {
    const explorer = [...cell.querySelectorAll('.kx-explorer')].find(e => !old.has(e));
    if (!explorer) return;
    const shown = [...explorer.querySelectorAll('img')].some(i => i.offsetParent !== null && i.naturalWidth > 0);
    if (shown && w.first === null) w.first = performance.now() - start;
    const status = explorer.querySelector('.kx-status');
    const controls = [...explorer.querySelectorAll('.noUi-target, select, .widget-toggle-buttons button')];
    const off = c => c.hasAttribute('disabled') || c.closest('[disabled]') !== null;
    if (status) { w.status = true; w.busy_controls_on += controls.filter(c => !off(c)).length; }
    else if (w.first !== null && w.ready === null && controls.length && controls.every(c => !off(c))) w.ready = performance.now() - start;
  };
  new MutationObserver(check).observe(cell, {subtree: true, childList: true, attributes: true});
}"""


def watch_cell(page, index: int) -> None:
    page.evaluate(WATCH, index)


def run_cell(page, index: int) -> None:
    """Select cell ``index`` and press Shift+Enter, as a learner runs one cell; wait until it has run (its prompt shows
    "[*]" while it runs, then its number)."""
    page.evaluate("""(i) => { const nb = window.jupyterapp.shell.currentWidget.content; nb.activeCellIndex = i; nb.mode = 'command';
        const prompt = nb.widgets[i].node.querySelector('.jp-InputPrompt'); window.kxRunning = false;
        new MutationObserver(() => { if (prompt.textContent.includes('*')) window.kxRunning = true; })
            .observe(prompt, {subtree: true, childList: true, characterData: true}); }""", index)
    page.locator(".jp-Notebook").first.focus()
    page.keyboard.press("Shift+Enter")
    page.wait_for_function(r"""(i) => { const p = window.jupyterapp.shell.currentWidget.content.widgets[i].node.querySelector('.jp-InputPrompt');
        return window.kxRunning && /\[\d+\]/.test(p.textContent); }""", arg=index, timeout=120_000)


def test_the_servers_save_guard_keeps_the_stored_state_of_a_crafted_empty_save(lab):
    """A save through the REST API that sends an empty widget state (what ipywidgets#3888 makes JupyterLab send) keeps
    the stored state of every widget the outputs show: the guard runs on the server, whatever the frontend does."""
    name = "crafted-05.ipynb"
    path = copy_notebook(lab, "05_rapid_onset", name)
    original = json.loads(path.read_text(encoding="utf-8"))
    crafted = json.loads(json.dumps(original))
    crafted["metadata"]["widgets"] = {widgetstate.STATE_MIME: {"state": {}, "version_major": 2, "version_minor": 0}}
    api(lab.base, f"contents/notebooks/{name}", "PUT", {"type": "notebook", "format": "json", "content": crafted})
    saved = check_file(path, widget_outputs(original))
    assert widgetstate.stored(saved) == widgetstate.stored(original)
    crafted["cells"] = [c for c in crafted["cells"] if c["cell_type"] != "code"]  # a learner clears every output
    api(lab.base, f"contents/notebooks/{name}", "PUT", {"type": "notebook", "format": "json", "content": crafted})
    assert widgetstate.stored(json.loads(path.read_text(encoding="utf-8"))) == {}, "state no output shows is dropped"
    assert "Pre-save hook" not in (lab.home / "lab.log").read_text(encoding="utf-8"), "the guard ran without error"


def test_autosave_after_an_edit_keeps_every_chart(lab, browser_page):
    """JupyterLab's autosave (the save a learner never asks for) after a text edit in a notebook no cell has run in."""
    server, page = lab, browser_page
    name = "autosaved-02.ipynb"
    path = copy_notebook(server, "02_conventional_treatment", name)
    original = json.loads(path.read_text(encoding="utf-8"))
    explorers, quizzes = counts(original)
    autosave(server.base, 2)  # as a learner sets it in Settings; the page reads it when it loads
    try:
        open_notebook(page, server, name)
        close_sessions(server, name)
        before = path.stat().st_mtime_ns
        index = next(i for i, c in enumerate(original["cells"]) if c["cell_type"] == "markdown" and i > 2)
        page.evaluate("([i, note]) => { const m = window.jupyterapp.shell.currentWidget.content.widgets[i].model.sharedModel;"
                      " m.setSource(m.getSource() + note); }", [index, " A learner's note."])
        deadline = time.monotonic() + 60
        while path.stat().st_mtime_ns == before and time.monotonic() < deadline:
            page.wait_for_timeout(250)
        assert path.stat().st_mtime_ns != before, "autosave wrote the file"
        page.wait_for_function(f"() => !({DIRTY})()", timeout=30_000)
    finally:
        autosave(server.base, None)
    saved = check_file(path, widget_outputs(original))
    assert "A learner's note." in "".join(saved["cells"][index]["source"])
    assert widgetstate.stored(saved) == widgetstate.stored(original), "autosave kept every stored model"
    open_notebook(page, server, name)
    check_screen(page, explorers, quizzes)


def test_a_save_while_the_frames_are_still_drawn_loses_nothing(lab, browser_page):
    """A learner re-runs the central chart's cell and presses Ctrl+S as soon as its first frame shows, while the other
    frames are still being drawn: the file written then keeps a stored state for every chart it shows; once the cell
    has finished, a save keeps the whole chart, and reopened, every chart works."""
    server, page = lab, browser_page
    name = "midrun-05.ipynb"
    path = copy_notebook(server, "05_rapid_onset", name)
    original = json.loads(path.read_text(encoding="utf-8"))
    explorers, quizzes = counts(original)
    index = next(i for i, c in enumerate(original["cells"]) if CENTRAL in "".join(c["source"]))
    open_notebook(page, server, name)
    page.wait_for_function(IDLE, timeout=60_000)
    for setup in (i for i, c in enumerate(original["cells"][:index]) if "kx.load()" in "".join(c["source"])):
        run_cell(page, setup)
    watch_cell(page, index)
    page.evaluate("(i) => { const nb = window.jupyterapp.shell.currentWidget.content; nb.activeCellIndex = i; nb.mode = 'command'; }",
                  index)
    page.locator(".jp-Notebook").first.focus()
    page.keyboard.press("Shift+Enter")
    page.wait_for_function("() => window.kxWatch.first !== null", timeout=60_000)
    midway = page.evaluate("() => window.kxWatch.ready === null")
    with page.expect_response(lambda r: "/api/contents/" in r.url and r.request.method == "PUT", timeout=60_000) as answer:
        page.keyboard.press("Control+s")
    assert answer.value.ok, f"the save was refused: {answer.value.status}"
    assert midway, "the save came while the other frames were still being drawn"
    check_file(path, widget_outputs(original))
    page.wait_for_function("() => window.kxWatch.ready !== null", timeout=120_000)
    page.wait_for_function(IDLE, timeout=60_000)
    save(page, path)
    check_file(path, widget_outputs(original))
    close_sessions(server, name)
    open_notebook(page, server, name)
    check_screen(page, explorers, quizzes)
