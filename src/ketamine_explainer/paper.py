"""The explainer on paper: the printed handout and the teacher's answer key.

Controls become small multiples (:mod:`.multiples`). Questions are printed without their answers; the answers go to
a separate answer key generated from ``data/quiz.csv``.
"""

from __future__ import annotations

import copy
import html
import os
from pathlib import Path

from . import content, notebooks
from .data import Dataset
from .multiples import PRINT_ONLY, WIDGET_STATE, WIDGET_VIEW, WidgetState, static_html
from .views import LETTERS, question_number

__all__ = ["PRINT_ONLY", "WIDGET_STATE", "WIDGET_VIEW", "WidgetState", "add_print_outputs", "answer_key_html",
           "build_handout", "print_pdf", "static_html"]


def add_print_outputs(nb) -> int:
    """After every explorer and question, add its paper version as an output (hidden on screen by the style sheet).

    Returns the number of outputs added. Used for the site pages, so printing any page from a browser works.
    """
    state, added = WidgetState.of(nb), 0
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        outputs = []
        for output in cell.get("outputs", []):
            outputs.append(output)
            view = output.get("data", {}).get(WIDGET_VIEW)
            paper = static_html(state, view["model_id"]) if view else None
            if paper:
                outputs.append({"output_type": "display_data", "metadata": {}, "data": {"text/html": paper}})
                added += 1
        cell.outputs = outputs
    return added


# The handout -------------------------------------------------------------------------------------------------
def _is_nav(cell) -> bool:
    return notebooks.NAV_TAG in cell.metadata.get("tags", [])


def _slide_type(cell) -> str:
    return cell.metadata.get("slideshow", {}).get("slide_type", "")


def _is_source_list(cell) -> bool:
    return cell.cell_type == "code" and any('class="kx-sources"' in o.get("data", {}).get("text/html", "")
                                            for o in cell.get("outputs", []))


def _paper_cells(nb) -> list:
    """A notebook's cells as printed: no navigation, no speaker notes, no contents table (the handout's contents page
    replaces it), controls replaced by their paper version, and no per-section source list (the handout ends with one
    bibliography that every citation links to)."""
    state = WidgetState.of(nb)
    cells = [copy.deepcopy(c) for c in nb.cells if not _is_nav(c) and _slide_type(c) != "notes"
             and not (c.cell_type == "markdown" and c.source.startswith("## Contents"))]  # the handout has its own
    kept = []
    for i, cell in enumerate(cells):
        if cell.cell_type == "markdown" and cell.source.startswith("## Sources") and i + 1 < len(cells) and _is_source_list(cells[i + 1]):
            continue
        if _is_source_list(cell):
            continue
        if cell.cell_type == "code":
            outputs = []
            for output in cell.get("outputs", []):
                view = output.get("data", {}).get(WIDGET_VIEW)
                if view:
                    paper = static_html(state, view["model_id"])
                    if paper:
                        outputs.append({"output_type": "display_data", "metadata": {},
                                        "data": {"text/html": paper.replace(PRINT_ONLY, "kx-paper")}})
                else:
                    outputs.append(output)
            cell.outputs = outputs
        kept.append(cell)
    return kept


def _markdown(source: str, cell_id: str):
    import nbformat

    cell = nbformat.v4.new_markdown_cell(source)
    cell.id = cell_id
    return cell


def _html_cell(markup: str, cell_id: str):
    import nbformat

    cell = nbformat.v4.new_code_cell("")
    cell.id = cell_id
    cell.outputs = [nbformat.v4.new_output("display_data", data={"text/html": markup})]
    return cell


def _contents_item(anchor: str, title: str, pages: dict[str, int] | None) -> str:
    number = f'<span class="kx-page">{pages[anchor]}</span>' if pages and anchor in pages else ""
    return f'<li><a href="#{anchor}">{html.escape(title)}</a>{number}</li>'


