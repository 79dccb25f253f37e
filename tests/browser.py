"""Shared helpers for the browser tests: Debian's Chromium through Playwright, offline."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from ketamine_explainer.paper import CHROMIUM_ARGS

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
ARGS = CHROMIUM_ARGS  # the same flags the handout printer uses
OUTPUT = Path(__file__).resolve().parents[1] / "test-output"


def require_chromium() -> str:
    """The Chromium path; skips without it, but fails under CI=true, where a skip would hide a broken setup."""
    path = CHROMIUM if Path(CHROMIUM).exists() else shutil.which("chromium")
    if not path:
        message = "Debian's Chromium is not installed (apt-get install chromium): browser tests skipped"
        if os.environ.get("CI") == "true":
            pytest.fail(message + ", and under CI=true that is a failure")
        pytest.skip(message)
    return path


class Offline:
    """Records and aborts every request that is not for a local file, data URL or an allowed loopback origin."""

    def __init__(self, page, allowed: tuple[str, ...] = ()):
        self.blocked: list[str] = []
        self.errors: list[str] = []
        allowed = ("file:", "data:", "blob:", *allowed)

        def route(route):
            if route.request.url.startswith(allowed):
                route.continue_()
            else:
                self.blocked.append(route.request.url)
                route.abort()

        page.route("**/*", route)
        page.on("pageerror", lambda error: self.errors.append(str(error)))


VISIBLE_FRAMES = """(root) => [...root.querySelectorAll('img')].filter(i => i.offsetParent !== null).map(i => i.alt)"""
#: The on-screen boxes (x, y, width, height) of the visible images of each explorer's stacked layers.
LAYER_BOXES = """(root) => [...root.querySelectorAll('.kx-explorer .widget-gridbox')].map(g => [...g.querySelectorAll('img')]
    .filter(i => i.offsetParent !== null).map(i => { const r = i.getBoundingClientRect(); return [r.x, r.y, r.width, r.height]; }))"""


def misaligned_layers(boxes: list[list[list[float]]]) -> list[str]:
    """Explorers whose visible layers are not exactly over each other (more than half a pixel apart on any edge)."""
    return [f"explorer {i}: {layers}" for i, layers in enumerate(boxes)
            if len(layers) < 2 or any(abs(a - b) > 0.5 for layer in layers[1:] for a, b in zip(layers[0], layer))]


VISIBLE_FEEDBACK = """(root) => [...root.querySelectorAll('.kx-feedback')].filter(f => f.offsetParent !== null).map(f => f.innerText)"""


#: The WCAG 2.0, 2.1 and 2.2 rules at levels A and AA that axe-core checks.
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]


def axe_script() -> Path:
    """axe.min.js of the pinned npm package ``axe-core`` (installed with the vendor packages by ``npm ci``)."""
    from ketamine_explainer import export

    modules = export.npm_packages()
    if modules is None:
        pytest.skip("npm was not found: axe-core (the accessibility checker) is not available")
    return modules / "axe-core" / "axe.min.js"


def axe_violations(page, include: str | None = None) -> list[str]:
    """axe-core's WCAG A/AA violations on the page as readable lines: rule, count, first element, summary."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=str(axe_script()))
    results = page.evaluate(
        """([tags, include]) => axe.run(include ? {include: [include]} : document,
               {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})
             .then(r => r.violations.map(v => ({id: v.id, n: v.nodes.length, target: JSON.stringify(v.nodes[0].target),
                                               summary: v.nodes[0].failureSummary.replace(/\\s+/g, ' ').slice(0, 200)})))""",
        [AXE_TAGS, include])
    return [f"{v['id']} x{v['n']} at {v['target']}: {v['summary']}" for v in results]


