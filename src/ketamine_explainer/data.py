"""Load the CSV tables in ``data/`` into typed, validated rows.

Every table is a frozen dataclass whose fields say how each column is read.
Any problem raises :class:`DataError` naming the file, the row (with its line
in the file) and the column, so a contributor can fix the CSV directly.
"""

from __future__ import annotations

import csv
import math
import os
from dataclasses import dataclass, field, fields
from functools import lru_cache
from pathlib import Path

DATA_DIR = Path(os.environ.get("KETAMINE_EXPLAINER_DATA", Path(__file__).resolve().parents[2] / "data"))

#: Days per unit for the ``time_unit`` column.
TIME_UNITS = {"minutes": 1 / 1440, "hours": 1 / 24, "days": 1.0, "weeks": 7.0}
CERTAINTIES = ("verified", "partly_verified", "established", "illustrative")


class DataError(ValueError):
    """A data file is missing or malformed; the message names file, row and column."""

    def __init__(self, path: Path, message: str, row: int | None = None, column: str | None = None):
        self.path, self.row, self.column = Path(path), row, column
        where = [_display(path)]
        if row is not None:
            where.append(f"row {row} (line {row + 1})")
        if column is not None:
            where.append(f"column '{column}'")
        super().__init__(f"{', '.join(where)}: {message}")


def _display(path: Path) -> str:
    path = Path(path)
    try:
        return str(path.resolve().relative_to(DATA_DIR.resolve().parent))
    except ValueError:
        return str(path)


# Column kinds ---------------------------------------------------------------
def _col(kind: str, *, optional: bool = False, choices: tuple[str, ...] = ()):
    return field(metadata={"kind": kind, "optional": optional, "choices": choices})


def _parse(kind: str, raw: str, choices: tuple[str, ...]):
    if kind in ("text", "id", "source"):
        return raw
    if kind == "sources":
        return tuple(part.strip() for part in raw.split(";") if part.strip())
    if kind == "choice":
        if raw not in choices:
            raise ValueError(f"'{raw}' is not one of: {', '.join(choices)}")
        return raw
    if kind == "flag":
        if raw not in ("0", "1"):
            raise ValueError(f"'{raw}' must be 0 or 1")
        return raw == "1"
    if kind in ("number", "percent", "int"):
        try:
            value = int(raw) if kind == "int" else float(raw)
        except ValueError:
            raise ValueError(f"'{raw}' is not a number") from None
        if not math.isfinite(value):
            raise ValueError(f"'{raw}' is not a finite number")
        if kind == "percent" and not 0 <= value <= 100:
            raise ValueError(f"{raw} is a percentage outside 0-100")
        if kind == "number" and value < 0:
            raise ValueError(f"{raw} is negative")
        return value
    raise AssertionError(f"unknown column kind {kind}")


# Tables ----------------------------------------------------------------------
@dataclass(frozen=True)
class Source:
    """A primary citation; ``id`` is what every other table's ``source_id`` refers to."""

    FILE = "sources.csv"
    id: str = _col("id")
    authors: str = _col("text")
    year: str = _col("text")
    title: str = _col("text")
    venue: str = _col("text")
    doi: str = _col("text", optional=True)
    pmid: str = _col("text", optional=True)
    url: str = _col("text", optional=True)
    note: str = _col("text", optional=True)

    @property
    def link(self) -> str:
        if self.doi:
            return f"https://doi.org/{self.doi}"
        if self.pmid:
            return f"https://pubmed.ncbi.nlm.nih.gov/{self.pmid}/"
        return self.url

    def citation(self) -> str:
        ident = f"doi:{self.doi}" if self.doi else f"PMID {self.pmid}" if self.pmid else self.url
        return f"{self.authors} ({self.year}). {self.title}. {self.venue}. {ident}"


