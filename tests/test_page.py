"""One self-contained page: `python -m ketamine_explainer page`, a learner's changed notebook, and plain nbconvert's note."""

import re
import shutil

import nbformat
import pytest

from ketamine_explainer import export, notebooks, page
from ketamine_explainer.__main__ import main

from .browser import VISIBLE_FEEDBACK, VISIBLE_FRAMES
from .test_browser import CONTROL_KINDS, _move, _wait_for_widgets

CENTRAL = notebooks.NOTEBOOK_DIR / "05_rapid_onset.ipynb"
SUMMARY = notebooks.NOTEBOOK_DIR / "07_summary.ipynb"
STARD = notebooks.NOTEBOOK_DIR / "02_conventional_treatment.ipynb"
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
#: Anything that would load from outside the file: a script, style sheet, image or font given by address.
REFERENCE = re.compile(r"""<(script|img|iframe)[^>]+src=["'](?!data:)|<link[^>]+href=["'](?!data:)|@import"""
                       r"""|url\(["']?(?!data:)[^)"']+\.(woff2?|ttf|eot|otf)""", re.I)


@pytest.fixture(scope="module")
def pages(tmp_path_factory):
    """The central notebook and the whole explainer, each written by the command line into a folder of its own."""
    written = {}
    for name, args in (("05", [str(CENTRAL)]), ("all", ["--all"])):
        folder = tmp_path_factory.mktemp(f"page-{name}")
        assert main(["page", *args, "--out", str(folder / f"{name}.html")]) == 0
        written[name] = folder / f"{name}.html"
    return written


def _widget_outputs(nb) -> int:
    return sum(WIDGET_VIEW in o.get("data", {}) for c in nb.cells if c.cell_type == "code" for o in c.outputs)


class Strict:
    """Aborts and records every request except for the page itself; records page errors and console errors."""

    def __init__(self, page_, url: str, serve: dict[str, str] | None = None):
        self.blocked: list[str] = []
        self.errors: list[str] = []
        serve = serve or {}

        def route(route):
            request_url = route.request.url
            if request_url == url or request_url.startswith(("data:", "blob:")):
                route.continue_()
            elif any(re.search(pattern, request_url) for pattern in serve):
                route.fulfill(path=next(path for pattern, path in serve.items() if re.search(pattern, request_url)))
            else:
                self.blocked.append(request_url)
                route.abort()

        page_.route("**/*", route)
        page_.on("pageerror", lambda error: self.errors.append(str(error)))
        page_.on("console", lambda message: message.type == "error" and self.errors.append(message.text))


def _every_control_and_question_works(page_) -> int:
    moved = 0
    explorers = page_.locator(".kx-explorer")
    for i in range(explorers.count()):
        explorer = explorers.nth(i)
        explorer.scroll_into_view_if_needed()
        for selector, kind in CONTROL_KINDS.items():
            controls = explorer.locator(selector)
            for j in range(controls.count()):
                before = explorer.evaluate(VISIBLE_FRAMES)
                _move(page_, controls.nth(j), kind)
                after = explorer.evaluate(VISIBLE_FRAMES)
                assert len(after) == len(before) >= 1 and after != before, f"{kind} control {j} of chart {i} did not change the chart"
                moved += 1
    quizzes = page_.locator(".kx-quiz")
    for i in range(quizzes.count()):
        quiz = quizzes.nth(i)
        quiz.scroll_into_view_if_needed()
        _move(page_, quiz, "radio")
        feedback = quiz.evaluate(VISIBLE_FEEDBACK)
        assert len(feedback) == 1 and "Source:" in feedback[0]
    return moved


def test_page_command_writes_one_file_that_loads_nothing_from_elsewhere(pages, capsys):
    for name, path in pages.items():
        assert sorted(p.name for p in path.parent.iterdir()) == [path.name], "one file, nothing beside it, no temporary files"
        text = path.read_text(encoding="utf-8")
        # Two inline scripts: the widget renderer (once) and the explainer's accessibility script (site/a11y.js).
        assert len(re.findall(r"^<script>$", text, re.M)) == 2, "the widget renderer is inlined once, beside the a11y script"
        assert text.count("Accessibility of the explainer's controls") == 1
        # The page around the inlined renderer (whose bundled CSS names icon fonts the controls never use: the browser
        # tests show that nothing is requested) references nothing by address.
        page_text = re.sub(r"^<script>$.*?</script>", "", text, flags=re.S | re.M)
        assert not REFERENCE.search(page_text), f"{name}: {REFERENCE.search(page_text).group(0)}"
        assert not re.search(r"cdn\.jsdelivr|unpkg\.com|cdnjs|https?://[^\s\"'<>]+\.(js|css)\b", page_text)
        assert "Speaker note" not in text and ".ipynb" not in text, "no speaker notes, no links to notebooks"
        for machine_path in ("/root/", "/home/", "/tmp/", "/work/", str(notebooks.ROOT)):
            assert machine_path not in page_text, f"{name} contains a path of the build machine ({machine_path})"
    whole = pages["all"].read_text(encoding="utf-8")
    assert all(f'id="{stem}"' in whole and f'href="#{stem}"' in whole for stem in notebooks.NOTEBOOKS[1:]), "sections link to each other"
    sizes = {name: path.stat().st_size for name, path in pages.items()}
    with capsys.disabled():
        print(f"\nself-contained pages: 05_rapid_onset {sizes['05'] / 1e6:.2f} MB, whole explainer {sizes['all'] / 1e6:.2f} MB")
    assert sizes["05"] < 4_000_000 and sizes["all"] < 8_000_000


