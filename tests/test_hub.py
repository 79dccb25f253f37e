"""`make hub` for a class, with three learners over HTTP: sign-in with the class code, a copy of the explainer each,
the project's Jupyter settings, a chart re-run through the kernel and saved, and the faults a lesson meets (a killed
server, a hub restart, a wrong code, a learner reaching for another's files). The thirty-learner run is `make hub-load`."""

import json
import signal
import time

import nbformat
import psutil
import pytest

from ketamine_explainer import notebooks, widgetstate

from .hub import Hub, Learner, Refused, proxy

CENTRAL = "05_rapid_onset.ipynb"


def changed_cells() -> tuple[str, str, str]:
    """05's setup cell, and its central chart's cell with one value changed (the last time mark: 12 weeks to 8)."""
    cells = nbformat.read(notebooks.NOTEBOOK_DIR / CENTRAL, as_version=4).cells
    setup = next(c.source for c in cells if "kx.load()" in c.source)
    central = next(c.source for c in cells if "plot_onset_timelines" in c.source)
    assert "28, 84]" in central
    return setup, central, central.replace("28, 84]", "28, 56]")


@pytest.fixture(scope="module")
def hub(tmp_path_factory):
    proxy()
    hub = Hub(tmp_path_factory.mktemp("hub") / "state").start()
    yield hub
    hub.stop()


@pytest.fixture(scope="module")
def ana(hub):
    learner = Learner(hub, "ana")
    learner.sign_in()
    learner.start_server()
    return learner


def test_a_wrong_class_code_a_taken_name_or_a_wrong_teacher_code_is_refused_with_a_clear_sentence(hub, ana):
    with pytest.raises(Refused, match="That class code is not right: ask your teacher for it."):
        Learner(hub, "bo").sign_in(code="maple-43")
    with pytest.raises(Refused, match="The name 'ana' is taken and that is not its password"):
        Learner(hub, "ana", password="not-anas-password").sign_in()
    with pytest.raises(Refused, match="Choose a password of at least 6 characters"):
        Learner(hub, "bo", password="abc").sign_in()
    with pytest.raises(Refused, match="not the teacher's code"):
        Learner(hub, "teacher", password=hub.class_code).sign_in()
    seats = json.loads((hub.state / "seats.json").read_text())
    assert set(seats) == {"ana"} and "ana-own-password" not in json.dumps(seats), "only a salted hash is kept"


def test_each_learner_gets_their_own_copy_served_with_the_projects_jupyter_settings(hub, ana):
    copy = hub.learner_folder("ana")
    for path in notebooks.notebook_paths():
        assert (copy / "notebooks" / path.name).read_bytes() == path.read_bytes()
    assert (copy / "data").is_dir() and (copy / "README.md").is_file()
    from nbformat.sign import NotebookNotary

    notary = NotebookNotary(data_dir=str(hub.state / "notary"))
    assert all(notary.check_signature(nbformat.read(p, as_version=4)) for p in (copy / "notebooks").glob("*.ipynb")), \
        "the copy opens trusted: its stored charts show before any cell runs"
    listed = ana.server("contents/notebooks").json()
    assert {item["name"] for item in listed["content"]} >= {p.name for p in notebooks.notebook_paths()}
    news = ana.session.get(f"{hub.base}/user/ana/lab/api/settings/@jupyterlab/apputils-extension:notification",
                           headers={"Authorization": f"token {ana.token}"}, timeout=30).json()
    assert news["schema"]["properties"]["fetchNews"]["default"] == "false", "no news pop-up, as in make lab"
    model = ana.server(f"contents/notebooks/{CENTRAL}").json()
    assert model["content"]["metadata"]["widgets"], "the stored chart state arrives with the notebook, before any cell runs"
    terminals = ana.server("terminals")
    assert terminals.status_code == 404, "no terminals in a class"


