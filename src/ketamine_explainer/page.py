"""One self-contained HTML file: a notebook (or the whole explainer) that works from ``file://`` with nothing beside it.

The same exporter settings serve three ways of exporting a page:

- ``python -m ketamine_explainer page NOTEBOOK --out FILE`` (:func:`write_page`, code hidden as in the site);
- JupyterLab's File > Save and Export Notebook As > HTML, which calls jupyter_server's nbconvert handler;
- ``jupyter nbconvert --to html``.

The last two read them from the project's Jupyter configuration folder ``jupyter_config/`` (``make lab`` puts it on
``JUPYTER_CONFIG_PATH``), whose config files call :func:`configure`. The template ``kx_page`` inlines the standalone
widget renderer of the pinned npm package ``@jupyter-widgets/html-manager`` (no require.js needed) and the house
style; MathJax and Mermaid, which would load from CDNs, are left out.
"""

from __future__ import annotations

import os
import re
import sys
import tempfile
from pathlib import Path

from nbconvert.preprocessors import Preprocessor

from . import export, notebooks
from .charts.kit import NARROW_SOURCE

TEMPLATE = "kx_page"
GENERATOR = "ketamine-explainer page"
#: The widget renderer inlined into each page: the html-manager's standalone build (renders on load, needs no require.js).
RENDERER = ("@jupyter-widgets/html-manager", "dist/embed.js")
#: webpack's automatic public path in the renderer, which fails for an inlined script (see renderer_script).
PUBLIC_PATH = re.compile(r'if\(!(\w+)\)throw new Error\("Automatic publicPath is not supported in this browser"\);')
#: Subclasses of HTMLExporter inherit its configuration; each keeps its own template.
OWN_TEMPLATES = {"SlidesExporter": "reveal", "WebPDFExporter": "webpdf", "QtPDFExporter": "lab", "QtPNGExporter": "lab"}
WHOLE = "explainer"


class PageError(RuntimeError):
    """The page could not be written; nothing was changed."""


def configure(c) -> None:
    """Point nbconvert's HTML exporter at the self-contained page template (called from ``jupyter_config/``)."""
    c.HTMLExporter.extra_template_basedirs = [str(export.SITE_DIR / "templates")]
    c.HTMLExporter.template_name = TEMPLATE
    c.HTMLExporter.preprocessors = [f"{__name__}.InlineAssets"]
    for name, template in OWN_TEMPLATES.items():
        c[name].template_name = template
        c[name].preprocessors = []


def renderer_script() -> str:
    """The widget renderer's source, safe inside ``<script>``; empty (CDN fallback) without npm."""
    modules = export.npm_packages()
    if modules is None:
        print("npm was not found: the page will load the widget renderer from a CDN and needs internet. "
              "Install Node.js and npm for a page that works offline.", file=sys.stderr)
        return ""
    source = (modules / RENDERER[0] / RENDERER[1]).read_text(encoding="utf-8")
    # webpack finds its public path (used only for icon fonts, which the explainer's controls do not use) from the
    # script's src; an inlined script has none, so fall back to the page's own address instead of failing.
    source, count = PUBLIC_PATH.subn(r"if(!\1)\1=document.baseURI;", source)
    if count != 1:
        raise RuntimeError(f"{RENDERER[1]}: expected webpack's automatic public path once, found it {count} times")
    source = re.sub(r"//# sourceMappingURL=\S+", "", source)
    return re.sub(r"</(script)", r"<\\/\1", source, flags=re.I)


#: A chart output exactly as ``charts.Chart.html`` writes it: one PNG with its alt text and its axes geometry
#: (``data-`` attributes), alone or in a ``<picture>`` with the narrow layout's PNG for narrow pages; nothing else.
_IMG = (r'<img src="data:image/png;base64,[A-Za-z0-9+/=]+" alt="[^"<>]*"(?: data-[a-z-]+="[^"<>]*")* '
        r'style="max-width:100%;height:auto">')
CHART_IMAGE = re.compile(rf'{_IMG}|<picture style="display:block">{NARROW_SOURCE}{_IMG}</picture>')


class InlineAssets(Preprocessor):
    """Put the widget renderer and the house style into the resources that the ``kx_page`` template inlines.

    JupyterLab's export asks whether to sanitize HTML output (yes by default), and sanitizing removes every ``<img>``;
    outputs that are exactly one chart image (inert) are marked so that the template keeps them.
    """

    def preprocess(self, nb, resources):
        for cell in nb.cells:
            for output in cell.get("outputs", []) if cell.cell_type == "code" else []:
                if CHART_IMAGE.fullmatch(str(output.get("data", {}).get("text/html", "")).strip()):
                    output.setdefault("metadata", {})["kx_chart_image"] = True
        resources["kx_renderer_js"] = renderer_script()
        resources["kx_css"] = (export.SITE_DIR / "site.css").read_text(encoding="utf-8")
        resources["kx_js"] = export.a11y_script()
        resources["kx_generator"] = GENERATOR
        resources.setdefault("language_code", "en")
        return nb, resources


