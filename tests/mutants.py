"""Mutation check (`make mutants`): does the suite catch realistic defects?

Each mutant is applied to a fresh scratch copy of the working tree (the tracked and new files, in a temporary folder;
the working tree itself is never touched). The notebooks that would show the defect are re-executed there, as a
contributor would with `make execute`, so stale stored outputs cannot give the defect away; then the tests relevant
to the defect run against the copy. A mutant is caught when those tests fail. First the same tests run on an
unmutated copy and must pass, otherwise a catch would mean nothing.

    python tests/mutants.py              # every mutant, with the baseline
    python tests/mutants.py --list       # names and what each one breaks
    python tests/mutants.py NAME ...     # only these (baseline of their tests included)

Add new kinds of defect to MUTANTS as you find them.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FAST = ("tests/test_data.py", "tests/test_reference.py")


@dataclass(frozen=True)
class Edit:
    """Replace ``old`` by ``new`` in ``path`` (exactly once); with ``markdown``, only in a notebook's markdown cells."""

    path: str
    old: str
    new: str
    markdown: bool = False


@dataclass(frozen=True)
class Mutant:
    name: str
    defect: str
    edits: tuple[Edit, ...]
    execute: tuple[str, ...]  # notebook stems to re-execute after the edit
    tests: tuple[str, ...]  # pytest arguments: files, -k expressions
    extra_tests: tuple[str, ...] = field(default=())  # globs of test files that count when present (e.g. a claims ledger)


CENTRAL = ("00_start_here", "02_conventional_treatment", "05_rapid_onset")
HELP = ("00_start_here", "03_new_era", "05_rapid_onset", "06_safety", "07_summary")

