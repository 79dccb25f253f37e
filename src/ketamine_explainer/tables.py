"""The tables in ``data/``: one frozen dataclass per CSV file, one instance per row.

Each class names its file (``FILE``), optionally the columns that together must be unique (``KEY``), and declares
every column as a field made by :func:`~.cells.column`, saying how the cell is read (its kind, whether it may be
empty, its allowed values). A ``check()`` method, where present, tests what a single row must satisfy across its
own columns and returns ``(column, reason)`` or None. Reading and validating the files is :mod:`.csvread`'s job;
checks between tables are :mod:`.crosscheck`'s. :data:`TABLES` lists every table by its name on
:class:`~.data.Dataset`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .cells import column, link_problem

#: Days per unit for the ``time_unit`` column.
TIME_UNITS = {"minutes": 1 / 1440, "hours": 1 / 24, "days": 1.0, "weeks": 7.0}
CERTAINTIES = ("verified", "partly_verified", "established", "illustrative")
#: Treatments the charts know how to draw (one colour, line style and marker each).
TREATMENT_IDS = ("iv_single", "iv_course", "esketamine", "ssri", "cbt", "ect")


@dataclass(frozen=True)
class Source:
    """A primary citation; ``id`` is what every other table's ``source_id`` refers to."""

    FILE = "sources.csv"
    id: str = column("id")
    authors: str = column("text")
    year: str = column("text")
    title: str = column("text")
    venue: str = column("text")
    doi: str = column("text", optional=True)
    pmid: str = column("text", optional=True)
    url: str = column("text", optional=True)
    note: str = column("text", optional=True)

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

    @property
    def short(self) -> str:
        """How charts and tables cite the source: first author's surname (or organisation's first word) and year."""
        return f"{self.authors.split(',')[0].split(' ')[0]} {self.year}"

    def citation(self) -> str:
        ident = f"doi:{self.doi}" if self.doi else f"PMID {self.pmid}" if self.pmid else self.url
        return f"{self.authors} ({self.year}). {self.title}. {self.venue}. {ident}"


@dataclass(frozen=True)
class OnsetPoint:
    """A measured point (or a marked curve anchor) of how fast a treatment works."""

    FILE = "onset.csv"
    id: str = column("id")
    treatment: str = column("ref", choices=TREATMENT_IDS)
    arm: str = column("text")
    time_value: float = column("number")
    time_unit: str = column("choice", choices=tuple(TIME_UNITS))
    measure: str = column("choice", choices=("response", "remission", "early_improvement", "first_response",
                                             "first_effect", "not_significant"))
    value_pct: float | None = column("percent", optional=True)
    population: str = column("text")
    source_id: str = column("source")
    certainty: str = column("choice", choices=CERTAINTIES)
    curve: bool = column("flag")
    comparator: bool = column("flag")
    note: str = column("text", optional=True)

    @property
    def days(self) -> float:
        return self.time_value * TIME_UNITS[self.time_unit]

    @property
    def measured(self) -> bool:
        return self.certainty != "illustrative"

    def check(self) -> tuple[str, str] | None:
        if self.measure not in ("first_effect", "not_significant") and self.value_pct is None:
            return "value_pct", f"a {self.measure} row needs a value"
        if self.measure == "not_significant" and self.value_pct is not None:
            return "value_pct", "a not_significant row (no significant effect found) has no value"
        if self.curve and self.measure in ("first_effect", "early_improvement", "first_response", "not_significant"):
            return "curve", f"a {self.measure} row cannot anchor a curve"
        if self.curve and self.comparator:
            return "curve", "a comparator (control arm) row cannot anchor the treatment's curve"
        return None


@dataclass(frozen=True)
class Treatment:
    """One treatment as compared across the explainer."""

    FILE = "treatments.csv"
    KEY = ("order",)
    id: str = column("id", choices=TREATMENT_IDS)
    label: str = column("text")
    population: str = column("text")
    order: int = column("int")
    first_effect: str = column("text")
    typical_response: str = column("text")
    durability: str = column("text")
    course: str = column("text")
    evidence: str = column("text")
    source_ids: tuple[str, ...] = column("sources")


