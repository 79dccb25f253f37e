"""A JupyterHub started as `make hub` starts it (hub/jupyterhub_config.py), and learners who use it over HTTP.

Used by tests/test_hub.py (three learners) and benchmarks/hub_load.py (thirty)."""

from __future__ import annotations

import html
import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[1]
PROXY = ROOT / "build" / "hub" / "npm" / "node_modules" / ".bin" / "configurable-http-proxy"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def proxy() -> Path:
    """The pinned configurable-http-proxy, installed by the same make rule as `make hub` uses."""
    subprocess.run(["make", "-s", "build/hub/npm/.installed"], cwd=ROOT, check=True, capture_output=True)
    return PROXY


@dataclass
class Hub:
    state: Path
    class_code: str = "maple-42"
    teacher_code: str = "the-teachers-own-code"
    port: int = field(default_factory=free_port)
    process: subprocess.Popen | None = None

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 60) -> Hub:
        env = dict(os.environ, KX_HUB_STATE=str(self.state), KX_HUB_PROXY=str(proxy()), KX_CLASS_CODE=self.class_code,
                   KX_TEACHER_CODE=self.teacher_code, KX_HUB_PORT=str(self.port), KX_HUB_API_PORT=str(free_port()),
                   KX_PROXY_API_PORT=str(free_port()))
        self.state.mkdir(parents=True, exist_ok=True)
        log = open(self.state / "hub.log", "a")  # noqa: SIM115 (kept open while the hub runs)
        self.process = subprocess.Popen([sys.executable, "-m", "jupyterhub", "-f", str(ROOT / "hub" / "jupyterhub_config.py")],
                                        cwd=self.state, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"the hub exited: {self.log()[-3000:]}")
            try:
                if requests.get(f"{self.base}/hub/api/", timeout=2).ok:
                    return self
            except requests.RequestException:
                pass
            time.sleep(0.3)
        raise RuntimeError(f"the hub did not start within {timeout:g} s: {self.log()[-3000:]}")

    def stop(self) -> None:
        """Stop the hub as Ctrl-C does: it stops the learners' servers and its proxy."""
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGINT)
        try:
            self.process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()

    def log(self) -> str:
        path = self.state / "hub.log"
        return path.read_text(encoding="utf-8", errors="replace") if path.exists() else ""

    def learner_folder(self, name: str) -> Path:
        return self.state / "learners" / name / "explainer"


class Refused(Exception):
    """The hub refused a sign-in; the message is the sentence its page shows."""


