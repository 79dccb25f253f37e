"""The exported site and slides in Debian's Chromium, offline: pages load, every control works by keyboard, decks run."""

import functools
import http.server
import re
import threading
import time

import pytest

from ketamine_explainer import export, notebooks

from .browser import OUTPUT, VISIBLE_FEEDBACK, VISIBLE_FRAMES, Offline, axe_violations, geometry_problems

PAGES = [export.page_name(stem, slides=False) for stem in notebooks.NOTEBOOKS]
DECKS = [export.page_name(stem, slides=True) for stem in notebooks.NOTEBOOKS]
pytestmark = pytest.mark.browser


def _open(browser, url, viewport=(1200, 900)):
    page = browser.new_page(viewport={"width": viewport[0], "height": viewport[1]})
    offline = Offline(page)
    page.goto(url)
    return page, offline


def _wait_for_widgets(page):
    page.wait_for_load_state("load")
    if page.locator('script[type="application/vnd.jupyter.widget-view+json"]').count():
        page.wait_for_selector(".kx-explorer img", state="attached", timeout=30_000)
        page.wait_for_function("document.querySelectorAll('.kx-explorer').length >= "
                               "document.querySelectorAll('script[type=\"application/vnd.jupyter.widget-view+json\"]').length - "
                               "document.querySelectorAll('.kx-quiz').length - 1", timeout=30_000)


def _move(page, control, kind):
    """Operate one control with the keyboard only."""
    if kind == "slider":
        handle = control.locator(".noUi-handle")
        handle.focus()
        now, top = int(float(handle.get_attribute("aria-valuenow"))), int(float(handle.get_attribute("aria-valuemax")))
        page.keyboard.press("ArrowLeft" if now >= top else "ArrowRight")
    elif kind == "dropdown":
        select = control.locator("select")
        select.focus()
        last = select.evaluate("s => s.selectedIndex === s.options.length - 1")
        page.keyboard.press("ArrowUp" if last else "ArrowDown")
    elif kind == "toggle":
        target = control.locator("button:not(.mod-active)").first
        target.focus()
        page.keyboard.press("Space")
    elif kind == "radio":
        control.locator("input[type=radio]").first.focus()
        page.keyboard.press("Space")
    time.sleep(0.15)


CONTROL_KINDS = {".widget-slider": "slider", ".widget-dropdown": "dropdown", ".widget-toggle-buttons": "toggle"}


@pytest.mark.parametrize("name", PAGES)
def test_page_loads_offline_and_every_control_changes_the_chart_by_keyboard(browser, site, name):
    page, offline = _open(browser, (site / name).as_uri())
    _wait_for_widgets(page)
    assert page.evaluate("document.documentElement.lang") == "en"
    explorers = page.locator(".kx-explorer")
    assert explorers.count() >= 1, "every page has at least one interactive chart"
    moved = 0
    for i in range(explorers.count()):
        explorer = explorers.nth(i)
        for selector, kind in CONTROL_KINDS.items():
            controls = explorer.locator(selector)
            for j in range(controls.count()):
                before = explorer.evaluate(VISIBLE_FRAMES)
                assert len(before) >= 1, "a frame is visible"
                _move(page, controls.nth(j), kind)
                after = explorer.evaluate(VISIBLE_FRAMES)
                assert len(after) == len(before) and after != before, f"{kind} control {j} of chart {i} did not change the chart"
                moved += 1
    quizzes = page.locator(".kx-quiz")
    for i in range(quizzes.count()):
        quiz = quizzes.nth(i)
        assert quiz.evaluate(VISIBLE_FEEDBACK) == []
        _move(page, quiz, "radio")
        feedback = quiz.evaluate(VISIBLE_FEEDBACK)
        assert len(feedback) == 1 and "Source:" in feedback[0]
    assert moved >= 1
    for img in page.locator("img").all():
        alt = img.get_attribute("alt") or ""
        assert len(alt) > 40 and alt.lower() not in ("image", "chart", "figure"), "every image says what it shows"
    OUTPUT.mkdir(exist_ok=True)
    page.screenshot(path=str(OUTPUT / f"site-{name.removesuffix('.html')}.png"))
    assert offline.blocked == [] and offline.errors == []
    page.close()