def handout_notebook(data: Dataset, paths: list[Path] | None = None, pages: dict[str, int] | None = None):
    """One notebook holding the whole handout: cover, contents (with ``pages``: the page each section starts on, by
    its anchor), every section, bibliography."""
    import nbformat

    paths = paths or notebooks.notebook_paths()
    book = nbformat.v4.new_notebook()
    book.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    cover = (f'<section class="kx-cover"><p class="kx-kicker">An evidence-checked explainer</p>'
             f"<h1>Ketamine for depression</h1>"
             f'<p class="kx-lead">What the evidence says about how fast treatments for depression work, how ketamine '
             f"might work, and what is known about its safety. Printed from the explainer's notebooks.</p>"
             f'<div class="kx-note kx-disclaimer"><p><strong>Educational, not medical advice.</strong> Nothing here '
             f"recommends a treatment or gives dosing instructions. Talk to a qualified clinician about any treatment "
             f"decision.</p></div>{content.help_lines(data).html}</section>")
    book.cells.append(_html_cell(cover, "cover"))
    items = "".join(_contents_item(f"section-{p.stem}", notebooks.title(p.stem, p.parent), pages) for p in paths)
    book.cells.append(_html_cell(f'<section class="kx-contents"><h2>Contents</h2><ol>{items}'
                                 f'{_contents_item("bibliography", "Bibliography", pages)}</ol>'
                                 f'<p class="kx-paper-howto">Charts that can be changed on screen are printed at their key '
                                 f"settings, side by side. Check-your-understanding questions are printed without "
                                 f"answers; teachers have a separate answer key.</p></section>", "contents"))
    for path in paths:
        nb = nbformat.read(path, as_version=4)
        book.cells.append(_html_cell(f'<div class="kx-section-start" id="section-{path.stem}"></div>', f"start-{path.stem}"))
        book.cells.extend(_paper_cells(nb))
    book.cells.append(_html_cell('<div class="kx-section-start" id="bibliography"></div>', "bib-start"))
    book.cells.append(_markdown("## Bibliography\n\nEvery source the explainer cites, from `data/sources.csv`.", "bib-title"))
    book.cells.append(_html_cell(content.bibliography(data).html, "bib"))
    return book


def answer_key_html(data: Dataset) -> str:
    """The teacher's answer key: every question with its right answer, the feedback and its source."""
    order = {stem: i for i, stem in enumerate(notebooks.NOTEBOOKS)}
    questions: dict[str, list] = {}
    for option in data.quiz:
        questions.setdefault(option.question_id, []).append(option)
    sections, current = [], None
    for question_id, options in sorted(questions.items(), key=lambda kv: (order.get(kv[1][0].notebook, 99), kv[0])):
        first = options[0]
        heading = ""
        if first.notebook != current:  # the heading travels with its first question, never alone at a page's foot
            current = first.notebook
            heading = f"<h2>{html.escape(notebooks.title(current))}</h2>"
        right = next(o for o in options if o.correct)
        source = data.source(right.source_id)
        letter = {o.id: LETTERS[i] for i, o in enumerate(options)}
        listed = "".join(f'<li{" class=kx-key-right" if o.correct else ""}>{letter[o.id]}. {html.escape(o.option)}'
                         f'{" <strong>(right answer)</strong>" if o.correct else ""}</li>' for o in options)
        number = question_number(data, question_id)
        sections.append(
            f'<section class="kx-key-question" id="{html.escape(question_id)}">{heading}'
            f"<h3>Question {number:d}. {html.escape(first.question)}</h3>"
            f'<ul class="kx-options">{listed}</ul>'
            f'<p><strong>Right answer:</strong> {letter[right.id]}. {html.escape(right.option)}</p>'
            f"<p><strong>Why:</strong> {html.escape(right.feedback)}</p>"
            f'<p class="kx-key-source"><strong>Source:</strong> {html.escape(source.citation())}</p></section>'
        )
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Ketamine for depression: answer key for teachers</title>
<style>{ANSWER_KEY_CSS}</style></head>
<body><main>
<h1>Answer key for teachers</h1>
<p>The check-your-understanding questions of the explainer, with the right answer, the feedback a learner sees and its
source. Generated from <code>data/quiz.csv</code>. Educational, not medical advice.</p>
{"".join(sections)}
</main></body></html>
"""


ANSWER_KEY_CSS = """
body { font-family: "DejaVu Sans", system-ui, sans-serif; color: #1a1a1a; max-width: 46em; margin: 2em auto; padding: 0 1em;
       line-height: 1.5; font-size: 16px; overflow-wrap: anywhere; }
