"""Load the CSV tables in ``data/`` into typed, validated rows.

Every table is a frozen dataclass whose fields say how each column is read.
Any problem raises :class:`DataError` naming the file, the row (with its line
in the file) and the column, so a contributor can fix the CSV directly.
"""

from __future__ import annotations

import csv
import io
import math
import os
import re
import unicodedata
from dataclasses import dataclass, field, fields
from functools import lru_cache
from pathlib import Path
from urllib.parse import urlsplit

PROJECT_DATA = Path(__file__).resolve().parents[2] / "data"
#: ``KETAMINE_EXPLAINER_DATA`` points at another data folder (relative to the current folder).
DATA_DIR = Path(os.path.abspath(os.environ["KETAMINE_EXPLAINER_DATA"])) if os.environ.get("KETAMINE_EXPLAINER_DATA") else PROJECT_DATA

#: Every id and id reference: lower-case ASCII letters, digits and underscores.
ID = re.compile(r"[a-z0-9_]+")
#: Numbers in ASCII digits only (``float`` alone would accept "7_9", Arabic-Indic or full-width digits, "nan", "inf").
NUMBER = re.compile(r"-?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][-+]?[0-9]+)?")
INTEGER = re.compile(r"-?[0-9]+")
#: Longest cell accepted (the longest in the data is about 260 characters).
MAX_FIELD = 2000
#: Unicode categories refused in cells: control, format (bidi overrides, zero-width), line and paragraph separators,
#: private use and surrogates.
BAD_CATEGORIES = {"Cc", "Cf", "Zl", "Zp", "Co", "Cs"}
LINK_SCHEMES = ("https", "http")

#: Days per unit for the ``time_unit`` column.
TIME_UNITS = {"minutes": 1 / 1440, "hours": 1 / 24, "days": 1.0, "weeks": 7.0}
CERTAINTIES = ("verified", "partly_verified", "established", "illustrative")
#: Treatments the charts know how to draw (one colour, line style and marker each).
TREATMENT_IDS = ("iv_single", "iv_course", "esketamine", "ssri", "cbt", "ect")


class DataError(ValueError):
    """A data file is missing or malformed; the message names file, row and column."""

    def __init__(self, path: Path, message: str, row: int | None = None, column: str | None = None, line: int | None = None):
        self.path, self.row, self.column = Path(path), row, column
        self.line = line if line is not None or row is None else row + 1
        where = [_display(path)]
        if row is not None:
            where.append(f"row {row} (line {self.line})")
        elif line is not None:
            where.append(f"line {line}")
        if column is not None:
            where.append(f"column {column!r}")
        super().__init__(f"{', '.join(where)}: {message}")


def _display(path: Path) -> str:
    path = Path(os.path.abspath(path))
    for base in (Path.cwd(), PROJECT_DATA.parent):
        try:
            return str(path.relative_to(base))
        except ValueError:
            pass
    return str(path)


def _odd(text: str) -> str | None:
    """A description of the first character refused in a cell, or None."""
    for ch in text:
        category = unicodedata.category(ch)
        if category in BAD_CATEGORIES:
            return f"contains the {'control' if category == 'Cc' else 'invisible or separator'} character {ch!r} (U+{ord(ch):04X})"
    return None


# Column kinds ---------------------------------------------------------------
def _col(kind: str, *, optional: bool = False, choices: tuple[str, ...] = ()):
    """kind: text, id (unique in the file), ref (an id of something else), source, sources, choice, flag, number,
    percent or int."""
    return field(metadata={"kind": kind, "optional": optional, "choices": choices})


def _check_id(raw: str) -> str:
    if not ID.fullmatch(raw):
        raise ValueError(f"{raw!r} is not a valid id (only a-z, 0-9 and _)")
    return raw