def test_pages_link_to_each_other_in_reading_order(site):
    for stem in notebooks.NOTEBOOKS[1:-1]:
        html = (site / export.page_name(stem, False)).read_text(encoding="utf-8")
        links = re.findall(r'href="(\d\d_[a-z_]+\.html|index\.html)"', html)
        assert "index.html" in links
        i = notebooks.NOTEBOOKS.index(stem)
        assert export.page_name(notebooks.NOTEBOOKS[i - 1], False) in links
        assert export.page_name(notebooks.NOTEBOOKS[i + 1], False) in links
    assert not list(site.glob("*.ipynb")) and ".ipynb)" not in (site / "index.html").read_text(encoding="utf-8")


def test_site_works_from_a_static_web_server(browser, site):
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(site))
    handler.log_message = lambda *args: None
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    origin = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        page = browser.new_page()
        offline = Offline(page, allowed=(origin,))
        page.goto(f"{origin}/05_rapid_onset.html")
        _wait_for_widgets(page)
        assert page.locator(".kx-explorer").count() >= 1
        assert offline.blocked == [] and offline.errors == []
        page.close()
    finally:
        server.shutdown()


def _expected_slides(stem):
    """The deck's slides: the notebook's slide and subslide cells, after the deck has split its source list over
    several slides and given the help lines a slide of their own (export.deck_cells)."""
    import nbformat

    import ketamine_explainer as kx

    nb = nbformat.read(notebooks.NOTEBOOK_DIR / f"{stem}.ipynb", as_version=4)
    export.deck_cells(nb, kx.load())
    return sum(c["metadata"].get("slideshow", {}).get("slide_type") in ("slide", "subslide") for c in nb.cells)


@pytest.mark.parametrize("name", DECKS)
def test_deck_runs_offline(browser, slides, name):
    page, offline = _open(browser, (slides / name).as_uri(), viewport=(1280, 800))
    page.wait_for_function("window.Reveal && window.Reveal.isReady()", timeout=30_000)
    _wait_for_widgets(page)
    assert page.evaluate("Reveal.getTotalSlides()") == _expected_slides(name.removesuffix(".html"))
    assert page.evaluate("document.documentElement.lang") == "en"
    assert page.locator(".reveal .jp-CodeCell .jp-InputArea").count() == 0, "code is hidden in the slides"
    OUTPUT.mkdir(exist_ok=True)
    page.screenshot(path=str(OUTPUT / f"deck-{name.removesuffix('.html')}-1.png"))
    first = page.evaluate("JSON.stringify(Reveal.getIndices())")
    page.keyboard.press("ArrowRight")
    page.wait_for_timeout(300)
    assert page.evaluate("JSON.stringify(Reveal.getIndices())") != first
    page.screenshot(path=str(OUTPUT / f"deck-{name.removesuffix('.html')}-2.png"))
    if page.locator(".kx-quiz").count():  # questions work in the slides too: go to the first one and answer it
        page.evaluate("() => { const i = Reveal.getIndices(document.querySelector('.kx-quiz').closest('section')); Reveal.slide(i.h, i.v); }")
        page.wait_for_timeout(300)
        quiz = page.locator(".kx-quiz").first
        _move(page, quiz, "radio")
        feedback = quiz.evaluate(VISIBLE_FEEDBACK)
        assert len(feedback) == 1 and "Source:" in feedback[0]
    assert offline.blocked == [] and offline.errors == []
    page.close()


