"""Load the CSV tables in ``data/`` into typed, validated rows: :func:`load` returns a :class:`Dataset`.

Every table is a frozen dataclass whose fields say how each column is read.
Any problem raises :class:`DataError` naming the file, the row (with its line
in the file) and the column, so a contributor can fix the CSV directly.

This module is the entry point; the work is split into modules with one job each, and every name they define that
the rest of the project uses is re-exported here (``from .data import Source`` keeps working):

- :mod:`.errors`: :class:`DataError` and how it names the place of a problem;
- :mod:`.cells`: column kinds, how one cell is read and checked, :func:`link_problem`;
- :mod:`.tables`: the row dataclasses, one per CSV file, and :data:`TABLES`;
- :mod:`.csvread`: :func:`read_table`, reading and validating one CSV file;
- :mod:`.crosscheck`: checks between tables (treatments and curve anchors, quiz, PK model, rows the charts need).

A re-exported name is the same object, but rebinding it here changes nothing: to patch a limit or a function in a
test, patch it in the module that uses it (``csvread.MAX_BYTES``, ``csvread.open``).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from .cells import BAD_CATEGORIES, ID, INTEGER, LINK_SCHEMES, MAX_FIELD, NUMBER, link_problem
from .crosscheck import PK_UNITS, REQUIRED_ROWS, check_tables
from .csvread import MAX_BYTES, read_table
from .errors import PROJECT_ROOT, DataError
from .tables import (
    CERTAINTIES,
    TABLES,
    TIME_UNITS,
    TREATMENT_IDS,
    AcuteEffect,
    Claim,
    DoseLevel,
    GlossaryTerm,
    HelpLine,
    MechanismStep,
    OnsetPoint,
    PKParameter,
    PlasmaLevel,
    Prevalence,
    QuizOption,
    SideEffect,
    Source,
    StarDResult,
    TimelineEvent,
    Treatment,
)

__all__ = [
    # defined here
    "DATA_DIR", "PROJECT_DATA", "Dataset", "load",
    # errors
    "DataError",
    # cells
    "BAD_CATEGORIES", "ID", "INTEGER", "LINK_SCHEMES", "MAX_FIELD", "NUMBER", "link_problem",
    # tables
    "CERTAINTIES", "TABLES", "TIME_UNITS", "TREATMENT_IDS", "AcuteEffect", "Claim", "DoseLevel", "GlossaryTerm", "HelpLine", "MechanismStep",
    "OnsetPoint", "PKParameter", "PlasmaLevel", "Prevalence", "QuizOption", "SideEffect", "Source", "StarDResult",
    "TimelineEvent", "Treatment",
    # csvread
    "MAX_BYTES", "read_table",
    # crosscheck
    "PK_UNITS", "REQUIRED_ROWS",
]

PROJECT_DATA = PROJECT_ROOT / "data"
#: ``KETAMINE_EXPLAINER_DATA`` points at another data folder (relative to the current folder).
DATA_DIR = Path(os.path.abspath(os.environ["KETAMINE_EXPLAINER_DATA"])) if os.environ.get("KETAMINE_EXPLAINER_DATA") else PROJECT_DATA


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
    glossary: tuple[GlossaryTerm, ...]
    folder: Path = PROJECT_DATA  # where the tables were read from

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
        found = next((p for p in self.pk_parameters if p.parameter == parameter), None)
        if found is None:
            raise KeyError(f"no pharmacokinetic parameter '{parameter}' in pk_parameters.csv")
        return found

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
    check_tables(data_dir, tables)
    return Dataset(sources={s.id: s for s in sources}, **tables, folder=data_dir)