def _parse(kind: str, raw: str, choices: tuple[str, ...]):
    if kind == "text":
        return raw
    if kind in ("id", "ref", "source"):
        _check_id(raw)
        if choices and raw not in choices:
            raise ValueError(f"{raw!r} is not one of: {', '.join(choices)}")
        return raw
    if kind == "sources":
        parts = tuple(part.strip() for part in raw.split(";"))
        if not any(parts):
            raise ValueError(f"{raw!r} lists no source id")
        if not all(parts):
            raise ValueError(f"{raw!r} has an empty entry between ';'")
        return tuple(_check_id(part) for part in parts)
    if kind == "choice":
        if raw not in choices:
            raise ValueError(f"{raw!r} is not one of: {', '.join(choices)}")
        return raw
    if kind == "flag":
        if raw not in ("0", "1"):
            raise ValueError(f"{raw!r} must be 0 or 1")
        return raw == "1"
    if kind in ("number", "percent", "int"):
        if not (INTEGER if kind == "int" else NUMBER).fullmatch(raw):
            raise ValueError(f"{raw!r} is not {'a whole number' if kind == 'int' else 'a number'} (ASCII digits only)")
        try:
            value = int(raw) if kind == "int" else float(raw)
        except (ValueError, OverflowError):
            raise ValueError(f"{raw!r} is not a number") from None
        if not math.isfinite(value):
            raise ValueError(f"{raw!r} is not a finite number")
        if kind == "percent" and not 0 <= value <= 100:
            raise ValueError(f"{raw} is a percentage outside 0-100")
        if kind == "number" and value < 0:
            raise ValueError(f"{raw} is negative")
        return value
    raise AssertionError(f"unknown column kind {kind}")


# Tables ----------------------------------------------------------------------
def link_problem(url: str) -> str | None:
    """Why ``url`` cannot be a link in a page (only http(s) addresses with a host), or None."""
    scheme = re.match(r"\s*([A-Za-z][A-Za-z0-9+.-]*):", url)
    if not scheme or scheme.group(1).lower() not in LINK_SCHEMES:
        return f"{url!r} is not an https:// or http:// address"
    if re.search(r"[\s\"'<>`\\]", url) or not url.isascii():
        return f"{url!r} is not a plain web address (spaces, quotes, <, >, backslashes and non-ASCII are refused)"
    try:
        host = urlsplit(url).hostname
    except ValueError:
        return f"{url!r} is not a web address"
    if not host:
        return f"{url!r} has no host"
    return None


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

    def check(self) -> tuple[str, str] | None:
        if not (self.doi or self.pmid or self.url):
            return "doi", "needs at least one of doi, pmid, url"
        if self.doi and not re.fullmatch(r"10\.[0-9]{4,9}/[!-~]+", self.doi):
            return "doi", f"{self.doi!r} is not a DOI (10.NNNN/..., no spaces)"
        if self.pmid and not re.fullmatch(r"[0-9]{1,9}", self.pmid):
            return "pmid", f"{self.pmid!r} is not a PubMed id (ASCII digits)"
        if self.url:
            problem = link_problem(self.url)
            if problem:
                return "url", problem
        return None

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
    treatment: str = _col("ref", choices=TREATMENT_IDS)
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
    KEY = ("order",)
    id: str = _col("id", choices=TREATMENT_IDS)
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
    KEY = ('region', 'service')
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
    KEY = ('parameter',)
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
    KEY = ('use',)
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
    KEY = ('scope', 'grouping', 'group')
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
    KEY = ('step', 'measure')
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
    KEY = ('drug', 'effect')
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
    KEY = ('year', 'event')
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
    KEY = ('order',)
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
    KEY = ('use', 'route')
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
    KEY = ('effect', 'event')
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
    KEY = ('question_id', 'option')
    id: str = _col("id")
    question_id: str = _col("ref")
    notebook: str = _col("ref")
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


#: Largest data file accepted (the largest is about 20 kB).
MAX_BYTES = 2_000_000


def _read_text(path: Path) -> str:
    if os.path.isdir(path):
        raise DataError(path, "is a folder, not a CSV file")
    if not os.path.exists(path):
        raise DataError(path, "file not found")
    try:
        if os.path.getsize(path) > MAX_BYTES:
            raise DataError(path, f"is larger than {MAX_BYTES} bytes")
        with open(path, "rb") as handle:
            raw = handle.read(MAX_BYTES + 1)
    except OSError as exc:
        raise DataError(path, f"cannot be read ({exc.strerror or exc})") from None
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise DataError(path, f"not UTF-8 text (byte {exc.start})") from None


def _records(path: Path, text: str):
    """(first line, cells) of every record, with the csv reader's own line count (quoted newlines included)."""
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    while True:
        start = reader.line_num + 1
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            raise DataError(path, f"is not valid CSV ({exc})", line=start) from None
        yield start, cells


def _where(row) -> tuple[int | None, int | None]:
    return getattr(row, "_where", (None, None))