#: What one slide shows, measured in the page: visible words (headings, text, control labels and values; not a
#: question's number and option letters, the speaker notes, alt text or anything hidden), the drawn chart images (the
#: picture inside each image box, which scales the chart to fit), the controls, the notes, and where the slide, its
#: number and the arrows are.
SLIDE = """() => {
  const s = Reveal.getCurrentSlide();
  const visible = el => el.checkVisibility({checkOpacity: true, checkVisibilityCSS: true});
  const box = el => { const r = el.getBoundingClientRect(); return [r.left, r.top, r.right, r.bottom]; };
  const texts = [];
  const walker = document.createTreeWalker(s, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const node = walker.currentNode, el = node.parentElement;
    if (node.textContent.trim() && !el.closest('aside.notes, select, script, style') && visible(el)) texts.push(node.textContent);
  }
  s.querySelectorAll('select').forEach(sel => { if (visible(sel) && sel.selectedIndex >= 0) texts.push(sel.options[sel.selectedIndex].text); });
  const charts = [...s.querySelectorAll('img')].filter(visible).map(i => {
    const r = i.getBoundingClientRect(), k = Math.min(r.width / i.naturalWidth, r.height / i.naturalHeight);
    const w = i.naturalWidth * k, h = i.naturalHeight * k;
    return [r.left + (r.width - w) / 2, r.top + (r.height - h) / 2, r.left + (r.width + w) / 2, r.top + (r.height + h) / 2];
  });
  const controls = [...s.querySelectorAll('.kx-explorer > .widget-inline-hbox, .kx-explorer > .widget-toggle-buttons, .kx-quiz input')]
    .filter(visible).map(box);
  // A question's number and its options' letters are labels, not words to read.
  const counted = texts.join(' ').replace(/\\bQuestion \\d+\\.|(^|\\s)[A-H]\\.(?=\\s)/g, ' ');
  return {words: (counted.match(/[A-Za-z0-9][\\w'’.%-]*/g) || []).length, text: texts.join(' '),
          charts, controls, notes: [...s.querySelectorAll('aside.notes')].map(n => n.textContent).join(' '),
          heading: (s.querySelector('h1, h2, h3') || {textContent: ''}).textContent.replace('¶', '').trim(),
          title: !!s.querySelector('h1'), quote: !!s.querySelector('blockquote'), help: !!s.querySelector('.kx-help'),
          quizzes: s.querySelectorAll('.kx-quiz').length, slides: box(document.querySelector('.reveal .slides')),
          furniture: [...document.querySelectorAll('.reveal .slide-number, .reveal .controls button')].filter(visible).map(box),
          content: (() => { const rs = [...s.querySelectorAll('.jp-RenderedHTMLCommon > *, .jp-OutputArea-output > *')]
                      .filter(e => !e.closest('aside.notes') && visible(e)).map(e => e.getBoundingClientRect()).filter(r => r.height);
                    return rs.length ? [Math.min(...rs.map(r => r.top)), Math.max(...rs.map(r => r.bottom))] : null; })(),
          frame: box(s)};
}"""
MAX_WORDS = 40
#: Anything on the current slide that runs past its edges: the slide's own content taller than the slide (it would
#: need a scroll bar a presenter cannot use), or any visible element outside the slide's box.
SLIDE_OVERFLOW = """() => {
  const s = Reveal.getCurrentSlide(), out = [];
  if (s.scrollHeight > s.clientHeight + 1) out.push(`content ${s.scrollHeight} px tall in a ${s.clientHeight} px slide`);
  const frame = s.getBoundingClientRect();
  for (const el of s.querySelectorAll('*')) {
    if (el.closest('aside.notes, script, style') || !el.checkVisibility({checkVisibilityCSS: true})) continue;
    const r = el.getBoundingClientRect();
    if (!r.width || !r.height) continue;
    if (r.top < frame.top - 1 || r.bottom > frame.bottom + 1 || r.left < frame.left - 1 || r.right > frame.right + 1) {
      out.push(`${el.tagName.toLowerCase()}.${el.className || ''} "${(el.textContent || '').trim().slice(0, 40)}" outside the slide`);
      break;
    }
  }
  // Sources are never shortened, so they must stay readable: at least 18 px as shown (1280x720 included).
  for (const li of s.querySelectorAll('.kx-sources li')) {
    const px = parseFloat(getComputedStyle(li).fontSize) * Reveal.getScale();
    if (px < 18) { out.push(`a source in ${px.toFixed(1)} px type`); break; }
  }
  const number = document.querySelector('.reveal .slide-number a');
  if (number && number.checkVisibility()) {
    const r = number.getBoundingClientRect();
    if (r.width < 24 || r.height < 24) out.push(`the slide number is a ${r.width.toFixed(0)}x${r.height.toFixed(0)} px target`);
  }
  return out;
}"""
HD = (1920, 1080)