#: Geometry of what a reader sees: sideways scrolling, controls outside the viewport, images clipped, misaligned or
#: with text too small to read.
GEOMETRY = r"""() => {
  const vw = document.documentElement.clientWidth, out = [];
  const scroll = document.scrollingElement.scrollWidth;
  if (scroll > vw + 1) out.push(`the page scrolls sideways: ${scroll} px wide in a ${vw} px viewport`);
  const shown = e => e.offsetParent !== null && e.getClientRects().length > 0;
  const controls = document.querySelectorAll(
    '.kx-explorer .widget-slider, .kx-explorer .widget-dropdown, .kx-explorer .widget-toggle-buttons, .kx-quiz .widget-radio');
  for (const c of controls) {
    if (!shown(c)) continue;
    const parts = [c, ...c.querySelectorAll('.widget-label, .noUi-handle, .slider-container, select, button, .widget-readout, input, label')];
    for (const p of parts) {
      if (!shown(p)) continue;
      const r = p.getBoundingClientRect();
      if (r.left < -0.5 || r.right > vw + 0.5)
        out.push(`${p.className || p.tagName} of a control is outside the viewport (${r.left.toFixed(1)}..${r.right.toFixed(1)} of ${vw})`);
    }
    for (const t of c.querySelectorAll('.widget-label, .widget-readout, label, button')) {
      if (shown(t) && (t.scrollWidth > t.clientWidth + 1 || t.scrollHeight > t.clientHeight + 1) && getComputedStyle(t).overflow !== 'visible')
        out.push(`text cut off in ${t.className || t.tagName}: "${t.textContent.trim().slice(0, 40)}"`);
    }
    // A question's label and its options, top to bottom: none may run into the next (a wrapped option grows).
    const stacked = [c.querySelector(':scope > .widget-label'), ...c.querySelectorAll('.widget-radio-box label')]
      .filter(e => e && shown(e)).map(e => [e.textContent.trim().slice(0, 30), e.getBoundingClientRect(), e]);
    for (const [words, , e] of stacked)
      if (e.scrollHeight > e.clientHeight + 1) out.push(`"${words}" runs out of its box (${e.scrollHeight} px in ${e.clientHeight})`);
    for (let i = 1; i < stacked.length; i++) {
      const [above, a] = stacked[i - 1], [below, b] = stacked[i];
      if (b.top < a.bottom - 1 && b.left < a.right && a.left < b.right)
        out.push(`"${below}" overlaps "${above}" by ${(a.bottom - b.top).toFixed(0)} px`);
    }
    const track = c.querySelector('.slider-container');
    if (track && shown(track) && track.getBoundingClientRect().width < Math.min(200, vw * 0.5))
      out.push(`a slider track is only ${track.getBoundingClientRect().width.toFixed(0)} px wide`);
  }
  for (const img of document.querySelectorAll('img')) {
    if (!shown(img)) continue;
    const r = img.getBoundingClientRect();
    // Chart text as large as a reader sees it: the smallest text of the image shown (the <picture>'s narrow source on
    // a narrow page), scaled as displayed. At least 11 px from 390 px up; 9 px at 320 px (WCAG reflow, 400% zoom).
    const source = img.parentElement.tagName === 'PICTURE' ? img.parentElement.querySelector('source') : null;
    const shownData = source && img.currentSrc === source.srcset ? source.dataset : img.dataset;
    if (shownData.textPx && img.naturalWidth && !img.closest('.reveal')) {
      const px = parseFloat(shownData.textPx) * r.width / img.naturalWidth, least = vw >= 390 ? 11 : 9;
      if (px < least - 0.05) out.push(`chart text is ${px.toFixed(1)} px, under ${least} px: "${img.alt.slice(0, 50)}"`);
    }
    if (r.left < -0.5 || r.right > vw + 0.5) out.push(`image outside the viewport (${r.left.toFixed(1)}..${r.right.toFixed(1)})`);
    // object-fit: contain (the decks) scales the picture whole into its box, so only a box without it can distort it.
    const scaledWhole = getComputedStyle(img).objectFit === 'contain';
    if (img.naturalWidth && !scaledWhole && Math.abs(r.width / r.height - img.naturalWidth / img.naturalHeight) > 0.01)
      out.push(`image distorted: ${r.width.toFixed(1)}x${r.height.toFixed(1)} for ${img.naturalWidth}x${img.naturalHeight}`);
    let e = img.parentElement;
    while (e && e !== document.body) {
      const s = getComputedStyle(e);
      if ((s.overflowX !== 'visible' || s.overflowY !== 'visible') && !e.classList.contains('slides')) {
        const b = e.getBoundingClientRect();
        // Cut off by a box that hides or scrolls its overflow: a chart is never to be panned, only seen whole.
        if (r.left < b.left - 0.5 || r.right > b.right + 0.5 || r.top < b.top - 0.5 || r.bottom > b.bottom + 0.5) {
          out.push(`image clipped by ${e.className || e.tagName}: ${r.left.toFixed(1)}..${r.right.toFixed(1)} `
                   + `in ${b.left.toFixed(1)}..${b.right.toFixed(1)}`);
          break;
        }
      }
      e = e.parentElement;
    }
  }
  for (const grid of document.querySelectorAll('.kx-explorer .widget-gridbox')) {
    const imgs = [...grid.querySelectorAll('img')].filter(shown).map(i => i.getBoundingClientRect());
    if (imgs.length > 1) {
      const [a, ...rest] = imgs;
      for (const b of rest)
        if (['left', 'top', 'width', 'height'].some(k => Math.abs(a[k] - b[k]) > 0.5))
          out.push(`stacked layers misaligned: ${[a.left, a.top, a.width, a.height].map(x => x.toFixed(1))} vs `
                   + `${[b.left, b.top, b.width, b.height].map(x => x.toFixed(1))}`);
    }
  }
  return out;
}"""