def test_a_chart_re_run_through_the_kernel_with_a_changed_value_is_saved_and_reopens_whole(hub, ana):
    setup, central, changed = changed_cells()
    _, outputs = ana.run([setup, changed], f"notebooks/{CENTRAL}")
    carried = [o for o in outputs if widgetstate.CARRIED in o.get("metadata", {})]
    assert carried and "8 weeks" in json.dumps(carried), "the re-run chart shows the learner's value"
    model = ana.server(f"contents/notebooks/{CENTRAL}").json()
    nb = nbformat.from_dict(model["content"])
    index = next(i for i, c in enumerate(nb.cells) if c.source == central)
    nb.cells[index].source = changed
    nb.cells[index].outputs = [nbformat.from_dict(o) for o in outputs]
    nb.metadata.pop("widgets", None)  # a frontend that sends no widget state: the save guard rebuilds it
    saved = ana.server(f"contents/notebooks/{CENTRAL}", "PUT", json={"type": "notebook", "content": nb})
    assert saved.status_code == 200, saved.text[:300]
    reopened = nbformat.from_dict(ana.server(f"contents/notebooks/{CENTRAL}").json()["content"])
    state = reopened.metadata["widgets"]["application/vnd.jupyter.widget-state+json"]["state"]
    shown = set(widgetstate.shown(reopened))
    assert shown and shown <= set(state), "every chart the reopened notebook shows has its state, the re-run one too"
    assert reopened.cells[index].source == changed
    original = nbformat.read(notebooks.NOTEBOOK_DIR / CENTRAL, as_version=4)
    assert next(c.source for c in original.cells if "plot_onset_timelines" in c.source) == central, "the teacher's copy is untouched"


def learner_server(hub: Hub, name: str) -> psutil.Process:
    for process in psutil.process_iter(["cmdline"]):
        try:
            if any("jupyterhub-singleuser" in part for part in process.info["cmdline"] or ()) and \
                    process.environ().get("JUPYTERHUB_USER") == name and str(hub.state) in process.environ().get("HOME", ""):
                return process
        except (psutil.NoSuchProcess, psutil.AccessDenied):
            continue
    raise LookupError(f"no server for {name}")


def test_a_server_killed_mid_lesson_restarts_with_the_learners_saved_work(hub, ana):
    note = {"type": "file", "format": "text", "content": "my notes on onset\n"}
    assert ana.server("contents/notes.txt", "PUT", json=note).status_code in (200, 201)
    learner_server(hub, "ana").send_signal(signal.SIGKILL)
    deadline = time.monotonic() + 180
    while ana.hub_api("user")["servers"] and time.monotonic() < deadline:  # the hub notices (it polls its servers)
        ana.server("contents")
        time.sleep(1)
    assert not ana.hub_api("user")["servers"], "the hub noticed that the server had stopped"
    ana.start_server()
    assert ana.server("contents/notes.txt").json()["content"] == "my notes on onset\n"


def test_a_learner_cannot_reach_another_learners_files_through_the_hub(hub, ana):
    ben = Learner(hub, "ben")
    ben.sign_in()
    ben.start_server()
    for method, body in (("GET", None), ("PUT", {"type": "file", "format": "text", "content": "x"})):
        answer = ana.server("contents/README.md", method, owner="ben", json=body)
        assert answer.status_code in (302, 403, 404), f"{method}: {answer.status_code}"
    page = ana.session.get(f"{hub.base}/user/ben/lab", timeout=30, allow_redirects=True)
    assert "ben" not in page.url or page.status_code in (403, 404), page.url
    assert (hub.learner_folder("ben") / "README.md").read_text() != "x"


def test_the_teacher_has_the_admin_view_and_idle_servers_are_culled(hub, ana):
    teacher = Learner(hub, "teacher", password=hub.teacher_code)
    teacher.sign_in(code="")
    users = {u["name"]: u for u in teacher.hub_api("users")}
    assert {"ana", "teacher"} <= set(users) and users["teacher"]["admin"]
    assert teacher.session.get(f"{hub.base}/hub/admin", timeout=30).status_code == 200
    assert "idle-culler" in teacher.hub_api("services")


def test_start_again_gives_the_original_back_and_keeps_the_learners_copy_in_earlier(hub, ana):
    ana.stop_server()
    ana.start_server(start_again=True)
    copy = hub.learner_folder("ana")
    assert (copy / "notebooks" / CENTRAL).read_bytes() == (notebooks.NOTEBOOK_DIR / CENTRAL).read_bytes()
    (earlier,) = (copy.parent / "earlier").iterdir()
    assert "28, 56]" in (earlier / "notebooks" / CENTRAL).read_text(), "the learner's own version is kept"