MUTANTS = (
    Mutant("prose-number", 'prose in 02 says STAR*D step 1 remission was "63.8%" instead of "36.8%"',
           (Edit("notebooks/02_conventional_treatment.ipynb", "36.8%", "63.8%", markdown=True),), (),
           ("tests/test_notebooks.py", *FAST), extra_tests=("tests/test_claim*.py", "tests/test_ledger*.py")),
    Mutant("onset-value", "a measured value in onset.csv changed (Wilkinson 2019 ketamine 45% at 24 h becomes 54%)",
           (Edit("data/onset.csv", "on10,iv_single,ketamine,24,hours,response,45,", "on10,iv_single,ketamine,24,hours,response,54,"),),
           ("00_start_here", "05_rapid_onset"), ("tests/test_charts.py", *FAST),
           extra_tests=("tests/test_claim*.py", "tests/test_ledger*.py")),
    Mutant("crisis-998", "the 988 crisis line changed to 998 in helplines.csv",
           (Edit("data/helplines.csv", "Call or text 988,", "Call or text 998,"),), HELP, FAST),
    Mutant("quiz-swap", 'safety question q06a marks "No monitoring is needed" correct and "At least 2 hours" wrong',
           (Edit("data/quiz.csv", "At least 2 hours,1,", "At least 2 hours,0,"),
            Edit("data/quiz.csv", "No monitoring is needed,0,", "No monitoring is needed,1,")), ("06_safety",), FAST),
    Mutant("stard-value", "STAR*D step 2 remission changed from 30.6% to 36.0% in stard.csv",
           (Edit("data/stard.csv", "sd02,2,step_remission,30.6,", "sd02,2,step_remission,36.0,"),),
           ("02_conventional_treatment",), FAST),
    Mutant("marker-half-time", "the onset chart's time mark drawn at half its time",
           (Edit("src/ketamine_explainer/charts/onset.py", "ax.axvline(at_days, color=GREY", "ax.axvline(at_days / 2, color=GREY"),),
           CENTRAL, ("tests/test_frames.py", "-k", "05_rapid_onset")),
    Mutant("layer-draws-whole-chart", "a time mark's layer drawn with the whole chart under the mark (not transparent)",
           (Edit("src/ketamine_explainer/charts/kit.py", "        for artist in shown:\n            artist.set_visible(False)\n",
                 "        pass\n"),),
           (), ("tests/test_charts.py", "-k", "layer")),
    Mutant("layer-shifted", "the time mark's layer placed 20 px right of its chart (as JupyterLab once showed it)",
           (Edit("src/ketamine_explainer/views.py",
                 'layer.root.layout = widgets.Layout(grid_area="chart", width="100%")',
                 'layer.root.layout = widgets.Layout(grid_area="chart", width="100%", '
                 'margin="0 0 0 20px" if layer is self.layers[-1] else "0")'),),
           ("05_rapid_onset",), ("tests/test_jupyterlab.py", "-k", "opening")),
    Mutant("orange-near-vermillion", "orange set one unit away from vermillion (#D55E01): two treatments look the same",
           (Edit("src/ketamine_explainer/style.py", '"orange": "#E69F00"', '"orange": "#D55E01"'),), (),
           ("tests/test_charts.py", "-k", "palette or colour")),
    Mutant("central-wrong-level", "the central chart's time and treatment controls wired to each other's level of overlay frames",
           (Edit("src/ketamine_explainer/views.py",
                 "for stack in layer.stacks[layer.controls.index(control)]",
                 "for stack in layer.stacks[(1, 0, 2)[layer.controls.index(control)] if len(layer.controls) == 3 "
                 "else layer.controls.index(control)]"),),
           ("05_rapid_onset",), ("tests/test_frames.py", "-k", "05_rapid_onset")),
    Mutant("overlay-under-base", "the base chart stacked over the overlay, hiding the time mark",
           (Edit("src/ketamine_explainer/views.py", "widgets.GridBox([layer.root for layer in self.layers],",
                 "widgets.GridBox([layer.root for layer in reversed(self.layers)],"),),
           ("05_rapid_onset",), ("tests/test_frames.py", "-k", "05_rapid_onset")),
    Mutant("phone-shows-wide-chart", "phones shown the wide chart scaled down (no narrow layout in the page)",
           (Edit("src/ketamine_explainer/charts/kit.py", "        if self.narrow is None:\n            return image\n",
                 "        if True:\n            return image\n"),),
           ("05_rapid_onset",), ("tests/test_browser.py", "-k", "fits_the_screen and 05_rapid_onset")),
    Mutant("narrow-readings-off-image", "the narrow onset legend's line samples drawn longer, pushing readings past the edge",
           (Edit("src/ketamine_explainer/charts/onset.py", 'loc="outside lower left", handlelength=2.0)',
                 'loc="outside lower left", handlelength=3.5)'),),
           (), ("tests/test_charts.py", "-k", "no_text")),
    Mutant("frontend-saves-widget-state", "JupyterLab's own widget-state saving on and the server's save guard off (the "
           "configuration that lost every chart: jupyter-widgets/ipywidgets#3888)",
           (Edit("jupyter_config/labconfig/default_setting_overrides.json", '"saveState": false', '"saveState": true'),
            Edit("jupyter_config/jupyter_server_config.py", 'c.ContentsManager.pre_save_hook = ', '_unused = ')),
           (), ("tests/test_lab_saving.py", "-k", "opening and jupyterlab and 05")),
    Mutant("save-guard-forgets-the-file", "the save guard ignores the file it replaces, trusting the frontend's state",
           (Edit("src/ketamine_explainer/widgetstate.py", "pool = {**(previous or {}), **stored(nb)", "pool = {**stored(nb)"),),
           (), ("tests/test_lab_saving.py", "-k", "crafted")),
    Mutant("random-widget-ids", "make execute keeps the random widget ids of each run (every run rewrites every notebook)",
           (Edit("src/ketamine_explainer/notebooks.py", "    widgetstate.stable_ids(nb)", "    pass"),), (),
           ("tests/test_reproducible.py", "-k", "same_files")),
    Mutant("slides-without-talk-mode", "the slides built without talk mode",
           (Edit("src/ketamine_explainer/export.py", 'KETAMINE_TALK="1" if slides else "0"', 'KETAMINE_TALK="0"'),), (),
           ("tests/test_browser.py", "-k", "talk_mode")),
)


def _tracked_files() -> list[str]:
    out = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"], cwd=ROOT,
                         capture_output=True, check=True).stdout.decode()
    return [p for p in out.split("\0") if p and (ROOT / p).is_file()]


def scratch_copy() -> Path:
    """A copy of the working tree's files in a temporary folder, sharing the virtual environment and npm packages."""
    target = Path(tempfile.mkdtemp(prefix="kx-mutant-"))
    for rel in _tracked_files():
        (target / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT / rel, target / rel)
    npm = ROOT / "build" / "npm"
    if npm.is_dir():
        (target / "build").mkdir(exist_ok=True)
        os.symlink(npm, target / "build" / "npm")
    return target


