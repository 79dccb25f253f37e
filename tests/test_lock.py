"""requirements.lock and requirements.txt agree; every package is pinned and hashed; the build backend is pinned."""

import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _pins(text: str) -> dict[str, set[str]]:
    pins: dict[str, set[str]] = {}
    for name, version in re.findall(r"^([A-Za-z0-9_.-]+)==([^\s;\\]+)", text, re.M):
        pins.setdefault(re.sub(r"[-_.]+", "-", name).lower(), set()).add(version)
    return pins


def test_every_requirement_is_pinned_exactly_with_a_reason():
    for line in (ROOT / "requirements.txt").read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            assert re.match(r"^[A-Za-z0-9_.-]+==[0-9][^\s]*\s+#\s*\S", line), f"not an exact pin with a reason: {line}"


def test_lock_and_requirements_agree():
    wanted = _pins((ROOT / "requirements.txt").read_text())
    locked = _pins((ROOT / "requirements.lock").read_text())
    assert wanted, "requirements.txt lists the project's packages"
    for name, versions in wanted.items():
        assert locked.get(name) == versions, f"{name}: requirements.txt pins {versions}, the lock has {locked.get(name)} (run make lock)"
    entries = re.split(r"\n(?=[A-Za-z0-9])", (ROOT / "requirements.lock").read_text())
    direct = {re.sub(r"[-_.]+", "-", e.split("==")[0]).lower() for e in entries if "-r requirements.txt" in e}
    assert direct == set(wanted), "the lock was made from this requirements.txt (run make lock)"


def test_every_locked_package_is_pinned_and_hashed():
    text = (ROOT / "requirements.lock").read_text()
    entries = [e for e in re.split(r"\n(?=[A-Za-z0-9])", text) if not e.startswith("#")]
    assert len(entries) > 100
    for entry in entries:
        assert re.match(r"^[A-Za-z0-9_.-]+==[0-9]", entry) and "--hash=sha256:" in entry, entry[:200]
    assert "--index-url" not in text and "-e " not in text


def test_build_backend_is_pinned_to_the_locked_setuptools():
    requires = tomllib.loads((ROOT / "pyproject.toml").read_text())["build-system"]["requires"]
    locked = _pins((ROOT / "requirements.lock").read_text())
    assert len(requires) == 1 and requires[0] == f"setuptools=={next(iter(locked['setuptools']))}"


def test_make_installs_from_the_lock_with_hashes():
    makefile = (ROOT / "Makefile").read_text()
    stamp_rule = makefile.split("$(STAMP):", 1)[1].split("\n\n", 1)[0]
    assert "requirements.lock" in stamp_rule.splitlines()[0], "the stamp is remade when the lock changes"
    assert "--require-hashes -r requirements.lock" in stamp_rule and "--no-build-isolation" in stamp_rule
    assert "-r requirements.txt" not in stamp_rule
    assert "make test" in (ROOT / ".ci" / "run").read_text()