@dataclass(frozen=True)
class OnsetPoint:
    """A measured point (or a marked curve anchor) of how fast a treatment works."""

    FILE = "onset.csv"
    id: str = _col("id")
    treatment: str = _col("choice", choices=("iv_single", "iv_course", "esketamine", "ssri", "cbt", "ect"))
    arm: str = _col("text")
    time_value: float = _col("number")
    time_unit: str = _col("choice", choices=tuple(TIME_UNITS))
    measure: str = _col("choice", choices=("response", "remission", "early_improvement", "first_response",
                                                         "first_effect"))
    value_pct: float | None = _col("percent", optional=True)
    population: str = _col("text")
    source_id: str = _col("source")
    certainty: str = _col("choice", choices=CERTAINTIES)
    curve: bool = _col("flag")
    comparator: bool = _col("flag")
    note: str = _col("text", optional=True)

    @property
    def days(self) -> float:
        return self.time_value * TIME_UNITS[self.time_unit]

    @property
    def measured(self) -> bool:
        return self.certainty != "illustrative"

    def check(self) -> tuple[str, str] | None:
        if self.measure != "first_effect" and self.value_pct is None:
            return "value_pct", f"a {self.measure} row needs a value"
        if self.curve and self.measure in ("first_effect", "early_improvement", "first_response"):
            return "curve", f"a {self.measure} row cannot anchor a curve"
        if self.curve and self.comparator:
            return "curve", "a comparator (control arm) row cannot anchor the treatment's curve"
        return None


@dataclass(frozen=True)
class Treatment:
    """One treatment as compared across the explainer."""

    FILE = "treatments.csv"
    id: str = _col("id")
    label: str = _col("text")
    population: str = _col("text")
    order: int = _col("int")
    first_effect: str = _col("text")
    typical_response: str = _col("text")
    durability: str = _col("text")
    course: str = _col("text")
    evidence: str = _col("text")
    source_ids: tuple[str, ...] = _col("sources")


@dataclass(frozen=True)
class HelpLine:
    """A crisis line shown wherever the text touches suicide."""

    FILE = "helplines.csv"
    id: str = _col("id")
    region: str = _col("text")
    service: str = _col("text")
    contact: str = _col("text")
    source_id: str = _col("source")
    certainty: str = _col("choice", choices=CERTAINTIES)
    note: str = _col("text", optional=True)


@dataclass(frozen=True)
class PKParameter:
    """An input of the illustrative pharmacokinetic model."""

    FILE = "pk_parameters.csv"
    id: str = _col("id")
    parameter: str = _col("choice", choices=("clearance", "volume_steady_state", "half_life_alpha", "half_life_beta",
                                             "body_weight", "dose_per_kg", "infusion_minutes"))
    value: float = _col("number")
    unit: str = _col("choice", choices=("L/h", "L", "minutes", "kg", "mg/kg"))
    source_id: str = _col("source")
    certainty: str = _col("choice", choices=CERTAINTIES)
    note: str = _col("text", optional=True)


@dataclass(frozen=True)
class PlasmaLevel:
    """A reported range of peak plasma levels for one use of ketamine."""

    FILE = "plasma_levels.csv"
    id: str = _col("id")
    use: str = _col("text")
    low_ng_ml: float = _col("number")
    high_ng_ml: float = _col("number")
    source_id: str = _col("source")
    certainty: str = _col("choice", choices=CERTAINTIES)
    note: str = _col("text", optional=True)

    def check(self):
        if self.high_ng_ml < self.low_ng_ml:
            return "high_ng_ml", "is below low_ng_ml"
        return None


@dataclass(frozen=True)
class Prevalence:
    """Share of a group with depression (world: WHO; US: NIMH / NSDUH)."""

    FILE = "prevalence.csv"
    id: str = _col("id")
    scope: str = _col("choice", choices=("world", "world_2015", "us"))
    grouping: str = _col("choice", choices=("overall", "sex", "age"))
    group: str = _col("text")
    value_pct: float = _col("percent")
    measure: str = _col("text")
    year: str = _col("text")
    source_id: str = _col("source")
    certainty: str = _col("choice", choices=CERTAINTIES)
    note: str = _col("text", optional=True)


