"""The explainer on paper: the handout PDF, the answer key, and printing a site page (Chromium, poppler-utils)."""

import csv
import os
import re
import shutil
import subprocess

import nbformat
import pytest
from PIL import Image

import ketamine_explainer as kx
from ketamine_explainer import notebooks, paper, views

from .browser import ARGS, Offline, require_chromium

pytestmark = pytest.mark.browser
with (notebooks.ROOT / "tests" / "reference" / "quiz_key.csv").open(encoding="utf-8", newline="") as _handle:
    REFERENCE_KEY = {row["question_id"]: row for row in csv.DictReader(_handle)}

#: Reviewed from the notebook and the lesson plan: the central chart on paper is printed at these times.
CENTRAL_CHART_SETTINGS = ["4 hours", "1 day", "1 week", "4 weeks", "12 weeks"]
MM = 72 / 25.4  # PDF points per millimetre


def _poppler(tool: str) -> str:
    path = shutil.which(tool)
    if path is None:
        message = f"{tool} (Debian's poppler-utils: apt-get install poppler-utils) is not installed: handout tests skipped"
        if os.environ.get("CI") == "true":
            pytest.fail(message + ", and under CI=true that is a failure")
        pytest.skip(message)
    return path


def _run(*args) -> str:
    return subprocess.run(args, check=True, capture_output=True, text=True).stdout


def _squash(text: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"-[ \t]*\n\s*", "-", text.replace("\u00ad", ""))).strip()


def _section_start(text: str, stem: str) -> int:
    """Where a section starts in the squashed handout text: its H1 followed by its subtitle (the start page's contents
    table names every title too)."""
    nb = nbformat.read(notebooks.NOTEBOOK_DIR / f"{stem}.ipynb", as_version=4)
    subtitle = nb.cells[notebooks.title_cell_index(nb)].source.split("\n\n")[1].strip("*_")
    return text.index(_squash(f"{notebooks.title(stem)} {subtitle}"))


@pytest.fixture(scope="module")
def handout(tmp_path_factory):
    require_chromium()
    out = tmp_path_factory.mktemp("handout")
    written = paper.build_handout(out, kx.load())
    return {path.name: path for path in written}


@pytest.fixture(scope="module")
def handout_text(handout):
    return _run(_poppler("pdftotext"), str(handout["ketamine-explainer.pdf"]), "-")


def _info(path) -> dict:
    fields = {}
    for line in _run(_poppler("pdfinfo"), str(path)).splitlines():
        key, _, value = line.partition(":")
        fields[key.strip()] = value.strip()
    return fields


def test_files_are_written(handout):
    assert set(handout) == {"ketamine-explainer.html", "ketamine-explainer-letter.html", "ketamine-explainer.pdf",
                            "ketamine-explainer-letter.pdf",
                            "answer-key.html", "answer-key.pdf", "answer-key-letter.pdf"}


@pytest.mark.parametrize(("name", "low", "high"), [("ketamine-explainer", 25, 70), ("answer-key", 2, 12)])
def test_pdfs_open_with_sensible_page_counts_and_sizes(handout, name, low, high):
    a4, letter = _info(handout[f"{name}.pdf"]), _info(handout[f"{name}-letter.pdf"])
    assert low <= int(a4["Pages"]) <= high
    assert low <= int(letter["Pages"]) <= high
    width, height = (float(v) for v in re.findall(r"[\d.]+", a4["Page size"])[:2])
    assert (round(width / MM), round(height / MM)) == (210, 297)
    width, height = (float(v) for v in re.findall(r"[\d.]+", letter["Page size"])[:2])
    assert (round(width), round(height)) == (612, 792)


def test_handout_holds_every_section_in_reading_order(handout_text):
    text = _squash(handout_text)
    after_contents = text.index("Bibliography")  # the last entry of the contents page
    positions = []
    for path in notebooks.notebook_paths():
        title = notebooks.title(path.stem)
        assert title in text[:after_contents], f"section title {title!r} is missing from the contents page"
        positions.append(_section_start(text, path.stem))
    assert after_contents < positions[0] and positions == sorted(positions), "sections are not in reading order"


def test_cover_has_the_educational_note_and_help_lines(handout):
    first = _squash(_run(_poppler("pdftotext"), "-f", "1", "-l", "1", str(handout["ketamine-explainer.pdf"]), "-"))
    assert "Educational, not medical advice" in first
    for line in kx.load().helplines:
        assert _squash(line.contact) in first, line.contact
    assert "988" in first and "findahelpline.com" in first