def _exporter(show_code: bool = False):
    from nbconvert import HTMLExporter
    from traitlets.config import Config

    c = Config()
    configure(c)
    if not show_code:
        c.HTMLExporter.exclude_input = True
        c.HTMLExporter.exclude_input_prompt = True
        c.HTMLExporter.exclude_output_prompt = True
    return HTMLExporter(config=c)


LINK = re.compile(r"\[([^\]]*)\]\((\d\d_[a-z_]+)\.ipynb\)")


def _prepare(nb, anchors: bool) -> None:
    """Drop speaker notes; links to other notebooks become in-page links (whole explainer) or plain text (one page)."""
    cells = []
    for cell in nb.cells:
        if cell.metadata.get("slideshow", {}).get("slide_type") == "notes":
            continue
        if cell.cell_type == "markdown":
            if notebooks.NAV_TAG in cell.metadata.get("tags", []) and not anchors:
                continue
            cell.source = LINK.sub((lambda m: f"[{m.group(1)}](#{m.group(2)})") if anchors else (lambda m: m.group(1)), cell.source)
        cells.append(cell)
    nb.cells = cells


def _read(path: Path, execute: bool):
    import nbformat

    return notebooks.execute(path) if execute else nbformat.read(path, as_version=4)


def _whole_explainer(paths: list[Path], execute: bool):
    """Every notebook in reading order as one notebook, with an anchor at each start and the widget states merged."""
    import nbformat

    whole = nbformat.v4.new_notebook()
    state: dict = {}
    for path in paths:
        nb = _read(path, execute)
        _prepare(nb, anchors=True)
        whole.cells.append(nbformat.v4.new_markdown_cell(f'<div id="{path.stem}"></div>'))
        whole.cells.extend(nb.cells)
        widgets = nb.metadata.get("widgets", {}).get("application/vnd.jupyter.widget-state+json")
        if widgets:
            state.update(widgets["state"])
            whole.metadata.setdefault("widgets", {"application/vnd.jupyter.widget-state+json": {**widgets, "state": state}})
        for key in ("kernelspec", "language_info"):
            if key in nb.metadata:
                whole.metadata.setdefault(key, nb.metadata[key])
    return whole


def render(paths: list[Path], show_code: bool = False, execute: bool = False) -> str:
    """The HTML of one notebook (one path) or of several in one page, from their stored outputs (or a fresh run)."""
    if not paths:
        raise PageError("no notebooks to export")
    if len(paths) == 1:
        nb = _read(paths[0], execute)
        _prepare(nb, anchors=False)
        title = notebooks.heading(nb) or paths[0].stem
    else:
        nb = _whole_explainer(paths, execute)
        title = "Ketamine for depression: an evidence-checked explainer"
    resources = {"metadata": {"name": title, "path": str(paths[0].parent)}, "language_code": "en"}
    body, _ = _exporter(show_code).from_notebook_node(nb, resources=resources)
    return body


def _written_by_us(path: Path) -> bool:
    head = path.read_bytes()[:1_000_000]  # the tag follows JupyterLab's inlined style sheets (about 0.3 MB)
    return re.search(rb'<meta (content="%s" name="generator"|name="generator" content="%s")' % ((GENERATOR.encode(),) * 2), head) is not None


def write_page(paths: list[Path], out: Path, show_code: bool = False, execute: bool = False, force: bool = False) -> int:
    """Write ``paths`` as one self-contained HTML file at ``out``, atomically; return its size in bytes.

    An existing ``out`` is replaced only if this command wrote it (or with ``force``); a folder never is.
    """
    out = Path(out)
    if out.is_dir():
        raise PageError(f"{out} is a folder; give a file name such as {out / 'page.html'}")
    if out.exists() and not force and not _written_by_us(out):
        raise PageError(f"{out} exists and was not written by this command; remove it or pass --force")
    if out.suffix.lower() not in (".html", ".htm"):
        raise PageError(f"{out} should end in .html")
    body = render(paths, show_code, execute)
    out.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=out.parent, prefix=f".{out.name}-", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(body)
        os.chmod(tmp, 0o644)
        os.replace(tmp, out)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return out.stat().st_size
