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

    for stem in NOTEBOOKS[1:]:
        questions = {o.question_id for o in data.quiz if o.notebook == stem}
        assert 2 <= len(questions) <= 4, stem


def test_quiz_question_needs_exactly_one_correct_option(data_copy):
    data_copy.edit("quiz.csv", "Yes, rates are the same everywhere\",0", "Yes, rates are the same everywhere\",1")
    with pytest.raises(DataError, match="exactly one correct option"):
        kx.load(data_copy.path)


# Hostile and malformed data (issue 9): ids, links, keyed rows, references, characters, the reader's own line numbers.
HOSTILE_CASES = {
    "id with markup": ("onset.csv", "on04,", 'evil"><img src=x onerror=alert(1)>,', "column 'id'", "not a valid id"),
    "upper-case id": ("onset.csv", "on04,", "On04,", "column 'id'", "not a valid id"),
    "source id with markup": ("onset.csv", "han2016,verified,1", "han2016<b>,verified,1", "column 'source_id'", "not a valid id"),
    "source ids with markup": ("treatments.csv", "coyle2015;han2016", "coyle2015;han2016\"><img src=x>", "column 'source_ids'",
                               "not a valid id"),
    "sources id with markup": ("sources.csv", "\nwho2017,", "\nwho2017\"onmouseover=alert(1),", "column 'id'", "not a valid id"),
    "quiz id reference": ("quiz.csv", "qz01,q01a,", "qz01,q01a x,", "column 'question_id'", "not a valid id"),
    "javascript link": ("sources.csv", "https://www.who.int/news-room/fact-sheets/detail/depression", "javascript:alert(1)",
                        "column 'url'", "not an https:// or http:// address"),
    "upper-case javascript link": ("sources.csv", "https://www.who.int/news-room/fact-sheets/detail/depression",
                                   "JavaScript:alert(1)", "column 'url'", "not an https:// or http:// address"),
    "data link": ("sources.csv", "https://www.who.int/news-room/fact-sheets/detail/depression", '"data:text/html,<script>alert(1)</script>"',
                  "column 'url'", "not an https:// or http:// address"),
    "vbscript link": ("sources.csv", "https://www.who.int/news-room/fact-sheets/detail/depression", "vbscript:msgbox(1)",
                      "column 'url'", "not an https:// or http:// address"),
    "link with a quote": ("sources.csv", "https://www.who.int/news-room/fact-sheets/detail/depression",
                          'https://example.org/"onmouseover="alert(1)', "column 'url'", "not a plain web address"),
    "no identifier": ("sources.csv", ",,,https://www.who.int/publications/i/item/depression-global-health-estimates,\n", ",,,,\n",
                      "column 'doi'",
                      "at least one of doi, pmid, url"),
    "bad pmid": ("sources.csv", "10.1176/appi.ajp.163.1.28,16390886", "10.1176/appi.ajp.163.1.28,1639O886", "column 'pmid'",
                 "not a PubMed id"),
    "two clearance rows": ("pk_parameters.csv", "pk02,volume_steady_state,252,L", "pk02,clearance,252,L/h", "column 'parameter'",
                           "parameter 'clearance' is given twice (first at row 1)"),
    "missing pk parameter": ("pk_parameters.csv", "pk07,infusion_minutes,40,minutes,anand2023,verified,"
                             "Infusion length in antidepressant trials", "", "column 'parameter'", "parameter 'infusion_minutes' is missing"),
    "zero clearance": ("pk_parameters.csv", "pk01,clearance,79,", "pk01,clearance,0,", "column 'value'", "must be positive"),
    "pk unit": ("pk_parameters.csv", "pk01,clearance,79,L/h", "pk01,clearance,79,L", "column 'unit'", "clearance is given in L/h"),
    "empty source list": ("treatments.csv", "taylor2006;derubeis2005;cipriani2018;turkoz2021;geddes2003", ";", "column 'source_ids'",
                          "lists no source id"),
    "gap in source list": ("treatments.csv", "taylor2006;derubeis2005;cipriani2018", "taylor2006;;cipriani2018", "column 'source_ids'",
                           "empty entry"),
    "duplicate header": ("onset.csv", "certainty,curve,comparator,note", "certainty,curve,comparator,note,note", "column 'note'",
                         "appears twice in the header"),
    "underscore in a number": ("onset.csv", "response,52.2,", "response,5_2,", "column 'value_pct'", "ASCII digits only"),
    "Arabic-Indic digits": ("onset.csv", "response,52.2,", "response,\u0665\u0662,", "column 'value_pct'", "ASCII digits only"),
    "full-width digits": ("onset.csv", "on03,iv_single,ketamine,24,", "on03,iv_single,ketamine,\uff12\uff14,", "column 'time_value'",
                          "ASCII digits only"),
    "nan": ("onset.csv", "response,52.2,", "response,nan,", "column 'value_pct'", "not a number"),
    "NUL character": ("onset.csv", "Pooled response rate", "Pooled\x00 response rate", "column 'note'", "'\\x00'"),
    "bidi override": ("treatments.csv", "Esketamine nasal spray", "Esketamine \u202enasal spray", "column 'label'", "'\\u202e'"),
    "escape character": ("quiz.csv", "Adults over 60", "Adults \x1b[31mover 60", "column 'option'", "'\\x1b'"),
    "onset treatment not in treatments.csv": ("treatments.csv", "\nect,", "\nect_x,", "column 'id'", "not one of"),
    "curve anchors at one time": ("onset.csv", "on04,iv_single,ketamine,72,hours", "on04,iv_single,ketamine,24,hours", "column 'time_value'",
                                  "second curve anchor of 'iv_single' at the same time"),
    "curve anchors mixing measures": ("onset.csv", "on04,iv_single,ketamine,72,hours,response", "on04,iv_single,ketamine,72,hours,remission",
                                      "column 'measure'", "mix 'response' and 'remission'"),
    "two treatments in one order": ("treatments.csv", "acute suicidal thoughts,3,", "acute suicidal thoughts,2,", "column 'order'",
                                    "order 2 is given twice"),
}


