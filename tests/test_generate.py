"""The generator behind make nav: idempotent, and titles and citations written once reach every place that shows them."""

import ast
import copy
import re
import shutil

import nbformat
import pytest

from ketamine_explainer import generate, notebooks

STORED = generate.read_all()


@pytest.fixture
def nbs():
    return copy.deepcopy(STORED)


def _cell(nb, start: str):
    return next(c for c in nb.cells if c.source.startswith(start))


def _listed(nb) -> list[str]:
    call = ast.parse(_cell(nb, generate.SOURCES_CALL).source).body[0].value
    assert isinstance(call.args[0], ast.Name) and call.args[0].id == "data"
    return [ast.literal_eval(a) for a in call.args[1:]]


def test_the_stored_notebooks_are_current_and_a_second_run_changes_nothing(nbs, data):
    assert generate.generate(nbs, data) == {}, "run make nav"
    for nb in nbs.values():  # break everything generated, then regenerate twice
        for cell in nb.cells:
            if notebooks.NAV_TAG in cell.metadata.get("tags", []):
                cell.source = "[stale](nowhere.ipynb)"
            elif cell.source.startswith(generate.SOURCES_CALL):
                cell.source = 'kx.sources(data, "dea1999")'
        title = nb.cells[notebooks.title_cell_index(nb)]
        title.source = title.source.replace("dosing instruction", "dose")
    _cell(nbs["00_start_here"], generate.CONTENTS).source = "## Contents\n\nold table"
    assert set(generate.generate(nbs, data)) == set(STORED)
    assert generate.generate(nbs, data) == {}
    assert nbs == STORED, "regenerating restores exactly the stored text"


def test_a_citation_added_to_the_prose_is_listed_in_order_of_first_citation(nbs, data):
    nb = nbs["01_depression"]
    goals = _cell(nb, "## Learning goals")
    goals.source += "\n\nKetamine was first given to people in 1964 ([Domino 2010](#src-domino2010))."
    before = _listed(nb)
    assert "domino2010" not in before
    assert generate.generate(nbs, data) == {"01_depression": ["sources cell"]}
    assert _listed(nb) == ["domino2010", *before]


def test_sources_the_prose_does_not_cite_follow_what_the_notebook_shows(nbs, data):
    help_ids = list(dict.fromkeys(h.source_id for h in data.helplines))
    for stem, nb in nbs.items():
        if any("kx.help_lines(data)" in c.source for c in nb.cells if c.cell_type == "code") and stem != "07_summary":
            assert _listed(nb)[-len(help_ids):] == help_ids, f"{stem} shows the help lines, so it lists their sources last"
    timeline = {e.source_id for e in data.timeline}
    assert timeline <= set(_listed(nbs["03_new_era"])), "03 draws the timeline, so it lists every milestone's source"
    ssri_cbt = {p.source_id for p in data.onset if p.treatment in ("ssri", "cbt")}
    assert ssri_cbt <= set(_listed(nbs["02_conventional_treatment"])), "02's chart of SSRI and CBT lists their points' sources"
    assert not {p.source_id for p in data.onset if p.treatment == "ect"} & set(_listed(nbs["02_conventional_treatment"]))


def test_every_call_in_the_notebooks_is_known_to_the_generator(nbs):
    known = set(generate.SHOWN) | generate.NO_SOURCES
    for stem, nb in nbs.items():
        for cell in nb.cells:
            if cell.cell_type == "code":
                names = [call.args[0].attr if name == "explore" else name for name, call in generate.kx_calls(cell.source)]
                unknown = [name for name in names if name not in known]
                assert not unknown, f"{stem}: say in generate.SHOWN which data kx.{unknown[0]}(...) shows (or add it to NO_SOURCES)"


def test_a_changed_title_reaches_the_contents_the_neighbours_and_the_title_slide(nbs, data):
    nb = nbs["03_new_era"]
    title = nb.cells[notebooks.title_cell_index(nb)]
    title.source = title.source.replace("# From anaesthetic to antidepressant", "# Ketamine's history: a test title", 1)
    changed = generate.generate(nbs, data)
    assert set(changed) == {"00_start_here", "02_conventional_treatment", "03_new_era", "04_how_it_works"}
    contents = _cell(nbs["00_start_here"], generate.CONTENTS)
    assert "| [3. Ketamine's history: a test title](03_new_era.ipynb) | Where ketamine came from" in contents.source
    assert "3. [Ketamine's history](03_new_era.ipynb)" in contents.metadata["kx"]["slide"]
    assert "[Ketamine's history: a test title →](03_new_era.ipynb)" in nbs["02_conventional_treatment"].cells[0].source
    assert "[← Ketamine's history: a test title](03_new_era.ipynb)" in nbs["04_how_it_works"].cells[-1].source
    assert title.metadata["kx"]["slide"].startswith("# Ketamine's history: a test title\n\n*Where ketamine came from")
    assert "From anaesthetic" not in "".join(c.source for n in nbs.values() for c in n.cells)


