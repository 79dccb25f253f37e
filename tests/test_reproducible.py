"""Reproducible and robust: fresh offline execution matches the stored outputs; failures leave nothing half-written."""

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from ketamine_explainer import export, notebooks, widgetstate

ROOT = Path(__file__).resolve().parents[1]
MODEL_ID = re.compile(r"[0-9a-f]{32}")


def _normalized(nb: dict) -> tuple[list, list]:
    """Outputs and widget models with model ids blanked, so two runs can be compared exactly."""
    cells = [(c.get("source"), c.get("outputs"), c.get("execution_count")) for c in nb["cells"] if c["cell_type"] == "code"]
    state = nb["metadata"].get("widgets", {}).get("application/vnd.jupyter.widget-state+json", {}).get("state", {})
    models = sorted(MODEL_ID.sub("ID", json.dumps(m, sort_keys=True)) for m in state.values())
    return json.loads(MODEL_ID.sub("ID", json.dumps(cells))), models


def _offline(command: list[str]) -> list[str]:
    """Wrap ``command`` to run with no network (a new network namespace with only loopback up)."""
    if os.geteuid() == 0 and shutil.which("unshare") and shutil.which("ip"):
        return ["unshare", "--net", "sh", "-c", 'ip link set lo up && exec "$@"', "sh", *command]
    message = "cannot run without network here (needs root, unshare and ip): the offline execution test is skipped"
    if os.environ.get("CI") == "true":
        pytest.fail(message + ", and under CI=true that is a failure")
    pytest.skip(message)


def _execute_offline(folder: Path, paths: list[Path], data: Path | None = None) -> None:
    """Execute ``paths`` in fresh kernels with no network (and another data folder, if given), writing each into
    ``folder`` exactly as ``make execute`` writes it."""
    script = (
        "import sys\n"
        "from pathlib import Path\n"
        "from ketamine_explainer import notebooks\n"
        "for name in sys.argv[2:]:\n"
        "    path = Path(name)\n"
        "    notebooks.write_atomic(notebooks.execute(path), Path(sys.argv[1]) / path.name)\n"
    )
    env = dict(os.environ, **({"KETAMINE_EXPLAINER_DATA": str(data)} if data else {}))
    folder.mkdir(exist_ok=True)
    command = _offline([sys.executable, "-c", script, str(folder), *map(str, paths)])
    result = subprocess.run(command, capture_output=True, text=True, timeout=600, env=env)
    assert result.returncode == 0, result.stderr[-3000:]


def test_executing_the_notebooks_again_offline_writes_the_same_files(tmp_path):
    """`make execute` twice in a row leaves `git status` clean: same outputs, same widget state, same model ids."""
    _execute_offline(tmp_path, notebooks.notebook_paths())
    for path in notebooks.notebook_paths():
        stored, fresh = path.read_text(encoding="utf-8"), (tmp_path / path.name).read_text(encoding="utf-8")
        if fresh != stored:
            stored_cells, stored_models = _normalized(json.loads(stored))
            fresh_cells, fresh_models = _normalized(json.loads(fresh))
            assert fresh_cells == stored_cells, f"{path.name}: outputs differ from a fresh run (run `make execute`)"
            assert fresh_models == stored_models, f"{path.name}: widget state differs from a fresh run (run `make execute`)"
            pytest.fail(f"{path.name}: the same run writes other widget ids or bytes (they must follow from the content)")


def test_a_data_change_rewrites_only_the_notebook_and_the_chart_that_show_it(tmp_path, data_copy):
    """A new figure in prevalence.csv (shown by 01's chart only) changes 01's chart and nothing else: 01's questions
    keep their widget ids, and 03 is written byte for byte as before."""
    data_copy.edit("prevalence.csv", "pr03,world,sex,Men,4.0,", "pr03,world,sex,Men,4.1,")
    chosen = [notebooks.NOTEBOOK_DIR / "01_depression.ipynb", notebooks.NOTEBOOK_DIR / "03_new_era.ipynb"]
    _execute_offline(tmp_path / "out", chosen, data=data_copy.path)
    assert (tmp_path / "out" / "03_new_era.ipynb").read_bytes() == chosen[1].read_bytes(), "03 does not show it"
    before, after = (json.loads(p.read_text(encoding="utf-8")) for p in (chosen[0], tmp_path / "out" / chosen[0].name))
    old, new = widgetstate.stored(before), widgetstate.stored(after)
    quizzes = {k for k, m in old.items() if "kx-quiz" in m["state"].get("_dom_classes", [])}
    assert quizzes and quizzes <= set(new), "the questions keep their ids"
    assert set(old) != set(new), "the chart that shows the figure is redrawn"
    changed_cells = [i for i, (a, b) in enumerate(zip(before["cells"], after["cells"])) if a != b]
    assert len(changed_cells) == 1 and "plot_prevalence" in "".join(before["cells"][changed_cells[0]]["source"])


def test_a_failing_notebook_is_not_overwritten(tmp_path):
    path = tmp_path / "01_depression.ipynb"
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("print('before')"),
                                         nbformat.v4.new_code_cell("raise RuntimeError('boom')")])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(nb, path)
    before = path.read_bytes()
    with pytest.raises(Exception, match="boom"):
        notebooks.execute_all([path])
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["01_depression.ipynb"], "no temporary file is left behind"


def test_a_failed_build_leaves_no_half_written_site(tmp_path):
    good = tmp_path / "site"
    good.mkdir()
    (good / "index.html").write_text("previous build")
    (good / export.MARKER).write_text(export.MARKER_TEXT)
    broken = tmp_path / "00_start_here.ipynb"
    broken.write_text("{ this is not a notebook")
    with pytest.raises(ValueError):  # nbformat: not JSON
        export.build(good, paths=[broken], execute=False)
    assert (good / "index.html").read_text() == "previous build", "the previous site is kept"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["00_start_here.ipynb", "site"], "no temporary folder is left"