@dataclass(frozen=True)
class StarDResult:
    """A STAR*D remission figure: per step, cumulative as reported, or cumulative on reanalysis."""

    FILE = "stard.csv"
    id: str = _col("id")
    step: int = _col("int")
    measure: str = _col("choice", choices=("step_remission", "cumulative_reported", "cumulative_reanalysis"))
    value_pct: float = _col("percent")
    source_id: str = _col("source")
    certainty: str = _col("choice", choices=CERTAINTIES)
    note: str = _col("text", optional=True)


@dataclass(frozen=True)
class SideEffect:
    """How often an adverse effect was reported on a drug (and on placebo, where known)."""

    FILE = "side_effects.csv"
    id: str = _col("id")
    drug: str = _col("choice", choices=("esketamine", "escitalopram"))
    effect: str = _col("text")
    category: str = _col("choice", choices=("Perception", "Body", "Mood and alertness"))
    active_pct: float = _col("percent")
    placebo_pct: float | None = _col("percent", optional=True)
    source_id: str = _col("source")
    certainty: str = _col("choice", choices=CERTAINTIES)
    note: str = _col("text", optional=True)


@dataclass(frozen=True)
class TimelineEvent:
    """A milestone in ketamine's history."""

    FILE = "timeline.csv"
    id: str = _col("id")
    year: int = _col("int")
    when: str = _col("text")
    event: str = _col("text")
    category: str = _col("choice", choices=("Anaesthesia", "Regulation", "Depression research", "Approval"))
    source_id: str = _col("source")
    certainty: str = _col("choice", choices=CERTAINTIES)

    def check(self):
        if not 1900 <= self.year <= 2100:
            return "year", f"{self.year} is not a plausible year"
        return None


@dataclass(frozen=True)
class MechanismStep:
    """One step of the proposed cascade; its place on the time axis is illustrative (order only)."""

    FILE = "mechanism.csv"
    id: str = _col("id")
    order: int = _col("int")
    step: str = _col("text")
    minutes_illustrative: float = _col("number")
    evidence: str = _col("choice", choices=("human", "animal", "debated"))
    detail: str = _col("text")
    source_id: str = _col("source")
    certainty: str = _col("choice", choices=CERTAINTIES)


@dataclass(frozen=True)
class DoseLevel:
    """A reported dose range for one use (descriptive; never a dosing instruction)."""

    FILE = "dose_levels.csv"
    id: str = _col("id")
    use: str = _col("text")
    route: str = _col("text")
    low_mg_kg: float = _col("number")
    high_mg_kg: float = _col("number")
    source_id: str = _col("source")
    certainty: str = _col("choice", choices=CERTAINTIES)
    note: str = _col("text", optional=True)

    def check(self):
        if self.high_mg_kg < self.low_mg_kg:
            return "high_mg_kg", "is below low_mg_kg"
        return None


@dataclass(frozen=True)
class AcuteEffect:
    """When an acute effect peaks or resolves after a dose, in minutes from the start."""

    FILE = "acute_effects.csv"
    id: str = _col("id")
    effect: str = _col("text")
    event: str = _col("choice", choices=("peak", "resolved", "window"))
    minutes: float = _col("number")
    value: float | None = _col("number", optional=True)
    unit: str = _col("text", optional=True)
    source_id: str = _col("source")
    certainty: str = _col("choice", choices=CERTAINTIES)
    note: str = _col("text", optional=True)


@dataclass(frozen=True)
class QuizOption:
    """One answer option of a check-your-understanding question, with the feedback it gives."""

    FILE = "quiz.csv"
    id: str = _col("id")
    question_id: str = _col("text")
    notebook: str = _col("text")
    question: str = _col("text")
    option: str = _col("text")
    correct: bool = _col("flag")
    feedback: str = _col("text")
    source_id: str = _col("source")