def test_the_title_cell_keeps_its_h1_and_subtitle_and_gets_the_standard_disclaimer(nbs, data):
    nb = nbs["05_rapid_onset"]
    title = nb.cells[notebooks.title_cell_index(nb)]
    h1, subtitle = title.source.split("\n\n")[:2]
    title.source = f"{h1}\n\n{subtitle}\n\n> **Educational, not medical advice.** An edited disclaimer."
    generate.generate(nbs, data)
    assert title.source == f"{h1}\n\n{subtitle}\n\n{generate.DISCLAIMER}"
    title.source = f"{h1}\n{subtitle}"  # no disclaimer at all
    generate.generate(nbs, data)
    assert title.source == f"{h1}\n\n{subtitle}\n\n{generate.DISCLAIMER}"


def test_navigation_names_notebooks_by_their_titles():
    assert notebooks.navigation("01_depression") == (
        f"[← {notebooks.START_LABEL}](00_start_here.ipynb) | [Contents](00_start_here.ipynb) | "
        f"[{notebooks.title('02_conventional_treatment')} →](02_conventional_treatment.ipynb)")
    assert notebooks.title("00_start_here") == "Ketamine for depression: what the evidence says"


@pytest.mark.parametrize("count", [1, 3, 12, 40])
def test_the_sources_call_is_valid_python_and_wrapped(count):
    ids = [f"source{n:02d}_{'x' * (n % 7)}" for n in range(count)]
    text = generate.sources_call(ids)
    call = ast.parse(text).body[0].value
    assert [ast.literal_eval(a) for a in call.args[1:]] == ids
    assert max(len(line) for line in text.split("\n")) <= generate.WIDTH
    assert ("\n" in text) == (len(f"kx.sources(data, {', '.join(repr(i) for i in ids)})") > generate.WIDTH)


def test_make_nav_writes_only_what_changed_and_leaves_no_temporary_file(tmp_path, data):
    folder = tmp_path / "notebooks"
    shutil.copytree(notebooks.NOTEBOOK_DIR, folder)
    before = {p.name: p.read_bytes() for p in folder.iterdir()}
    assert generate.write_all(folder, data) == []
    path = folder / "06_safety.ipynb"
    nb = nbformat.read(path, as_version=4)
    _cell(nb, generate.SOURCES_CALL).source = 'kx.sources(data, "dea1999")'
    nbformat.write(nb, path)
    assert generate.write_all(folder, data) == [path]
    assert {p.name: p.read_bytes() for p in folder.iterdir()} == before


def test_a_missing_promise_is_one_clear_error(nbs, data):
    nb = nbs["04_how_it_works"]
    nb.cells[notebooks.title_cell_index(nb)].metadata["kx"]["slide"] = "# How ketamine might work"
    with pytest.raises(generate.GenerateError, match=r"notebooks/04_how_it_works.ipynb: the title slide .* needs a one-line promise"):
        generate.generate(nbs, data)


def test_no_sources_are_listed_by_hand():
    text = (notebooks.ROOT / "src" / "ketamine_explainer" / "generate.py").read_text(encoding="utf-8")
    assert not re.search(r'"(lifeline988|findahelpline)"', text), "help-line sources come from data/helplines.csv"


def test_a_question_for_a_notebook_that_does_not_exist_is_one_clear_line(data_copy, monkeypatch, capsys):
    """The data loads (it does not read notebooks); checking it against the notebooks names file, row and column."""
    import ketamine_explainer as kx
    from ketamine_explainer.__main__ import main
    from ketamine_explainer.errors import DataError

    data_copy.edit("quiz.csv", ",q01a,01_depression,", ",q01a,09_nowhere,", -1)
    data = kx.load(data_copy.path)
    with pytest.raises(DataError, match=r"quiz.csv.*column 'notebook'.*no notebook '09_nowhere'") as caught:
        generate.check_quiz_notebooks(data)
    assert "\n" not in str(caught.value)
    monkeypatch.setenv("KETAMINE_EXPLAINER_DATA", str(data_copy.path))
    assert main(["nav"]) == 2
    assert "no notebook '09_nowhere'" in capsys.readouterr().err
