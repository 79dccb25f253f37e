"""Truth, not self-consistency: data/ and the stored outputs (what the site and the slides show) equal the reviewed
reference values in tests/reference/, which are written from the sources, not generated from data/."""

import csv
import json
import re
from collections import Counter
from pathlib import Path

import pytest

from ketamine_explainer import notebooks
from ketamine_explainer.units import format_days

REFERENCE = Path(__file__).resolve().parent / "reference"
#: Days per unit, kept here rather than imported, so a wrong conversion in the package cannot hide.
DAYS = {"minutes": 1 / 1440, "hours": 1 / 24, "days": 1.0, "weeks": 7.0}


def _reference(name):
    with (REFERENCE / name).open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def _number(text):
    return None if text in ("", None) else float(text)


def _onset_key(treatment, source_id, time_value, time_unit, measure, comparator):
    return treatment, source_id, round(float(time_value) * DAYS[time_unit], 6), measure, bool(int(comparator))


def _notebook(stem):
    return json.loads((notebooks.NOTEBOOK_DIR / f"{stem}.ipynb").read_text(encoding="utf-8"))


def _outputs_of(stem, call):
    """The stored outputs of every code cell of notebook ``stem`` whose source contains ``call``, text joined."""
    return [{**o, "data": {k: "".join(v) if isinstance(v, list) else v for k, v in o.get("data", {}).items()}}
            for c in _notebook(stem)["cells"] if c["cell_type"] == "code" and call in "".join(c["source"]) for o in c["outputs"]]


# Measured onset points --------------------------------------------------------------------------------------------
def test_measured_onset_points_equal_the_reference(data):
    reference = Counter()
    for row in _reference("onset_measured.csv"):
        key = _onset_key(row["treatment"], row["source_id"], row["time_value"], row["time_unit"], row["measure"], row["comparator"])
        reference[key, _number(row["value_pct"])] += 1
    actual = Counter()
    for p in data.onset:
        if p.measured:
            key = _onset_key(p.treatment, p.source_id, p.time_value, p.time_unit, p.measure, p.comparator)
            actual[key, p.value_pct] += 1
    missing, extra = reference - actual, actual - reference
    assert not missing and not extra, (
        f"onset.csv differs from tests/reference/onset_measured.csv; in the reference only: {sorted(missing)}; "
        f"in the data only: {sorted(extra)}. Check the source, then change both files.")


def test_the_measured_points_table_in_05_shows_the_reference_values(data):
    (output,) = _outputs_of("05_rapid_onset", "measured_points_table")
    rows = [line.split(" | ") for line in output["data"]["text/plain"].splitlines()[1:]]
    shown = Counter((time, measure, value, source) for _, _, time, measure, value, _, source, certainty in rows
                    if certainty != "illustrative")
    expected = Counter()
    for row in _reference("onset_measured.csv"):
        days = float(row["time_value"]) * DAYS[row["time_unit"]]
        value = "" if row["value_pct"] == "" else f"{float(row['value_pct']):g}%"
        source = data.source(row["source_id"])
        expected[format_days(days), row["measure"].replace("_", " "), value, f"{source.authors.split(',')[0]} {source.year}"] += 1
    assert shown == expected, f"table only: {sorted(shown - expected)}; reference only: {sorted(expected - shown)}"
    html = output["data"]["text/html"]
    for row in _reference("onset_measured.csv"):
        if row["value_pct"]:
            assert f'<td data-label="Value">{float(row["value_pct"]):g}%</td>' in html


# STAR*D ---------------------------------------------------------------------------------------------------------
def test_stard_figures_equal_the_reference(data):
    reference = {(int(r["step"]), r["measure"]): float(r["value_pct"]) for r in _reference("stard.csv")}
    assert {(r.step, r.measure): r.value_pct for r in data.stard} == reference


def test_the_stard_chart_in_02_shows_the_reference_figures():
    (output,) = [o for o in _outputs_of("02_conventional_treatment", "plot_stard, data")
                 if "application/vnd.jupyter.widget-view+json" in o["data"]]
    text = output["data"]["text/plain"]
    steps = [f"{float(r['value_pct']):g}%" for r in _reference("stard.csv") if r["measure"] == "step_remission"]
    assert "Remission at each step: " + ", ".join(steps) + "." in text
    cumulative = {r["measure"]: f"{float(r['value_pct']):g}%" for r in _reference("stard.csv")}
    assert f"reported {cumulative['cumulative_reported']}" in text and f"about {cumulative['cumulative_reanalysis']}" in text


# Crisis numbers -------------------------------------------------------------------------------------------------
NUMBER = re.compile(r"(?<![\w.-])\d+(?:(?: \d{3})+|(?:-\d+)+)?(?![\w.])")  # 116 123, 9-8-8


def _crisis_reference():
    rows = _reference("helplines.csv")
    numbers = {n for r in rows for n in r["numbers"].split(";") if n}
    addresses = {a for r in rows for a in r["addresses"].split(";") if a}
    return rows, numbers, addresses


