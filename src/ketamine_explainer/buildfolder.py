"""Output folders a build may write into, and replacing an earlier build without losing it.

The build writes into a temporary folder next to the output, then moves the old build aside, the new one in, and
deletes the old one. It refuses to replace anything that is not an earlier build (marked by :data:`MARKER`), and
never the current folder, the project, the home folder or ``/``. Folders left by a killed build are cleaned up by the
next one.
"""

from __future__ import annotations

import contextlib
import errno
import os
import re
import shutil
import tempfile
from pathlib import Path

from . import notebooks

#: Every finished build carries this file; only folders that have it are ever replaced.
MARKER = ".ketamine-explainer-build"
MARKER_TEXT = "Built by ketamine-explainer; the next build into this folder replaces it.\n"


class BuildError(RuntimeError):
    """The site or slides could not be built, or the output folder is not one the build may replace."""


def check_out(out: str | os.PathLike) -> Path:
    """The absolute output folder for ``out``, or :class:`BuildError` if the build may not write there."""
    text = os.fspath(out)
    if not text.strip():
        raise BuildError("--out is empty: name a folder for the build, such as build/site")
    given = Path(os.path.abspath(text))
    if given.name in ("", ".", ".."):
        raise BuildError(f"--out {text!r} is not a folder the build may replace")
    if os.path.islink(given):
        raise BuildError(f"--out {text!r} is a symbolic link; name a real folder (the build does not follow links)")
    target = given.parent.resolve() / given.name
    cwd, home = Path.cwd().resolve(), Path.home().resolve()
    protected = {Path("/"): "the root folder", home: "your home folder", cwd: "the current folder",
                 notebooks.ROOT.resolve(): "the project folder"}
    for folder, what in protected.items():
        if target == folder or folder.is_relative_to(target):
            raise BuildError(f"--out {text!r} is {what} or holds it; name a folder of its own, such as build/site")
    if target.is_relative_to(notebooks.ROOT.resolve()):
        top = target.relative_to(notebooks.ROOT.resolve()).parts[0]
        if top in ("src", "data", "notebooks", "tests", ".git", ".venv", "benchmarks", ".ci"):
            raise BuildError(f"--out {text!r} is inside the project's {top}/ folder; build into build/ or a folder outside the project")
    if os.path.lexists(target):
        if not target.is_dir():
            raise BuildError(f"--out {text!r} exists and is not a folder")
        if any(target.iterdir()) and not (target / MARKER).is_file():
            raise BuildError(f"--out {text!r} is a folder that holds other files and is not an earlier build; "
                             "name a new or empty folder")
    return target


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def clean_stale(target: Path) -> None:
    """Remove temporary and set-aside folders that killed builds left next to ``target`` (never a running build's)."""
    pattern = re.compile(rf"^\.{re.escape(target.name)}\.kx-(tmp|old)-(\d+)-")
    stale = []
    for entry in target.parent.iterdir():
        match = pattern.match(entry.name)
        if match and entry.is_dir() and not entry.is_symlink() and not _alive(int(match.group(2))):
            stale.append((match.group(1), entry))
    if not os.path.lexists(target):  # killed between moving the old build aside and the new one in: put it back
        olds = sorted((e for kind, e in stale if kind == "old" and (e / MARKER).is_file()), key=lambda e: e.stat().st_mtime)
        if olds:
            with contextlib.suppress(OSError):
                os.rename(olds[-1], target)
    for _, entry in stale:
        if entry.exists():
            shutil.rmtree(entry, ignore_errors=True)


def replace_build(tmp: Path, target: Path) -> None:
    """Old build aside, new build in, old build deleted; retried if another build moves in at the same moment."""
    old = None
    for _ in range(20):
        if os.path.lexists(target):
            if os.path.islink(target) or not target.is_dir() or (any(target.iterdir()) and not (target / MARKER).is_file()):
                raise BuildError(f"{target} changed during the build and is no longer an earlier build; the new build is not moved in")
            aside = Path(tempfile.mkdtemp(prefix=f".{target.name}.kx-old-{os.getpid()}-", dir=target.parent))
            try:
                os.replace(target, aside)  # an empty directory is replaced atomically
            except FileNotFoundError:
                aside.rmdir()
                continue
            old = old or []
            old.append(aside)
        try:
            os.rename(tmp, target)
            break
        except OSError as exc:
            if exc.errno not in (errno.ENOTEMPTY, errno.EEXIST):
                raise
    else:
        raise BuildError(f"could not move the new build into {target}: other builds kept replacing it")
    for aside in old or ():
        shutil.rmtree(aside, ignore_errors=True)
