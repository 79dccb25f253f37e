"""Live JupyterLab and Notebook 7 for the browser tests: started as `make lab` starts them, reached over the REST API."""

from __future__ import annotations

import json
import subprocess
import urllib.request
from pathlib import Path
from typing import NamedTuple

from .browser import copy_project, require_chromium, start_lab

TOKEN = "ketamine-explainer-test"
#: Test-only settings: start the kernel without asking, render every cell, and no autosave unless a test turns it on
#: (:func:`autosave`), so that no save lands in the middle of another test's steps.
OVERRIDES = {"@jupyterlab/notebook-extension:tracker": {"autoStartDefaultKernel": True, "windowingMode": "none"},
             "@jupyterlab/docmanager-extension:plugin": {"autosave": False}}
DOCMANAGER = "@jupyterlab/docmanager-extension:plugin"


class Server(NamedTuple):
    app: str  # "jupyterlab" or "notebook"
    base: str  # URL
    notebooks: Path  # the served copy of notebooks/
    home: Path  # every per-user file, the runtime folder (connection files) and the server's log (lab.log)


def serve(tmp_path_factory, app: str):
    """Serve a copy of the project as `make lab` does (the project's jupyter_config/: news prompt off, the save guard,
    the HTML export, the custom style sheet, kernels over local sockets, arrow keys left to focused controls)."""
    require_chromium()
    home = tmp_path_factory.mktemp(app)
    root = copy_project(home / "project")
    server, base = start_lab(home, root, OVERRIDES, TOKEN, app=app)
    yield Server(app, base, root / "notebooks", home)
    server.terminate()
    try:
        server.wait(timeout=20)
    except subprocess.TimeoutExpired:
        server.kill()


def notebook_url(app: str, base: str, name: str) -> str:
    if app == "jupyterlab":
        return f"{base}/lab/tree/notebooks/{name}?reset&token={TOKEN}"
    return f"{base}/notebooks/notebooks/{name}?token={TOKEN}"


def api(base: str, path: str, method: str = "GET", body: dict | None = None):
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(f"{base}/api/{path}", method=method, data=data,
                                     headers={"Authorization": f"token {TOKEN}", "Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=30) as response:
        answer = response.read()
    return json.loads(answer) if answer else None


def autosave(base: str, seconds: int | None) -> None:
    """Turn JupyterLab's autosave on, every ``seconds`` (None: off), in the user's settings on the server (a page
    loaded afterwards uses it)."""
    raw = json.dumps({"autosave": seconds is not None, "autosaveInterval": seconds or 120})
    request = urllib.request.Request(f"{base}/lab/api/settings/{DOCMANAGER}", method="PUT",
                                     data=json.dumps({"raw": raw}).encode(),
                                     headers={"Authorization": f"token {TOKEN}", "Content-Type": "application/json"})
    urllib.request.urlopen(request, timeout=30).close()
