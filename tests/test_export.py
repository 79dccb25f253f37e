"""The exporter without a browser: links, speaker notes, the npm fallback."""

import re

from ketamine_explainer import export, notebooks

START = notebooks.NOTEBOOK_DIR / "00_start_here.ipynb"
CENTRAL = notebooks.NOTEBOOK_DIR / "05_rapid_onset.ipynb"


def test_page_names_make_the_start_page_the_index():
    assert export.page_name("00_start_here", slides=False) == "index.html"
    assert export.page_name("00_start_here", slides=True) == "00_start_here.html"
    assert export.page_name("05_rapid_onset", slides=False) == "05_rapid_onset.html"


def test_site_links_pages_hides_code_and_drops_speaker_notes(tmp_path):
    out = export.build(tmp_path / "site", execute=False, paths=[START, CENTRAL])
    central = (out / "05_rapid_onset.html").read_text(encoding="utf-8")
    assert 'href="index.html"' in central and 'href="06_safety.html"' in central
    assert "Speaker note" not in central
    assert "kx.sections.onset_explorer" not in central, "code is hidden"
    assert 'src="vendor/require.js"' in central and (out / "vendor" / "html-manager" / "embed-amd.js").exists()
    assert not (out / "vendor" / "reveal.js").exists(), "the site does not carry the slides' files"


def test_slides_keep_speaker_notes(tmp_path):
    out = export.build(tmp_path / "slides", slides=True, execute=False, paths=[CENTRAL])
    deck = (out / "05_rapid_onset.html").read_text(encoding="utf-8")
    assert "Speaker note" in deck and 'class="notes"' in deck
    assert "vendor/reveal.js/dist/reveal.js" in deck and (out / "vendor" / "reveal.js" / "dist" / "reveal.js").exists()


def test_without_npm_the_build_says_so_and_falls_back_to_cdn_links(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(export.shutil, "which", lambda name: None)
    out = export.build(tmp_path / "site", execute=False, paths=[START])
    assert "npm was not found" in capsys.readouterr().err
    page = (out / "index.html").read_text(encoding="utf-8")
    assert re.search(r'<script src="https://', page) and not (out / "vendor").exists()


def test_decks_show_the_short_slide_text_and_carry_the_prose_as_speaker_notes(tmp_path):
    deck = (export.build(tmp_path / "slides", slides=True, execute=False, paths=[CENTRAL]) / "05_rapid_onset.html").read_text(
        encoding="utf-8")
    page = (export.build(tmp_path / "site", execute=False, paths=[CENTRAL]) / "05_rapid_onset.html").read_text(encoding="utf-8")
    notes = " ".join(re.findall(r'<aside class="notes">(.*?)</aside>', deck, re.S))
    assert "Broadly right, but:" in deck and "Broadly right, but:" not in page, "the slide text is for the deck only"
    assert "three corrections" in notes and "three corrections" in page, "the full prose: notes in the deck, text on the site"
    slides_text = re.sub(r'<aside class="notes">.*?</aside>', "", deck, flags=re.S)
    assert "three corrections" not in slides_text, "the prose is not on the slide itself"
    assert "Every measured point, with its source" in page and "Every measured point, with its source" not in deck, \
        "long tables stay on the site and in the handout"