def read_table(cls, path: Path, source_ids: frozenset[str] | None = None) -> tuple:
    """Read one CSV file into ``cls`` rows, validating every cell."""
    path = Path(path)
    text = _read_text(path)
    if not text.strip():
        raise DataError(path, "file is empty")
    records = _records(path, text)
    header_line, header_cells = next(records)
    header = [name.strip() for name in header_cells]
    spec = [f for f in fields(cls)]
    expected = [f.name for f in spec]
    for name in header:
        if header.count(name) > 1:
            raise DataError(path, "appears twice in the header", column=name, line=header_line)
    for name in expected:
        if name not in header:
            raise DataError(path, "missing column", row=None, column=name)
    for name in header:
        if name not in expected:
            raise DataError(path, f"unexpected column (expected: {', '.join(expected)})", column=name, line=header_line)
    rows, seen, keys = [], {}, {}
    key_columns = getattr(cls, "KEY", ())
    for number, (line, cells) in enumerate(records, start=1):
        if not any(cell.strip() for cell in cells):
            continue
        if len(cells) != len(header):
            raise DataError(path, f"has {len(cells)} cells, the header has {len(header)}", row=number, line=line)
        for name, cell in zip(header, cells):
            if len(cell) > MAX_FIELD:
                raise DataError(path, f"is {len(cell)} characters long (at most {MAX_FIELD})", row=number, column=name, line=line)
            problem = _odd(cell)
            if problem:
                raise DataError(path, problem, row=number, column=name, line=line)
        raw = dict(zip(header, (cell.strip() for cell in cells)))
        values = {}
        for f in spec:
            kind, optional, value = f.metadata["kind"], f.metadata["optional"], raw[f.name]
            if value == "":
                if not optional:
                    raise DataError(path, "is empty", row=number, column=f.name, line=line)
                values[f.name] = None if kind in ("number", "percent", "int") else ""
                continue
            try:
                values[f.name] = _parse(kind, value, f.metadata["choices"])
            except ValueError as exc:
                raise DataError(path, str(exc), row=number, column=f.name, line=line) from None
            if kind == "id":
                if value in seen:
                    raise DataError(path, f"duplicate id {value!r} (first at row {seen[value]})", row=number, column=f.name, line=line)
                seen[value] = number
            ids = (value,) if kind == "source" else values[f.name] if kind == "sources" else ()
            for source_id in ids if source_ids is not None else ():
                if source_id not in source_ids:
                    raise DataError(path, f"unknown source id {source_id!r} (not in sources.csv)", row=number, column=f.name, line=line)
        if key_columns:
            key = tuple(values[k] for k in key_columns)
            if key in keys:
                given = ", ".join(f"{k} {v!r}" for k, v in zip(key_columns, key))
                raise DataError(path, f"{given} is given twice (first at row {keys[key]})", row=number, column=key_columns[-1], line=line)
            keys[key] = number
        row = cls(**values)
        object.__setattr__(row, "_where", (number, line))
        problem = row.check() if hasattr(row, "check") else None
        if problem:
            raise DataError(path, problem[1], row=number, column=problem[0], line=line)
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


def _fail(path: Path, row, column: str, message: str) -> DataError:
    number, line = _where(row)
    return DataError(path, message, row=number, column=column, line=line)


def _check_quiz(path: Path, options: tuple[QuizOption, ...]) -> None:
    from .notebooks import NOTEBOOKS

    stems = list(NOTEBOOKS)
    questions: dict[str, list[QuizOption]] = {}
    for option in options:
        if option.notebook not in stems:
            raise _fail(path, option, "notebook", f"no notebook {option.notebook!r} (choose from {', '.join(stems)})")
        questions.setdefault(option.question_id, []).append(option)
    for question_id, rows in questions.items():
        if len(rows) < 2:
            raise _fail(path, rows[0], "question_id", f"question {question_id!r} needs at least two options")
        if sum(o.correct for o in rows) != 1:
            raise _fail(path, rows[0], "correct", f"question {question_id!r} needs exactly one correct option")
        for option in rows:
            if (option.question, option.notebook) != (rows[0].question, rows[0].notebook):
                raise _fail(path, option, "question", f"question {question_id!r} changes its text or notebook")


#: Unit of each pharmacokinetic parameter; every one must be given, once, and be positive.
PK_UNITS = {"clearance": "L/h", "volume_steady_state": "L", "half_life_alpha": "minutes", "half_life_beta": "minutes",
            "body_weight": "kg", "dose_per_kg": "mg/kg", "infusion_minutes": "minutes"}


