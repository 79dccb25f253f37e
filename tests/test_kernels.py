"""Kernels started by the server (make lab) use Unix sockets in a short private folder, whatever the folder paths."""

import asyncio
import os
import stat
import subprocess
import sys

import pytest

from ketamine_explainer import kernels, sockets

pytestmark = pytest.mark.skipif(not kernels.ipc_available(), reason="Unix sockets are not available here (Windows)")


def test_the_socket_folder_is_private_short_and_skips_a_base_too_long_for_socket_paths(tmp_path):
    long_base = tmp_path / ("x" * 120)
    long_base.mkdir()
    folder = kernels.make_socket_folder((str(long_base), str(tmp_path)))
    try:
        assert os.path.dirname(folder) == str(tmp_path) and os.path.basename(folder).startswith(kernels.PREFIX)
        assert stat.S_IMODE(os.stat(folder).st_mode) == 0o700
        assert len(os.path.join(folder, "k123456-9")) <= kernels.SOCKET_PATH_MAX
    finally:
        os.rmdir(folder)
    assert kernels.make_socket_folder((str(long_base),)) is None, "no folder fits: the kernels keep TCP"
    assert list(long_base.iterdir()) == []


def test_without_unix_sockets_kernels_keep_tcp(monkeypatch):
    monkeypatch.setattr(sockets, "ipc_available", lambda: False)
    assert kernels.make_socket_folder() is None
    monkeypatch.setattr(kernels, "socket_folder", lambda: None)
    manager = kernels.LocalSocketKernelManager(connection_file="/nowhere/kernel-1.json")
    assert (manager.transport, manager.ip) == ("tcp", "127.0.0.1")


def test_a_transport_set_in_the_users_configuration_is_kept():
    from traitlets.config import Config

    manager = kernels.LocalSocketKernelManager(config=Config({"KernelManager": {"transport": "tcp"}}))
    assert (manager.transport, manager.ip) == ("tcp", "127.0.0.1")


def test_each_kernel_gets_its_own_socket_prefix_in_one_folder_made_once():
    a, b = (kernels.LocalSocketKernelManager(connection_file=f"/nowhere/kernel-{n}.json") for n in "ab")
    assert a.transport == b.transport == "ipc"
    assert a.ip != b.ip and os.path.dirname(a.ip) == os.path.dirname(b.ip) == kernels.socket_folder()


def test_the_folder_is_removed_when_the_server_process_exits():
    made = subprocess.run([sys.executable, "-c", "from ketamine_explainer import kernels; print(kernels.socket_folder())"],
                          capture_output=True, text=True, check=True).stdout.strip()
    assert os.path.basename(made).startswith(kernels.PREFIX)
    assert not os.path.exists(made)


def test_a_kernel_runs_restarts_and_leaves_no_socket_file_with_a_long_connection_folder(tmp_path):
    """The runtime folder (where the connection file goes) is far too long for a socket path; the kernel still works."""
    runtime = tmp_path / ("runtime-" + "y" * 140)
    runtime.mkdir()

    async def run(manager, code):
        client = manager.client()
        client.start_channels()
        try:
            await client.wait_for_ready(timeout=60)
            out = []
            reply = await client.execute_interactive(code, timeout=60, output_hook=lambda m: out.append(m["content"].get("text", "")))
            assert reply["content"]["status"] == "ok"
            return "".join(out).strip()
        finally:
            client.stop_channels()

    async def main():
        manager = kernels.LocalSocketKernelManager(connection_file=str(runtime / "kernel-test.json"), kernel_name="python3")
        await manager.start_kernel()
        try:
            assert await run(manager, "print(6 * 7)") == "42"
            folder = os.path.dirname(manager.ip)
            sockets = [f"{manager.ip}-{port}" for port in manager.ports]
            assert all(stat.S_ISSOCK(os.stat(s).st_mode) for s in sockets) and len(set(sockets)) == 5
            assert not str(folder).startswith(str(tmp_path)), "the sockets are not in the runtime folder"
            await manager.restart_kernel()
            assert await run(manager, "print(6 * 8)") == "48"
        finally:
            await manager.shutdown_kernel()
        return folder, sockets

    folder, sockets = asyncio.run(main())
    assert not any(os.path.exists(s) for s in sockets), "jupyter_client removed the socket files"
    assert os.path.isdir(folder) and list(runtime.iterdir()) == []
