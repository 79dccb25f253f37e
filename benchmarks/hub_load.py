"""`make hub-load`: thirty learners on one hub at once, on this machine.

Each learner signs in with the class code, starts a server (their own copy of the explainer), opens 05, runs its
setup cell and the central chart's cell with one value changed through the kernel, saves, and reopens the notebook.
Prints the median and 95th percentile of the time to a ready notebook and to a finished cell, and the memory of the
hub (with its proxy and culler) and of each learner (server and kernel), and writes them into benchmarks/RESULTS.md.
"""

from __future__ import annotations

import contextlib
import statistics
import sys
import tempfile
import time
import traceback
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import nbformat
import psutil

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # the tests package: the hub and its learners

from ketamine_explainer import widgetstate  # noqa: E402
from tests.hub import Hub, Learner  # noqa: E402
from tests.test_hub import CENTRAL, changed_cells  # noqa: E402

LEARNERS = 30
SECTION = "## Thirty learners on one hub"


def lesson(hub: Hub, number: int) -> dict:
    learner = Learner(hub, f"learner-{number:02d}")
    began = time.monotonic()
    learner.sign_in()
    learner.start_server(timeout=900)
    opened = learner.server(f"contents/notebooks/{CENTRAL}")
    opened.raise_for_status()
    ready = time.monotonic() - began
    setup, central, changed = changed_cells()
    cell_began = time.monotonic()
    _, outputs = learner.run([setup, changed], f"notebooks/{CENTRAL}", timeout=900)
    cell = time.monotonic() - cell_began
    nb = nbformat.from_dict(opened.json()["content"])
    index = next(i for i, c in enumerate(nb.cells) if c.source == central)
    nb.cells[index].source, nb.cells[index].outputs = changed, [nbformat.from_dict(o) for o in outputs]
    learner.server(f"contents/notebooks/{CENTRAL}", "PUT", json={"type": "notebook", "content": nb}).raise_for_status()
    reopened = nbformat.from_dict(learner.server(f"contents/notebooks/{CENTRAL}").json()["content"])
    state = widgetstate.stored(reopened)
    if reopened.cells[index].source != changed or not set(widgetstate.shown(reopened)) <= set(state):
        raise AssertionError(f"{learner.name}: the reopened notebook lost the re-run chart")
    return {"name": learner.name, "ready": ready, "cell": cell}


def tree_rss(process: psutil.Process) -> int:
    total = 0
    for p in [process, *process.children(recursive=True)]:
        with contextlib.suppress(psutil.NoSuchProcess):
            total += p.memory_info().rss
    return total


def memory(hub: Hub) -> tuple[float, list[float]]:
    """MB: the hub with its proxy and culler (not the learners), and each learner's server with its kernel."""
    root = psutil.Process(hub.process.pid)
    learners, everything = [], tree_rss(root)
    for child in root.children(recursive=True):
        try:
            if any("jupyterhub-singleuser" in part for part in child.cmdline()):
                learners.append(tree_rss(child))
        except psutil.NoSuchProcess:
            continue
    return (everything - sum(learners)) / 1e6, [m / 1e6 for m in learners]


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20, method="inclusive")[18]


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        hub = Hub(Path(folder) / "state").start()
        try:
            began = time.monotonic()
            with ThreadPoolExecutor(LEARNERS) as pool:
                futures = [pool.submit(lesson, hub, n) for n in range(1, LEARNERS + 1)]
            results, failures = [], []
            for future in futures:
                try:
                    results.append(future.result())
                except Exception:  # every failure is reported, not only the first
                    failures.append(traceback.format_exc(limit=3))
            whole = time.monotonic() - began
            hub_mb, learner_mb = memory(hub)
        finally:
            hub.stop()
    for failure in failures:
        print(failure)
    readies, cells = [r["ready"] for r in results], [r["cell"] for r in results]
    cpus = psutil.cpu_count()
    rows = [
        ("learners who finished the lesson", f"{len(results)} of {LEARNERS}"),
        ("the whole class, first sign-in to last reopened notebook", f"{whole:.0f} s"),
        ("sign-in to a ready notebook (server started, 05 opened): median / 95th percentile",
         f"{statistics.median(readies):.1f} s / {p95(readies):.1f} s"),
        ("setup cell and a re-run central chart, through the kernel: median / 95th percentile",
         f"{statistics.median(cells):.1f} s / {p95(cells):.1f} s"),
        ("the hub, its proxy and its culler (resident memory)", f"{hub_mb:.0f} MB"),
        ("each learner, server and kernel after the lesson: median / largest",
         f"{statistics.median(learner_mb):.0f} MB / {max(learner_mb):.0f} MB"),
    ]
    print(f"\n{LEARNERS} learners at once on one hub ({cpus} cores)")
    for measure, value in rows:
        print(f"  {measure:90s} {value}")
    results_file = ROOT / "benchmarks" / "RESULTS.md"
    text = results_file.read_text(encoding="utf-8") if results_file.exists() else "# Benchmark results\n"
    before = text.split(f"\n{SECTION}")[0].rstrip("\n")
    section = [SECTION, "", f"Produced by `make hub-load` (benchmarks/hub_load.py) on {cpus} cores: {LEARNERS} simulated learners "
               "at once, each signing in, starting a server, opening 05, running its setup cell and the central chart's "
               "cell with one value changed through the kernel, saving and reopening.", "", "| measure | value |", "|---|---|",
               *(f"| {m} | {v} |" for m, v in rows)]
    results_file.write_text(before + "\n\n" + "\n".join(section) + "\n", encoding="utf-8")
    print("\nwritten benchmarks/RESULTS.md")
    if failures:
        sys.exit(f"{len(failures)} of {LEARNERS} learners failed")


if __name__ == "__main__":
    main()