@pytest.mark.parametrize("case", HOSTILE_CASES, ids=list(HOSTILE_CASES))
def test_hostile_and_inconsistent_input_is_a_load_error(data_copy, case):
    name, old, new, column, message = HOSTILE_CASES[case]
    data_copy.edit(name, old, new)
    with pytest.raises(DataError) as caught:
        kx.load(data_copy.path)
    text = str(caught.value)
    assert name in text and message in text, text
    assert column in text, text
    assert "\n" not in text and "\x00" not in text and "\x1b" not in text, "odd characters are shown with repr()"


def test_onset_treatment_must_exist_in_treatments_csv(data_copy):
    # Remove ect from treatments.csv: onset.csv still draws it.
    path = data_copy.path / "treatments.csv"
    path.write_text("".join(line for line in path.read_text().splitlines(keepends=True) if not line.startswith("ect,")))
    with pytest.raises(DataError, match=r"onset\.csv, row \d+ \(line \d+\), column 'treatment': treatment 'ect' is not in treatments\.csv"):
        kx.load(data_copy.path)


def _line_of(path, prefix):
    return next(i for i, text in enumerate(path.read_text(encoding="utf-8").split("\n"), start=1) if text.startswith(prefix))


def test_a_quoted_newline_is_reported_on_its_own_line_and_later_rows_keep_theirs(data_copy):
    # A newline inside a quoted cell is refused, and the error names the line the row starts on.
    path = data_copy.edit("onset.csv", '"TRD, crossover trial (n=18)"', '"TRD, crossover\ntrial (n=18)"')
    with pytest.raises(DataError) as caught:
        kx.load(data_copy.path)
    assert caught.value.line == _line_of(path, "on01,") and "'\\n'" in str(caught.value)
    assert caught.value.column == "population"


def test_line_numbers_count_lines_of_the_file_not_rows(data_copy):
    # Two blank lines before the bad row: the message gives the line in the file, from the csv reader's own count.
    data_copy.edit("onset.csv", "\non02,", "\n\n\non02,")
    path = data_copy.edit("onset.csv", "on07,iv_single,ketamine,24,hours,remission,20.6", "on07,iv_single,ketamine,24,hours,remission,x")
    with pytest.raises(DataError) as caught:
        kx.load(data_copy.path)
    assert caught.value.line == _line_of(path, "on07,"), str(caught.value)
    assert f"(line {caught.value.line})" in str(caught.value)


def test_u2028_in_a_cell_is_refused_at_the_right_line(data_copy):
    path = data_copy.edit("onset.csv", "Pooled response rate", "Pooled\u2028response rate")
    with pytest.raises(DataError) as caught:
        kx.load(data_copy.path)
    assert caught.value.line == _line_of(path, "on03,") and "'\\u2028'" in str(caught.value)


def test_windows_line_endings_load(data_copy):
    for path in data_copy.path.glob("*.csv"):
        path.write_bytes(path.read_bytes().replace(b"\r\n", b"\n").replace(b"\n", b"\r\n"))
    assert kx.load(data_copy.path).onset == kx.load().onset


def test_over_long_field(data_copy):
    data_copy.edit("onset.csv", "Pooled response rate", "x" * 5000)
    with pytest.raises(DataError, match=r"column 'note': is 5000 characters long"):
        kx.load(data_copy.path)


