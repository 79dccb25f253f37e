"""A class on one JupyterHub (`make hub`): who may sign in, and the copy of the explainer each learner gets.

- :class:`ClassCodeAuthenticator`: a learner signs in with a name, a password of their own (set at their first
  sign-in, stored only as a salted scrypt hash) and the class code the teacher set; the teacher signs in as
  ``teacher`` with the teacher's code and gets the admin view. With no class code set, the hub gives every visitor
  an anonymous seat instead (``seat-`` and six letters), kept by its cookie.
- :class:`LearnerSpawner`: each learner's server runs in the learner's own folder, with their own copy of the
  notebooks (made at their first start, never overwritten) and the project's Jupyter configuration (stored chart
  state, the save guard, no news pop-up). Ticking "Start again" when starting moves the learner's copy aside into
  ``earlier/`` and gives them the original again: nothing a learner made is deleted.

Every server runs as the hub's own system user (JupyterHub's ``SimpleLocalProcessSpawner``): the hub keeps learners
out of each other's servers, but code a learner runs in a kernel could read the class folder. On Kubernetes (see
``values.yaml``) each learner gets a container of their own.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import json
import os
import re
import secrets
import shutil
import time
from pathlib import Path

from jupyterhub.auth import Authenticator
from jupyterhub.handlers import BaseHandler
from jupyterhub.spawner import SimpleLocalProcessSpawner
from jupyterhub.utils import url_path_join
from tornado import web
from traitlets import Unicode, default

ROOT = Path(__file__).resolve().parents[1]
#: What a learner's copy holds: what `make lab` serves.
COPIED = ("notebooks", "data", "README.md")
NAME = re.compile(r"[a-z][a-z0-9-]{1,30}")
TEACHER = "teacher"
MIN_PASSWORD = 6


class ClassCodeAuthenticator(Authenticator):
    """Sign-in with a name, the learner's own password and the class code (or an anonymous seat, with no code)."""

    class_code = Unicode("", config=True, help="The code a learner needs to take a seat; empty: anonymous seats.")
    teacher_code = Unicode("", config=True, help="The teacher's code (user 'teacher', admin); empty: no teacher sign-in.")
    seats_file = Unicode(config=True, help="JSON file of learners' password hashes (salted scrypt).")

    request_otp = True  # the login form's third field, used for the class code
    otp_prompt = "Class code:"

    def check_allow_config(self):  # everyone with the class code (or, without one, everyone) may take a seat
        self.allow_all = True
        super().check_allow_config()

    @property
    def anonymous(self) -> bool:
        return not self.class_code

    def login_url(self, base_url):
        return url_path_join(base_url, "seat") if self.anonymous else super().login_url(base_url)

    def get_handlers(self, app):
        return [("/seat", SeatHandler)] if self.anonymous else super().get_handlers(app)

    def _seats(self) -> dict:
        path = Path(self.seats_file)
        return json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}

    def _save_seats(self, seats: dict) -> None:
        path = Path(self.seats_file)
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_suffix(".tmp")
        temporary.write_text(json.dumps(seats, indent=1, sort_keys=True), encoding="utf-8")
        os.replace(temporary, path)  # never half written

    async def authenticate(self, handler, data):
        if self.anonymous:
            seat = data.get("seat", "")
            return {"name": seat, "admin": False} if re.fullmatch(r"seat-[a-z]{6}", seat) else None
        name = self.normalize_username(data.get("username", "").strip())
        password, code = data.get("password", ""), data.get("otp", "").strip()
        if name == TEACHER:
            if self.teacher_code and secrets.compare_digest(password, self.teacher_code):
                return {"name": TEACHER, "admin": True}
            return self._refuse(handler, "That is not the teacher's code.")
        if not secrets.compare_digest(code.encode(), self.class_code.encode()):
            return self._refuse(handler, "That class code is not right: ask your teacher for it.")
        if not NAME.fullmatch(name):
            return self._refuse(handler, "Choose a name of 2 to 31 lower-case letters, digits or dashes, starting with a letter.")
        seats = self._seats()
        if name in seats:
            salt = base64.b64decode(seats[name]["salt"])
            if not secrets.compare_digest(seats[name]["hash"], _hash(password, salt)):
                return self._refuse(handler, f"The name {name!r} is taken and that is not its password. Sign in with "
                                             "your own password, or choose another name.")
        else:
            if len(password) < MIN_PASSWORD:
                return self._refuse(handler, f"Choose a password of at least {MIN_PASSWORD} characters: you will "
                                             "need it to come back to your work.")
            salt = secrets.token_bytes(16)
            seats[name] = {"salt": base64.b64encode(salt).decode(), "hash": _hash(password, salt)}
            self._save_seats(seats)
        return {"name": name, "admin": False}

    @staticmethod
    def _refuse(handler, message: str):
        """Refused: the hub's login page shows ``message`` above the form (an HTTP error raised while a form is posted)."""
        raise web.HTTPError(403, message)


