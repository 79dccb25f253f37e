"""Read one CSV file of ``data/`` into rows of its table class, checking every cell on the way.

:func:`read_table` is the whole job: the file must exist, be UTF-8 text of reasonable size and valid CSV; the header
must name exactly the class's columns, once each; every row must have one cell per column, each cell short and free
of control or invisible characters, readable as its column's kind (:mod:`.cells`); ids must be unique, the ``KEY``
columns unique together, cited sources present in ``sources.csv``, and the row's own ``check()`` must pass. The
first problem raises :class:`~.errors.DataError` naming file, row, line and column. Blank lines are skipped.
"""

from __future__ import annotations

import csv
import io
import os
from dataclasses import Field, fields
from functools import partial
from pathlib import Path

from .cells import MAX_FIELD, empty_value, parse_cell, refused_character
from .errors import DataError

#: Largest data file accepted (the largest is about 20 kB).
MAX_BYTES = 2_000_000


def read_table(cls, path: Path, source_ids: frozenset[str] | None = None) -> tuple:
    """Read one CSV file into ``cls`` rows, validating every cell (and, given ``source_ids``, every cited source)."""
    path = Path(path)
    text = _read_text(path)
    if not text.strip():
        raise DataError(path, "file is empty")
    records = _records(path, text)
    header_line, header_cells = next(records)
    header = [name.strip() for name in header_cells]
    spec = fields(cls)
    _check_header(path, header, [f.name for f in spec], header_line)
    rows, ids, keys = [], {}, {}
    for number, (line, cells) in enumerate(records, start=1):
        if not any(cell.strip() for cell in cells):
            continue
        fail = partial(DataError, path, row=number, line=line)  # fail(message, column=...): the error for this row
        _check_cells(fail, header, cells)
        raw = dict(zip(header, (cell.strip() for cell in cells)))
        values = {f.name: _read_cell(fail, f, raw[f.name], number, ids, source_ids) for f in spec}
        _check_key(fail, getattr(cls, "KEY", ()), values, number, keys)
        rows.append(_make_row(fail, cls, values, number, line))
    if not rows:
        raise DataError(path, "has a header but no rows")
    return tuple(rows)


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


def _check_header(path: Path, header: list[str], expected: list[str], line: int) -> None:
    """Every expected column once, and nothing else."""
    for name in header:
        if header.count(name) > 1:
            raise DataError(path, "appears twice in the header", column=name, line=line)
    for name in expected:
        if name not in header:
            raise DataError(path, "missing column", row=None, column=name)
    for name in header:
        if name not in expected:
            raise DataError(path, f"unexpected column (expected: {', '.join(expected)})", column=name, line=line)


def _check_cells(fail, header: list[str], cells: list[str]) -> None:
    """One cell per column, none too long or holding a refused character."""
    if len(cells) != len(header):
        raise fail(f"has {len(cells)} cells, the header has {len(header)}")
    for name, cell in zip(header, cells):
        if len(cell) > MAX_FIELD:
            raise fail(f"is {len(cell)} characters long (at most {MAX_FIELD})", column=name)
        problem = refused_character(cell)
        if problem:
            raise fail(problem, column=name)


def _read_cell(fail, f: Field, value: str, number: int, ids: dict[str, int], source_ids: frozenset[str] | None):
    """The value of the stripped cell ``value`` in column ``f`` of row ``number``. Records an id in ``ids`` (id -> first
    row) and refuses one seen before; refuses a cited source not in ``source_ids`` (when given)."""
    kind = f.metadata["kind"]
    if value == "":
        if not f.metadata["optional"]:
            raise fail("is empty", column=f.name)
        return empty_value(kind)
    try:
        parsed = parse_cell(kind, value, f.metadata["choices"])
    except ValueError as exc:
        raise fail(str(exc), column=f.name) from None
    if kind == "id":
        if value in ids:
            raise fail(f"duplicate id {value!r} (first at row {ids[value]})", column=f.name)
        ids[value] = number
    cited = (value,) if kind == "source" else parsed if kind == "sources" else ()
    for source_id in cited if source_ids is not None else ():
        if source_id not in source_ids:
            raise fail(f"unknown source id {source_id!r} (not in sources.csv)", column=f.name)
    return parsed


def _check_key(fail, key_columns: tuple[str, ...], values: dict, number: int, keys: dict[tuple, int]) -> None:
    """The ``KEY`` columns' values must not repeat those of an earlier row (``keys``: key -> first row)."""
    if not key_columns:
        return
    key = tuple(values[k] for k in key_columns)
    if key in keys:
        given = ", ".join(f"{k} {v!r}" for k, v in zip(key_columns, key))
        raise fail(f"{given} is given twice (first at row {keys[key]})", column=key_columns[-1])
    keys[key] = number


def _make_row(fail, cls, values: dict, number: int, line: int):
    """The row object, remembering where it was read (see :func:`~.errors.place`), once its own ``check()`` passes."""
    row = cls(**values)
    object.__setattr__(row, "_where", (number, line))
    problem = row.check() if hasattr(row, "check") else None
    if problem:
        raise fail(problem[1], column=problem[0])
    return row
