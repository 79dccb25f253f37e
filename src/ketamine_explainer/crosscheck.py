"""Checks across tables, run once every file has been read on its own (:mod:`.csvread`).

What one table says about another must hold: every onset row names a treatment of ``treatments.csv``, each treatment
has at least two curve anchors of one measure at distinct times, every quiz question has
exactly one correct option among at least two (and keeps its notebook), the pharmacokinetic model has all its parameters in their units, and
the rows the charts look up by their values (:data:`REQUIRED_ROWS`) are present. A problem raises
:class:`~.errors.DataError` naming the file and, where one row is at fault, its row, line and column.
"""

from __future__ import annotations

from pathlib import Path

from .errors import DataError, place, row_error
from .tables import TABLES, AcuteEffect, OnsetPoint, PKParameter, QuizOption, Treatment

#: Unit of each pharmacokinetic parameter; every one must be given, once, and be positive.
PK_UNITS = {"clearance": "L/h", "volume_steady_state": "L", "half_life_alpha": "minutes", "half_life_beta": "minutes",
            "body_weight": "kg", "dose_per_kg": "mg/kg", "infusion_minutes": "minutes"}


#: Rows the charts look up by their values: table -> (columns, the values that must be present).
REQUIRED_ROWS = {
    "acute_effects": (("effect", "event"), (("Dissociation", "peak"), ("Dissociation", "resolved"), ("Blood pressure", "peak"),
                                            ("Blood pressure", "resolved"), ("Monitoring", "window"),
                                            ("Esketamine blood pressure", "peak"), ("Esketamine blood pressure", "resolved"))),
    "prevalence": (("scope", "grouping", "group"), (("world", "sex", "All adults"), ("world", "age", "Whole population"),
                                                    ("us", "sex", "All adults"), ("us", "age", "All adults"))),
    "stard": (("step", "measure"), ((1, "step_remission"), (2, "step_remission"), (3, "step_remission"), (4, "step_remission"))),
    "stard_totals": (("measure",), (("cumulative_reported",), ("cumulative_reanalysis",))),
}


def check_tables(data_dir: Path, tables: dict) -> None:
    """Every check between the tables read from ``data_dir`` (``tables``: name in :data:`~.tables.TABLES` -> rows)."""
    check_quiz(data_dir / QuizOption.FILE, tables["quiz"])
    check_curve_anchors(data_dir, tables)
    check_pk(data_dir / PKParameter.FILE, tables["pk_parameters"])
    check_required(data_dir, tables)


def check_quiz(path: Path, options: tuple[QuizOption, ...]) -> None:
    """Each question keeps its text and notebook, and has one correct option among two or more. (That the notebook
    exists is checked against the notebooks, not here: :func:`ketamine_explainer.generate.check_quiz_notebooks`.)"""
    questions: dict[str, list[QuizOption]] = {}
    for option in options:
        questions.setdefault(option.question_id, []).append(option)
    for question_id, rows in questions.items():
        if len(rows) < 2:
            raise row_error(path, rows[0], "question_id", f"question {question_id!r} needs at least two options")
        if sum(o.correct for o in rows) != 1:
            raise row_error(path, rows[0], "correct", f"question {question_id!r} needs exactly one correct option")
        for option in rows:
            if (option.question, option.notebook) != (rows[0].question, rows[0].notebook):
                raise row_error(path, option, "question", f"question {question_id!r} changes its text or notebook")


def check_curve_anchors(data_dir: Path, tables: dict) -> None:
    """Onset rows name known treatments; each treatment has two or more curve anchors, of one measure, at distinct times."""
    treatments = {t.id: t for t in tables["treatments"]}
    onset_path = data_dir / OnsetPoint.FILE
    anchors: dict[str, list[OnsetPoint]] = {}
    for point in tables["onset"]:
        if point.treatment not in treatments:
            raise row_error(onset_path, point, "treatment", f"treatment {point.treatment!r} is not in treatments.csv")
        if point.curve:
            anchors.setdefault(point.treatment, []).append(point)
    for treatment_id, treatment in treatments.items():
        rows = anchors.get(treatment_id, [])
        if len(rows) < 2:
            raise row_error(data_dir / Treatment.FILE, treatment, "id",
                            f"treatment {treatment_id!r} needs at least two curve anchors in onset.csv")
        times = {}
        for point in rows:
            if point.measure != rows[0].measure:
                raise row_error(onset_path, point, "measure",
                                f"curve anchors of {treatment_id!r} mix {rows[0].measure!r} and {point.measure!r}")
            if point.days in times:
                raise row_error(onset_path, point, "time_value",
                                f"a second curve anchor of {treatment_id!r} at the same time (first at row {times[point.days]})")
            times[point.days] = place(point)[0]


def check_pk(path: Path, parameters: tuple[PKParameter, ...]) -> None:
    """The pharmacokinetic model is complete: every parameter of :data:`PK_UNITS`, in its unit, positive."""
    given = {p.parameter: p for p in parameters}
    for parameter, unit in PK_UNITS.items():
        if parameter not in given:
            raise DataError(path, f"parameter {parameter!r} is missing", column="parameter")
        row = given[parameter]
        if row.unit != unit:
            raise row_error(path, row, "unit", f"{parameter} is given in {unit}, not {row.unit!r}")
        if not row.value > 0:
            raise row_error(path, row, "value", f"{parameter} must be positive")


def check_required(data_dir: Path, tables: dict) -> None:
    """The rows the charts look up by their values are there (:data:`REQUIRED_ROWS`), with what the charts need."""
    for name, (columns, keys) in REQUIRED_ROWS.items():
        table = name.removesuffix("_totals")
        cls = TABLES[table]
        present = {tuple(getattr(row, c) for c in columns) for row in tables[table]}
        for key in keys:
            if key not in present:
                given = ", ".join(f"{c} {v!r}" for c, v in zip(columns, key))
                raise DataError(data_dir / cls.FILE, f"needs a row with {given} (the charts draw it)", column=columns[-1])
    for row in tables["acute_effects"]:
        if (row.effect, row.event) == ("Blood pressure", "peak") and (row.value is None or not row.unit):
            raise row_error(data_dir / AcuteEffect.FILE, row, "value", "the blood pressure peak needs a value and a unit")
    if sum(row.event == "window" for row in tables["acute_effects"]) != 1:
        raise DataError(data_dir / AcuteEffect.FILE, "needs exactly one 'window' row (the monitoring window)", column="event")