@dataclass(frozen=True)
class HelpLine:
    """A crisis line shown wherever the text touches suicide."""

    FILE = "helplines.csv"
    KEY = ('region', 'service')
    id: str = column("id")
    region: str = column("text")
    service: str = column("text")
    contact: str = column("text")
    slide: str = column("text")  # the line on a slide, where only the essentials fit (the notes carry the rest)
    source_id: str = column("source")
    certainty: str = column("choice", choices=CERTAINTIES)
    note: str = column("text", optional=True)


@dataclass(frozen=True)
class PKParameter:
    """An input of the illustrative pharmacokinetic model."""

    FILE = "pk_parameters.csv"
    KEY = ('parameter',)
    id: str = column("id")
    parameter: str = column("choice", choices=("clearance", "volume_steady_state", "half_life_alpha", "half_life_beta",
                                               "body_weight", "dose_per_kg", "infusion_minutes"))
    value: float = column("number")
    unit: str = column("choice", choices=("L/h", "L", "minutes", "kg", "mg/kg"))
    source_id: str = column("source")
    certainty: str = column("choice", choices=CERTAINTIES)
    note: str = column("text", optional=True)


@dataclass(frozen=True)
class PlasmaLevel:
    """A reported range of peak plasma levels for one use of ketamine."""

    FILE = "plasma_levels.csv"
    KEY = ('use',)
    id: str = column("id")
    use: str = column("text")
    low_ng_ml: float = column("number")
    high_ng_ml: float = column("number")
    source_id: str = column("source")
    certainty: str = column("choice", choices=CERTAINTIES)
    note: str = column("text", optional=True)

    def check(self):
        if self.high_ng_ml < self.low_ng_ml:
            return "high_ng_ml", "is below low_ng_ml"
        return None


@dataclass(frozen=True)
class Prevalence:
    """Share of a group with depression (world: WHO; US: NIMH / NSDUH)."""

    FILE = "prevalence.csv"
    KEY = ('scope', 'grouping', 'group')
    id: str = column("id")
    scope: str = column("choice", choices=("world", "world_2015", "us"))
    grouping: str = column("choice", choices=("overall", "sex", "age"))
    group: str = column("text")
    value_pct: float = column("percent")
    measure: str = column("text")
    year: str = column("text")
    source_id: str = column("source")
    certainty: str = column("choice", choices=CERTAINTIES)
    note: str = column("text", optional=True)


@dataclass(frozen=True)
class StarDResult:
    """A STAR*D remission figure: per step, cumulative as reported, or cumulative on reanalysis."""

    FILE = "stard.csv"
    KEY = ('step', 'measure')
    id: str = column("id")
    step: int = column("int")
    measure: str = column("choice", choices=("step_remission", "cumulative_reported", "cumulative_reanalysis"))
    value_pct: float = column("percent")
    source_id: str = column("source")
    certainty: str = column("choice", choices=CERTAINTIES)
    note: str = column("text", optional=True)


@dataclass(frozen=True)
class SideEffect:
    """How often an adverse effect was reported on a drug (and on placebo, where known)."""

    FILE = "side_effects.csv"
    KEY = ('drug', 'effect')
    id: str = column("id")
    drug: str = column("choice", choices=("esketamine", "escitalopram"))
    effect: str = column("text")
    category: str = column("choice", choices=("Perception", "Body", "Mood and alertness"))
    active_pct: float = column("percent")
    placebo_pct: float | None = column("percent", optional=True)
    source_id: str = column("source")
    certainty: str = column("choice", choices=CERTAINTIES)
    note: str = column("text", optional=True)