#: Rows the charts look up by their values: table -> (columns, the values that must be present).
REQUIRED_ROWS = {
    "acute_effects": (("effect", "event"), (("Dissociation", "peak"), ("Dissociation", "resolved"), ("Blood pressure", "peak"),
                                            ("Blood pressure", "resolved"), ("Monitoring", "window"),
                                            ("Esketamine blood pressure", "resolved"))),
    "prevalence": (("scope", "grouping", "group"), (("world", "sex", "All adults"), ("world", "age", "Whole population"),
                                                    ("us", "sex", "All adults"), ("us", "age", "All adults"))),
    "stard": (("step", "measure"), ((1, "step_remission"), (2, "step_remission"), (3, "step_remission"), (4, "step_remission"))),
    "stard_totals": (("measure",), (("cumulative_reported",), ("cumulative_reanalysis",))),
}


def _check_required(data_dir: Path, tables: dict) -> None:
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
            raise _fail(data_dir / AcuteEffect.FILE, row, "value", "the blood pressure peak needs a value and a unit")
    if sum(row.event == "window" for row in tables["acute_effects"]) != 1:
        raise DataError(data_dir / AcuteEffect.FILE, "needs exactly one 'window' row (the monitoring window)", column="event")


def _check_references(data_dir: Path, tables: dict) -> None:
    """What one table says about another: treatments, curve anchors, the complete PK model."""
    treatments = {t.id: t for t in tables["treatments"]}
    onset_path = data_dir / OnsetPoint.FILE
    anchors: dict[str, list[OnsetPoint]] = {}
    for point in tables["onset"]:
        if point.treatment not in treatments:
            raise _fail(onset_path, point, "treatment", f"treatment {point.treatment!r} is not in treatments.csv")
        if point.curve:
            anchors.setdefault(point.treatment, []).append(point)
    for treatment_id, treatment in treatments.items():
        rows = anchors.get(treatment_id, [])
        if len(rows) < 2:
            raise _fail(data_dir / Treatment.FILE, treatment, "id", f"treatment {treatment_id!r} needs at least two curve anchors in onset.csv")
        times = {}
        for point in rows:
            if point.measure != rows[0].measure:
                raise _fail(onset_path, point, "measure", f"curve anchors of {treatment_id!r} mix {rows[0].measure!r} and {point.measure!r}")
            if point.days in times:
                raise _fail(onset_path, point, "time_value",
                            f"a second curve anchor of {treatment_id!r} at the same time (first at row {times[point.days]})")
            times[point.days] = _where(point)[0]
    pk_path = data_dir / PKParameter.FILE
    given = {p.parameter: p for p in tables["pk_parameters"]}
    for parameter, unit in PK_UNITS.items():
        if parameter not in given:
            raise DataError(pk_path, f"parameter {parameter!r} is missing", column="parameter")
        row = given[parameter]
        if row.unit != unit:
            raise _fail(pk_path, row, "unit", f"{parameter} is given in {unit}, not {row.unit!r}")
        if not row.value > 0:
            raise _fail(pk_path, row, "value", f"{parameter} must be positive")


def load(data_dir: Path | str | None = None) -> Dataset:
    """Load and cross-check every table in ``data_dir`` (default: ``KETAMINE_EXPLAINER_DATA`` or the project's ``data/``)."""
    return _load(Path(os.path.abspath(data_dir or DATA_DIR)))


@lru_cache(maxsize=4)
def _load(data_dir: Path) -> Dataset:
    if not os.path.exists(data_dir):
        raise DataError(data_dir, "data folder not found")
    if not os.path.isdir(data_dir):
        raise DataError(data_dir, "is not a folder")
    try:
        os.listdir(data_dir)
    except OSError as exc:
        raise DataError(data_dir, f"data folder cannot be read ({exc.strerror or exc})") from None
    sources = read_table(Source, data_dir / Source.FILE)
    ids = frozenset(s.id for s in sources)
    tables = {name: read_table(cls, data_dir / cls.FILE, ids) for name, cls in TABLES.items()}
    tables["treatments"] = tuple(sorted(tables["treatments"], key=lambda t: t.order))
    _check_quiz(data_dir / QuizOption.FILE, tables["quiz"])
    _check_references(data_dir, tables)
    _check_required(data_dir, tables)
    return Dataset(sources={s.id: s for s in sources}, **tables)