def _inside(box, width, height, slack=1):
    return box[0] >= -slack and box[1] >= -slack and box[2] <= width + slack and box[3] <= height + slack


@pytest.mark.parametrize("name", DECKS)
def test_deck_fills_a_16_9_screen_with_one_short_idea_per_slide_and_large_charts(browser, slides, name):
    """At 1920x1080: the slide fills the window; no slide shows more than 40 words (the sources slide and the help
    lines excepted: those are never shortened); a chart slide's chart is at least 65% of the window's height, whole,
    with its controls on screen, and has speaker notes that say what to point at and what to ask; one question per
    slide; the slide number and arrows are inside the window. Each slide is saved as a PNG to look at."""
    width, height = HD
    page, offline = _open(browser, (slides / name).as_uri(), viewport=HD)
    page.wait_for_function("window.Reveal && window.Reveal.isReady()", timeout=30_000)
    _wait_for_widgets(page)
    folder = OUTPUT / "decks-1920x1080"
    folder.mkdir(parents=True, exist_ok=True)
    stem = name.removesuffix(".html")
    shown = []
    for k, index in enumerate(page.evaluate("Reveal.getSlides().map(s => Reveal.getIndices(s))")):
        page.evaluate(f"Reveal.slide({index['h']}, {index.get('v') or 0})")
        page.wait_for_timeout(120)
        slide = page.evaluate(SLIDE)
        where = f"{stem} slide {k + 1} ({slide['heading'] or 'no heading'})"
        page.screenshot(path=str(folder / f"{stem}-{k + 1:02d}.png"))
        shown.append(slide)
        left, top, right, bottom = slide["slides"]
        assert bottom - top >= height - 1 and right - left >= 0.9 * width, f"{where}: the slide does not fill the screen"
        assert all(_inside(b, width, height) for b in slide["furniture"]), f"{where}: slide number or arrows off screen"
        if not slide["heading"].startswith("Sources"):  # help lines too: the essentials on the slide, the rest in the notes
            assert slide["words"] <= MAX_WORDS, f"{where}: {slide['words']} words on screen: {slide['text']}"
        assert slide["quizzes"] <= 1, f"{where}: one question per slide"
        if not slide["charts"] and not slide["quizzes"] and slide["content"] and not slide["title"]:
            above, below = slide["content"][0] - slide["frame"][1], slide["frame"][3] - slide["content"][1]
            assert abs(above - below) <= 0.2 * height, f"{where}: a text slide sits {above:.0f} px from the top, {below:.0f} px from the bottom"
        if slide["charts"]:
            chart = max(slide["charts"], key=lambda b: b[3] - b[1])
            assert chart[3] - chart[1] >= 0.65 * height, f"{where}: the chart is {(chart[3] - chart[1]) / height:.0%} of the height"
            assert all(_inside(b, width, height) for b in slide["charts"]), f"{where}: the chart is cut off"
            assert all(_inside(b, width, height) for b in slide["controls"]), f"{where}: a control is off screen"
            assert re.search(r"\bpoint", slide["notes"], re.I) and re.search(r"\bask", slide["notes"], re.I), \
                f"{where}: a chart slide's notes say what to point at and what to ask"
    # The deck's shape: a title, the article's claim, the evidence, questions, takeaways, sources (and help lines).
    headings = [s["heading"] for s in shown]
    assert shown[0]["title"] and shown[0]["quote"], f"{stem}: starts with a title slide and its educational note"
    assert any(s["heading"].startswith("The article") and s["quote"] for s in shown), f"{stem}: quotes the article's claim"
    assert any(s["charts"] for s in shown), f"{stem}: has at least one chart slide"
    assert "Key takeaways" in headings and headings[-1].startswith("Sources"), headings
    assert all(s["notes"].strip() for s in shown[:1]) and sum(bool(s["notes"].strip()) for s in shown) >= 3, \
        f"{stem}: the deck has speaker notes"
    if any("suicid" in s["text"].lower() or "suicid" in s["notes"].lower() for s in shown):
        assert any(s["help"] for s in shown), f"{stem}: touches on suicide, so it shows the help lines"
    assert offline.blocked == [] and offline.errors == []
    page.close()


