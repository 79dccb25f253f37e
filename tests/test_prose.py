"""Words a lay reader knows: each notebook's prose reads at grade 9 or lower (Flesch-Kincaid, by textstat), no sentence
runs over 35 words, and every glossary term is explained where it first appears in each notebook."""

import importlib.resources
import io
import re
import sys
import types
from pathlib import Path

import nbformat
import pytest

from ketamine_explainer import generate, notebooks

MAX_GRADE = 9.0
MAX_WORDS = 35
CITATION = re.compile(r"\s*\(\[[^\]]+\]\(#src-[^)]+\)(?:; \[[^\]]+\]\(#src-[^)]+\))*\)|\[([^\]]+)\]\(#src-[^)]+\)")
LINK = re.compile(r"\[([^\]]+)\]\([^)]+\)")


def textstat():
    """textstat 0.7.4 (the last release that works offline) reads its word list through pkg_resources, which the
    pinned setuptools no longer ships: the same file is given to it through importlib.resources."""
    if "pkg_resources" not in sys.modules:
        try:
            import pkg_resources  # noqa: F401
        except ImportError:
            shim = types.ModuleType("pkg_resources")
            shim.resource_stream = lambda package, path: io.BytesIO(importlib.resources.files(package).joinpath(path).read_bytes())
            sys.modules["pkg_resources"] = shim
    import textstat as module

    module.set_lang("en")
    return module


def prose_lines(nb) -> list[str]:
    """A notebook's prose as a reader reads it, a sentence-like line per paragraph, list item, table row or heading;
    citations (a source's name and year in brackets) and link targets left out."""
    lines = []
    for cell in generate.prose_cells(nb):
        text = CITATION.sub(lambda m: "" if m.group(0).lstrip().startswith("(") else m.group(1), cell.source)
        text = LINK.sub(r"\1", text)
        for line in text.split("\n"):
            line = re.sub(r"[*_`>#]|^\s*[-\d.]+\s", " ", line).strip(" |")
            line = re.sub(r"\s*\|\s*", ", ", line).strip()
            if not line or set(line) <= set("-:, "):
                continue
            lines.append(line if line[-1] in ".!?:;" else line + ".")
    return lines


def sentences(lines: list[str]) -> list[str]:
    return [s for line in lines for s in re.split(r"(?<=[.!?])\s+(?=[A-Z\"'(])", line) if s.strip()]


PATHS = notebooks.notebook_paths()


@pytest.mark.parametrize("path", PATHS, ids=[p.stem for p in PATHS])
def test_each_notebook_reads_at_grade_nine_or_lower_in_sentences_of_at_most_35_words(path):
    lines = prose_lines(nbformat.read(path, as_version=4))
    grade = textstat().flesch_kincaid_grade(" ".join(lines))
    assert grade <= MAX_GRADE, f"{path.stem}: Flesch-Kincaid grade {grade:.1f}, above {MAX_GRADE:g}"
    long = [s for s in sentences(lines) if len(s.split()) > MAX_WORDS]
    assert not long, f"{path.stem}: sentences over {MAX_WORDS} words: " + " || ".join(s[:120] for s in long)


@pytest.mark.parametrize("path", PATHS, ids=[p.stem for p in PATHS])
def test_every_glossary_term_is_explained_where_it_first_appears_in_each_notebook(path, data):
    nb = nbformat.read(path, as_version=4)
    missing = []
    for term in data.glossary:
        first = next((c for c in generate.prose_cells(nb) if generate.term_pattern(term).search(c.source)), None)
        if first is not None and term.short.lower() not in first.source.lower():
            missing.append(f"'{term.term}' first appears without '{term.short}': {first.source[:80]!r}")
    assert not missing, f"{path.stem}:\n" + "\n".join(missing)


def test_the_glossary_is_in_the_summary_and_every_deck_lists_its_words_in_the_notes(data):
    summary = nbformat.read(notebooks.NOTEBOOK_DIR / "07_summary.ipynb", as_version=4)
    assert any(c.cell_type == "code" and c.source.strip() == "kx.glossary(data)" for c in summary.cells)
    for path in PATHS:
        nb = nbformat.read(path, as_version=4)
        used = generate.terms_used(nb, data)
        notes = [c for c in nb.cells if generate.GLOSSARY_TAG in c.metadata.get("tags", [])]
        if used:
            assert len(notes) == 1 and notes[0].metadata["slideshow"]["slide_type"] == "notes", path.stem
            assert all(f"**{t.term}**: {t.short}." in notes[0].source for t in used), path.stem


def test_the_prose_measure_counts_what_a_reader_reads():
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell(
        "## A heading\n\nOne sentence here ([Han 2016](#src-han2016)). Another one.\n\n- a list item\n\n| a | b |\n|---|---|\n| c | d |")])
    assert prose_lines(nb) == [" A heading.", "One sentence here. Another one.", "a list item.", "a, b.", "c, d."] or \
        [line.strip() for line in prose_lines(nb)] == ["A heading.", "One sentence here. Another one.", "a list item.", "a, b.",
                                                        "c, d."]
    assert Path(textstat().__file__).parent.name == "textstat"
