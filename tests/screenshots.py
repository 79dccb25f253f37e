"""`make screenshots`: a PNG of every page in every medium, in one folder with an index page to look through.

- the site (built from the stored outputs) at 1280, 768, 390 and 320 px wide, each page whole;
- every slide of every deck (built in talk mode, as `make slides`) at 1920x1080;
- JupyterLab as `make lab` opens each notebook (no cell run), at 1400x1000.

Usage: ``python -m tests.screenshots --out build/screenshots [--no-lab] [--no-slides]``. Needs Debian's Chromium.
"""

from __future__ import annotations

import argparse
import html
import shutil
import sys
import tempfile
from pathlib import Path

from ketamine_explainer import export, notebooks

from .browser import ARGS, CHROMIUM, copy_project, geometry_problems, start_lab

SITE_WIDTHS = (1280, 768, 390, 320)
DECK_SIZE = (1920, 1080)
LAB_SIZE = (1400, 1000)
WAIT_FOR_WIDGETS = """() => document.querySelectorAll('.kx-explorer').length >=
    document.querySelectorAll('script[type="application/vnd.jupyter.widget-view+json"]').length
    - document.querySelectorAll('.kx-quiz').length - 1"""


def _site(browser, site: Path, out: Path, shots: list) -> None:
    for width in SITE_WIDTHS:
        for path in sorted(site.glob("*.html")):
            page = browser.new_page(viewport={"width": width, "height": 900})
            page.goto(path.as_uri())
            page.wait_for_load_state("load")
            if page.locator('script[type="application/vnd.jupyter.widget-view+json"]').count():
                page.wait_for_function(WAIT_FOR_WIDGETS, timeout=30_000)
            page.wait_for_timeout(300)
            name = f"site-{width}-{path.stem}.png"
            page.screenshot(path=str(out / name), full_page=True)
            shots.append(("Site", f"{width} px", path.stem, name, geometry_problems(page)))
            page.close()


def _slides(browser, slides: Path, out: Path, shots: list) -> None:
    for path in sorted(slides.glob("0*.html")):
        page = browser.new_page(viewport={"width": DECK_SIZE[0], "height": DECK_SIZE[1]})
        page.goto(path.as_uri())
        page.wait_for_function("window.Reveal && window.Reveal.isReady()", timeout=30_000)
        page.wait_for_function(WAIT_FOR_WIDGETS, timeout=30_000)
        for index in range(page.evaluate("Reveal.getTotalSlides()")):
            page.evaluate("i => { const s = Reveal.getSlides()[i]; const at = Reveal.getIndices(s); Reveal.slide(at.h, at.v); }", index)
            page.wait_for_timeout(150)
            name = f"deck-{path.stem}-{index + 1:02d}.png"
            page.screenshot(path=str(out / name))
            shots.append(("Slides", f"{DECK_SIZE[0]}x{DECK_SIZE[1]}", f"{path.stem}, slide {index + 1}", name, geometry_problems(page)))
        page.close()


def _lab(browser, out: Path, shots: list) -> None:
    token = "ketamine-explainer-screenshots"
    with tempfile.TemporaryDirectory(prefix="kx-lab-") as tmp:
        home = Path(tmp)
        root = copy_project(home / "project")
        server, base = start_lab(home, root, {"@jupyterlab/notebook-extension:tracker": {"windowingMode": "none"}}, token)
        try:
            page = browser.new_page(viewport={"width": LAB_SIZE[0], "height": LAB_SIZE[1]})
            for stem in notebooks.NOTEBOOKS:
                page.goto(f"{base}/lab/tree/notebooks/{stem}.ipynb?reset&token={token}")
                page.wait_for_selector(".jp-Notebook .jp-Cell", timeout=60_000)
                explorer = page.locator(".jp-Notebook .kx-explorer").first
                explorer.wait_for(state="attached", timeout=60_000)
                page.wait_for_timeout(1000)
                name = f"lab-{stem}.png"
                page.screenshot(path=str(out / name))
                shots.append(("JupyterLab", f"{LAB_SIZE[0]}x{LAB_SIZE[1]}, top", stem, name, []))
                explorer.scroll_into_view_if_needed()
                page.wait_for_timeout(400)
                name = f"lab-{stem}-chart.png"
                page.screenshot(path=str(out / name))
                shots.append(("JupyterLab", f"{LAB_SIZE[0]}x{LAB_SIZE[1]}, first chart", stem, name, []))
            page.close()
        finally:
            server.terminate()
            server.wait(timeout=20)


def _index(shots: list, out: Path) -> Path:
    sections = []
    for medium in dict.fromkeys(s[0] for s in shots):
        items = "\n".join(
            f'<figure><a href="{html.escape(name)}"><img src="{html.escape(name)}" alt="{html.escape(medium)}: '
            f'{html.escape(what)} at {html.escape(size)}" loading="lazy"></a><figcaption>{html.escape(what)} · {html.escape(size)}'
            + (f'<br><strong class="bad">{html.escape("; ".join(problems))}</strong>' if problems else "")
            + "</figcaption></figure>"
            for m, size, what, name, problems in shots if m == medium)
        sections.append(f"<h2>{html.escape(medium)}</h2>\n<div class=grid>{items}</div>")
    problems = sum(bool(s[4]) for s in shots)
    (out / "index.html").write_text(f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Ketamine explainer: every page in every medium</title>
<style>body{{font-family:sans-serif;margin:1.5em}} .grid{{display:grid;grid-template-columns:repeat(auto-fill,minmax(260px,1fr));gap:1em}}
figure{{margin:0}} img{{width:100%;max-height:420px;object-fit:cover;object-position:top;border:1px solid #999}}
figcaption{{font-size:14px}} .bad{{color:#a00}}</style></head>
<body><main><h1>Every page in every medium</h1>
<p>{len(shots)} screenshots; {problems} with a geometry problem (listed in red under the picture). Click a picture for
the full image. Site pages are shown whole (scroll the full image).</p>
{"".join(sections)}
</main></body></html>
""", encoding="utf-8")
    return out / "index.html"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path("build/screenshots"))
    parser.add_argument("--no-lab", action="store_true", help="leave out JupyterLab")
    parser.add_argument("--no-slides", action="store_true", help="leave out the slides (they re-execute the notebooks)")
    args = parser.parse_args(argv)
    from playwright.sync_api import sync_playwright

    executable = CHROMIUM if Path(CHROMIUM).exists() else shutil.which("chromium")
    if not executable:
        print("Debian's Chromium is not installed (apt-get install chromium)", file=sys.stderr)
        return 1
    out = args.out.resolve()
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    shots: list = []
    with tempfile.TemporaryDirectory(prefix="kx-shots-") as tmp, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=ARGS)
        _site(browser, export.build(Path(tmp) / "site", slides=False, execute=False), out, shots)
        if not args.no_slides:
            _slides(browser, export.build(Path(tmp) / "slides", slides=True, execute=True), out, shots)
        if not args.no_lab:
            _lab(browser, out, shots)
        browser.close()
    index = _index(shots, out)
    print(f"{len(shots)} screenshots; open {index}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