@dataclass(frozen=True)
class TimelineEvent:
    """A milestone in ketamine's history."""

    FILE = "timeline.csv"
    KEY = ('year', 'event')
    id: str = column("id")
    year: int = column("int")
    when: str = column("text")
    event: str = column("text")
    category: str = column("choice", choices=("Anaesthesia", "Regulation", "Depression research", "Approval"))
    source_id: str = column("source")
    certainty: str = column("choice", choices=CERTAINTIES)

    def check(self):
        if not 1900 <= self.year <= 2100:
            return "year", f"{self.year} is not a plausible year"
        return None


@dataclass(frozen=True)
class MechanismStep:
    """One step of the proposed cascade; its place on the time axis is illustrative (order only)."""

    FILE = "mechanism.csv"
    KEY = ('order',)
    id: str = column("id")
    order: int = column("int")
    step: str = column("text")
    minutes_illustrative: float = column("number")
    evidence: str = column("choice", choices=("human", "human_indirect", "animal", "debated"))
    detail: str = column("text")
    source_id: str = column("source")
    certainty: str = column("choice", choices=CERTAINTIES)


@dataclass(frozen=True)
class DoseLevel:
    """A reported dose range for one use (descriptive; never a dosing instruction)."""

    FILE = "dose_levels.csv"
    KEY = ('use', 'route')
    id: str = column("id")
    use: str = column("text")
    route: str = column("text")
    low_mg_kg: float = column("number")
    high_mg_kg: float = column("number")
    source_id: str = column("source")
    certainty: str = column("choice", choices=CERTAINTIES)
    note: str = column("text", optional=True)

    def check(self):
        if self.high_mg_kg < self.low_mg_kg:
            return "high_mg_kg", "is below low_mg_kg"
        return None


@dataclass(frozen=True)
class AcuteEffect:
    """When an acute effect peaks or resolves after a dose, in minutes from the start."""

    FILE = "acute_effects.csv"
    KEY = ('effect', 'event')
    id: str = column("id")
    effect: str = column("text")
    event: str = column("choice", choices=("peak", "resolved", "window"))
    minutes: float = column("number")
    value: float | None = column("number", optional=True)
    unit: str = column("text", optional=True)
    source_id: str = column("source")
    certainty: str = column("choice", choices=CERTAINTIES)
    note: str = column("text", optional=True)


@dataclass(frozen=True)
class QuizOption:
    """One answer option of a check-your-understanding question, with the feedback it gives."""

    FILE = "quiz.csv"
    KEY = ('question_id', 'option')
    id: str = column("id")
    question_id: str = column("ref")
    notebook: str = column("ref")
    question: str = column("text")
    option: str = column("text")
    correct: bool = column("flag")
    feedback: str = column("text")
    source_id: str = column("source")


@dataclass(frozen=True)
class Claim:
    """A number the reader sees in a notebook's prose or quiz feedback, with where it comes from.

    ``value`` is a number or a range ``low-high`` (both ends are claimed). ``data_ref`` (optional) names the data cell
    the number restates, as ``file.csv:row_id:column`` (for a range, one per end, separated by ``;``); ``evidence`` is
    the source's own sentence, or ``derived: <formula>`` where the formula combines data cells (written the same way)
    with + - * / and numbers (for a range, one formula per end, separated by ``;``).
    """

    FILE = "claims.csv"
    id: str = column("id")
    notebook: str = column("text")
    value: str = column("text")
    unit: str = column("text")
    source_id: str = column("source")
    certainty: str = column("choice", choices=CERTAINTIES)
    data_ref: str = column("text", optional=True)
    evidence: str = column("text")

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


@dataclass(frozen=True)
class GlossaryTerm:
    """A word a lay reader may not know: defined at its first use in each notebook (``short``), and in the glossary."""

    FILE = "glossary.csv"
    KEY = ("term",)
    id: str = column("id")
    term: str = column("text")
    short: str = column("text")
    definition: str = column("text")
    source_id: str = column("source")
    certainty: str = column("choice", choices=CERTAINTIES)


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
    "glossary": GlossaryTerm,
}