def test_every_page_is_numbered(handout):
    pdf = handout["ketamine-explainer.pdf"]
    pages = int(_info(pdf)["Pages"])
    for number in (1, pages // 2, pages):
        text = _squash(_run(_poppler("pdftotext"), "-f", str(number), "-l", str(number), str(pdf), "-"))
        assert f"Page {number} of {pages}" in text


def test_bibliography_lists_every_source(handout_text):
    text = _squash(handout_text)
    bibliography = text[text.rindex("Bibliography"):].replace("-", "")  # pdftotext joins words hyphenated at a line end
    for source in kx.load().sources.values():
        assert _squash(source.title).replace("-", "")[:60] in bibliography, f"{source.id} is missing from the bibliography"


def test_questions_are_printed_without_answers(handout_text):
    text = _squash(handout_text)
    data = kx.load()
    unhyphenated = text.replace("-", "")  # pdftotext drops the hyphen of a word broken at a line's end ("salt-water")
    for option in data.quiz:
        assert _squash(option.question).replace("-", "") in unhyphenated, option.question
        assert _squash(option.option).replace("-", "") in unhyphenated, option.option
        assert _squash(option.feedback)[:50] not in text, f"feedback of {option.id} leaks into the handout"
    assert "Correct." not in text and "Not quite." not in text


def test_central_chart_is_printed_at_its_key_times(handout_text):
    text = _squash(handout_text)
    section = text[_section_start(text, "05_rapid_onset"):_section_start(text, "06_safety")]
    caption = section.index("On paper: the chart at 5 settings")
    labels = [section.index(label, caption) for label in CENTRAL_CHART_SETTINGS]
    assert labels == sorted(labels)


def _expected_images() -> int:
    """Chart images: each static chart once, each explorer once per printed setting and layer."""
    count = 0
    for path in notebooks.notebook_paths():
        nb = nbformat.read(path, as_version=4)
        state = paper.WidgetState.of(nb)
        for cell in nb.cells:
            for output in cell.get("outputs", []):
                view = output.get("data", {}).get(paper.WIDGET_VIEW)
                if view and "kx-explorer" in state.classes(view["model_id"]):
                    *controls, frames = state.children(view["model_id"])
                    layers = len(state.children(frames)) if state.name(frames) == "GridBoxModel" else 1
                    sliders = [c for c in controls if state.name(c) == "SelectionSliderModel"]
                    key = sliders[0] if sliders else max(controls, key=lambda c: len(state.state(c)["_options_labels"]))
                    count += layers * min(6, len(state.state(key)["_options_labels"]))
                elif not view:
                    count += output.get("data", {}).get("text/html", "").count("<img ")
    return count


def test_image_count_matches_charts_and_small_multiples(handout):
    listing = _run(_poppler("pdfimages"), "-list", str(handout["ketamine-explainer.pdf"])).splitlines()[2:]
    drawn = [line for line in listing if line.split()[2] == "image"]
    assert len(drawn) == _expected_images()


def test_no_page_is_blank_and_nothing_runs_into_the_margins(handout, tmp_path):
    _run(_poppler("pdftoppm"), "-r", "30", "-gray", str(handout["ketamine-explainer.pdf"]), str(tmp_path / "p"))
    pages = sorted(tmp_path.glob("p-*.pgm"))
    assert pages
    for page in pages:
        image = Image.open(page)
        width, height = image.size
        pixels = image.load()
        ink = sum(1 for x in range(0, width, 2) for y in range(0, height, 2) if pixels[x, y] < 200)
        assert ink > 0.002 * width * height / 4, f"{page.name} is (almost) blank"
        margin = round(9 * 30 / 25.4)  # 9 mm of the 14 mm side margins, at 30 dpi
        for x in (*range(margin), *range(width - margin, width)):
            column = [pixels[x, y] for y in range(height)]
            assert min(column) > 230, f"{page.name}: something runs into the side margin at x={x}"


def test_printed_content_fits_the_page(handout):
    """Laid out at the printable width of A4, every image fits the page and nothing is clipped or runs off the side."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=require_chromium(), args=ARGS)
        page = browser.new_page(viewport={"width": 688, "height": 1001})  # the printable area of A4 at 96 dpi
        Offline(page)
        page.goto(handout["ketamine-explainer.html"].as_uri())
        page.emulate_media(media="print")
        sizes = page.eval_on_selector_all("img", "imgs => imgs.map(i => [i.getBoundingClientRect().width, "
                                          "i.getBoundingClientRect().height, i.naturalWidth])")
        clipped = page.eval_on_selector_all(".jp-OutputArea-output, .jp-RenderedHTMLCommon, table",
                                            "els => els.filter(e => e.scrollWidth > e.clientWidth + 1 || "
                                            "e.getBoundingClientRect().right > innerWidth + 1).map(e => e.innerText.slice(0, 60))")
        browser.close()
    assert sizes
    printable_height = (297 - 32) / 25.4 * 96
    for width, height, natural in sizes:
        assert natural > 0, "an image did not load"
        assert width <= 689 and height <= printable_height, (width, height)
    assert clipped == [], "content wider than the printed page"


def test_answer_key_gives_each_right_answer_with_feedback_and_source(handout, handout_text):
    """Questions are numbered and options lettered alike in the handout and the key; the right letter is found from the
    reviewed reference key (tests/reference/quiz_key.csv), not from the data's own flag."""
    def flat(text):  # pdftotext may drop a hyphen where a line broke after it
        return _squash(text).replace("-", "")

    key = flat(_run(_poppler("pdftotext"), str(handout["answer-key.pdf"]), "-"))
    paper_text = flat(handout_text)
    data = kx.load()
    questions: dict[str, list] = {}
    for option in data.quiz:
        questions.setdefault(option.question_id, []).append(option)
    numbers: dict[str, list] = {}
    for question_id, options in questions.items():
        reference = REFERENCE_KEY[question_id]
        (right,) = [o for o in options if reference["correct_phrase"].lower() in o.option.lower()]
        letter = "ABCDEFGH"[options.index(right)]
        number = views.question_number(data, question_id)
        numbers.setdefault(options[0].notebook, []).append(number)
        heading = f"Question {number}. {flat(options[0].question)}"
        assert heading in key and heading in paper_text, heading
        assert f"Right answer: {letter}. {flat(right.option)}" in key
        for i, option in enumerate(options):
            assert f"{'ABCDEFGH'[i]}. {flat(option.option)}" in paper_text, (question_id, option.option)
        assert flat(right.feedback)[:60] in key
        assert flat(data.source(right.source_id).title)[:40] in key
    for notebook, listed in numbers.items():
        assert listed == list(range(1, len(listed) + 1)), notebook


def test_printing_a_site_page_shows_small_multiples_not_controls(site):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=require_chromium(), args=ARGS)
        page = browser.new_page(viewport={"width": 1200, "height": 900})
        offline = Offline(page)
        page.goto((site / "05_rapid_onset.html").as_uri())
        page.wait_for_selector(".kx-explorer img", state="visible", timeout=30_000)
        on_screen = page.eval_on_selector_all(".kx-print-only", "els => els.filter(e => e.offsetParent !== null).length")
        page.emulate_media(media="print")
        explorers = page.eval_on_selector_all(".kx-explorer, .kx-quiz", "els => els.filter(e => e.offsetParent !== null).length")
        labels = page.eval_on_selector_all(".kx-print-only .kx-multiple figcaption", "els => els.map(e => e.innerText)")
        questions = page.eval_on_selector_all(".kx-quiz-paper", "els => els.filter(e => e.offsetParent !== null).length")
        printed = page.eval_on_selector_all(".kx-print-only img", "els => els.length")
        narrow = page.eval_on_selector_all(".kx-print-only source", "els => els.length")
        browser.close()
    assert on_screen == 0, "paper versions must be hidden on screen"
    assert explorers == 0, "controls must be hidden on paper"
    assert labels[:5] == CENTRAL_CHART_SETTINGS
    assert questions == len({o.question_id for o in kx.load().quiz if o.notebook == "05_rapid_onset"})
    assert printed >= len(labels) and narrow == 0, "paper prints the wide charts; their narrow layouts are not carried along"
    assert not offline.errors and not offline.blocked


