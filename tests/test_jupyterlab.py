"""JupyterLab itself, live: open each notebook, run all cells, move a control, see the chart change, find no errors."""

import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request

import pytest

from ketamine_explainer import notebooks

from .browser import ARGS, OUTPUT, VISIBLE_FEEDBACK, VISIBLE_FRAMES, Offline, require_chromium

pytestmark = pytest.mark.browser
TOKEN = "ketamine-explainer-test"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    require_chromium()
    home = tmp_path_factory.mktemp("lab")
    work = home / "notebooks"
    shutil.copytree(notebooks.NOTEBOOK_DIR, work)
    settings = home / "settings"
    settings.mkdir()
    (settings / "overrides.json").write_text(json.dumps({
        "@jupyterlab/notebook-extension:tracker": {"autoStartDefaultKernel": True, "windowingMode": "none"},
        "@jupyterlab/apputils-extension:notification": {"fetchNews": "false", "checkForUpdates": False},
    }))
    # The project's Jupyter configuration, as `make lab` gives it: the HTML export writes one self-contained page.
    env = dict(os.environ, JUPYTER_CONFIG_PATH=str(notebooks.ROOT / "jupyter_config"),
               JUPYTER_CONFIG_DIR=str(home / "config"), JUPYTER_DATA_DIR=str(home / "data"),
               JUPYTER_RUNTIME_DIR=str(home / "runtime"), IPYTHONDIR=str(home / "ipython"), MPLCONFIGDIR=str(home / "mpl"))
    port = _free_port()
    command = [sys.executable, "-m", "jupyterlab", "--no-browser", "--ServerApp.ip=127.0.0.1", f"--ServerApp.port={port}",
               f"--IdentityProvider.token={TOKEN}", f"--ServerApp.root_dir={work}", f"--LabApp.app_settings_dir={settings}",
               "--LabApp.news_url=", "--ServerApp.disable_check_xsrf=False"]
    if os.geteuid() == 0:
        command.append("--allow-root")
    log = open(home / "lab.log", "w")  # noqa: SIM115 (kept open for the server's lifetime)
    server = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"{base}/api/status?token={TOKEN}", timeout=2)
            break
        except OSError:
            if server.poll() is not None:
                pytest.fail(f"JupyterLab exited: {(home / 'lab.log').read_text()[-2000:]}")
            time.sleep(0.5)
    else:
        server.kill()
        pytest.fail("JupyterLab did not start within 60 s")
    yield base, work
    server.terminate()
    try:
        server.wait(timeout=20)
    except subprocess.TimeoutExpired:
        server.kill()
    log.close()


def test_each_notebook_runs_live_in_jupyterlab_and_its_control_changes_the_chart(lab):
    from playwright.sync_api import sync_playwright

    base, _ = lab
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=require_chromium(), args=ARGS)
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        offline = Offline(page, allowed=(base, base.replace("http", "ws")))
        for stem, _ in notebooks.NOTEBOOKS:
            page.goto(f"{base}/lab/tree/{stem}.ipynb?reset&token={TOKEN}")
            page.wait_for_selector(".jp-Notebook", timeout=60_000)
            page.wait_for_function("document.querySelector('.jp-StatusBar-TextItem, #jp-main-statusbar') && "
                                   "document.body.innerText.includes('| Idle')", timeout=60_000)
            page.locator(".jp-Notebook").first.click()
            page.get_by_text("Run", exact=True).first.click()
            page.get_by_text("Run All Cells", exact=True).first.click()
            code_cells = sum(c["cell_type"] == "code" for c in json.loads(
                (notebooks.NOTEBOOK_DIR / f"{stem}.ipynb").read_text(encoding="utf-8"))["cells"])
            page.wait_for_function(
                """(n) => { const p = [...document.querySelectorAll('.jp-Notebook .jp-CodeCell .jp-InputPrompt')]
                             .map(e => e.innerText.trim());
                           return p.length === n && p.every(t => /^\\[\\d+\\]:$/.test(t)); }""",
                arg=code_cells, timeout=90_000)
            errors = page.locator(".jp-Notebook [data-mime-type='application/vnd.jupyter.stderr'], .jp-Notebook .jp-OutputArea-error")
            assert errors.count() == 0, f"{stem}: {errors.first.inner_text()[:300]}"
            explorer = page.locator(".jp-Notebook .kx-explorer").first
            explorer.wait_for(timeout=30_000)
            explorer.scroll_into_view_if_needed()
            before = explorer.evaluate(VISIBLE_FRAMES)
            control = explorer.locator(".noUi-handle, select, .widget-toggle-buttons button:not(.mod-active)").first
            tag = control.evaluate("e => e.tagName")
            if tag == "SELECT":  # JupyterLab's command mode takes arrow keys, so choose the option directly
                control.select_option(index=1)
            else:
                control.focus()
                page.keyboard.press("Space" if tag == "BUTTON" else "ArrowLeft")
            page.wait_for_timeout(300)
            after = explorer.evaluate(VISIBLE_FRAMES)
            assert len(after) == len(before) and after != before, f"{stem}: the control did not change the chart"
        OUTPUT.mkdir(exist_ok=True)
        page.screenshot(path=str(OUTPUT / "jupyterlab-07_summary.png"))
        assert offline.blocked == [] and offline.errors == []
        browser.close()