def _hash(password: str, salt: bytes) -> str:
    return hashlib.scrypt(password.encode(), salt=salt, n=2**14, r=8, p=1).hex()


class SeatHandler(BaseHandler):
    """Anonymous seats: a visitor without a seat gets a new one and is signed in."""

    async def get(self):
        user = self.current_user
        if user is None:
            seat = "seat-" + "".join(secrets.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(6))
            user = await self.login_user({"seat": seat})
            if user is None:
                raise web.HTTPError(403, "no seat could be given")
        self.redirect(self.get_next_url(user))


def trust_originals(notary_folder: Path) -> None:
    """Sign the project's notebooks in the class's own trust database (every learner's server uses it), so that each
    learner's copy shows its stored charts before any cell runs, with no per-learner signing at start."""
    import nbformat
    from nbformat.sign import NotebookNotary

    notary_folder.mkdir(parents=True, exist_ok=True)
    notary = NotebookNotary(data_dir=str(notary_folder))
    for path in sorted((ROOT / "notebooks").glob("*.ipynb")):
        notary.sign(nbformat.read(path, as_version=4))


class LearnerSpawner(SimpleLocalProcessSpawner):
    """A learner's own copy of the explainer, served as `make lab` serves the project."""

    class_folder = Unicode(config=True, help="Where each learner's folder is made (<class_folder>/<name>).")

    @default("home_dir")
    def _learner_home(self):
        return str(Path(self.class_folder) / self.user.name)

    @default("options_form")
    def _start_again_box(self):
        return ('<label><input type="checkbox" name="start_again" value="yes"> Start again from the original notebooks '
                "(your copy now is kept in <code>earlier/</code>)</label>")

    def options_from_form(self, formdata):
        return {"start_again": formdata.get("start_again", [""])[0] == "yes"}

    @default("apply_user_options")
    def _options_read_at_start(self):
        return lambda spawner, options: None  # "start_again" is read when the copy is prepared

    @property
    def copy_folder(self) -> Path:
        return Path(self.home_dir) / "explainer"

    def prepare_copy(self) -> None:
        """Make the learner's copy if there is none (or, on "Start again", move theirs aside first); never overwrite."""
        home, copy = Path(self.home_dir), self.copy_folder
        if self.user_options.get("start_again") and copy.exists():
            earlier = home / "earlier" / time.strftime("explainer-%Y%m%d-%H%M%S")
            earlier.parent.mkdir(parents=True, exist_ok=True)
            copy.rename(earlier)
        if copy.exists():
            return
        partial = home / ".explainer-copying"
        shutil.rmtree(partial, ignore_errors=True)  # a copy interrupted earlier (this spawner made it)
        partial.mkdir(parents=True)
        for name in COPIED:
            source = ROOT / name
            if source.is_dir():
                shutil.copytree(source, partial / name, ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
            else:
                shutil.copy2(source, partial / name)
        partial.rename(copy)  # whole, or not there at all (trusted already: see trust_originals)

    def _jupyter_env(self) -> dict:
        home = Path(self.home_dir)
        return dict(os.environ, HOME=str(home), JUPYTER_CONFIG_PATH=str(ROOT / "jupyter_config"),
                    JUPYTER_CONFIG_DIR=str(home / ".jupyter"), JUPYTER_DATA_DIR=str(home / ".local/share/jupyter"),
                    IPYTHONDIR=str(home / ".ipython"), MPLCONFIGDIR=str(home / ".matplotlib"))

    def get_env(self):
        env = super().get_env()
        keep = self._jupyter_env()
        for key in ("JUPYTER_CONFIG_PATH", "JUPYTER_CONFIG_DIR", "JUPYTER_DATA_DIR", "IPYTHONDIR", "MPLCONFIGDIR"):
            env[key] = keep[key]
        return env

    async def start(self):
        await asyncio.to_thread(self.prepare_copy)  # copying and trusting take seconds: the hub keeps serving meanwhile
        self.notebook_dir = str(self.copy_folder)
        self.default_url = "/lab/tree/notebooks/00_start_here.ipynb"
        return await super().start()