def apply(edit: Edit, root: Path) -> None:
    path = root / edit.path
    if edit.markdown:
        nb = json.loads(path.read_text(encoding="utf-8"))
        hits = 0
        for cell in nb["cells"]:
            text = "".join(cell["source"])
            if cell["cell_type"] == "markdown" and edit.old in text:
                cell["source"] = text.replace(edit.old, edit.new, 1)
                hits += 1
                break
        assert hits, f"{edit.old!r} is in no markdown cell of {edit.path}"
        path.write_text(json.dumps(nb, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
        return
    text = path.read_text(encoding="utf-8")
    assert text.count(edit.old) == 1, f"{edit.old!r} occurs {text.count(edit.old)} times in {edit.path}, not once"
    path.write_text(text.replace(edit.old, edit.new), encoding="utf-8")


def environment(root: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.pop("KETAMINE_EXPLAINER_DATA", None)
    env.update(PYTHONPATH=str(root / "src"), JUPYTER_CONFIG_DIR=str(root / "build/jupyter/config"),
               JUPYTER_DATA_DIR=str(root / "build/jupyter/data"), IPYTHONDIR=str(root / "build/ipython"),
               MPLCONFIGDIR=str(root / "build/matplotlib"), PYDEVD_DISABLE_FILE_VALIDATION="1", KETAMINE_TALK="0")
    return env


def execute(root: Path, stems: tuple[str, ...]) -> None:
    if not stems:
        return
    code = ("import sys\nfrom ketamine_explainer import notebooks\n"
            "assert notebooks.ROOT == __import__('pathlib').Path(sys.argv[1]), notebooks.ROOT\n"
            "notebooks.execute_all([notebooks.NOTEBOOK_DIR / f'{s}.ipynb' for s in sys.argv[2:]])\n")
    subprocess.run([sys.executable, "-c", code, str(root), *stems], cwd=root, env=environment(root), check=True,
                   capture_output=True)


def run_tests(root: Path, mutant: Mutant) -> tuple[int, list[str]]:
    extra = sorted(str(p.relative_to(root)) for pattern in mutant.extra_tests for p in root.glob(pattern))
    args = [*extra, *mutant.tests]
    result = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-o", "addopts=",
                             *args], cwd=root, env=environment(root), capture_output=True, text=True)
    failed = re.findall(r"^(?:FAILED|ERROR) (\S+)", result.stdout, re.M)
    return result.returncode, failed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("names", nargs="*", help="mutants to run (default: all)")
    parser.add_argument("--list", action="store_true", help="list the mutants and exit")
    parser.add_argument("--no-baseline", action="store_true", help="skip checking that the tests pass unmutated")
    options = parser.parse_args(argv)
    if options.list:
        for m in MUTANTS:
            print(f"{m.name:26s} {m.defect}")
        return 0
    chosen = [m for m in MUTANTS if not options.names or m.name in options.names]
    unknown = set(options.names) - {m.name for m in MUTANTS}
    if unknown:
        parser.error(f"unknown mutants: {', '.join(sorted(unknown))}")
    start = time.monotonic()
    if not options.no_baseline:
        root = scratch_copy()
        try:
            seen = set()
            for mutant in chosen:
                if (mutant.tests, mutant.extra_tests) in seen:
                    continue
                seen.add((mutant.tests, mutant.extra_tests))
                code, failed = run_tests(root, mutant)
                if code != 0:
                    print(f"baseline: the tests of '{mutant.name}' fail on an unmutated copy (rc={code}): {failed}")
                    return 2
            print(f"baseline: every mutant's tests pass on an unmutated copy ({time.monotonic() - start:.0f} s)")
        finally:
            shutil.rmtree(root, ignore_errors=True)
    caught = []
    for mutant in chosen:
        root = scratch_copy()
        t0 = time.monotonic()
        try:
            for edit in mutant.edits:
                apply(edit, root)
            execute(root, mutant.execute)
            code, failed = run_tests(root, mutant)
        finally:
            shutil.rmtree(root, ignore_errors=True)
        verdict = "caught" if code == 1 else "SURVIVED" if code == 0 else f"error (pytest rc={code})"
        if code == 1:
            caught.append(mutant.name)
        shown = ", ".join(f.split("::")[-1] for f in failed[:3]) + (" ..." if len(failed) > 3 else "")
        print(f"{verdict:9s} {mutant.name:26s} {time.monotonic() - t0:5.0f} s  {shown}", flush=True)
    print(f"\nmutation score: {len(caught)}/{len(chosen)} caught ({time.monotonic() - start:.0f} s)")
    survivors = [m.name for m in chosen if m.name not in caught]
    if survivors:
        print("survived: " + ", ".join(survivors))
    return 0 if not survivors else 1


if __name__ == "__main__":
    sys.exit(main())
