"""Speed of the explainer, as ratios against baselines measured in the same run (these machines are noisy).

Run with `make bench`. Prints a table and writes benchmarks/RESULTS.md.
"""

from __future__ import annotations

import io
import statistics
import sys
import tempfile
import time
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # the tests package: its browser and JupyterLab helpers

from ketamine_explainer import charts, export, load, notebooks  # noqa: E402
from tests.browser import ARGS, VISIBLE_FRAMES, Offline, require_chromium  # noqa: E402

ROWS: list[tuple[str, str, str, str]] = []  # (measure, value, baseline, ratio and target)


def row(measure: str, value: float, baseline: float, unit: str, target: str) -> None:
    ratio = value / baseline if baseline else float("nan")
    ROWS.append((measure, f"{value:.1f} {unit}", f"{baseline:.1f} {unit}", f"{ratio:.2f}x (target {target})"))
    print(f"{measure:60s} {value:9.1f} {unit:3s} vs {baseline:9.1f} {unit:3s} = {ratio:5.2f}x  (target {target})", flush=True)


def timed(function, *args, **kwargs) -> float:
    start = time.perf_counter()
    function(*args, **kwargs)
    return time.perf_counter() - start


def bench_execution() -> None:
    paths = notebooks.notebook_paths()
    # The floor imports only what any notebook of charts and controls needs, none of the explainer's own code: the
    # ratio is then what the package, its data and its drawing cost on top.
    floor_nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(
        "import numpy, scipy.interpolate, matplotlib.figure, matplotlib.backends.backend_agg, ipywidgets, PIL.Image")])
    floor_nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}

    def floor():  # started exactly as notebooks.execute starts a kernel (local sockets, same folder)
        notebooks.run(nbformat.from_dict(floor_nb), notebooks.NOTEBOOK_DIR)

    # Interleave the floor and the real run of each notebook and keep the best of three of each, so that drift
    # in the machine's speed during the run hits both sides alike.
    floor_s = actual_s = 0.0
    for path in paths:
        floors, actuals = [], []
        for _ in range(3):
            floors.append(timed(floor))
            actuals.append(timed(notebooks.execute, path))
        floor_s += min(floors)
        actual_s += min(actuals)
    row(f"execute all {len(paths)} notebooks vs kernels that only import (best of 3, interleaved)", actual_s, floor_s, "s",
        "<= 1.5x")


def bench_naive_redraw() -> float:
    """What a Python `interact` callback would cost per move: a new figure and a tight bounding box each time."""
    from ketamine_explainer.style import narrow_too

    data = load()
    times = []
    for at_days in (1, 7, 28, 84, 1):
        start = time.perf_counter()
        with narrow_too(False):  # one figure, as a plain matplotlib draw makes
            chart = charts.plot_onset_timelines(data, at_days=at_days)
        chart.figure.savefig(io.BytesIO(), format="png", bbox_inches="tight")
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


def bench_build() -> Path:
    out = Path(tempfile.mkdtemp()) / "site"
    export.build(out, execute=False)  # warm npm cache
    ours = timed(export.build, out, execute=False)
    from nbconvert import HTMLExporter

    def plain():
        with tempfile.TemporaryDirectory() as folder:
            for path in notebooks.notebook_paths():
                body, _ = HTMLExporter().from_notebook_node(nbformat.read(path, as_version=4))
                (Path(folder) / f"{path.stem}.html").write_text(body, encoding="utf-8")

    plain_s = timed(plain)
    row("HTML site build vs plain nbconvert HTML export (in process)", ours, plain_s, "s", "<= 1.5x")
    largest = max(p.stat().st_size for p in out.glob("*.html"))
    ROWS.append(("largest page without the shared vendor/ folder", f"{largest / 1e6:.2f} MB", "2 MB limit", "ok" if largest < 2e6
                 else "OVER"))
    print(f"largest page: {largest / 1e6:.2f} MB")
    return out


LATENCY_PROBE = """
() => {
  window.__kxKey = null; window.__kxChanged = null;
  document.addEventListener('keydown', () => { window.__kxKey = performance.now(); }, {capture: true, once: true});
  const observer = new MutationObserver(() => {
    if (window.__kxChanged === null && window.__kxKey !== null) {
      requestAnimationFrame(() => requestAnimationFrame(() => { window.__kxChanged = performance.now(); }));
      observer.disconnect();
    }
  });
  observer.observe(document.body, {subtree: true, attributes: true, childList: true});
}
"""


def _latency(page, press) -> float:
    page.evaluate(LATENCY_PROBE)
    press()
    page.wait_for_function("window.__kxChanged !== null", timeout=5000)
    return page.evaluate("window.__kxChanged - window.__kxKey")