@dataclass(frozen=True)
class Claim:
    """A number the reader sees in a notebook's prose or quiz feedback, with where it comes from.

    ``value`` is a number or a range ``low-high`` (both ends are claimed). ``data_ref`` (optional) names the data cell
    the number restates, as ``file.csv:row_id:column`` (for a range, one per end, separated by ``;``); ``evidence`` is
    the source's own sentence, or ``derived: <formula>`` where the formula combines data cells (written the same way)
    with + - * / and numbers (for a range, one formula per end, separated by ``;``).
    """

    FILE = "claims.csv"
    id: str = _col("id")
    notebook: str = _col("text")
    value: str = _col("text")
    unit: str = _col("text")
    source_id: str = _col("source")
    certainty: str = _col("choice", choices=CERTAINTIES)
    data_ref: str = _col("text", optional=True)
    evidence: str = _col("text")

    @property
    def numbers(self) -> tuple[float, ...]:
        low, sep, high = self.value.partition("-") if not self.value.startswith("-") else (self.value, "", "")
        return (float(low), float(high)) if sep else (float(low),)

    @property
    def derived(self) -> str | None:
        return self.evidence[len("derived:"):].strip() if self.evidence.startswith("derived:") else None

    def check(self):
        try:
            _ = self.numbers
        except ValueError:
            return "value", f"'{self.value}' is not a number or a range low-high"
        for ref in self.data_ref.split(";") if self.data_ref else ():
            if ref.strip().count(":") != 2:
                return "data_ref", f"'{ref.strip()}' is not file.csv:row_id:column"
        if self.derived is not None and not self.derived:
            return "evidence", "a derived claim needs its formula"
        return None


#: Every table, by the attribute name it has on :class:`Dataset`.
TABLES = {
    "onset": OnsetPoint,
    "treatments": Treatment,
    "helplines": HelpLine,
    "pk_parameters": PKParameter,
    "plasma_levels": PlasmaLevel,
    "prevalence": Prevalence,
    "stard": StarDResult,
    "side_effects": SideEffect,
    "timeline": TimelineEvent,
    "mechanism": MechanismStep,
    "dose_levels": DoseLevel,
    "acute_effects": AcuteEffect,
    "quiz": QuizOption,
    "claims": Claim,
}


def read_table(cls, path: Path, source_ids: frozenset[str] | None = None) -> tuple:
    """Read one CSV file into ``cls`` rows, validating every cell."""
    path = Path(path)
    if not path.is_file():
        raise DataError(path, "file not found")
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise DataError(path, f"not UTF-8 text (byte {exc.start})") from None
    if not text.strip():
        raise DataError(path, "file is empty")
    reader = csv.reader(text.splitlines())
    header = [name.strip() for name in next(reader)]
    spec = [f for f in fields(cls)]
    expected = [f.name for f in spec]
    for name in expected:
        if name not in header:
            raise DataError(path, "missing column", row=None, column=name)
    for name in header:
        if name not in expected:
            raise DataError(path, f"unexpected column (expected: {', '.join(expected)})", column=name)
    rows, seen = [], {}
    for number, cells in enumerate(reader, start=1):
        if not any(cell.strip() for cell in cells):
            continue
        if len(cells) != len(header):
            raise DataError(path, f"has {len(cells)} cells, the header has {len(header)}", row=number)
        raw = dict(zip(header, (cell.strip() for cell in cells)))
        values = {}
        for f in spec:
            kind, optional, value = f.metadata["kind"], f.metadata["optional"], raw[f.name]
            if value == "":
                if not optional:
                    raise DataError(path, "is empty", row=number, column=f.name)
                values[f.name] = None if kind in ("number", "percent", "int") else ""
                continue
            try:
                values[f.name] = _parse(kind, value, f.metadata["choices"])
            except ValueError as exc:
                raise DataError(path, str(exc), row=number, column=f.name) from None
            if kind == "id":
                if value in seen:
                    raise DataError(path, f"duplicate id '{value}' (first at row {seen[value]})", row=number, column=f.name)
                seen[value] = number
            ids = (value,) if kind == "source" else values[f.name] if kind == "sources" else ()
            for source_id in ids if source_ids is not None else ():
                if source_id not in source_ids:
                    raise DataError(path, f"unknown source id '{source_id}' (not in sources.csv)", row=number, column=f.name)
        row = cls(**values)
        problem = row.check() if hasattr(row, "check") else None
        if problem:
            raise DataError(path, problem[1], row=number, column=problem[0])
        rows.append(row)
    if not rows:
        raise DataError(path, "has a header but no rows")
    return tuple(rows)