def test_speaker_view_opens_offline_and_shows_the_notes(browser, slides):
    """The reveal.js speaker view (key S) opens from the deck folder with no network and shows the slide's notes."""
    context = browser.new_context(viewport={"width": 1280, "height": 720})
    blocked = []
    context.route("**/*", lambda route: route.continue_() if route.request.url.startswith(("file:", "data:", "blob:", "about:"))
                  else (blocked.append(route.request.url), route.abort()))
    page = context.new_page()
    page.goto((slides / "05_rapid_onset.html").as_uri())
    page.wait_for_function("window.Reveal && window.Reveal.isReady()", timeout=30_000)
    page.evaluate("() => { const s = document.querySelector('.kx-explorer').closest('section'); const i = Reveal.getIndices(s); "
                  "Reveal.slide(i.h, i.v); }")
    with page.expect_popup() as popup_info:
        page.keyboard.press("s")
    speaker = popup_info.value
    speaker.wait_for_function("document.querySelector('.speaker-controls-notes') && "
                              "/point at/i.test(document.querySelector('.speaker-controls-notes').textContent)", timeout=30_000)
    assert re.search(r"\bask\b", speaker.locator(".speaker-controls-notes").inner_text(), re.I)
    assert blocked == []
    context.close()


def test_deck_index_lists_every_deck(slides):
    html = (slides / "index.html").read_text(encoding="utf-8")
    assert all(f'href="{deck}"' in html for deck in DECKS)


def test_no_page_or_deck_repeats_an_id(site, slides):
    """Every id in a page or deck is unique (headings of one text, a slide and its notes): links and labels find one
    target, and the page is valid HTML."""
    repeated = {}
    for path in [*(site / page for page in PAGES), *(slides / deck for deck in DECKS)]:
        ids = re.findall(r"""\sid=["']([^"']+)["']""", path.read_text(encoding="utf-8"))
        twice = sorted({i for i in ids if ids.count(i) > 1})
        if twice:
            repeated[path.name] = twice
    assert repeated == {}


EXTERNAL = re.compile(r"""<script[^>]+src=["']https?:|<link[^>]+href=["']https?:|@import\s+(url\()?["']?https?:""", re.I)


def test_no_page_or_deck_loads_anything_from_another_host(site, slides, capsys):
    sizes = []
    for folder in (site, slides):
        for path in sorted(folder.glob("*.html")):
            text = path.read_text(encoding="utf-8")
            assert not EXTERNAL.search(text), f"{path.name} loads from another host: {EXTERNAL.search(text).group(0)}"
            assert "cdn.jsdelivr" not in text and "unpkg.com" not in text and "cdnjs" not in text
            for machine_path in ("/root/", "/home/", "/tmp/", "/work/", str(notebooks.ROOT)):
                assert machine_path not in text, f"{path.name} contains a path of the build machine ({machine_path})"
            assert not re.search(r"\b\w*Warning\b", text), f"{path.name} contains warning text"
            sizes.append((f"{folder.name}/{path.name}", path.stat().st_size))
        for css in folder.glob("vendor/**/*.css"):
            assert not re.search(r"@import\s+(url\()?[\"']?https?:", css.read_text(encoding="utf-8", errors="ignore")), css
    vendor = sum(f.stat().st_size for f in (site / "vendor").rglob("*") if f.is_file())
    total = sum(f.stat().st_size for f in site.rglob("*") if f.is_file())
    with capsys.disabled():
        print("\npage sizes (without the shared vendor/ folder):")
        for name, size in sizes:
            print(f"  {name:45s} {size / 1e6:6.2f} MB")
        print(f"  site vendor/ {vendor / 1e6:.2f} MB; whole site {total / 1e6:.2f} MB")
    assert all(size < 2_000_000 for _, size in sizes), "each page stays under 2 MB"


TITLE_PT = re.compile(r'data-title-pt=\\?"([\d.]+)\\?"')
STATIC_CHART = re.compile(r'<img src="(data:image/png;base64,[^"]+)"[^>]*data-title-pt="([\d.]+)"')


def _ink(src):
    """Share of near-black pixels: text, axes and black lines (talk mode draws about 1.8 to 2 times as many)."""
    from .geometry import decode

    return (decode(src)[..., :3].max(axis=-1) < 90).mean()