h1 { font-size: 1.8em; } h2 { font-size: 1.35em; border-bottom: 2px solid #0072B2; padding-bottom: .2em; margin-top: 1.6em; }
h3 { font-size: 1.05em; margin-bottom: .3em; }
.kx-key-question { break-inside: avoid; margin-bottom: 1.2em; }
.kx-key-right { font-weight: bold; }
.kx-key-source { font-size: .9em; color: #333; }
a { color: #0072B2; }
.kx-options { list-style: none; padding-left: .6em; }
@page { size: A4; margin: 18mm 16mm 20mm; }
"""


HANDOUT_CSS = """
.kx-cover { break-after: page; padding-top: 30mm; }
.kx-cover h1 { font-size: 34pt; margin: .1em 0 .3em; }
.kx-kicker { text-transform: uppercase; letter-spacing: .12em; color: #0072B2; font-weight: bold; }
.kx-lead { font-size: 14pt; max-width: 34em; }
.kx-disclaimer { background: #FFF6EE; border-left: 6px solid #D55E00; }
.kx-contents { break-after: page; }
.kx-contents ol { font-size: 13pt; line-height: 1.9; padding-left: 0; list-style: none; }
.kx-contents li { display: flex; gap: .4em; }
.kx-contents li a { flex: 0 1 auto; }
.kx-contents li::after { content: ""; flex: 1 1 auto; order: 1; border-bottom: 1px dotted #888; margin-bottom: .45em; }
.kx-contents .kx-page { order: 2; flex: none; }
.kx-section-start { break-before: page; }
.kx-paper-howto { font-size: 10.5pt; color: #333; margin-top: 2em; }
/* A chart prints across the whole printable width, so its smallest text stays at 7 pt or more (tests/test_handout.py
   measures it from the PDF). */
.jp-Cell { padding-left: 0; padding-right: 0; }
.jp-OutputArea-output.jp-RenderedHTMLCommon { padding-right: 0; }
"""

#: Debian's Chromium, headless and with no background traffic (the same flags as the browser tests).
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
PAPER_SIZES = {"a4": "A4", "letter": "Letter"}
FOOTER = ('<div style="font-family: DejaVu Sans, sans-serif; font-size: 8px; width: 100%; text-align: center; color: #444;">'
          'Ketamine for depression: an evidence-checked explainer. Educational, not medical advice. '
          'Page <span class="pageNumber"></span> of <span class="totalPages"></span></div>')


def _print_exporter():
    from nbconvert import HTMLExporter

    return HTMLExporter(template_name="kx_print", extra_template_basedirs=[str(_site_dir() / "templates")],
                        exclude_input=True, exclude_input_prompt=True, exclude_output_prompt=True)


def _site_dir() -> Path:
    return Path(__file__).resolve().parent / "site"


def handout_html(data: Dataset, paths: list[Path] | None = None, pages: dict[str, int] | None = None,
                 paper: str = "A4") -> str:
    """The handout as one static HTML document (no scripts), ready to print on ``paper`` ("A4" or "Letter"; laid out
    for that paper, not an A4 page shrunk to fit) (``pages``: see :func:`handout_notebook`)."""
    css = (_site_dir() / "site.css").read_text(encoding="utf-8") + HANDOUT_CSS + f"\n@page {{ size: {paper}; }}\n"
    book = handout_notebook(data, paths, pages)
    for cell in book.cells:  # links between notebooks become links to sections of the handout
        if cell.cell_type == "markdown":
            for stem in notebooks.NOTEBOOKS:
                cell.source = cell.source.replace(f"]({stem}.ipynb)", f"](#section-{stem})")
    resources = {"metadata": {"name": "Ketamine for depression: handout"}, "kx_css": css, "language_code": "en"}
    body, _ = _print_exporter().from_notebook_node(book, resources=resources)
    return body


def print_pdf(html_path: Path, pdf_path: Path, paper: str = "A4", footer: bool = True) -> Path:
    """Print an HTML file to PDF on ``paper`` with Debian's Chromium (through Playwright), with page numbers in the
    footer."""
    from playwright.sync_api import sync_playwright

    chromium = os.environ.get("CHROMIUM", "/usr/bin/chromium")
    if not Path(chromium).exists():
        raise FileNotFoundError(f"Chromium is needed to print ({chromium} not found): apt-get install chromium")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page()
            page.route("**/*", lambda route: route.continue_() if route.request.url.startswith(("file:", "data:"))
                       else route.abort())
            page.goto(html_path.resolve().as_uri())
            page.wait_for_load_state("load")
            # Laid out on the paper it prints on: a page whose CSS names another size would be shrunk to fit.
            page.add_style_tag(content=f"@page {{ size: {paper}; }}")
            page.pdf(path=str(pdf_path), format=paper, print_background=True, display_header_footer=footer,
                     header_template="<div></div>", footer_template=FOOTER if footer else "<div></div>",
                     margin={"top": "15mm", "bottom": "17mm", "left": "14mm", "right": "14mm"})
        finally:
            browser.close()
    return pdf_path


def section_pages(pdf: Path) -> dict[str, int]:
    """The page (from 1) on which each anchor of a printed document starts, read from the PDF's named destinations
    (Chromium keeps every element id as one)."""
    from pypdf import PdfReader

    reader = PdfReader(str(pdf))
    return {name.lstrip("/"): reader.get_destination_page_number(dest) + 1 for name, dest in reader.named_destinations.items()}


def _print_numbered(data: Dataset, paths, source: Path, target: Path, paper: str) -> None:
    """Print the handout with a contents page that gives each section's page: print, read where each section starts,
    print again with those numbers (once more if adding them moved a section, which one contents page never does)."""
    pages = None
    for _ in range(3):
        _write_atomic(source, handout_html(data, paths, pages, paper).encode("utf-8"))
        print_pdf(source, target, paper)
        found = section_pages(target)
        found = {k: v for k, v in found.items() if k.startswith("section-") or k == "bibliography"}
        if found == pages:
            return
        pages = found
    raise RuntimeError("the contents page numbers did not settle")


def build_handout(out: Path, data: Dataset, paths: list[Path] | None = None, papers: tuple[str, ...] = ("a4", "letter"),
                  report=print) -> list[Path]:
    """Write the handout (one PDF per paper size, each with its own page numbers in the contents) and the answer key
    into ``out``; returns the files written. ``report`` is told each step as it starts.

    Each file is written beside its final name and renamed into place, so a failed build leaves the old one.
    """
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for size in papers:
        suffix = "" if size == papers[0] else f"-{size}"
        source, target = out / f"ketamine-explainer{suffix}.html", out / f"ketamine-explainer{suffix}.pdf"
        tmp = target.with_name(f".{target.name}.tmp")
        report(f"printing the handout on {PAPER_SIZES[size]} (twice: the second print numbers the contents)")
        try:
            _print_numbered(data, paths, source, tmp, PAPER_SIZES[size])
            tmp.replace(target)
        finally:
            tmp.unlink(missing_ok=True)
        written += [source, target]
    source = out / "answer-key.html"
    _write_atomic(source, answer_key_html(data).encode("utf-8"))
    written.append(source)
    for size in papers:
        suffix = "" if size == papers[0] else f"-{size}"
        target = out / f"answer-key{suffix}.pdf"
        tmp = target.with_name(f".{target.name}.tmp")
        report(f"printing the answer key on {PAPER_SIZES[size]}")
        try:
            print_pdf(source, tmp, PAPER_SIZES[size])
            tmp.replace(target)
        finally:
            tmp.unlink(missing_ok=True)
        written.append(target)
    return written


def _write_atomic(path: Path, payload: bytes) -> None:
    tmp = path.with_name(f".{path.name}.tmp")
    try:
        tmp.write_bytes(payload)
        tmp.replace(path)
    finally:
        tmp.unlink(missing_ok=True)
