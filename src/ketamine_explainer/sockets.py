"""A private folder for a kernel's Unix sockets, short enough for a socket path (no Jupyter server needed).

Used by the server's kernel manager (:mod:`.kernels`) and by :func:`ketamine_explainer.notebooks.run`, which executes
notebooks for the builds.
"""

from __future__ import annotations

import os
import sys
import tempfile

#: The longest path a Unix socket can have: ``sun_path`` holds 108 bytes on Linux, 104 on macOS and the BSDs (NUL included).
SOCKET_PATH_MAX = 107 if sys.platform.startswith("linux") else 103
#: What a socket's name adds to the folder's path: "/k" + the kernel's number + "-" + the channel's number.
NAME_ROOM = len("/k123456-9")
PREFIX = "kx-kernels-"


def ipc_available() -> bool:
    """Whether ZeroMQ can use Unix sockets here (not on Windows)."""
    import zmq

    return os.name != "nt" and bool(zmq.has("ipc"))


def make_socket_folder(bases: tuple[str, ...] | None = None) -> str | None:
    """A new private folder (mode 0700) whose socket paths fit the limit, in the first of ``bases`` where one can be
    made (default: the temporary folder, then /tmp); None where ipc is not available or no folder fits."""
    if not ipc_available():
        return None
    for base in bases or (tempfile.gettempdir(), "/tmp"):
        # mkdtemp adds 8 random characters to the prefix
        if len(os.path.join(os.path.abspath(base), PREFIX + "12345678")) + NAME_ROOM > SOCKET_PATH_MAX:
            continue
        try:
            return tempfile.mkdtemp(prefix=PREFIX, dir=base)
        except OSError:
            continue
    return None