def test_slides_are_drawn_in_talk_mode_and_the_site_is_not(site, slides):
    """Every chart in every deck, frames included, is drawn with larger type than the same chart on the site, and
    the image itself shows it: the deck's copy of each static chart carries much more black ink (larger type)."""
    for stem in notebooks.NOTEBOOKS:
        page = (site / export.page_name(stem, False)).read_text(encoding="utf-8")
        deck = (slides / export.page_name(stem, True)).read_text(encoding="utf-8")
        page_sizes, deck_sizes = {float(s) for s in TITLE_PT.findall(page)}, {float(s) for s in TITLE_PT.findall(deck)}
        assert page_sizes and deck_sizes, f"{stem}: charts carry their type size"
        assert max(page_sizes) < min(deck_sizes) / 1.25, f"{stem}: deck type {sorted(deck_sizes)}, site type {sorted(page_sizes)}"
        static_page, static_deck = STATIC_CHART.findall(page), STATIC_CHART.findall(deck)
        assert len(static_page) == len(static_deck)
        for (page_src, _), (deck_src, _) in zip(static_page, static_deck):
            assert _ink(deck_src) > 1.4 * _ink(page_src), f"{stem}: a chart in the deck is not drawn in talk mode"


#: Site pages at a desktop, the first width with wide charts (900 px), a tablet held upright (768 px), a phone (390 px)
#: and WCAG 2.2's reflow width (320 px); decks at 1080p and 720p.
SITE_WIDTHS = (1280, 900, 768, 390, 320)
DECK_SIZES = ((1920, 1080), (1280, 720))
SITE_PAGES = [*PAGES, "answer-key.html"]


@pytest.mark.parametrize("width", SITE_WIDTHS)
@pytest.mark.parametrize("name", SITE_PAGES)
def test_page_fits_the_screen_and_axe_finds_no_wcag_violation(browser, site, name, width):
    """What a reader sees: no sideways scrolling, every control inside the viewport with its text whole, stacked layers
    aligned to the pixel, images neither clipped nor distorted; and axe-core reports no WCAG 2.0/2.1/2.2 A or AA violation."""
    page, offline = _open(browser, (site / name).as_uri(), viewport=(width, 900))
    _wait_for_widgets(page)
    page.wait_for_timeout(200)
    assert geometry_problems(page) == [], f"{name} at {width} px"
    assert axe_violations(page) == [], f"{name} at {width} px"
    if width < 600:  # tables reflow into cards: every line shown names its column and says something after it
        shown = page.evaluate("""() => [...document.querySelectorAll('.kx-table td')]
            .filter(td => td.getClientRects().length).map(td => td.textContent.trim())""")
        assert "" not in shown, f"{name} at {width} px: a table line with a label and nothing after it"
    overlaps = page.evaluate("""() => [...document.querySelectorAll('.kx-glossary dt')].filter(dt => {
        const words = document.createRange(); words.selectNodeContents(dt);  // the term's text, which may overflow its box
        const a = words.getBoundingClientRect(), b = dt.nextElementSibling.getBoundingClientRect();
        return a.right > b.left + 1 && a.left < b.right - 1 && a.bottom > b.top + 1 && a.top < b.bottom - 1; })
        .map(dt => dt.textContent)""")
    assert overlaps == [], f"{name} at {width} px: glossary terms run into their definitions: {overlaps}"
    if width < 900:  # on a phone or tablet each control's label sits above it, and a slider's track nearly spans the page
        for slider in page.locator(".kx-explorer .widget-slider").all():
            label, track = (slider.locator(s).first.bounding_box() for s in (".widget-label", ".slider-container"))
            assert label["y"] + label["height"] <= track["y"] + 1 and track["width"] >= width * 0.75
    assert offline.blocked == [] and offline.errors == []
    page.close()


WORDS = re.compile(r"\d+(\.\d+)? (minute|hour|day|week)s?$|^\d{4}$|^\d+\. |^\d+ (step|weeks)")


