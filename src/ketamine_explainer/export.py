"""Build the HTML site and the reveal.js slides so that they work from a folder with no internet.

Scripts come from pinned npm packages (``site/package.json`` and its lock file), installed once into
``build/npm`` and copied into the output's ``vendor/`` folder; every copied file is checked against
``site/vendor.sha256``. Without a complete, verified copy and without npm the build stops (there is no CDN fallback).

Output folders are guarded by :mod:`.buildfolder`: an earlier build is replaced only once the new one is complete.
"""

from __future__ import annotations

import ast
import fcntl
import hashlib
import html
import os
import re
import shutil
import subprocess
import tempfile
from contextlib import contextmanager
from pathlib import Path

from . import content, notebooks, paper
from .buildfolder import MARKER, MARKER_TEXT, BuildError, check_out, clean_stale, replace_build

#: The output folder's guard (``buildfolder``) is re-exported: callers check and build through this module.
__all__ = ["MARKER", "MARKER_TEXT", "BuildError", "build", "check_out", "npm_packages", "page_name", "write_checksums"]

SITE_DIR = Path(__file__).resolve().parent / "site"
NPM_DIR = notebooks.ROOT / "build" / "npm"
CHECKSUMS = SITE_DIR / "vendor.sha256"
#: Written into ``build/npm`` (the lock file's digest) only after ``npm ci`` succeeded and every file checked out.
NPM_STAMP = ".kx-installed"
#: npm's messages when the registry cannot be reached.
OFFLINE = re.compile(r"ENOTFOUND|EAI_AGAIN|ECONNREFUSED|ENETUNREACH|EHOSTUNREACH|ETIMEDOUT|ECONNRESET|network", re.I)

#: What each pinned npm package contributes to vendor/: (package, source inside the package, destination in vendor/).
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


# The pinned browser scripts --------------------------------------------------------------------------------
def _specs(slides: bool) -> tuple:
    return VENDOR_FILES + (SLIDES_VENDOR_FILES if slides else ())


def _module_path(modules: Path, vendor_path: str, specs) -> Path | None:
    for package, source, destination in specs:
        if vendor_path == destination:
            return modules / package / source
        if vendor_path.startswith(destination + "/"):
            return modules / package / source / vendor_path[len(destination) + 1:]
    return None


def lock_digest() -> str:
    return hashlib.sha256((SITE_DIR / "package-lock.json").read_bytes()).hexdigest()


def read_checksums() -> tuple[str, dict[str, str]]:
    """The lock digest the list was made for, and {vendor path: sha256} of every file the builds copy."""
    lock, files = "", {}
    for line in CHECKSUMS.read_text(encoding="utf-8").splitlines():
        if line.startswith("# package-lock.json sha256 "):
            lock = line.split()[-1]
        elif line and not line.startswith("#"):
            digest, name = line.split(maxsplit=1)
            files[name] = digest
    return lock, files


def expected_files(slides: bool) -> dict[str, str]:
    return {name: digest for name, digest in read_checksums()[1].items() if _module_path(Path(), name, _specs(slides))}


def write_checksums(modules: Path = NPM_DIR / "node_modules") -> Path:
    """Regenerate ``site/vendor.sha256`` from a fresh ``npm ci`` (after changing ``site/package-lock.json``)."""
    lines = ["# Every file the builds copy into vendor/, checked on every build. Regenerate after changing package-lock.json:",
             "#   python -c 'from ketamine_explainer import export; export.write_checksums()'",
             f"# package-lock.json sha256 {lock_digest()}"]
    for package, source, destination in _specs(True):
        root = modules / package / source
        if root.is_file():
            lines.append(f"{hashlib.sha256(root.read_bytes()).hexdigest()}  {destination}")
            continue
        for path in sorted(root.rglob("*")):
            if path.is_file() and not any(SKIP.search(part) for part in path.relative_to(root).parts):
                lines.append(f"{hashlib.sha256(path.read_bytes()).hexdigest()}  {destination}/{path.relative_to(root).as_posix()}")
    CHECKSUMS.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return CHECKSUMS


