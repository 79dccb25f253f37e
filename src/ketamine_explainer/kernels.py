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

from jupyter_server.services.kernels.kernelmanager import ServerKernelManager
from traitlets import default

from .sockets import NAME_ROOM, PREFIX, SOCKET_PATH_MAX, ipc_available, make_socket_folder

__all__ = ["NAME_ROOM", "PREFIX", "SOCKET_PATH_MAX", "LocalSocketKernelManager", "ipc_available", "make_socket_folder",
           "socket_folder"]

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