@pytest.mark.parametrize("name", ["05_rapid_onset.html", "02_conventional_treatment.html"])
def test_screen_reader_hears_values_in_words_pressed_toggles_and_one_announcement(browser, site, name):
    page, _ = _open(browser, (site / name).as_uri())
    _wait_for_widgets(page)
    explorer = page.locator(".kx-explorer").filter(has=page.locator(".widget-slider")).first
    handle = explorer.locator(".noUi-handle").first
    readout = explorer.locator(".widget-slider .widget-readout").first
    page.wait_for_function("h => h.getAttribute('aria-valuetext')", arg=handle.element_handle())
    assert handle.get_attribute("aria-valuetext") == readout.inner_text().strip()
    assert WORDS.search(handle.get_attribute("aria-valuetext")), handle.get_attribute("aria-valuetext")
    label = page.locator(f"#{handle.get_attribute('aria-labelledby')}")
    assert label.inner_text().strip() == explorer.locator(".widget-slider .widget-label").first.inner_text().strip()
    live = explorer.locator(".kx-live")
    assert live.get_attribute("aria-live") == "polite" and live.inner_text() == "", "nothing is announced on load"
    _move(page, explorer.locator(".widget-slider").first, "slider")
    page.wait_for_timeout(400)
    value = handle.get_attribute("aria-valuetext")
    assert value == readout.inner_text().strip()
    announced = live.text_content()
    setting = f"{label.inner_text().strip()}: {value}."
    assert announced.startswith(setting) and announced.count(setting) == 1, announced
    assert len(announced) < 600, "the change is announced, not the whole chart again"
    toggles = page.locator(".kx-explorer .widget-toggle-buttons")
    if toggles.count():
        buttons = toggles.first.locator("button")
        pressed = [b.get_attribute("aria-pressed") for b in buttons.all()]
        assert pressed.count("true") == 1 and set(pressed) == {"true", "false"}
        _move(page, toggles.first, "toggle")
        assert [b.get_attribute("aria-pressed") for b in buttons.all()] != pressed
    # Focus is clearly visible: a 3 px outline on the focused slider handle.
    handle.focus()
    page.keyboard.press("ArrowLeft")
    assert handle.evaluate("h => parseFloat(getComputedStyle(h).outlineWidth)") >= 3
    page.close()


@pytest.mark.parametrize("size", DECK_SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
@pytest.mark.parametrize("name", DECKS)
def test_every_slide_fits_and_axe_finds_no_wcag_violation(browser, slides, name, size):
    """Each slide of each deck, moved to by Page Down as a clicker does: nothing outside the slide, controls inside the
    window, images not clipped, sources in type of at least 18 px, a slide number of at least 24 px; no id repeated in
    the deck; axe-core on every slide (at 1920x1080) finds no WCAG 2.0/2.1/2.2 A or AA violation."""
    page, offline = _open(browser, (slides / name).as_uri(), viewport=size)
    page.wait_for_function("window.Reveal && window.Reveal.isReady()", timeout=30_000)
    _wait_for_widgets(page)
    problems = []
    total = page.evaluate("Reveal.getTotalSlides()")
    page.locator(".reveal").click(position={"x": 5, "y": 5})
    for index in range(total):
        if index:  # forward as a presenter's clicker does (it sends Page Down), never by script
            before = page.evaluate("Reveal.getSlidePastCount()")
            page.keyboard.press("PageDown")
            page.wait_for_function(f"Reveal.getSlidePastCount() > {before}", timeout=5_000)
        page.wait_for_timeout(120)
        problems += [f"slide {index + 1}: {p}" for p in geometry_problems(page)]
        problems += [f"slide {index + 1}: {p}" for p in page.evaluate(SLIDE_OVERFLOW)]
        if size == DECK_SIZES[0]:
            problems += [f"slide {index + 1}: {v}" for v in axe_violations(page, ".reveal .slides > section.present")]
    assert page.evaluate("Reveal.isLastSlide()"), f"{name}: Page Down reaches the last slide"
    ids = page.evaluate("[...document.querySelectorAll('[id]')].map(e => e.id)")
    assert sorted({i for i in ids if ids.count(i) > 1}) == [], f"{name}: an id is repeated (a slide and its notes?)"
    assert problems == [], f"{name} at {size}"
    assert offline.blocked == [] and offline.errors == []
    page.close()
