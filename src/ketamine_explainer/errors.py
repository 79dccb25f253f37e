"""How a problem in the data is reported: :class:`DataError` and its one-line message.

The message names the file (relative to the current folder or the project, when it lies inside them), the row
(with its line in the file: a quoted cell may span several lines) and the column, for instance
``data/onset.csv, row 3 (line 4), column 'value_pct': '4x' is not a number (ASCII digits only)``, so a contributor
can go straight to the cell and fix it. The CSV reader (:mod:`.csvread`) records on every row it makes where that
row was read; :func:`row_error` uses this to name the place of a problem found later, across tables.
"""

from __future__ import annotations

import os
from pathlib import Path

#: The project folder (it holds ``data/``, ``notebooks/`` and ``src/``).
PROJECT_ROOT = Path(__file__).resolve().parents[2]


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
    for base in (Path.cwd(), PROJECT_ROOT):
        try:
            return str(path.relative_to(base))
        except ValueError:
            pass
    return str(path)


def place(row) -> tuple[int | None, int | None]:
    """(row number, line in the file) where the CSV reader read ``row``; (None, None) for a row made elsewhere."""
    return getattr(row, "_where", (None, None))


def row_error(path: Path, row, column: str, message: str) -> DataError:
    """The error for a problem in ``column`` of a row already read from ``path``, naming that row and its line."""
    number, line = place(row)
    return DataError(path, message, row=number, column=column, line=line)
