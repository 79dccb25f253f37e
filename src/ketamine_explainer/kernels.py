"""Kernels that JupyterLab and Notebook 7 start talk to the server over Unix sockets in a private folder, not TCP.

``jupyter_config/jupyter_server_config.py`` makes jupyter_server start every kernel with
:class:`LocalSocketKernelManager`. Its kernels use ZeroMQ's ``ipc`` transport: nothing goes through the network
stack in plain text, and ipykernel prints no "Kernel is running over TCP without encryption" warning.

With ``ipc``, jupyter_client uses the ``ip`` trait as a path prefix: a kernel's five sockets are ``<ip>-1`` to
``<ip>-5``. Its default (the connection file's name + ``-ipc``, in Jupyter's runtime folder) can exceed the length
limit of a socket path, and lies inside the project when the runtime folder does (``make test``). Here every kernel
gets its own short prefix in one private folder per server: ``/tmp/kx-kernels-XXXXXXXX/k<n>`` (mode 0700, made when
the first kernel starts). jupyter_client removes a kernel's socket files when it shuts down or restarts; the folder
itself is removed when the server exits. Where ``ipc`` is not available (Windows) or no short folder can be made,
kernels keep jupyter_client's TCP default; a transport or ``ip`` set in the user's own configuration is kept too.
"""

from __future__ import annotations

import atexit
import functools
import itertools
import os
import shutil
import sys
import tempfile

from jupyter_server.services.kernels.kernelmanager import ServerKernelManager
from traitlets import default

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


@functools.cache
def socket_folder() -> str | None:
    """This server's private socket folder, made once and removed when the server exits."""
    folder = make_socket_folder()
    if folder:
        atexit.register(shutil.rmtree, folder, ignore_errors=True)
    return folder


_numbers = itertools.count(1)


class LocalSocketKernelManager(ServerKernelManager):
    """jupyter_server's kernel manager, with ``ipc`` transport and a distinct short socket prefix for each kernel."""

    @default("transport")
    def _default_transport(self) -> str:
        return "ipc" if socket_folder() else "tcp"

    def _ip_default(self) -> str:  # the name jupyter_client uses for the ip trait's default
        folder = socket_folder() if self.transport == "ipc" else None
        if folder:
            return os.path.join(folder, f"k{next(_numbers)}")
        return super()._ip_default()
