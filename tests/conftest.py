import shutil
from pathlib import Path
from types import SimpleNamespace

import pytest

import ketamine_explainer as kx

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "data"


@pytest.fixture(scope="session")
def data():
    return kx.load()


@pytest.fixture
def data_copy(tmp_path):
    """A writable copy of data/ and a helper that edits one file's text."""
    target = tmp_path / "data"
    shutil.copytree(DATA, target)

    def edit(name, old, new, count=1):
        path = target / name
        text = path.read_text(encoding="utf-8")
        assert old in text, f"fixture text {old!r} not in {name}"
        path.write_text(text.replace(old, new, count), encoding="utf-8")
        return path

    return SimpleNamespace(path=target, edit=edit)


@pytest.fixture(scope="session")
def site(tmp_path_factory):
    """The offline site, built once per run from the stored outputs (which nbval checks against a fresh run)."""
    from ketamine_explainer import export

    return export.build(tmp_path_factory.mktemp("site") / "site", slides=False, execute=False)


@pytest.fixture(scope="session")
def slides(tmp_path_factory):
    """The decks, built once per run: they re-execute the notebooks in talk mode (large type), as `make slides` does."""
    from ketamine_explainer import export

    return export.build(tmp_path_factory.mktemp("slides") / "slides", slides=True, execute=True)


@pytest.fixture(scope="module")
def browser():
    """Debian's Chromium through Playwright, one per test module (skipped without it, failed under CI=true)."""
    from playwright.sync_api import sync_playwright

    from .browser import ARGS, require_chromium

    executable = require_chromium()
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=executable, args=ARGS)
        yield chromium
        chromium.close()


@pytest.fixture(scope="session")
def lab(tmp_path_factory):
    """JupyterLab serving a copy of the project with its jupyter_config/ (shared by every test that needs it)."""
    from .lab import serve

    yield from serve(tmp_path_factory, "jupyterlab")


@pytest.fixture(scope="session")
def notebook7(tmp_path_factory):
    """Notebook 7 (`jupyter notebook`) serving a copy of the project with its jupyter_config/."""
    from .lab import serve

    yield from serve(tmp_path_factory, "notebook")


@pytest.fixture(params=["jupyterlab", "notebook"])
def frontend(request):
    """JupyterLab, then Notebook 7, each started with the project's jupyter_config/."""
    return request.getfixturevalue("lab" if request.param == "jupyterlab" else "notebook7")


#: Modules that execute notebooks, start Jupyter servers or a browser, or build a whole medium; `make quick` leaves
#: them (and nbval's run of the notebooks) out.
SLOW_MODULES = {"test_browser.py", "test_frames.py", "test_handout.py", "test_hostile.py", "test_hub.py", "test_jupyterlab.py",
                "test_kernels.py", "test_lab_saving.py", "test_page.py", "test_pythons.py", "test_reproducible.py"}


def pytest_collection_modifyitems(items):
    for item in items:
        if item.path.name in SLOW_MODULES or item.path.suffix == ".ipynb":
            item.add_marker(pytest.mark.slow)
