"""The notebooks in reading order, their titles (each notebook's H1), navigation, and executing them with stored outputs.

nbformat (whose schema validator takes seconds to import) is imported only by the functions that read or write a
notebook file, so the reading order and the titles cost nothing to import (the data layer checks quiz rows against
:data:`NOTEBOOKS`)."""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from functools import lru_cache
from pathlib import Path

from . import widgetstate

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOK_DIR = ROOT / "notebooks"

#: Reading order (file stems). A notebook's title is its H1 and nowhere else: see :func:`title`.
NOTEBOOKS = (
    "00_start_here",
    "01_depression",
    "02_conventional_treatment",
    "03_new_era",
    "04_how_it_works",
    "05_rapid_onset",
    "06_safety",
    "07_summary",
)
#: The first notebook's name in the previous / next links (its H1 is the explainer's own title, too long for a link).
START_LABEL = "Start here"
NAV_TAG = "nav"


def notebook_paths(directory: Path = NOTEBOOK_DIR) -> list[Path]:
    """The notebooks that exist, in reading order."""
    return [directory / f"{stem}.ipynb" for stem in NOTEBOOKS if (directory / f"{stem}.ipynb").exists()]


def _text(source) -> str:
    return "".join(source) if isinstance(source, list) else source


def title_cell_index(nb) -> int | None:
    """Index of the title cell: the first markdown cell that is not navigation (the cell after the top links)."""
    for i, cell in enumerate(nb["cells"]):
        if cell["cell_type"] == "markdown" and NAV_TAG not in cell["metadata"].get("tags", []):
            return i
    return None


def heading(nb) -> str | None:
    """The notebook's H1 (``# Title``, the first line of its title cell), or None; ``nb`` may be parsed JSON or a node."""
    i = title_cell_index(nb)
    first = _text(nb["cells"][i]["source"]).split("\n", 1)[0] if i is not None else ""
    return first[2:].strip() if first.startswith("# ") else None


@lru_cache(maxsize=32)
def _heading_of_file(path: Path, stamp: tuple[int, int]) -> str | None:
    return heading(json.loads(path.read_text(encoding="utf-8")))


def title(stem: str, directory: Path = NOTEBOOK_DIR) -> str:
    """The title of notebook ``stem``: its H1. The site, the slides, the handout and the navigation all use this."""
    path = Path(directory) / f"{stem}.ipynb"
    status = path.stat()
    found = _heading_of_file(path, (status.st_mtime_ns, status.st_size))
    if not found:
        raise ValueError(f"{path}: the first cell after the navigation must start with the title ('# ...')")
    return found


def nav_label(stem: str, titles: dict[str, str] | None = None) -> str:
    """How the previous / next links name a notebook: its title, or :data:`START_LABEL` for the first one."""
    if stem == NOTEBOOKS[0]:
        return START_LABEL
    return titles.get(stem, stem) if titles is not None else title(stem)


def navigation(stem: str, titles: dict[str, str] | None = None, suffix: str = ".ipynb") -> str:
    """Markdown links to the previous notebook, the contents and the next notebook (titles default to the H1s on disk)."""
    i = NOTEBOOKS.index(stem)
    parts = []
    if i > 0:
        before = NOTEBOOKS[i - 1]
        parts.append(f"[← {nav_label(before, titles)}]({before}{suffix})")
        parts.append(f"[Contents]({NOTEBOOKS[0]}{suffix})")
    if i + 1 < len(NOTEBOOKS):
        after = NOTEBOOKS[i + 1]
        parts.append(f"[{nav_label(after, titles)} →]({after}{suffix})")
    return " | ".join(parts)


CONFLICT = ("<<<<<<< ", "=======", ">>>>>>> ", "|||||||")


def check(path: Path):
    """Read ``path`` as a notebook, or raise :class:`~ketamine_explainer.data.DataError` naming the file (and line)."""
    from .data import DataError

    try:
        raw = Path(path).read_bytes()
    except OSError as exc:
        raise DataError(path, f"cannot be read ({exc.strerror or exc})") from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise DataError(path, f"not UTF-8 text (byte {exc.start})") from None
    for number, line in enumerate(text.splitlines(), start=1):
        if line.startswith(CONFLICT) or line == "=======":
            raise DataError(path, f"has an unresolved merge conflict ({line[:7]!r} marker): resolve it, then run make execute",
                            line=number)
    import nbformat

    try:
        nb = nbformat.reads(text, as_version=4)
        nbformat.validate(nb)
    except Exception as exc:  # nbformat raises JSON, schema and key errors alike
        message = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise DataError(path, f"is not a valid notebook ({message[:200]!r})") from None
    return nb


def write_atomic(nb, path: Path) -> None:
    """Write a notebook through a temporary file, so a failure never leaves half a notebook."""
    import nbformat

    fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".ipynb.tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            nbformat.write(nb, handle)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def execute(path: Path, timeout: int = 600):
    """Run every cell of ``path`` in a fresh kernel and return the notebook with outputs and widget state."""
    import nbformat

    nb = nbformat.read(path, as_version=4)
    run(nb, path.parent, timeout)
    nb.metadata.pop("papermill", None)
    return nb


def run(nb, folder: Path, timeout: int = 600) -> None:
    """Run every cell of ``nb`` in a fresh kernel started in ``folder``, storing outputs and widget state in ``nb``
    (the state of exactly the widgets its outputs show, each model named after its content: see :mod:`.widgetstate`).

    The kernel talks to this process over Unix sockets in a private folder (as the server's kernels do, see
    :mod:`.kernels`), not over TCP: nothing is sent in plain text over the network stack, and ipykernel has no
    "running over TCP without encryption" warning to print.
    """
    from nbclient import NotebookClient
    from traitlets.config import Config

    from .sockets import make_socket_folder

    sockets = make_socket_folder()  # None where Unix sockets are not available: then jupyter_client's TCP default
    transport = {"KernelManager": {"transport": "ipc", "ip": os.path.join(sockets, "k")}} if sockets else {}
    client = NotebookClient(
        nb,
        config=Config(transport),
        timeout=timeout,
        kernel_name="python3",
        resources={"metadata": {"path": str(folder)}},
        record_timing=False,
        store_widget_state=True,
    )
    try:
        client.execute()
    finally:
        if sockets:
            shutil.rmtree(sockets, ignore_errors=True)
    widgetstate.settle(nb)  # only the models the outputs show, each stored once
    widgetstate.stable_ids(nb)  # named after their content: the same run writes the same file


def execute_all(paths: list[Path] | None = None) -> list[Path]:
    """Regenerate the generated text of every notebook beside them, then execute them in place (each written only once
    it has run without error), so stored outputs always belong to current sources cells."""
    from . import generate

    paths = paths or notebook_paths()
    for directory in dict.fromkeys(Path(p).parent for p in paths):
        generate.write_all(directory)
    done = []
    for path in paths:
        write_atomic(execute(path), path)
        done.append(path)
    return done