def bench_browser(site: Path, naive_ms: float) -> None:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=require_chromium(), args=ARGS)
        page = browser.new_page()
        page.set_content('<input id="i"><div id="o"></div><script>i.oninput = () => { o.textContent = i.value; }</script>')
        page.focus("#i")
        baseline_ms = statistics.median(_latency(page, lambda: page.keyboard.press("a")) for _ in range(15))
        page.close()

        latencies, loads, load_floor = [], [], []
        for name in [export.page_name(stem, False) for stem in notebooks.NOTEBOOKS]:
            for _ in range(3):
                page = browser.new_page()
                Offline(page)
                start = time.perf_counter()
                page.goto((site / name).as_uri())
                page.wait_for_function("document.querySelectorAll('.kx-explorer img').length > 0 && "
                                       "[...document.querySelectorAll('.kx-explorer')].every(e => e.querySelector('img'))",
                                       timeout=30_000)
                loads.append((time.perf_counter() - start) * 1000)
                page.close()
            page = browser.new_page()
            start = time.perf_counter()
            page.goto("data:text/html,<html lang=en><title>empty</title><p>empty page</p></html>")
            load_floor.append((time.perf_counter() - start) * 1000)
            page.close()
            page = browser.new_page()
            Offline(page)
            page.goto((site / name).as_uri())
            page.wait_for_selector(".kx-explorer img", timeout=30_000)
            for handle in page.locator(".kx-explorer .noUi-handle").all():
                handle.focus()
                latencies.append(_latency(page, lambda p=page: p.keyboard.press("ArrowLeft")))
                assert len(page.locator(".kx-explorer").first.evaluate(VISIBLE_FRAMES)) >= 1
            page.close()
        browser.close()
    control_ms = statistics.median(latencies)
    row(f"key press to new chart painted, exported page ({len(latencies)} sliders, median)", control_ms, baseline_ms, "ms",
        "< 50 ms absolute")
    row("the same, against a naive Python `interact` redraw of the onset chart", control_ms, naive_ms, "ms", "<= 0.5x")
    row("page load offline until every control is rendered (median)", statistics.median(loads), statistics.median(load_floor),
        "ms", "< 1500 ms absolute")


def bench_rerun(naive_ms: float) -> None:
    """A learner's Shift+Enter on the central chart's cell in JupyterLab, against a live kernel: until its first frame
    shows, and until every control works (all frames drawn), against one plain matplotlib draw of the same chart."""
    import shutil

    from playwright.sync_api import sync_playwright

    from tests.lab import serve
    from tests.test_lab_saving import CENTRAL, IDLE, WATCH, open_notebook, run_cell

    class Factory:  # what lab.serve needs of pytest's tmp_path_factory
        def __init__(self, root):
            self.root = Path(root)

        def mktemp(self, name):
            path = self.root / name
            path.mkdir()
            return path

    with tempfile.TemporaryDirectory() as folder:
        servers = serve(Factory(folder), "jupyterlab")
        server = next(servers)
        shutil.copy(notebooks.NOTEBOOK_DIR / "05_rapid_onset.ipynb", server.notebooks / "bench-05.ipynb")
        cells = nbformat.read(server.notebooks / "bench-05.ipynb", as_version=4).cells
        index = next(i for i, c in enumerate(cells) if CENTRAL in c.source)
        setup = next(i for i, c in enumerate(cells) if "kx.load()" in c.source)
        firsts, readies = [], []
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=require_chromium(), args=ARGS)
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            open_notebook(page, server, "bench-05.ipynb")
            page.wait_for_function(IDLE, timeout=60_000)
            run_cell(page, setup)
            for attempt in range(4):  # the first run starts the workers; a learner's re-runs find them running
                page.evaluate(WATCH, index)
                run_cell(page, index)
                page.wait_for_function("() => window.kxWatch.ready !== null", timeout=60_000)
                seen = page.evaluate("() => window.kxWatch")
                if attempt:
                    firsts.append(seen["first"])
                    readies.append(seen["ready"])
            browser.close()
        next(servers, None)
    row("Shift+Enter on the central chart in JupyterLab: first frame shown (median of 3 re-runs)", statistics.median(firsts),
        naive_ms, "ms", "< 1500 ms absolute")
    row("the same: every control works (every frame drawn)", statistics.median(readies), naive_ms, "ms", "< 4000 ms absolute")


def main() -> None:
    print("Benchmarks (each figure against a baseline measured now)\n")
    bench_execution()
    naive_ms = bench_naive_redraw()
    bench_rerun(naive_ms)
    site = bench_build()
    bench_browser(site, naive_ms)
    lines = ["# Benchmark results", "", "Produced by `make bench` (benchmarks/run.py); every baseline is measured in the same run.", "",
             "| measure | value | baseline | ratio |", "|---|---|---|---|"]
    lines += [f"| {m} | {v} | {b} | {r} |" for m, v, b, r in ROWS]
    results = ROOT / "benchmarks" / "RESULTS.md"
    kept = results.read_text(encoding="utf-8").split("\n## ", 1)[1:] if results.exists() else []  # make hub-load's section
    results.write_text("\n".join(lines) + "\n" + "".join(f"\n## {section}" for section in kept), encoding="utf-8")
    print("\nwritten benchmarks/RESULTS.md")


if __name__ == "__main__":
    main()
