# `make hub`: the explainer for a class on one machine (see TEACHING.md, "A class on JupyterHub").
# Set by the environment (make hub passes them through):
#   KX_CLASS_CODE    the code learners need to take a seat; empty: every visitor gets an anonymous seat
#   KX_TEACHER_CODE  the teacher's code (sign in as "teacher": the admin view), at least 8 characters; empty: none
#   KX_HUB_IP, KX_HUB_PORT   where the hub listens (default 127.0.0.1:8000; 0.0.0.0 lets a classroom reach it)
#   KX_HUB_API_PORT, KX_PROXY_API_PORT   the hub's and the proxy's own ports on 127.0.0.1 (default 8081 and 8001)
#   KX_HUB_STATE     the hub's folder: its database, cookie secret and every learner's folder (default build/hub)
#   KX_HUB_PROXY     the configurable-http-proxy to run (default: the pinned one make hub installs in KX_HUB_STATE/npm)
#   KX_IDLE_MINUTES  a learner's server idle this long is stopped (default 60); their files stay
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from classroom import TEACHER, ClassCodeAuthenticator, LearnerSpawner, trust_originals  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
STATE = Path(os.environ.get("KX_HUB_STATE") or ROOT / "build" / "hub").resolve()
STATE.mkdir(parents=True, exist_ok=True)
BIN = Path(sys.executable).parent
CLASS_CODE = os.environ.get("KX_CLASS_CODE", "")
TEACHER_CODE = os.environ.get("KX_TEACHER_CODE", "")
if TEACHER_CODE and len(TEACHER_CODE) < 8:
    sys.exit("KX_TEACHER_CODE must be at least 8 characters: it opens the admin view")
if TEACHER_CODE and TEACHER_CODE == CLASS_CODE:
    sys.exit("KX_TEACHER_CODE must differ from KX_CLASS_CODE: anyone in the class would be admin")

c = get_config()  # noqa: F821 (given by JupyterHub to its config file)
c.JupyterHub.ip = os.environ.get("KX_HUB_IP", "127.0.0.1")
c.JupyterHub.port = int(os.environ.get("KX_HUB_PORT", "8000"))
c.JupyterHub.hub_ip = "127.0.0.1"
c.JupyterHub.hub_port = int(os.environ.get("KX_HUB_API_PORT", "8081"))  # the hub's own port, behind the proxy
c.ConfigurableHTTPProxy.api_url = f"http://127.0.0.1:{os.environ.get('KX_PROXY_API_PORT', '8001')}"
c.JupyterHub.db_url = f"sqlite:///{STATE / 'jupyterhub.sqlite'}"
c.JupyterHub.cookie_secret_file = str(STATE / "jupyterhub_cookie_secret")
c.JupyterHub.template_paths = [str(Path(__file__).resolve().parent / "templates")]
c.ConfigurableHTTPProxy.command = [os.environ.get("KX_HUB_PROXY") or str(STATE / "npm" / "node_modules" / ".bin" / "configurable-http-proxy")]
c.ConfigurableHTTPProxy.pid_file = str(STATE / "proxy.pid")

c.JupyterHub.authenticator_class = ClassCodeAuthenticator
c.ClassCodeAuthenticator.class_code = CLASS_CODE
c.ClassCodeAuthenticator.teacher_code = TEACHER_CODE
c.ClassCodeAuthenticator.auto_login = not CLASS_CODE  # anonymous seats: the sign-in page gives one at once
c.ClassCodeAuthenticator.seats_file = str(STATE / "seats.json")
c.Authenticator.admin_users = {TEACHER} if TEACHER_CODE else set()

c.JupyterHub.spawner_class = LearnerSpawner
c.LearnerSpawner.class_folder = str(STATE / "learners")
c.Spawner.cmd = [str(BIN / "jupyterhub-singleuser")]
# One trust database for the class, with the original notebooks signed once at start-up: each learner's copy opens
# trusted (its charts show before any cell runs) without signing it anew at each first start.
NOTARY = STATE / "notary"
trust_originals(NOTARY)
c.Spawner.args = ["--ServerApp.terminals_enabled=False", f"--NotebookNotary.data_dir={NOTARY}",
                  *(["--allow-root"] if os.geteuid() == 0 else [])]
# Thirty learners share the machine's cores: each kernel draws its frames itself, without worker processes.
c.Spawner.environment = {"KETAMINE_WORKERS": "1"}
c.Spawner.start_timeout = 600  # a whole class starting at once on two cores (see make hub-load)
c.Spawner.http_timeout = 600

# Servers left idle are stopped (their files stay); the culler is a hub service with just the rights it needs.
IDLE = int(os.environ.get("KX_IDLE_MINUTES", "60")) * 60
c.JupyterHub.services = [{"name": "idle-culler", "command": [sys.executable, "-m", "jupyterhub_idle_culler", f"--timeout={IDLE}"]}]
c.JupyterHub.load_roles = [{"name": "idle-culler", "services": ["idle-culler"],
                            "scopes": ["list:users", "read:users:activity", "read:servers", "delete:servers"]}]
