"""Hostile data in Chromium: markup, script, quotes and a javascript: URL in every text column show as text, run nothing.

The data is a copy of data/ with the payloads appended to every non-empty text cell of every table; the build
executes the notebooks against it (KETAMINE_EXPLAINER_DATA), since data reaches the pages only through execution.
"""

import csv
import shutil
from dataclasses import fields

import pytest

from ketamine_explainer import data as kxdata
from ketamine_explainer import export, notebooks

from .browser import VISIBLE_FEEDBACK, Offline

pytestmark = pytest.mark.browser
PAYLOADS = ("<img src=x onerror=alert(1)>", "</script><script>alert(2)</script>", "\"q1\" 'q2' `q3`", "javascript:alert(3)")
SUFFIX = " " + " ".join(PAYLOADS)
# Two builds cover every table: the tables and lists of 04/05/07, the charts and alt text of 01/03/06.
BUILDS = {"tables": ("04_how_it_works", "05_rapid_onset", "07_summary"), "charts": ("01_depression", "03_new_era", "06_safety")}


def hostile_copy(target):
    """data/ with every non-empty text cell ending in the payloads; returns {file: [text columns]}."""
    shutil.copytree(kxdata.PROJECT_DATA, target)
    # Values the charts look up by name stay as they are (the loader requires them); the other rows carry the payloads.
    keys = {(kxdata.TABLES[table.removesuffix("_totals")].FILE, column): {key[i] for key in values}
            for table, (columns, values) in kxdata.REQUIRED_ROWS.items() for i, column in enumerate(columns)}
    touched = {}
    for cls in (kxdata.Source, *kxdata.TABLES.values()):
        if cls is kxdata.Claim:  # the claims ledger is checked by tests and never reaches a page
            continue
        columns = [f.name for f in fields(cls) if f.metadata["kind"] == "text" and f.name not in ("doi", "pmid", "url")]
        path = target / cls.FILE
        with open(path, encoding="utf-8", newline="") as handle:
            rows = list(csv.DictReader(handle))
        for row in rows:
            for column in columns:
                if row[column] and row[column] not in keys.get((cls.FILE, column), ()):
                    row[column] += SUFFIX
        with open(path, "w", encoding="utf-8", newline="") as handle:
            writer = csv.DictWriter(handle, fieldnames=list(rows[0]), lineterminator="\n")
            writer.writeheader()
            writer.writerows(rows)
        touched[cls.FILE] = columns
    return touched


@pytest.fixture(scope="module", params=list(BUILDS))
def hostile_site(request, tmp_path_factory):
    folder = tmp_path_factory.mktemp("hostile")
    hostile_copy(folder / "data")
    loaded = kxdata.load(folder / "data")
    assert loaded.treatments[0].label.endswith(SUFFIX), "the hostile copy loads: payloads are text, not errors"
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("KETAMINE_EXPLAINER_DATA", str(folder / "data"))
        site = export.build(folder / "site", execute=True, paths=[notebooks.NOTEBOOK_DIR / f"{stem}.ipynb" for stem in BUILDS[request.param]])
    return request.param, site


def test_hostile_text_shows_as_text_and_runs_nothing(browser, hostile_site):
    build, site = hostile_site
    for stem in BUILDS[build]:
        page = browser.new_page(viewport={"width": 1200, "height": 900})
        dialogs = []

        def record(dialog, dialogs=dialogs):
            dialogs.append(dialog.message)
            dialog.dismiss()

        page.on("dialog", record)
        offline = Offline(page)
        page.goto((site / export.page_name(stem, slides=False)).as_uri())
        page.wait_for_load_state("load")
        page.wait_for_selector(".kx-explorer img", state="attached", timeout=30_000)
        page.wait_for_timeout(300)
        for i in range(page.locator(".kx-quiz").count()):  # show every feedback: quiz text from data
            quiz = page.locator(".kx-quiz").nth(i)
            quiz.locator("input[type=radio]").first.check()
            assert SUFFIX.strip() in quiz.evaluate(VISIBLE_FEEDBACK)[0]
        slider = page.locator(".widget-slider .noUi-handle").first
        if slider.count():
            slider.focus()
            page.keyboard.press("Home")
            page.wait_for_timeout(200)
        text = page.inner_text("body")
        assert dialogs == [], f"{stem}: a dialog opened: {dialogs}"
        for payload in PAYLOADS:
            assert payload in text, f"{stem}: {payload!r} is not shown as text"
        injected = page.evaluate("""() => ({
            images: document.querySelectorAll('img[src="x"], img[onerror]').length,
            scripts: [...document.scripts].filter(s => (!s.type || /javascript/.test(s.type)) && s.text.includes('alert(')).length,
            links: document.querySelectorAll('a[href^="javascript:" i], [onerror], [onclick]').length,
            alts: [...document.querySelectorAll('.kx-explorer img')].filter(i => i.alt.includes('<img src=x')).length,
        })""")
        assert injected["images"] == injected["scripts"] == injected["links"] == 0, (stem, injected)
        if build == "charts" or stem != "04_how_it_works":
            assert injected["alts"] >= 1, f"{stem}: the data's text reaches the alt text, as text"
        assert offline.blocked == [] and offline.errors == [], (stem, offline.blocked, offline.errors)
        page.close()