def test_site_has_the_answer_key_page(site):
    page = (site / "answer-key.html").read_text(encoding="utf-8")
    assert page.count('class="kx-key-question"') == len({o.question_id for o in kx.load().quiz})


SMALLEST_PRINTED_PT = 7


@pytest.mark.parametrize("paper_size", ["", "-letter"], ids=["A4", "Letter"])
def test_smallest_text_in_every_printed_chart_is_at_least_7_pt(handout, paper_size):
    """Each chart image in the PDF, at the size it is printed (pdfimages' pixels per inch), against the smallest text the
    chart drew (in image pixels, carried by the image as data-text-px): at least 7 pt on A4 and on Letter."""
    html_text = handout[f"ketamine-explainer{paper_size}.html"].read_text(encoding="utf-8")
    text_px = [float(m.group(1)) if m else None for m in
               (re.search(r'data-text-px="([\d.]+)"', tag) for tag in re.findall(r"<img\b[^>]*>", html_text))]
    listing = _run(_poppler("pdfimages"), "-list", str(handout[f"ketamine-explainer{paper_size}.pdf"])).splitlines()[2:]
    printed = [(int(f[0]), float(f[12])) for f in (line.split() for line in listing) if f[2] == "image"]  # page, x-ppi
    assert len(printed) == len(text_px), "the PDF's images are not the HTML's"
    assert sum(px is not None for px in text_px) >= 0.9 * len(text_px), "charts carry their smallest text size"
    small = [f"page {page}: image {k + 1} prints its smallest text at {px / ppi * 72:.1f} pt"
             for k, ((page, ppi), px) in enumerate(zip(printed, text_px)) if px and px / ppi * 72 < SMALLEST_PRINTED_PT]
    assert small == []