def geometry_problems(page) -> list[str]:
    return page.evaluate(GEOMETRY)


def start_lab(home: Path, root: Path, overrides: dict | None = None, token: str = "ketamine-explainer-test",
              app: str = "jupyterlab"):
    """Start JupyterLab as ``make lab`` does (the project's jupyter_config/, ``root`` served, notebooks trusted), with
    every per-user file under ``home``; returns (process, base URL). ``overrides`` adds test-only settings.
    ``app="notebook"`` starts Notebook 7 the same way (``jupyter notebook`` with the project's jupyter_config/)."""
    import json
    import socket
    import subprocess
    import sys
    import time
    import urllib.request

    from ketamine_explainer import notebooks

    settings = home / "settings"
    settings.mkdir(parents=True, exist_ok=True)
    (settings / "overrides.json").write_text(json.dumps(overrides or {}))
    env = dict(os.environ, JUPYTER_CONFIG_PATH=str(notebooks.ROOT / "jupyter_config"),
               JUPYTER_CONFIG_DIR=str(home / "config"), JUPYTER_DATA_DIR=str(home / "data"),
               JUPYTER_RUNTIME_DIR=str(home / "runtime"), IPYTHONDIR=str(home / "ipython"), MPLCONFIGDIR=str(home / "mpl"))
    subprocess.run([sys.executable, "-m", "jupyter", "trust", *map(str, sorted(root.rglob("*.ipynb")))], env=env,
                   check=True, capture_output=True)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    app_class = {"jupyterlab": "LabApp", "notebook": "JupyterNotebookApp"}[app]
    command = [sys.executable, "-m", app, "--no-browser", "--ServerApp.ip=127.0.0.1", f"--ServerApp.port={port}",
               f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={root}", f"--{app_class}.app_settings_dir={settings}",
               "--ServerApp.disable_check_xsrf=False", f"--{app_class}.expose_app_in_browser=True"]  # tests read window.jupyterapp
    if os.geteuid() == 0:
        command.append("--allow-root")
    log = open(home / "lab.log", "w")  # noqa: SIM115 (kept open for the server's lifetime)
    server = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"{base}/api/status?token={token}", timeout=2)
            return server, base
        except OSError:
            if server.poll() is not None:
                raise RuntimeError(f"{app} exited: {(home / 'lab.log').read_text()[-2000:]}") from None
            time.sleep(0.5)
    server.kill()
    raise RuntimeError(f"{app} did not start within 60 s")


def copy_project(target: Path) -> Path:
    """What `make lab` serves, copied: the notebooks, the README and data/ (the start page links to both)."""
    from ketamine_explainer import notebooks

    shutil.copytree(notebooks.NOTEBOOK_DIR, target / "notebooks", ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
    shutil.copytree(notebooks.ROOT / "data", target / "data")
    shutil.copy(notebooks.ROOT / "README.md", target / "README.md")
    return target


def first_open_problems(page) -> list[str]:
    """What a learner would see wrong on first opening a notebook in JupyterLab as `make lab` or `make hub` serves it:
    ipywidgets' "disconnected" badge on the explainer's controls, a pop-up, or the project's style sheet missing."""
    problems = []
    badges = page.evaluate("""() => [...document.querySelectorAll('.jupyter-widgets-disconnected')]
        .filter(e => !['none', 'normal', ''].includes(getComputedStyle(e, '::before').content)).length""")
    if badges:
        problems.append(f"{badges} broken-link badge(s) on the explainer's controls")
    if page.locator(".jp-Notification-Toast, .Toastify__toast").count():
        problems.append("a pop-up on first open")
    cell = page.locator(".jp-Notebook .jp-RenderedHTMLCommon td").first
    if cell.evaluate("e => getComputedStyle(e).textAlign") != "left":
        problems.append("jupyter_config/custom/custom.css is not applied (table cells are not left-aligned)")
    return problems