def test_page_command_prints_the_size_and_never_replaces_what_it_did_not_write(tmp_path, capsys):
    out = tmp_path / "start.html"
    assert main(["page", "00", "--out", str(out)]) == 0
    assert re.search(r"wrote .*start\.html \(\d+\.\d\d MB", capsys.readouterr().out)
    assert main(["page", "00", "--out", str(out)]) == 0, "a page this command wrote is replaced"
    foreign = tmp_path / "notes.html"
    foreign.write_text("<p>a teacher's own page</p>", encoding="utf-8")
    with pytest.raises(SystemExit, match="not written by this command"):
        main(["page", "00", "--out", str(foreign)])
    assert foreign.read_text(encoding="utf-8") == "<p>a teacher's own page</p>"
    (tmp_path / "folder.html").mkdir()
    with pytest.raises(SystemExit, match="is a folder"):
        main(["page", "00", "--out", str(tmp_path / "folder.html")])
    assert (tmp_path / "folder.html").is_dir()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["folder.html", "notes.html", "start.html"], "no temporary files left"


@pytest.mark.browser
@pytest.mark.parametrize("name", ["05", "all"])
def test_page_works_from_file_with_no_network_every_control_and_question(browser, pages, name):
    url = pages[name].as_uri()
    tab = browser.new_page(viewport={"width": 1200, "height": 900})
    strict = Strict(tab, url)
    tab.goto(url)
    _wait_for_widgets(tab)
    expected = sum(_widget_outputs(nbformat.read(p, as_version=4)) for p in ([CENTRAL] if name == "05" else notebooks.notebook_paths()))
    assert tab.locator(".kx-explorer").count() + tab.locator(".kx-quiz").count() == expected, "every chart and question renders"
    assert _every_control_and_question_works(tab) >= (3 if name == "05" else 10)
    assert tab.evaluate("[...document.querySelectorAll('.kx-widget-note')].filter(n => n.offsetParent !== null).length") == 0
    assert strict.blocked == [] and strict.errors == []
    tab.close()


LEARNER_EDIT = ("kx.explore(kx.charts.plot_stard, data, steps=[1, 2, 3, 4], weeks_per_step=[8, 12, 14])",
                "kx.explore(kx.charts.plot_stard, data, steps=[1, 2, 3, 4], weeks_per_step=[8, 12, 14, 20])")


@pytest.mark.browser
def test_a_learners_changed_notebook_exports_with_the_change(browser, tmp_path):
    """A learner adds an option (20 weeks per step) to a control in a code cell and re-runs the notebook: the page has it, and it works."""
    copy = tmp_path / "work" / "my_stard.ipynb"
    copy.parent.mkdir()
    shutil.copy(STARD, copy)
    nb = nbformat.read(copy, as_version=4)
    cells = [c for c in nb.cells if c.cell_type == "code" and c.source.strip() == LEARNER_EDIT[0]]
    assert len(cells) == 1, f"02_conventional_treatment no longer has the cell {LEARNER_EDIT[0]!r}"
    cells[0].source = LEARNER_EDIT[1]
    nbformat.write(nb, copy)
    nbformat.write(notebooks.execute(copy), copy)  # as JupyterLab's Run All and Save would (widget state stored)
    out = tmp_path / "shared" / "my_stard.html"
    assert main(["page", str(copy), "--out", str(out)]) == 0
    text = out.read_text(encoding="utf-8")
    assert "20 weeks" in text and "80 weeks in all" in text, "the new option and its frame are in the page"
    tab = browser.new_page(viewport={"width": 1200, "height": 900})
    strict = Strict(tab, out.as_uri())
    tab.goto(out.as_uri())
    _wait_for_widgets(tab)
    explorer = tab.locator(".kx-explorer").filter(has_text="20 weeks")
    explorer.scroll_into_view_if_needed()
    explorer.get_by_role("button", name="20 weeks").click()
    tab.wait_for_timeout(150)
    frames = explorer.evaluate(VISIBLE_FRAMES)
    assert len(frames) == 1 and "4 sequential step(s) of 20 weeks each, 80 weeks in all" in frames[0]
    assert strict.blocked == [] and strict.errors == []
    tab.close()