def test_help_lines_equal_the_reference(data):
    rows, numbers, addresses = _crisis_reference()
    by_region = {h.region: h for h in data.helplines}
    assert set(by_region) == {r["region"] for r in rows}
    for row in rows:
        line = by_region[row["region"]]
        text = f"{line.service} {line.contact}"
        for number in filter(None, row["numbers"].split(";")):
            assert re.search(rf"(?<![\w.]){number}(?![\w.])", text), f"{row['region']}: {number} missing from {text!r}"
        for address in filter(None, row["addresses"].split(";")):
            assert address in text
    shown = {n for h in data.helplines for n in NUMBER.findall(f"{h.service} {h.contact}")}
    assert shown == numbers, f"numbers not in the reference: {shown - numbers}"


HELP_STEMS = [stem for stem in notebooks.NOTEBOOKS if _outputs_of(stem, "help_lines(")]


def test_help_lines_appear_where_suicide_comes_up():
    assert set(HELP_STEMS) >= {"00_start_here", "05_rapid_onset", "06_safety", "07_summary"}


@pytest.mark.parametrize("stem", HELP_STEMS)
def test_every_help_lines_output_shows_the_reference_numbers(stem):
    _, numbers, addresses = _crisis_reference()
    for output in _outputs_of(stem, "help_lines("):
        for kind in ("text/plain", "text/html"):
            text = output["data"][kind]
            visible = re.sub(r"<[^>]+>", " ", text)
            assert set(NUMBER.findall(visible)) == numbers, f"{stem} {kind}: {set(NUMBER.findall(visible)) ^ numbers}"
            assert all(address in visible for address in addresses)


# Quiz answer key ------------------------------------------------------------------------------------------------
def _key():
    return {r["question_id"]: r for r in _reference("quiz_key.csv")}


def test_quiz_answer_key_equals_the_reference(data):
    key = _key()
    questions = {}
    for option in data.quiz:
        questions.setdefault(option.question_id, []).append(option)
    assert set(questions) == set(key), "every question has a reviewed answer key, and every key a question"
    for qid, options in questions.items():
        right = [o.option.lower() for o in options if o.correct]
        wrong = [o.option.lower() for o in options if not o.correct]
        assert len(right) == 1, f"{qid}: exactly one correct option"
        assert key[qid]["correct_phrase"] in right[0], f"{qid}: the option marked correct is not the reviewed answer"
        assert not any(key[qid]["correct_phrase"] in w for w in wrong), f"{qid}: the reviewed answer is marked wrong"
        assert any(key[qid]["wrong_phrase"] in w for w in wrong), f"{qid}: a reviewed wrong answer is marked correct or gone"
        assert options[0].notebook == key[qid]["notebook"]


def _stored_quizzes(stem):
    """(question id, option labels, which feedback is marked right) for each stored quiz widget of a notebook."""
    nb = _notebook(stem)
    state = nb["metadata"]["widgets"]["application/vnd.jupyter.widget-state+json"]["state"]
    quizzes = []
    for cell in nb["cells"]:
        call = re.search(r'kx\.quiz\(data, "(\w+)"\)', "".join(cell["source"])) if cell["cell_type"] == "code" else None
        if not call:
            continue
        (output,) = [o for o in cell["outputs"] if "application/vnd.jupyter.widget-view+json" in o.get("data", {})]
        box = state[output["data"]["application/vnd.jupyter.widget-view+json"]["model_id"]]["state"]
        assert "kx-quiz" in box["_dom_classes"]
        children = [state[c.removeprefix("IPY_MODEL_")] for c in box["children"]]
        radio = next(c for c in children if c["model_name"] == "RadioButtonsModel")["state"]
        stack = next(c for c in children if c["model_name"] == "StackModel")["state"]
        feedback = [state[c.removeprefix("IPY_MODEL_")]["state"]["value"] for c in stack["children"]]
        quizzes.append((call.group(1), radio["_options_labels"], ["kx-right" in f for f in feedback]))
    return quizzes


QUIZ_STEMS = sorted({r["notebook"] for r in _reference("quiz_key.csv")})


@pytest.mark.parametrize("stem", QUIZ_STEMS)
def test_stored_quizzes_mark_the_reference_answer_correct(stem):
    key = _key()
    quizzes = _stored_quizzes(stem)
    assert sorted(q for q, _, _ in quizzes) == sorted(q for q, r in key.items() if r["notebook"] == stem)
    for qid, labels, right in quizzes:
        marked = [label.lower() for label, ok in zip(labels, right) if ok]
        assert len(marked) == 1 and key[qid]["correct_phrase"] in marked[0], f"{stem} {qid}: shows {marked} as correct"


def _reference(name: str) -> list[dict]:
    return list(csv.DictReader((REFERENCE / name).open(encoding="utf-8")))


def test_the_new_figures_in_the_prose_equal_the_reference(data):
    """Figures the accuracy review asked for (blinding, repeated infusions, relapse, blood pressure, the label's edition):
    each is in the claims ledger of its notebook, from its source, with the reviewed value (and so in the prose)."""
    for row in _reference("evidence.csv"):
        claims = [c for c in data.claims if c.notebook == row["notebook"] and c.source_id == row["source_id"]]
        assert any(c.value == row["value"] for c in claims), f"{row['notebook']}: {row['value']} from {row['source_id']}"


def test_each_step_of_the_cascade_keeps_its_reviewed_strength_of_evidence(data):
    by_step = {m.step: m.evidence for m in data.mechanism}
    assert by_step == {r["step"]: r["evidence"] for r in _reference("mechanism.csv")}
