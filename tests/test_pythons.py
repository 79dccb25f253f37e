"""Python 3.12 and 3.13 (pyenv, where the machine has them): one notebook executed under each gives the stored outputs.

Each runs in a throwaway venv built from requirements.lock (only the packages a kernel needs, still pinned and
hashed), kept in build/pyenvs/ and reused while the lock is unchanged. Any warning printed by a kernel (such as
Python 3.12's DeprecationWarning about fork() in a process with threads) would change the outputs and fail.
"""

import hashlib
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from .test_reproducible import _normalized

ROOT = Path(__file__).resolve().parents[1]
VERSIONS = ("3.12", "3.13")
NOTEBOOK = "03_new_era.ipynb"
#: What a kernel running the notebooks imports; the lock's "# via" notes give everything these need.
RUNTIME = {"ipykernel", "nbclient", "nbformat", "ipywidgets", "matplotlib", "numpy", "scipy", "pillow"}
RUN = """
import sys, nbformat
from ketamine_explainer import notebooks
nb = notebooks.execute(notebooks.NOTEBOOK_DIR / sys.argv[1])
nbformat.write(nb, sys.argv[2])
"""


def runtime_lock(text: str) -> str:
    """The entries of requirements.lock that the runtime packages need, hashes and markers kept."""
    entries: dict[str, list[tuple[str, set[str]]]] = {}
    for block in re.split(r"\n(?=[A-Za-z0-9])", text):
        match = re.match(r"([A-Za-z0-9_.-]+)==", block)
        if match:
            parents = {p.lower() for p in re.findall(r"#\s+(?:via\s+)?([A-Za-z0-9_.-]+)\s*$", block, re.M)} - {"via"}
            entries.setdefault(match.group(1).lower(), []).append((block.strip(), parents))
    needed, grown = set(RUNTIME), True
    while grown:
        grown = False
        for name, items in entries.items():
            if name not in needed and any(parents & needed for _, parents in items):
                needed.add(name)
                grown = True
    return "\n".join(block for name in sorted(needed) for block, _ in entries[name]) + "\n"


def test_runtime_lock_keeps_hashes_and_the_dependencies_of_the_runtime():
    text = runtime_lock((ROOT / "requirements.lock").read_text())
    names = set(re.findall(r"^([a-z0-9_.-]+)==", text, re.M))
    assert names >= RUNTIME and {"jupyter-client", "traitlets", "pyparsing", "comm"} <= names
    assert not names & {"jupyterlab", "playwright", "ruff", "pytest", "hypothesis"}
    assert all("--hash=sha256:" in block for block in re.split(r"\n(?=[a-z])", text) if "==" in block)


def _interpreter(version: str) -> Path | None:
    root = Path(os.environ.get("PYENV_ROOT", Path.home() / ".pyenv")) / "versions"
    found = sorted(root.glob(f"{version}.*/bin/python{version}"), key=lambda p: [int(x) for x in p.parts[-3].split(".") if x.isdigit()])
    return found[-1] if found else None


def _venv_folder(version: str, lock: str) -> Path:
    return ROOT / "build" / "pyenvs" / f"{version}-{hashlib.sha256(lock.encode()).hexdigest()[:12]}"


@pytest.fixture(scope="module")
def venvs() -> dict[str, Path]:
    """{version: venv python} for the versions pyenv has; the missing venvs are built side by side, only once per lock."""
    lock = runtime_lock((ROOT / "requirements.lock").read_text())
    ready, installs = {}, {}
    for version in VERSIONS:
        python = _interpreter(version)
        if python is None:
            continue
        folder = _venv_folder(version, lock)
        ready[version] = folder / "bin" / "python"
        if not (folder / "installed").exists():
            subprocess.run([str(python), "-m", "venv", "--clear", str(folder)], check=True)
            (folder / "runtime.lock").write_text(lock)
            installs[version] = subprocess.Popen(
                [str(ready[version]), "-m", "pip", "install", "-q", "--disable-pip-version-check", "--require-hashes", "-r",
                 str(folder / "runtime.lock")], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    for version, install in installs.items():
        _, errors = install.communicate(timeout=900)
        assert install.returncode == 0, f"Python {version}: {errors[-3000:]}"
        (_venv_folder(version, lock) / "installed").write_text(lock)
    return ready


@pytest.mark.parametrize("version", VERSIONS)
def test_a_notebook_gives_the_stored_outputs_under_other_pythons(version, venvs, tmp_path):
    if version not in venvs:
        pytest.skip(f"Python {version} is not installed with pyenv (~/.pyenv/versions/{version}.*): its check is skipped")
    venv_python = venvs[version]
    out = tmp_path / NOTEBOOK
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src"), "JUPYTER_DATA_DIR": str(tmp_path / "jupyter"),
           "JUPYTER_CONFIG_DIR": str(tmp_path / "jupyter-config"), "IPYTHONDIR": str(tmp_path / "ipython"), "KETAMINE_WORKERS": "2"}
    env.pop("VIRTUAL_ENV", None)
    result = subprocess.run([str(venv_python), "-c", RUN, NOTEBOOK, str(out)], env=env, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr[-3000:]
    fresh = nbformat.read(out, as_version=4)
    assert fresh.metadata.language_info.version.startswith(version + "."), "the kernel ran under the other Python"
    stored = nbformat.read(ROOT / "notebooks" / NOTEBOOK, as_version=4)
    fresh_cells, fresh_models = _normalized(fresh)
    stored_cells, stored_models = _normalized(stored)
    assert "DeprecationWarning" not in json.dumps(fresh_cells), "a warning reached an output"
    assert fresh_cells == stored_cells and fresh_models == stored_models, f"outputs under Python {version} differ from the stored ones"
    assert sys.version_info[:2] != tuple(map(int, version.split(".")))  # the comparison is across versions
