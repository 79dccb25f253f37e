"""The notebooks in reading order, their generated navigation, and executing them with stored outputs."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOK_DIR = ROOT / "notebooks"

#: Reading order: file stem and short title (used in navigation and the site).
NOTEBOOKS = (
    ("00_start_here", "Start here"),
    ("01_depression", "Depression: common, but not equal"),
    ("02_conventional_treatment", "Conventional treatment and its limits"),
    ("03_new_era", "From anaesthetic to antidepressant"),
    ("04_how_it_works", "How ketamine might work"),
    ("05_rapid_onset", "How fast do treatments work?"),
    ("06_safety", "Safety: short-term effects and long-term risks"),
    ("07_summary", "Summary: treatments side by side"),
)
NAV_TAG = "nav"


def notebook_paths(directory: Path = NOTEBOOK_DIR) -> list[Path]:
    """The notebooks that exist, in reading order."""
    return [directory / f"{stem}.ipynb" for stem, _ in NOTEBOOKS if (directory / f"{stem}.ipynb").exists()]


def navigation(stem: str, suffix: str = ".ipynb") -> str:
    """Markdown links to the previous notebook, the contents and the next notebook."""
    stems = [s for s, _ in NOTEBOOKS]
    titles = dict(NOTEBOOKS)
    i = stems.index(stem)
    parts = []
    if i > 0:
        parts.append(f"[← {titles[stems[i - 1]]}]({stems[i - 1]}{suffix})")
    if i > 0:
        parts.append(f"[Contents]({stems[0]}{suffix})")
    if i + 1 < len(stems):
        parts.append(f"[{titles[stems[i + 1]]} →]({stems[i + 1]}{suffix})")
    return " | ".join(parts)


def update_navigation(path: Path) -> bool:
    """Rewrite the cells tagged ``nav`` at the top and bottom of ``path``; True if anything changed."""
    nb = nbformat.read(path, as_version=4)
    text = navigation(path.stem)
    changed = False
    for cell in nb.cells:
        if NAV_TAG in cell.metadata.get("tags", []) and cell.source != text:
            cell.source, changed = text, True
    if changed:
        write_atomic(nb, path)
    return changed


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
    try:
        nb = nbformat.reads(text, as_version=4)
        nbformat.validate(nb)
    except Exception as exc:  # nbformat raises JSON, schema and key errors alike
        message = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise DataError(path, f"is not a valid notebook ({message[:200]!r})") from None
    return nb


def write_atomic(nb, path: Path) -> None:
    """Write a notebook through a temporary file, so a failure never leaves half a notebook."""
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
    from nbclient import NotebookClient
    from traitlets.config import Config

    nb = nbformat.read(path, as_version=4)
    # The kernel talks to this process over Unix sockets in a private folder, not over TCP: nothing is sent in plain
    # text over the network stack, and ipykernel has no "running over TCP without encryption" warning to print.
    sockets = tempfile.mkdtemp(prefix="kx-")
    client = NotebookClient(
        nb,
        config=Config({"KernelManager": {"transport": "ipc", "ip": os.path.join(sockets, "k")}}),
        timeout=timeout,
        kernel_name="python3",
        resources={"metadata": {"path": str(path.parent)}},
        record_timing=False,
        store_widget_state=True,
    )
    try:
        client.execute()
    finally:
        shutil.rmtree(sockets, ignore_errors=True)
    nb.metadata.pop("papermill", None)
    return nb


def execute_all(paths: list[Path] | None = None) -> list[Path]:
    """Execute the notebooks in place (each written only once it has run without error)."""
    done = []
    for path in paths or notebook_paths():
        update_navigation(path)
        write_atomic(execute(path), path)
        done.append(path)
    return done