def test_a_hub_restart_keeps_every_learners_files(hub, ana):
    (hub.learner_folder("ana") / "after-restart.txt").write_text("kept\n")
    hub.stop()
    hub.start()
    again = Learner(hub, "ana")
    again.sign_in()
    again.start_server()
    assert again.server("contents/after-restart.txt").json()["content"] == "kept\n"
    assert (hub.learner_folder("ben") / "README.md").is_file()


def test_without_a_class_code_every_visitor_gets_an_anonymous_seat(tmp_path):
    hub = Hub(tmp_path / "state", class_code="").start()
    try:
        first, second = Learner(hub, ""), Learner(hub, "")
        names = []
        for visitor in (first, second):
            page = visitor.session.get(f"{hub.base}/hub/login", timeout=60)
            assert page.ok, page.status_code
            names.append(visitor.hub_api("user")["name"])
        assert all(n.startswith("seat-") for n in names) and names[0] != names[1]
    finally:
        hub.stop()


def merged(defaults: dict, values: dict) -> dict:
    """``values`` over the chart's ``defaults``, as Helm merges them (maps key by key, anything else replaced)."""
    out = dict(defaults)
    for key, value in values.items():
        out[key] = merged(out[key], value) if isinstance(value, dict) and isinstance(out.get(key), dict) else value
    return out


def test_the_kubernetes_values_are_valid_for_the_chart_they_install():
    import jsonschema
    import yaml

    folder = notebooks.ROOT / "hub" / "z2jh"
    schema = json.loads((folder / "values.schema.json").read_text())
    defaults = yaml.safe_load((folder / "chart-values.yaml").read_text())
    values = yaml.safe_load((folder / "values.yaml").read_text())
    validator = jsonschema.Draft7Validator(schema)
    assert [e.message for e in validator.iter_errors(merged(defaults, values))] == []
    typo = merged(defaults, values)
    typo["singleuser"] = {**typo["singleuser"], "memory": {"guarentee": "384M"}}
    assert list(validator.iter_errors(typo)), "the schema catches a misspelt key"
    assert "--version 4.3.2" in (folder / "values.yaml").read_text(), "installs the chart version whose schema is here"
    hook = values["singleuser"]["lifecycleHooks"]["postStart"]["exec"]["command"][-1]
    assert "earlier/explainer-" in hook and "rm -rf \"$work/explainer\"" not in hook, "start again keeps the learner's copy"


@pytest.mark.browser
def test_a_learner_signs_in_through_the_hub_in_chromium_and_the_charts_work_before_any_cell_runs(hub):
    """In a real browser: the sign-in page, the start page, then 05 in JupyterLab as the hub serves it, with no
    "disconnected" badge, no pop-up, the project's style sheet, and a control that changes the chart with no cell run."""
    from playwright.sync_api import sync_playwright

    from .browser import ARGS, OUTPUT, VISIBLE_FRAMES, first_open_problems, require_chromium

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=require_chromium(), args=ARGS)
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.goto(f"{hub.base}/hub/login")
        page.get_by_label("Your name").fill("cleo")
        page.get_by_label("Your own password").fill("cleo-own-password")
        page.get_by_label("Class code").fill(hub.class_code)
        page.locator("#login_submit").click()
        page.get_by_text("Start again from the original notebooks").wait_for(timeout=30_000)
        page.locator("form input[type=submit], form button[type=submit]").last.click()
        page.wait_for_url("**/user/cleo/lab/**", timeout=300_000)
        page.goto(f"{hub.base}/user/cleo/lab/tree/notebooks/{CENTRAL}?reset")
        page.wait_for_selector(".jp-Notebook .kx-explorer img", state="attached", timeout=120_000)
        page.wait_for_timeout(1500)
        assert first_open_problems(page) == []
        explorer = page.locator(".jp-Notebook .kx-explorer").first
        explorer.scroll_into_view_if_needed()
        before = explorer.evaluate(VISIBLE_FRAMES)
        explorer.locator(".widget-toggle-buttons button:not(.mod-active)").first.click()
        page.wait_for_timeout(300)
        after = explorer.evaluate(VISIBLE_FRAMES)
        assert len(after) == len(before) >= 1 and after != before, "the control works before any cell has run"
        OUTPUT.mkdir(exist_ok=True)
        page.screenshot(path=str(OUTPUT / "hub-first-open.png"))
        browser.close()
