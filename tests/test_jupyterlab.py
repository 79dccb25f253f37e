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

from .browser import ARGS, OUTPUT, VISIBLE_FRAMES, Offline, require_chromium

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
    env = dict(os.environ, JUPYTER_CONFIG_DIR=str(home / "config"), JUPYTER_DATA_DIR=str(home / "data"),
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
    started = time.monotonic()
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
    assert time.monotonic() - started < 120, "the live JupyterLab test must take under two minutes"