class Learner:
    """One person with a browser's cookies, who signs in, starts a server and works in it over the REST API."""

    def __init__(self, hub: Hub, name: str, password: str | None = None):
        self.hub, self.name, self.password = hub, name, password or f"{name}-own-password"
        self.session = requests.Session()
        self.token: str | None = None

    def _xsrf(self) -> str:
        return self.session.cookies.get("_xsrf", path="/hub/") or self.session.cookies.get("_xsrf") or ""

    def sign_in(self, code: str | None = None) -> None:
        base = self.hub.base
        page = self.session.get(f"{base}/hub/login", timeout=30)
        xsrf = re.search(r'name="_xsrf" value="([^"]+)"', page.text).group(1)
        answer = self.session.post(f"{base}/hub/login", timeout=60, data={
            "_xsrf": xsrf, "username": self.name, "password": self.password,
            "otp": self.hub.class_code if code is None else code})
        if answer.status_code == 403:
            found = re.search(r'class="login_error">([^<]*)<', answer.text)
            raise Refused(html.unescape(found.group(1).strip()) if found else answer.text[:300])
        answer.raise_for_status()

    def hub_api(self, path: str, method: str = "GET", **kwargs):
        answer = self.session.request(method, f"{self.hub.base}/hub/api/{path}", timeout=60,
                                      headers={"X-XSRFToken": self._xsrf()}, **kwargs)
        answer.raise_for_status()
        return answer.json() if answer.content else None

    def start_server(self, start_again: bool = False, timeout: float = 300) -> float:
        """Start this learner's server from the start page's form; returns the seconds until it is ready."""
        began = time.monotonic()
        data = {"_xsrf": self._xsrf(), **({"start_again": "yes"} if start_again else {})}
        self.session.post(f"{self.hub.base}/hub/spawn", data=data, allow_redirects=False, timeout=60).raise_for_status()
        while time.monotonic() - began < timeout:
            server = self.hub_api("user").get("servers", {}).get("")
            if server and server.get("ready"):
                return time.monotonic() - began
            if server is None and time.monotonic() - began > 5:  # neither starting nor running: the start failed
                raise RuntimeError(f"{self.name}'s server failed to start; the hub's log says why")
            time.sleep(0.5)
        raise TimeoutError(f"{self.name}'s server was not ready after {timeout:g} s")

    def stop_server(self) -> None:
        self.hub_api(f"users/{self.name}/server", "DELETE")
        deadline = time.monotonic() + 60
        while self.hub_api("user").get("servers", {}) and time.monotonic() < deadline:
            time.sleep(0.5)

    def new_token(self) -> str:
        """A token for this learner's own server, asked of the hub as the learner (as JupyterLab's hub extension does)."""
        made = self.hub_api(f"users/{self.name}/tokens", "POST", json={"note": "hub test", "expires_in": 3600})
        self.token = made["token"]
        return self.token

    def server(self, path: str, method: str = "GET", owner: str | None = None, **kwargs) -> requests.Response:
        """A request to a single-user server's REST API (this learner's own unless ``owner``), with this learner's token."""
        token = self.token or self.new_token()
        return requests.request(method, f"{self.hub.base}/user/{owner or self.name}/api/{path}", timeout=120,
                                headers={"Authorization": f"token {token}"}, allow_redirects=False, **kwargs)

    def run(self, codes: list[str], path: str, timeout: float = 300) -> list[dict]:
        """Run ``codes`` in a kernel of a session for ``path``, as a frontend does over the kernel's websocket; returns
        each cell's outputs (display data, results and streams; an error raises)."""
        import websocket

        session = self.server("sessions", "POST", json={"path": path, "type": "notebook", "name": Path(path).name,
                                                            "kernel": {"name": "python3"}})
        session.raise_for_status()
        kernel = session.json()["kernel"]["id"]
        url = f"{self.hub.base.replace('http', 'ws')}/user/{self.name}/api/kernels/{kernel}/channels?session_id={uuid.uuid4().hex}"
        socket_ = websocket.create_connection(url, header=[f"Authorization: token {self.token}"], timeout=timeout)
        results = []
        try:
            for code in codes:
                msg_id = uuid.uuid4().hex
                socket_.send(json.dumps({
                    "header": {"msg_id": msg_id, "msg_type": "execute_request", "username": self.name, "session": kernel,
                               "date": "", "version": "5.3"},
                    "parent_header": {}, "metadata": {}, "channel": "shell", "buffers": [],
                    "content": {"code": code, "silent": False, "store_history": True, "user_expressions": {},
                                "allow_stdin": False, "stop_on_error": True}}))
                outputs, idle, reply = {}, False, None
                while not (idle and reply):
                    message = json.loads(socket_.recv())
                    if message.get("parent_header", {}).get("msg_id") != msg_id:
                        continue
                    kind, content = message["header"]["msg_type"], message["content"]
                    if kind == "execute_reply":
                        reply = content
                    elif kind == "status" and content["execution_state"] == "idle":
                        idle = True
                    elif kind in ("display_data", "execute_result"):
                        key = (content.get("transient") or {}).get("display_id") or uuid.uuid4().hex
                        outputs[key] = {"output_type": kind, "data": content["data"], "metadata": content["metadata"],
                                        **({"execution_count": content["execution_count"]} if kind == "execute_result" else {})}
                    elif kind == "update_display_data":
                        key = (content.get("transient") or {}).get("display_id")
                        if key in outputs:
                            outputs[key].update(data=content["data"], metadata=content["metadata"])
                    elif kind == "stream":
                        outputs[uuid.uuid4().hex] = {"output_type": "stream", "name": content["name"], "text": content["text"]}
                    elif kind == "error":
                        raise RuntimeError(f"{self.name}: {content['ename']}: {content['evalue']}")
                if reply.get("status") != "ok":
                    raise RuntimeError(f"{self.name}: the cell ended with {reply.get('status')}")
                results.append(list(outputs.values()))
        finally:
            socket_.close()
        return results
