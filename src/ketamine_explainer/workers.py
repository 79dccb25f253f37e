"""The worker processes that draw chart frames: one pool per process, from a fork server.

A Jupyter kernel always runs threads, and forking a process that runs threads can deadlock (Python 3.12 warns
about it). The workers therefore come from a fork server: a fresh, single-threaded process that imports the charts
once and forks a worker per request. Nothing starts when the package is imported: the first chart with enough frames to
pay for it starts the pool in the background (:func:`warm_up`) and draws its first frames itself meanwhile; the
other frames wait for the pool only if it is not ready yet. Charts with a few frames are drawn in the notebook's own
process unless the pool is already running (starting it costs about a second and a half of one core).

Stdlib only.
"""

from __future__ import annotations

import atexit
import contextlib
import multiprocessing
import multiprocessing.pool
import os
import re
import signal
import sys
import threading


def worker_count(default: int | None = None) -> int:
    """Worker processes for drawing frames: ``KETAMINE_WORKERS`` (a whole number, 1 turns workers off) or the cores."""
    raw = os.environ.get("KETAMINE_WORKERS", "").strip()
    if not raw:
        return default if default is not None else os.cpu_count() or 1
    if not re.fullmatch(r"[0-9]{1,4}", raw) or int(raw) < 1:
        raise ValueError(f"KETAMINE_WORKERS must be a whole number of worker processes, 1 or more (1 draws every frame "
                         f"in the notebook's own process), not {raw!r}")
    return int(raw)


def _main_is_safe() -> bool:
    """A worker re-imports a main module given by its file (``python script.py``): only a kernel, ``python -m`` or an
    interactive session is left alone, so a script without an ``if __name__ == "__main__":`` guard draws in-process."""
    main = sys.modules.get("__main__")
    return getattr(getattr(main, "__spec__", None), "name", None) is not None or not getattr(main, "__file__", None)


def usable() -> bool:
    """True when frames should go to workers: more than one worker, a fork server on this system, a safe main module."""
    return worker_count() > 1 and "forkserver" in multiprocessing.get_all_start_methods() and _main_is_safe()


def _quiet_worker() -> None:
    """Interrupting a kernel (Ctrl-C, or its shutdown) signals its whole process group: workers leave it to the kernel."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)


_POOL: tuple[int, int, multiprocessing.pool.Pool] | None = None  # (owner pid, workers, pool)
_LOCK = threading.Lock()


def pool() -> multiprocessing.pool.Pool:
    """This process's pool of ``worker_count()`` workers, started on first use and reused by every chart."""
    global _POOL
    with _LOCK:
        workers = worker_count()
        if _POOL is not None and _POOL[:2] == (os.getpid(), workers):
            return _POOL[2]
        if _POOL is not None and _POOL[0] == os.getpid():
            _POOL[2].terminate()
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload([f"{__package__}._forkserver", f"{__package__}.frames"])
        _POOL = (os.getpid(), workers, context.Pool(workers, initializer=_quiet_worker))
        atexit.register(_POOL[2].terminate)  # before interpreter shutdown, not in a late __del__
        return _POOL[2]


def _count_or_none() -> int | None:
    try:
        return worker_count()
    except ValueError:
        return None


def _start_quietly() -> None:
    with contextlib.suppress(Exception):  # a kernel would print it into a cell; the first chart retries and reports it
        pool()


def running() -> bool:
    """True when this process's pool is started (or starting) with the current worker count."""
    return _POOL is not None and _POOL[:2] == (os.getpid(), _count_or_none())


def warm_up(in_kernel_only: bool = False) -> None:
    """Start the pool in the background, if it is not running (``in_kernel_only``: only inside a Jupyter kernel)."""
    if in_kernel_only and "ipykernel" not in sys.modules:
        return
    if running():
        return
    try:
        if not usable():
            return
    except ValueError:  # a bad KETAMINE_WORKERS is reported by the first chart
        return
    threading.Thread(target=_start_quietly, name="ketamine-explainer-workers", daemon=True).start()