@pytest.fixture(scope="module")
def plain_page(tmp_path_factory):
    """nbconvert's own HTML export of the central notebook, without the project's configuration."""
    from nbconvert import HTMLExporter

    body, _ = HTMLExporter().from_notebook_node(nbformat.read(CENTRAL, as_version=4))
    path = tmp_path_factory.mktemp("plain") / "05_rapid_onset.html"
    path.write_text(body, encoding="utf-8")
    return path


@pytest.mark.browser
def test_plain_nbconvert_offline_shows_a_note_for_each_interactive_chart_and_question(browser, plain_page):
    tab = browser.new_page(viewport={"width": 1200, "height": 900})
    strict = Strict(tab, plain_page.as_uri())
    tab.goto(plain_page.as_uri())
    tab.wait_for_load_state("load")
    tab.wait_for_timeout(500)
    notes = tab.evaluate("[...document.querySelectorAll('.kx-widget-note')].filter(n => n.offsetParent !== null).map(n => n.innerText)")
    assert len(notes) == _widget_outputs(nbformat.read(CENTRAL, as_version=4)), "a visible note where each widget would be"
    assert all("needs the explainer's export" in n and "ketamine_explainer page" in n for n in notes)
    assert "How fast do depression treatments work?" in notes[0], "the note says which chart it stands for"
    assert any("unpkg.com" in url or "cdnjs" in url for url in strict.blocked), "plain nbconvert loads the widget library from CDNs"
    tab.close()


@pytest.mark.browser
def test_plain_nbconvert_online_hides_the_notes_once_the_widgets_render(browser, plain_page):
    """Online (the CDN answered here by the same pinned npm files), the widgets render and no note is visible."""
    modules = export.npm_packages()
    if modules is None:
        pytest.skip("npm is needed for the pinned widget files")
    tab = browser.new_page(viewport={"width": 1200, "height": 900})
    strict = Strict(tab, plain_page.as_uri(), serve={
        r"/require(\.min)?\.js$": str(modules / "requirejs" / "require.js"),
        r"@jupyter-widgets/html-manager@[^/]*/dist/embed-amd\.js$": str(modules / "@jupyter-widgets/html-manager/dist/embed-amd.js"),
    })
    tab.goto(plain_page.as_uri())
    _wait_for_widgets(tab)
    tab.wait_for_function("document.querySelectorAll('.kx-quiz').length >= 3", timeout=30_000)
    assert tab.locator(".kx-widget-note").count() == _widget_outputs(nbformat.read(CENTRAL, as_version=4))
    assert tab.evaluate("[...document.querySelectorAll('.kx-widget-note')].filter(n => n.offsetParent !== null).length") == 0
    assert not [e for e in strict.errors if "Failed to load resource" not in e], "only MathJax and the like, not answered here, fail"
    tab.close()


def test_jupyter_config_gives_nbconvert_the_page_template(tmp_path, monkeypatch):
    """`jupyter nbconvert` reads jupyter_config/ (on JUPYTER_CONFIG_PATH): its HTML exporter writes the self-contained page."""
    from nbconvert.nbconvertapp import NbConvertApp

    monkeypatch.setenv("JUPYTER_CONFIG_DIR", str(tmp_path / "user-config"))
    monkeypatch.setenv("JUPYTER_CONFIG_PATH", str(notebooks.ROOT / "jupyter_config"))
    app = NbConvertApp()
    app.initialize(["--to", "html", "--output-dir", str(tmp_path), str(SUMMARY)])
    app.start()
    text = (tmp_path / "07_summary.html").read_text(encoding="utf-8")
    assert f'content="{page.GENERATOR}"' in text and "Automatic publicPath" not in text
    assert not re.search(r"<script[^>]+src=", text), "no script is loaded from elsewhere"
    assert "plot_timing" in text, "JupyterLab's and nbconvert's export keep the code, as they do by default"


def test_sanitized_export_keeps_the_chart_images(tmp_path):
    """JupyterLab's export sanitizes HTML output by default, which drops every <img>: chart images (inert PNGs) stay."""
    from nbconvert import HTMLExporter
    from traitlets.config import Config

    config = Config()
    page.configure(config)
    config.HTMLExporter.sanitize_html = True
    nb = nbformat.read(CENTRAL, as_version=4)
    charts = sum(bool(page.CHART_IMAGE.fullmatch(str(o.get("data", {}).get("text/html", "")).strip()))
                 for c in nb.cells if c.cell_type == "code" for o in c.outputs)
    body, _ = HTMLExporter(config=config).from_notebook_node(nb)
    outside_widgets = re.sub(r'<script type="application/vnd.jupyter.widget-state\+json">.*?</script>', "", body, flags=re.S)
    images = re.findall(r'<img alt="([^"]+)"(?: data-[a-z-]+="[^"]*")* src="data:image/png;base64,', outside_widgets)
    assert charts >= 1 and len(images) == charts and all(len(alt) > 40 for alt in images)
    assert "<style>.jp-OutputArea:has" not in body, "the rest of the HTML output is still sanitized"
