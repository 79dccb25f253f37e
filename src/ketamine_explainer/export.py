"""Build the HTML site and the reveal.js slides so that they work from a folder with no internet.

Scripts come from pinned npm packages (``site/package.json`` and its lock file) copied into the
output's ``vendor/`` folder. Where npm is missing the build says so and falls back to CDN links.
The build writes into a temporary folder and moves it into place only when every page is done.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tempfile
from contextlib import contextmanager
from pathlib import Path

from . import notebooks, paper

SITE_DIR = Path(__file__).resolve().parent / "site"
NPM_DIR = notebooks.ROOT / "build" / "npm"

#: What each pinned npm package contributes to vendor/: (source inside the package, destination in vendor/).
VENDOR_FILES = (
    ("requirejs", "require.js", "require.js"),
    ("@jupyter-widgets/html-manager", "dist", "html-manager"),
)
SLIDES_VENDOR_FILES = (
    ("reveal.js", "dist", "reveal.js/dist"),
    ("reveal.js", "plugin/notes", "reveal.js/plugin/notes"),
)
SKIP = re.compile(r"\.map$|^embed\.js|^libembed-amd\.js$|LICENSE\.txt$|\.esm\.js$"
                  r"|^(beige|black|blood|league|moon|night|serif|simple|sky|solarized)\.css$")  # unused themes load web fonts


class BuildError(RuntimeError):
    """The site or slides could not be built; nothing was written."""


def npm_packages(npm_dir: Path = NPM_DIR) -> Path | None:
    """Install the pinned packages with ``npm ci`` (once) and return node_modules, or None without npm."""
    npm = shutil.which("npm")
    if npm is None:
        return None
    modules = npm_dir / "node_modules"
    lock = SITE_DIR / "package-lock.json"
    stamp = npm_dir / "package-lock.json"
    if not (modules.is_dir() and stamp.exists() and stamp.read_bytes() == lock.read_bytes()):
        npm_dir.mkdir(parents=True, exist_ok=True)
        shutil.copy2(SITE_DIR / "package.json", npm_dir / "package.json")
        shutil.copy2(lock, npm_dir / "package-lock.json")
        result = subprocess.run([npm, "ci", "--ignore-scripts", "--no-audit", "--no-fund"], cwd=npm_dir,
                                capture_output=True, text=True)
        if result.returncode != 0:
            raise BuildError(f"npm ci failed in {npm_dir}:\n{result.stderr[-2000:]}")
    return modules


def copy_vendor(modules: Path, vendor: Path, slides: bool = False) -> None:
    for package, source, destination in VENDOR_FILES + (SLIDES_VENDOR_FILES if slides else ()):
        src, dst = modules / package / source, vendor / destination
        if src.is_dir():
            shutil.copytree(src, dst, ignore=lambda _, names: [n for n in names if SKIP.search(n)])
        else:
            dst.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, dst)


def _exporter(slides: bool, offline: bool):
    from nbconvert import HTMLExporter, SlidesExporter

    common = dict(extra_template_basedirs=[str(SITE_DIR / "templates")], exclude_input=True,
                  exclude_input_prompt=True, exclude_output_prompt=True)
    if offline:
        common.update(require_js_url="vendor/require.js", widget_renderer_url="vendor/html-manager/embed-amd.js")
    if slides:
        exporter = SlidesExporter(template_name="kx_slides", reveal_theme="white", reveal_transition="none", reveal_number="c/t",
                                  reveal_width="1280", reveal_height="800", **common)
        if offline:
            exporter.reveal_url_prefix = "vendor/reveal.js"
        return exporter
    return HTMLExporter(template_name="kx_site", **common)


def a11y_script() -> str:
    """The accessibility script every page and deck inlines (``site/a11y.js``), safe inside ``<script>``."""
    return re.sub(r"</(script)", r"<\\/\1", (SITE_DIR / "a11y.js").read_text(encoding="utf-8"), flags=re.I)


def page_name(stem: str, slides: bool) -> str:
    return f"{stem}.html" if slides or stem != notebooks.NOTEBOOKS[0][0] else "index.html"


def _prepare(nb, slides: bool) -> None:
    """Point links between notebooks at the exported pages; keep speaker notes for the slides only.

    Site pages also get the paper version of every control (hidden on screen), so printing a page works.
    """
    if not slides:
        nb.cells = [c for c in nb.cells if c.metadata.get("slideshow", {}).get("slide_type") != "notes"]
        paper.add_print_outputs(nb)
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            cell.source = re.sub(r"\]\((\d\d_[a-z_]+)\.ipynb\)", lambda m: f"]({page_name(m.group(1), slides)})", cell.source)


@contextmanager
def _environment(**values):
    saved = {k: os.environ.get(k) for k in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def build(out: Path, slides: bool = False, execute: bool = True, paths: list[Path] | None = None) -> Path:
    """Build the site (or the slides) into ``out``, replacing it only once everything succeeded."""
    import nbformat

    out = Path(out).resolve()
    out.parent.mkdir(parents=True, exist_ok=True)
    paths = paths or notebooks.notebook_paths()
    if not paths:
        raise BuildError("no notebooks to export")
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}-", dir=out.parent))
    try:
        modules = npm_packages()
        if modules is None:
            print("npm was not found: the pages will load their scripts from CDNs and need internet. "
                  "Install Node.js and npm for an offline build.", file=sys.stderr)
        else:
            copy_vendor(modules, tmp / "vendor", slides)
        exporter = _exporter(slides, offline=modules is not None)
        css = (SITE_DIR / "site.css").read_text(encoding="utf-8")
        script = a11y_script()
        titles = dict(notebooks.NOTEBOOKS)
        with _environment(KETAMINE_TALK="1" if slides else "0"):
            for path in paths:
                nb = notebooks.execute(path) if execute else nbformat.read(path, as_version=4)
                _prepare(nb, slides)
                resources = {"metadata": {"name": titles[path.stem], "path": str(path.parent)}, "kx_css": css, "kx_js": script,
                             "language_code": "en"}
                body, _ = exporter.from_notebook_node(nb, resources=resources)
                if modules is not None:
                    body = _share_css(exporter, body, tmp / "vendor")
                (tmp / page_name(path.stem, slides)).write_text(body, encoding="utf-8")
        if slides:
            (tmp / "index.html").write_text(_deck_index(paths, titles), encoding="utf-8")
        else:
            from .data import load

            (tmp / "answer-key.html").write_text(paper.answer_key_html(load()), encoding="utf-8")
        tmp.chmod(0o755)
        if out.exists():
            shutil.rmtree(out)
        os.replace(tmp, out)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return out


SHARED_CSS = ("static/index.css", "static/theme-light.css")


def _share_css(exporter, body: str, vendor: Path) -> str:
    """Move the large style sheets that nbconvert inlines in every page into one shared file each."""
    env = exporter.environment
    for name in SHARED_CSS:
        css = env.loader.get_source(env, name)[0]
        inline = f'<style type="text/css">\n{css}</style>'
        if inline in body:
            target = vendor / "css" / name.replace("/", "-")
            if not target.exists():
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_text(css, encoding="utf-8")
            body = body.replace(inline, f'<link rel="stylesheet" href="vendor/css/{target.name}">')
    return body


def _deck_index(paths: list[Path], titles: dict[str, str]) -> str:
    items = "\n".join(f'<li><a href="{page_name(p.stem, True)}">{titles[p.stem]}</a></li>' for p in paths)
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Ketamine for depression: slides</title>
<style>body{{font-family:sans-serif;max-width:50em;margin:3em auto;font-size:22px;line-height:1.6}}</style></head>
<body><main><h1>Ketamine for depression: slides</h1>
<p>One deck per section. Arrow keys move between slides; press <kbd>S</kbd> for speaker notes, <kbd>F</kbd> for full screen.
Educational, not medical advice.</p>
<ol>
{items}
</ol></main></body></html>
"""
