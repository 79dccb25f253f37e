"""Shared helpers for the browser tests: Debian's Chromium through Playwright, offline."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync"]
OUTPUT = Path(__file__).resolve().parents[1] / "test-output"


def require_chromium() -> str:
    """The Chromium path; skips without it, but fails under CI=true, where a skip would hide a broken setup."""
    path = CHROMIUM if Path(CHROMIUM).exists() else shutil.which("chromium")
    if not path:
        message = "Debian's Chromium is not installed (apt-get install chromium): browser tests skipped"
        if os.environ.get("CI") == "true":
            pytest.fail(message + ", and under CI=true that is a failure")
        pytest.skip(message)
    return path


class Offline:
    """Records and aborts every request that is not for a local file, data URL or an allowed loopback origin."""

    def __init__(self, page, allowed: tuple[str, ...] = ()):
        self.blocked: list[str] = []
        self.errors: list[str] = []
        allowed = ("file:", "data:", "blob:", *allowed)

        def route(route):
            if route.request.url.startswith(allowed):
                route.continue_()
            else:
                self.blocked.append(route.request.url)
                route.abort()

        page.route("**/*", route)
        page.on("pageerror", lambda error: self.errors.append(str(error)))


VISIBLE_FRAMES = """(root) => [...root.querySelectorAll('img')].filter(i => i.offsetParent !== null).map(i => i.alt)"""
VISIBLE_FEEDBACK = """(root) => [...root.querySelectorAll('.kx-feedback')].filter(f => f.offsetParent !== null).map(f => f.innerText)"""