def test_a_field_beyond_the_csv_module_limit(data_copy):
    data_copy.edit("onset.csv", "Pooled response rate", '"' + "x" * 200_000 + '"')
    with pytest.raises(DataError, match=r"onset\.csv, line \d+: is not valid CSV"):
        kx.load(data_copy.path)


def test_a_folder_in_place_of_a_file(data_copy):
    (data_copy.path / "stard.csv").unlink()
    (data_copy.path / "stard.csv").mkdir()
    with pytest.raises(DataError, match=r"stard\.csv: is a folder"):
        kx.load(data_copy.path)


def test_an_unreadable_file(data_copy, monkeypatch):
    import builtins

    from ketamine_explainer import csvread

    real_open = builtins.open

    def refusing_open(path, *args, **kwargs):
        if str(path).endswith("mechanism.csv"):
            raise PermissionError(13, "Permission denied", str(path))
        return real_open(path, *args, **kwargs)

    monkeypatch.setattr(csvread, "open", refusing_open, raising=False)  # the module that reads the data files
    with pytest.raises(DataError, match=r"mechanism\.csv: cannot be read \(Permission denied\)"):
        kx.load(data_copy.path)


def test_a_missing_or_unreadable_data_folder(tmp_path, monkeypatch):
    with pytest.raises(DataError, match="data folder not found"):
        kx.load(tmp_path / "nowhere")
    (tmp_path / "file").write_text("x")
    with pytest.raises(DataError, match="is not a folder"):
        kx.load(tmp_path / "file")
    from ketamine_explainer import data as data_module

    def refusing_listdir(path):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(data_module.os, "listdir", refusing_listdir)
    with pytest.raises(DataError, match=r"data folder cannot be read \(Permission denied\)"):
        kx.load(tmp_path)


def test_merge_conflicted_notebook_is_named_with_its_line(tmp_path):
    from ketamine_explainer import notebooks

    source = notebooks.NOTEBOOK_DIR / "03_new_era.ipynb"
    lines = source.read_text(encoding="utf-8").split("\n")
    lines[10:10] = ["<<<<<<< HEAD", lines[10], "=======", lines[10], ">>>>>>> other"]
    path = tmp_path / source.name
    path.write_text("\n".join(lines), encoding="utf-8")
    with pytest.raises(DataError) as caught:
        notebooks.check(path)
    assert caught.value.line == 11 and "unresolved merge conflict" in str(caught.value) and "03_new_era.ipynb" in str(caught.value)
    path.write_text("{ not json", encoding="utf-8")
    with pytest.raises(DataError, match="is not a valid notebook"):
        notebooks.check(path)
    assert notebooks.check(source).cells


def test_links_are_only_plain_web_addresses():
    from ketamine_explainer.data import link_problem

    assert link_problem("https://doi.org/10.1000/1") is None and link_problem("http://example.org/a?b=c#d") is None
    for bad in ("javascript:alert(1)", " javascript:alert(1)", "JAVASCRIPT:alert(1)", "data:text/html,x", "vbscript:x", "file:///etc/passwd",
                "//example.org", "https://", "https://exa mple.org", "https://example.org/<script>", "ftp://example.org"):
        assert link_problem(bad), bad


REQUIRED_CASES = {
    "monitoring window": ("acute_effects.csv", "ae06,Monitoring,window", "ae06,Monitoring time,window", "needs a row with effect 'Monitoring'"),
    "blood pressure value": ("acute_effects.csv", "peak,30,3.28,mmHg (systolic)", "peak,30,,", "blood pressure peak needs a value"),
    "prevalence reference": ("prevalence.csv", "pr05,world,age,Whole population", "pr05,world,age,Everyone",
                             "needs a row with scope 'world', grouping 'age', group 'Whole population'"),
    "stard step": ("stard.csv", "sd03,3,step_remission", "sd03,3,cumulative_reported", "needs a row with step 3, measure 'step_remission'"),
}


@pytest.mark.parametrize("case", REQUIRED_CASES, ids=list(REQUIRED_CASES))
def test_rows_the_charts_look_up_must_exist(data_copy, case):
    name, old, new, message = REQUIRED_CASES[case]
    data_copy.edit(name, old, new)
    with pytest.raises(DataError, match=message) as caught:
        kx.load(data_copy.path)
    assert name in str(caught.value)


def test_required_rows_cover_the_prevalence_views():
    from ketamine_explainer.charts.context import PREVALENCE_VIEWS
    from ketamine_explainer.data import REQUIRED_ROWS

    assert {(scope, grouping, ref) for scope, grouping, _, ref in PREVALENCE_VIEWS.values()} == set(REQUIRED_ROWS["prevalence"][1])