def test_file_menu_html_export_gives_a_page_that_works_offline(lab, tmp_path):
    """A learner runs a notebook, then File > Save and Export Notebook As > HTML: the download works with no network."""
    from playwright.sync_api import sync_playwright

    from .test_page import Strict

    base, work = lab
    shutil.copy(notebooks.NOTEBOOK_DIR / "07_summary.ipynb", work / "my_summary.ipynb")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=require_chromium(), args=ARGS)
        context = browser.new_context(viewport={"width": 1400, "height": 1000}, accept_downloads=True)
        downloads = []
        context.on("page", lambda tab: tab.on("download", lambda download: downloads.append(download)))
        page = context.new_page()
        page.goto(f"{base}/lab/tree/my_summary.ipynb?reset&token={TOKEN}")
        page.wait_for_selector(".jp-Notebook", timeout=60_000)
        page.wait_for_function("document.body.innerText.includes('| Idle')", timeout=60_000)
        page.locator(".jp-Notebook").first.click()
        page.get_by_text("Run", exact=True).first.click()
        page.get_by_text("Run All Cells", exact=True).first.click()
        page.locator(".jp-Notebook .kx-explorer").first.wait_for(timeout=60_000)
        page.wait_for_function("document.querySelectorAll('.jp-Notebook .kx-quiz').length >= 2 && "
                               "document.body.innerText.includes('| Idle')", timeout=60_000)
        assert page.evaluate("[...document.querySelectorAll('.kx-widget-note')].filter(n => n.offsetParent !== null).length") == 0, \
            "the live notebook hides the note wherever the widget renders"
        page.locator(".lm-MenuBar-item", has_text="File").click()
        page.get_by_text("Save and Export Notebook As", exact=True).click()
        page.locator(".lm-Menu-item", has_text="HTML").first.click()
        dialog = page.locator(".jp-Dialog", has_text="Export as HTML")  # JupyterLab asks whether to sanitize: keep its default
        dialog.wait_for(timeout=10_000)
        dialog.get_by_role("button", name="Ok").click()
        deadline = time.monotonic() + 60
        while not downloads and time.monotonic() < deadline:
            page.wait_for_timeout(250)
        assert downloads, "the export was downloaded"
        exported = tmp_path / downloads[0].suggested_filename
        downloads[0].save_as(exported)
        assert exported.name == "my_summary.html"
        assert 'content="ketamine-explainer page"' in exported.read_text(encoding="utf-8"), "the export used jupyter_config/"

        tab = context.new_page()
        strict = Strict(tab, exported.as_uri())
        tab.goto(exported.as_uri())
        tab.wait_for_selector(".kx-explorer img", state="attached", timeout=30_000)
        explorer = tab.locator(".kx-explorer").first
        before = explorer.evaluate(VISIBLE_FRAMES)
        explorer.locator(".widget-toggle-buttons button:not(.mod-active)").first.click()
        tab.wait_for_timeout(150)
        after = explorer.evaluate(VISIBLE_FRAMES)
        assert len(after) == len(before) == 1 and after != before, "the control changes the chart in the exported page"
        quiz = tab.locator(".kx-quiz").first
        quiz.locator("input[type=radio]").first.check()
        assert "Source:" in " ".join(quiz.evaluate(VISIBLE_FEEDBACK))
        assert "timing_explorer" in tab.content(), "JupyterLab's export keeps the code"
        assert strict.blocked == [] and strict.errors == []
        browser.close()