def _digest(path: Path) -> str | None:
    try:
        data = path.read_bytes()
    except OSError:
        return None
    return hashlib.sha256(data).hexdigest() if data else None


def verify_modules(modules: Path, slides: bool = True) -> str | None:
    """None if every file the builds copy is present, non-empty and matches its checksum, else the first problem."""
    for name, digest in expected_files(slides).items():
        path = _module_path(modules, name, _specs(slides))
        found = _digest(path)
        if found != digest:
            return f"{name} is {'missing or empty' if found is None else 'not the pinned file'}"
    return None


@contextmanager
def _locked(folder: Path):
    folder.mkdir(parents=True, exist_ok=True)
    with open(folder / ".kx-lock", "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        yield


def npm_packages(npm_dir: Path = NPM_DIR, timeout: float = 600) -> Path:
    """node_modules with every pinned file verified; installs with ``npm ci`` when the copy is missing or damaged."""
    digest = lock_digest()
    listed_for = read_checksums()[0]
    if listed_for != digest:
        raise BuildError("site/vendor.sha256 was made for another package-lock.json; regenerate it (see its first lines)")
    modules, stamp = npm_dir / "node_modules", npm_dir / NPM_STAMP
    with _locked(npm_dir):
        if stamp.is_file() and stamp.read_text().strip() == digest and verify_modules(modules) is None:
            return modules
        npm = shutil.which("npm")
        if npm is None:
            raise BuildError(f"npm was not found and {npm_dir} holds no complete copy of the pinned browser scripts: "
                             "install Node.js and npm (Debian: apt-get install npm) and build again")
        stamp.unlink(missing_ok=True)
        if modules.exists():
            shutil.rmtree(modules)
        shutil.copy2(SITE_DIR / "package.json", npm_dir / "package.json")
        shutil.copy2(SITE_DIR / "package-lock.json", npm_dir / "package-lock.json")
        command = [npm, "ci", "--ignore-scripts", "--no-audit", "--no-fund", "--prefer-offline", "--fetch-retries=0",
                   "--fetch-timeout=30000"]
        try:
            result = subprocess.run(command, cwd=npm_dir, capture_output=True, text=True, timeout=timeout)
        except subprocess.TimeoutExpired:
            raise BuildError(f"npm ci took more than {timeout:g} s in {npm_dir}; check the network and build again") from None
        if result.returncode != 0:
            if OFFLINE.search(result.stderr):
                raise BuildError("npm could not reach its registry (offline?) and has not cached the pinned browser scripts: "
                                 "connect to the internet once and build again")
            last = next((line for line in reversed(result.stderr.splitlines()) if line.strip()), "no message")
            raise BuildError(f"npm ci failed in {npm_dir}: {last}")
        problem = verify_modules(modules)
        if problem:
            raise BuildError(f"npm ci left a damaged copy in {npm_dir} ({problem}); check free disk space and build again")
        stamp.write_text(digest)
    return modules


def copy_vendor(modules: Path, vendor: Path, slides: bool = False) -> None:
    """Copy the pinned files into ``vendor``, checking each copy against its checksum."""
    specs = _specs(slides)
    for name, digest in expected_files(slides).items():
        data = _module_path(modules, name, specs).read_bytes()
        if hashlib.sha256(data).hexdigest() != digest:
            raise BuildError(f"{name} in {modules} changed since it was checked; delete {modules.parent} and build again")
        target = vendor / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
        if _digest(target) != digest:
            raise BuildError(f"could not write {target} completely (disk full?)")


def _exporter(slides: bool):
    from nbconvert import HTMLExporter, SlidesExporter

    common = dict(extra_template_basedirs=[str(SITE_DIR / "templates")], exclude_input=True,
                  exclude_input_prompt=True, exclude_output_prompt=True,
                  require_js_url="vendor/require.js", widget_renderer_url="vendor/html-manager/embed-amd.js")
    if slides:
        exporter = SlidesExporter(template_name="kx_slides", reveal_theme="white", reveal_transition="none", reveal_number="c/t",
                                  reveal_width=str(SLIDE_SIZE[0]), reveal_height=str(SLIDE_SIZE[1]), **common)
        exporter.reveal_url_prefix = "vendor/reveal.js"
        return exporter
    return HTMLExporter(template_name="kx_site", **common)


#: The deck's slide in CSS pixels: 16:9, laid out with no margin, so reveal.js scales it to fill a 16:9 screen.
SLIDE_SIZE = (1280, 720)


def a11y_script() -> str:
    """The accessibility script every page and deck inlines (``site/a11y.js``), safe inside ``<script>``."""
    return re.sub(r"</(script)", r"<\\/\1", (SITE_DIR / "a11y.js").read_text(encoding="utf-8"), flags=re.I)


def page_name(stem: str, slides: bool) -> str:
    return f"{stem}.html" if slides or stem != notebooks.NOTEBOOKS[0] else "index.html"


def slide_text(cell) -> str | None:
    """A markdown cell's short text for its slide (cell metadata ``kx.slide``), or None: the slide shows the cell."""
    text = cell.metadata.get("kx", {}).get("slide") if cell.cell_type == "markdown" else None
    return "".join(text) if isinstance(text, list) else text


#: Citations on one slide: at 20 px on a 1280x720 slide they fit with room to spare (the deck test measures it).
SOURCES_PER_SLIDE = 6


def as_notes(text: str) -> str:
    """Prose for speaker notes: headings become bold lines, so that notes repeat no element id of their slide."""
    return re.sub(r"^#{1,6}\s+(.+)$", r"**\1**", text, flags=re.M)


def _notes(text: str):
    import nbformat

    return nbformat.v4.new_markdown_cell(as_notes(text), metadata={"slideshow": {"slide_type": "notes"}})


def _output_cell(block, slide_type: str | None = None):
    import nbformat

    cell = nbformat.v4.new_code_cell("", metadata={"slideshow": {"slide_type": slide_type}} if slide_type else {})
    cell.outputs = [nbformat.v4.new_output("display_data", data={"text/html": block.html, "text/plain": block.text})]
    return cell


def _source_ids(cell, data) -> list[str] | None:
    """The ids a sources cell lists (``kx.sources(data, ...)`` or ``kx.bibliography(data)``), or None."""
    from .generate import kx_calls

    for name, call in kx_calls(cell.source) if cell.cell_type == "code" else ():
        if name == "sources":
            return [a.value for a in call.args[1:] if isinstance(a, ast.Constant)]
        if name == "bibliography":
            return content.bibliography_ids(data)
    return None


def deck_cells(nb, data) -> None:
    """Few words on each slide, everything else in the speaker notes, and nothing that runs off a slide.

    - A markdown cell with a short slide text (``{"kx": {"slide": "..."}}`` in its metadata) shows that text on its
      slide, and its full prose becomes that slide's speaker notes.
    - The help lines show their essentials (:func:`~ketamine_explainer.content.help_lines_short`); the full list is in
      the notes.
    - The sources are split over as many slides as they need (:data:`SOURCES_PER_SLIDE` each), numbered on.

    The site, the handout and the notebooks keep the full prose, help lines and source lists; only the decks change.
    """
    cells = []
    for cell in nb.cells:
        text = slide_text(cell)
        ids = _source_ids(cell, data)
        if text is not None:
            notes, cell.source = cell.source, text
            cells += [cell, _notes(notes)]
        elif ids:
            heading = cells.pop() if cells and cells[-1].cell_type == "markdown" and cells[-1].source.startswith("## Sources") else None
            chunks = [ids[i:i + SOURCES_PER_SLIDE] for i in range(0, len(ids), SOURCES_PER_SLIDE)]
            for k, chunk in enumerate(chunks):
                title = "## Sources" + (f" ({k + 1} of {len(chunks)})" if len(chunks) > 1 else "")
                slide = _markdown_slide(title, heading if k == 0 else None)
                cells += [slide, _output_cell(content.sources(data, *chunk, start=1 + k * SOURCES_PER_SLIDE))]
        elif cell.cell_type == "code" and "help_lines" in cell.source:
            cells += _help_slide(cells, data)
        else:
            cells.append(cell)
    nb.cells = cells


HELP_HEADING = "## If you need help now"


def _help_slide(cells: list, data) -> list:
    """The help lines on a slide of their own, headed, in at most 40 words; what was said before them and the full
    list go to the notes. A slide that is already the help slide keeps its heading and gives the rest to the notes."""
    full = _notes("Speaker note: the help lines in full.\n\n" + content.help_lines(data).text)
    box = _output_cell(content.help_lines_short(data))
    previous = cells[-1] if cells and cells[-1].cell_type == "markdown" else None
    if previous is not None and previous.source.startswith(HELP_HEADING):
        rest = previous.source[len(HELP_HEADING):].strip()
        previous.source = HELP_HEADING
        return [box, *([_notes(rest)] if rest else []), full]
    return [_markdown_slide(HELP_HEADING, kind="subslide"), box, full]


def _markdown_slide(title: str, like=None, kind: str = "slide"):
    """A slide's heading cell: ``like``'s metadata (its slide type) with a new title, or a new slide."""
    import nbformat

    metadata = dict(like.metadata) if like is not None else {"slideshow": {"slide_type": kind}}
    metadata.setdefault("slideshow", {"slide_type": kind})
    return nbformat.v4.new_markdown_cell(title, metadata=metadata)


def _prepare(nb, slides: bool, data) -> None:
    """Point links between notebooks at the exported pages; keep speaker notes for the slides only.

    Decks show each cell's short slide text, with its prose as speaker notes (:func:`deck_cells`). Site pages also
    get the paper version of every control (hidden on screen), so printing a page works.
    """
    if slides:
        deck_cells(nb, data)
    else:
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


def build(out: str | os.PathLike, slides: bool = False, execute: bool = True, paths: list[Path] | None = None,
          report=None) -> Path:
    """Build the site (or the slides) into ``out``, replacing an earlier build only once everything succeeded.

    ``report``, if given, is called with one line per page as it is written ("05_rapid_onset: executed, exported")."""
    import nbformat

    target = check_out(out)
    paths = paths or notebooks.notebook_paths()
    if not paths:
        raise BuildError("no notebooks to export")
    target.parent.mkdir(parents=True, exist_ok=True)
    clean_stale(target)
    tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}.kx-tmp-{os.getpid()}-", dir=target.parent))
    try:
        (tmp / MARKER).write_text(MARKER_TEXT, encoding="utf-8")
        copy_vendor(npm_packages(), tmp / "vendor", slides)
        exporter = _exporter(slides)
        css = (SITE_DIR / "site.css").read_text(encoding="utf-8")
        if slides:  # the decks' own rules come after the site's
            css += "\n" + (SITE_DIR / "slides.css").read_text(encoding="utf-8")
        script = a11y_script()
        titles = {}
        from .data import load

        data = load()
        with _environment(KETAMINE_TALK="1" if slides else "0"):
            for path in paths:
                nb = notebooks.execute(path) if execute else nbformat.read(path, as_version=4)
                titles[path.stem] = notebooks.heading(nb) or path.stem
                _prepare(nb, slides, data)
                resources = {"metadata": {"name": titles[path.stem], "path": str(path.parent)}, "kx_css": css, "kx_js": script,
                             "language_code": "en"}
                body, _ = exporter.from_notebook_node(nb, resources=resources)
                body = _share_css(exporter, body, tmp / "vendor")
                (tmp / page_name(path.stem, slides)).write_text(body, encoding="utf-8")
                if report:
                    report(f"{path.stem}: {'executed in talk mode, ' if execute and slides else 'executed, ' if execute else ''}"
                           f"wrote {page_name(path.stem, slides)}")
        if slides:
            (tmp / "index.html").write_text(_deck_index(paths, titles), encoding="utf-8")
        else:
            (tmp / "answer-key.html").write_text(paper.answer_key_html(data), encoding="utf-8")
        tmp.chmod(0o755)
        replace_build(tmp, target)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return target


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
    items = "\n".join(f'<li><a href="{html.escape(page_name(p.stem, True))}">{html.escape(titles[p.stem])}</a></li>' for p in paths)
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
