"""The claims ledger: every number in prose and quiz feedback is in data/claims.csv, and the ledger agrees with the data.

A changed figure in a notebook's markdown, in a quiz's feedback or in a data row the prose restates fails here.
"""

import json
import re
import shutil

import pytest

import ketamine_explainer as kx
from ketamine_explainer import claims, notebooks

PATHS = notebooks.notebook_paths()


def test_every_number_in_prose_and_quiz_feedback_is_in_the_ledger(data):
    missing = [p for p in claims.check(data, PATHS) if "is not in data/claims.csv" in p]
    assert not missing, "\n".join(missing)


def test_ledger_values_equal_the_data_they_restate_or_derive_from(data):
    problems = [p for claim in data.claims for p in claims.value_problems(data, claim)]
    assert not problems, "\n".join(problems)


def test_every_ledger_row_is_still_used_by_its_notebook(data):
    seen = {}
    for notebook, texts in claims.texts_by_notebook(data, PATHS).items():
        seen[notebook] = {float(n) for _, text in texts for n in claims.numbers_in_text(text)}
    stale = [f"{c.id} ({c.notebook}): {c.value}" for c in data.claims if not set(c.numbers) <= seen.get(c.notebook, set())]
    assert not stale, "ledger rows no notebook shows any more:\n" + "\n".join(stale)


def test_every_claim_says_where_it_comes_from(data):
    for claim in data.claims:
        assert claim.evidence.strip(), claim.id
        assert claim.source_id in data.sources, claim.id
        assert claim.notebook in {p.stem for p in PATHS}, claim.id


@pytest.mark.parametrize("text, expected", [
    ("Remission fell: **36.8%, 30.6%** ([Rush 2006](#src-rush2006)).", ["36.8", "30.6"]),
    ("1. explain the 12-14 days\n2. in 2021", ["12", "14", "2021"]),
    ("In TRANSFORM-2 and SUSTAIN-1, carbon-13 (13C-MRS) rose 13%; see section 6.", ["13"]),
    ("| [1. Depression](01_depression.ipynb) | `make test` 45 |", ["45"]),
    ("0.5 mg/kg is 2 to 9 times below 1-4.5 mg/kg", ["0.5", "2", "9", "1", "4.5"]),
])
def test_number_extraction_and_its_narrow_exemptions(text, expected):
    assert claims.numbers_in_text(text) == expected


def test_a_changed_figure_in_prose_fails(tmp_path, data):
    copies = []
    for path in PATHS:
        target = tmp_path / path.name
        shutil.copy(path, target)
        copies.append(target)
    target = tmp_path / "02_conventional_treatment.ipynb"
    nb = json.loads(target.read_text(encoding="utf-8"))
    text = json.dumps(nb)
    assert "36.8%" in text
    target.write_text(text.replace("36.8%, 30.6%", "63.8%, 30.6%", 1), encoding="utf-8")
    problems = claims.check(data, copies)
    assert any("63.8 is not in data/claims.csv" in p for p in problems), problems


def test_a_changed_figure_in_quiz_feedback_fails(data_copy):
    data_copy.edit("quiz.csv", "No: 6.2% of men", "No: 6.5% of men")
    problems = claims.check(kx.load(data_copy.path), PATHS)
    assert any("quiz feedback qz06: 6.5" in p for p in problems), problems


@pytest.mark.parametrize("name, old, new, claim", [
    ("onset.csv", "first_response,54,", "first_response,45,", "says 54"),      # ECT first response (05 prose)
    ("stard.csv", "step_remission,36.8,", "step_remission,63.8,", "says 36.8"),  # STAR*D step 1 (02 prose and quiz)
    ("acute_effects.csv", "ae07,Esketamine blood pressure,resolved,240,", "ae07,Esketamine blood pressure,resolved,120,",
     "says 4"),                                                                # derived: 240 minutes = 4 hours
])
def test_a_changed_data_value_the_prose_restates_fails(data_copy, name, old, new, claim):
    data_copy.edit(name, old, new)
    problems = claims.check(kx.load(data_copy.path), PATHS)
    assert any(claim in p for p in problems), problems


def test_derived_formulas_are_evaluated_safely(data):
    assert claims.evaluate(data, "dose_levels.csv:dl03:high_mg_kg / dose_levels.csv:dl02:low_mg_kg") == pytest.approx(9)
    with pytest.raises(ValueError):
        claims.evaluate(data, "__import__('os')")


# Identifiers of sources -------------------------------------------------------
DOI = re.compile(r"^10\.\d{4,9}/[-._;()/:A-Za-z0-9]+$")
PMID = re.compile(r"^[1-9]\d{0,8}$")
#: Generic pages that are not a source's own page: search and index pages.
NOT_CANONICAL = re.compile(r"search|[?&](q|term|query)=|/scripts/cder/daf/?$|/press-releases/?$|/newsroom/?$", re.I)


def test_every_source_has_a_well_formed_identifier(data):
    for s in data.sources.values():
        assert s.doi or s.pmid or s.url, f"{s.id}: needs a DOI, a PMID or a canonical page"
        if s.doi:
            assert DOI.match(s.doi), f"{s.id}: '{s.doi}' is not a DOI"
        if s.pmid:
            assert PMID.match(s.pmid), f"{s.id}: '{s.pmid}' is not a PMID"
        if s.url:
            assert s.url.startswith("https://"), f"{s.id}: '{s.url}' is not https"
            assert not NOT_CANONICAL.search(s.url), f"{s.id}: '{s.url}' is a search or index page, not the source's page"


@pytest.mark.parametrize("url", ["https://www.accessdata.fda.gov/scripts/cder/daf/", "https://www.jnj.com/media-center/press-releases",
                                 "https://pubmed.ncbi.nlm.nih.gov/?term=ketamine", "https://example.org/search?q=x"])
def test_the_identifier_check_rejects_search_and_index_pages(url):
    assert NOT_CANONICAL.search(url)
