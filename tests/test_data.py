"""The loader: every table loads, and every kind of bad input is rejected with file, row and column named."""

import pytest

import ketamine_explainer as kx
from ketamine_explainer.data import TABLES, DataError, OnsetPoint, Source, read_table


def test_every_table_loads_with_rows(data):
    assert len(data.sources) >= 40
    for name in TABLES:
        assert getattr(data, name), f"{name} is empty"


def test_onset_covers_every_treatment_with_a_curve_and_measured_points(data):
    for treatment in ("iv_single", "iv_course", "esketamine", "ssri", "cbt", "ect"):
        rows = [p for p in data.onset if p.treatment == treatment]
        assert any(p.curve for p in rows), treatment
        assert any(p.measured and p.value_pct is not None for p in rows), treatment


def test_fact_sheet_figures_are_stored_exactly(data):
    by_id = {p.id: p for p in data.onset}
    assert (by_id["on03"].days, by_id["on03"].value_pct) == (1.0, 52.2)  # Han 2016, 24 h
    assert (by_id["on05"].days, by_id["on05"].value_pct) == (7.0, 39.8)  # Han 2016, day 7
    assert (by_id["on17"].days, by_id["on17"].value_pct) == (21.0, 55.4)  # ELEKT-D
    assert by_id["on20"].value_pct == 58.7 and by_id["on22"].value_pct == 45.2  # TRANSFORM pooled day 28
    assert by_id["on01"].days == pytest.approx(110 / 1440)


def test_time_units_convert_to_days(data):
    units = {p.time_unit: p.days / p.time_value for p in data.onset}
    assert units == pytest.approx({"minutes": 1 / 1440, "hours": 1 / 24, "days": 1, "weeks": 7})


def test_every_source_has_a_resolvable_identifier(data):
    for source in data.sources.values():
        assert source.link.startswith("https://"), source.id
        assert source.authors and source.title and source.venue, source.id


def test_every_data_row_cites_a_known_source(data):
    assert data.cited_ids() <= set(data.sources)


def test_illustrative_rows_are_curve_anchors_not_measurements(data):
    for p in data.onset:
        if p.certainty == "illustrative":
            assert p.curve and not p.measured, p.id


BAD_CASES = {
    "missing column": ("onset.csv", ",note\n", "\n", "column 'note'", "missing column"),
    "extra column": ("onset.csv", ",note\n", ",note,extra\n", "column 'extra'", "unexpected column"),
    "non-numeric value": ("onset.csv", "response,52.2,", "response,fifty,", "column 'value_pct'", "not a number"),
    "percentage above 100": ("onset.csv", "response,52.2,", "response,152.2,", "column 'value_pct'", "outside 0-100"),
    "negative time": ("onset.csv", "on03,iv_single,ketamine,24,", "on03,iv_single,ketamine,-24,", "column 'time_value'", "negative"),
    "unknown unit": ("onset.csv", "on03,iv_single,ketamine,24,hours", "on03,iv_single,ketamine,24,fortnights",
                     "column 'time_unit'", "not one of"),
    "unknown source id": ("onset.csv", "han2016,verified,1", "han2099,verified,1", "column 'source_id'", "unknown source id"),
    "duplicate id": ("onset.csv", "on04,", "on03,", "column 'id'", "duplicate id 'on03'"),
    "missing value": ("onset.csv", "response,52.2,", "response,,", "column 'value_pct'", "needs a value"),
    "bad flag": ("onset.csv", "han2016,verified,1,0", "han2016,verified,yes,0", "column 'curve'", "must be 0 or 1"),
    "short row": ("treatments.csv", ",coyle2015;han2016;shiroma2020;kryst2020", "", None, "cells, the header has"),
    "duplicate source": ("sources.csv", "\nwho2017,", "\nwho_factsheet,", "column 'id'", "duplicate id"),
    "unknown source in a list": ("treatments.csv", "coyle2015;han2016", "coyle2015;nobody1999", "column 'source_ids'",
                                 "unknown source id 'nobody1999'"),
    "inverted range": ("plasma_levels.csv", "Analgesia,70,160", "Analgesia,170,160", "column 'high_ng_ml'", "below"),
    "claim value not a number": ("claims.csv", "cl001,01_depression,280,", "cl001,01_depression,about 280,", "column 'value'",
                                 "not a number or a range"),
    "claim data reference malformed": ("claims.csv", "prevalence.csv:pr01:value_pct", "prevalence.csv:pr01", "column 'data_ref'",
                                       "not file.csv:row_id:column"),
}


@pytest.mark.parametrize("case", BAD_CASES, ids=list(BAD_CASES))
def test_bad_input_names_file_row_and_column(data_copy, case):
    name, old, new, column, message = BAD_CASES[case]
    data_copy.edit(name, old, new)
    with pytest.raises(DataError) as caught:
        kx.load(data_copy.path)
    text = str(caught.value)
    assert name in text and message in text
    if column:
        assert column in text
    if case not in ("missing column", "extra column"):
        assert "row " in text and "(line " in text
        assert caught.value.row is not None


def test_error_row_matches_the_line_in_the_file(data_copy):
    path = data_copy.edit("onset.csv", "on07,iv_single,ketamine,24,hours,remission,20.6", "on07,iv_single,ketamine,24,hours,remission,x")
    line = next(i for i, text in enumerate(path.read_text().splitlines(), start=1) if text.startswith("on07,"))
    with pytest.raises(DataError) as caught:
        read_table(OnsetPoint, path, frozenset(kx.load().sources))
    assert caught.value.row + 1 == line


def test_missing_file(tmp_path):
    with pytest.raises(DataError, match="file not found"):
        read_table(Source, tmp_path / "sources.csv")


def test_empty_file(tmp_path):
    (tmp_path / "sources.csv").write_text("\n")
    with pytest.raises(DataError, match="file is empty"):
        read_table(Source, tmp_path / "sources.csv")


def test_header_without_rows(tmp_path):
    (tmp_path / "sources.csv").write_text("id,authors,year,title,venue,doi,pmid,url,note\n")
    with pytest.raises(DataError, match="no rows"):
        read_table(Source, tmp_path / "sources.csv")


def test_wrong_encoding(data_copy):
    path = data_copy.path / "treatments.csv"
    path.write_bytes(path.read_text(encoding="utf-8").replace("Weeks", "Semaines é").encode("latin-1"))
    with pytest.raises(DataError, match="not UTF-8"):
        kx.load(data_copy.path)


def test_every_section_notebook_has_two_to_four_questions(data):
    from ketamine_explainer.notebooks import NOTEBOOKS

    for stem, _ in NOTEBOOKS[1:]:
        questions = {o.question_id for o in data.quiz if o.notebook == stem}
        assert 2 <= len(questions) <= 4, stem


def test_quiz_question_needs_exactly_one_correct_option(data_copy):
    data_copy.edit("quiz.csv", "Yes, rates are the same everywhere\",0", "Yes, rates are the same everywhere\",1")
    with pytest.raises(DataError, match="exactly one correct option"):
        kx.load(data_copy.path)