@pytest.mark.parametrize("paper_size", ["", "-letter"], ids=["A4", "Letter"])
def test_contents_page_numbers_match_the_pdf(handout, paper_size):
    """The contents page gives, for each section and the bibliography, the page of the PDF on which it starts."""
    pdf = str(handout[f"ketamine-explainer{paper_size}.pdf"])
    contents = _squash(_run(_poppler("pdftotext"), "-f", "2", "-l", "2", pdf, "-"))
    assert contents.startswith("Contents") or " Contents " in f" {contents} "
    entries = [(notebooks.title(p.stem), p.stem) for p in notebooks.notebook_paths()] + [("Bibliography", None)]
    for title, stem in entries:
        found = re.search(re.escape(_squash(title)) + r"\s*(\d+)", contents)
        assert found, f"the contents give no page for {title!r}"
        page = int(found.group(1))
        text = _squash(_run(_poppler("pdftotext"), "-f", str(page), "-l", str(page), pdf, "-"))
        if stem is None:
            assert "Bibliography Every source the explainer cites" in text, f"the bibliography is not on page {page}"
        else:
            nb = nbformat.read(notebooks.NOTEBOOK_DIR / f"{stem}.ipynb", as_version=4)
            subtitle = nb.cells[notebooks.title_cell_index(nb)].source.split("\n\n")[1].strip("*_")
            assert _squash(f"{title} {subtitle}") in text, f"{title!r} does not start on page {page}, as the contents say"


@pytest.mark.parametrize(("paper_size", "width"), [("", 688), ("-letter", 714)], ids=["A4", "Letter"])
def test_printed_tables_break_no_word_without_a_hyphen(handout, paper_size, width):
    """At the printable width, every table cell wraps only between words (or at a hyphen): overflow-wrap and word-break
    are normal, and no cell's text is wider than the cell (which would force a break or a cut)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=require_chromium(), args=ARGS)
        page = browser.new_page(viewport={"width": width, "height": 1000})
        Offline(page)
        page.goto(handout[f"ketamine-explainer{paper_size}.html"].as_uri())
        page.emulate_media(media="print")
        cells = page.eval_on_selector_all(
            "td, th", "cells => cells.map(c => { const s = getComputedStyle(c); return [c.innerText.slice(0, 40), "
                      "s.overflowWrap, s.wordBreak, s.hyphens, c.scrollWidth - c.clientWidth]; })")
        browser.close()
    assert len(cells) > 50
    broken = [cell for cell in cells if cell[1] != "normal" or cell[2] != "normal" or cell[4] > 1]
    assert broken == []


def test_each_glossary_term_is_printed_right_above_its_definition(handout_text, data):
    """On paper the page style floated the terms into a column apart from their definitions; each term is now followed
    directly by its own definition (pdftotext reads a column apart as a block apart)."""
    text = _squash(handout_text)
    glossary = text[text.index("Words used in this explainer"):]
    for entry in data.glossary:
        definition = _squash(entry.short[0].upper() + entry.short[1:])[:25]
        assert f"{_squash(entry.term)} {definition}" in glossary, f"{entry.term!r} is not followed by its definition"