@dataclass(frozen=True)
class Dataset:
    """All tables, validated against each other."""

    sources: dict[str, Source]
    onset: tuple[OnsetPoint, ...]
    treatments: tuple[Treatment, ...]
    helplines: tuple[HelpLine, ...]
    pk_parameters: tuple[PKParameter, ...]
    plasma_levels: tuple[PlasmaLevel, ...]
    prevalence: tuple[Prevalence, ...]
    stard: tuple[StarDResult, ...]
    side_effects: tuple[SideEffect, ...]
    timeline: tuple[TimelineEvent, ...]
    mechanism: tuple[MechanismStep, ...]
    dose_levels: tuple[DoseLevel, ...]
    acute_effects: tuple[AcuteEffect, ...]
    quiz: tuple[QuizOption, ...]
    claims: tuple[Claim, ...]

    def source(self, source_id: str) -> Source:
        try:
            return self.sources[source_id]
        except KeyError:
            raise KeyError(f"unknown source id '{source_id}' (not in sources.csv)") from None

    def treatment(self, treatment_id: str) -> Treatment:
        for row in self.treatments:
            if row.id == treatment_id:
                return row
        raise KeyError(f"unknown treatment '{treatment_id}'")

    def pk(self, parameter: str) -> PKParameter:
        return next(p for p in self.pk_parameters if p.parameter == parameter)

    def cell(self, ref: str):
        """The value of one data cell, named ``file.csv:row_id:column`` (as in ``claims.csv``)."""
        file, row_id, column = ref.split(":")
        names = {cls.FILE: name for name, cls in TABLES.items()}
        if file not in names:
            raise KeyError(f"'{ref}': no table {file}")
        for row in getattr(self, names[file]):
            if row.id == row_id:
                if not hasattr(row, column):
                    raise KeyError(f"'{ref}': {file} has no column '{column}'")
                return getattr(row, column)
        raise KeyError(f"'{ref}': no row '{row_id}' in {file}")

    def cited_ids(self) -> set[str]:
        """Every source id that a data row cites."""
        cited = set()
        for name in TABLES:
            for row in getattr(self, name):
                cited.update(getattr(row, "source_ids", ()))
                if getattr(row, "source_id", None):
                    cited.add(row.source_id)
        return cited


def _check_quiz(path: Path, options: tuple[QuizOption, ...]) -> None:
    questions: dict[str, list[tuple[int, QuizOption]]] = {}
    for number, option in enumerate(options, start=1):
        questions.setdefault(option.question_id, []).append((number, option))
    for question_id, rows in questions.items():
        first = rows[0][0]
        if len(rows) < 2:
            raise DataError(path, f"question '{question_id}' needs at least two options", row=first, column="question_id")
        if sum(o.correct for _, o in rows) != 1:
            raise DataError(path, f"question '{question_id}' needs exactly one correct option", row=first, column="correct")
        for number, option in rows:
            if (option.question, option.notebook) != (rows[0][1].question, rows[0][1].notebook):
                raise DataError(path, f"question '{question_id}' changes its text or notebook", row=number, column="question")


def load(data_dir: Path | str | None = None) -> Dataset:
    """Load and cross-check every table in ``data_dir`` (default: the project's ``data/``)."""
    return _load(Path(data_dir or DATA_DIR).resolve())


@lru_cache(maxsize=4)
def _load(data_dir: Path) -> Dataset:
    sources = read_table(Source, data_dir / Source.FILE)
    ids = frozenset(s.id for s in sources)
    tables = {name: read_table(cls, data_dir / cls.FILE, ids) for name, cls in TABLES.items()}
    tables["treatments"] = tuple(sorted(tables["treatments"], key=lambda t: t.order))
    _check_quiz(data_dir / QuizOption.FILE, tables["quiz"])
    return Dataset(sources={s.id: s for s in sources}, **tables)
