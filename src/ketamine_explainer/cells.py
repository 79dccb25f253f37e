"""What one CSV cell may hold, and how it is read into a Python value.

Every column of a table is declared with :func:`column`, giving its kind (text, id, number, percent, ...), whether it
may be empty and, for some kinds, the allowed values. :func:`parse_cell` turns a cell's text into the value of its
kind or raises ``ValueError`` with a short reason, which the CSV reader (:mod:`.csvread`) wraps into a
:class:`~.errors.DataError` naming file, row and column. Cells are strict on purpose: ASCII digits only, no invisible
or control characters, ids in lower-case ASCII, links only to plain http(s) addresses (:func:`link_problem`).
"""

from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import field
from urllib.parse import urlsplit

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
#: Kinds whose empty (optional) cell reads as None rather than "".
NUMERIC_KINDS = ("number", "percent", "int")


def column(kind: str, *, optional: bool = False, choices: tuple[str, ...] = ()):
    """Declare a table column (a dataclass field). kind: text, id (unique in the file), ref (an id of something else),
    source, sources, choice, flag, number, percent or int."""
    return field(metadata={"kind": kind, "optional": optional, "choices": choices})


def refused_character(text: str) -> str | None:
    """A description of the first character refused in a cell, or None."""
    for ch in text:
        category = unicodedata.category(ch)
        if category in BAD_CATEGORIES:
            return f"contains the {'control' if category == 'Cc' else 'invisible or separator'} character {ch!r} (U+{ord(ch):04X})"
    return None


def empty_value(kind: str):
    """The value of an empty optional cell of ``kind``."""
    return None if kind in NUMERIC_KINDS else ""


def _check_id(raw: str) -> str:
    if not ID.fullmatch(raw):
        raise ValueError(f"{raw!r} is not a valid id (only a-z, 0-9 and _)")
    return raw


def parse_cell(kind: str, raw: str, choices: tuple[str, ...]):
    """The value of the (stripped, non-empty) cell ``raw`` of a column of ``kind``; ValueError says why it is refused."""
    if kind == "text":
        return raw
    if kind in ("id", "ref", "source"):
        _check_id(raw)
        if choices and raw not in choices:
            raise ValueError(f"{raw!r} is not one of: {', '.join(choices)}")
        return raw
    if kind == "sources":
        return _parse_sources(raw)
    if kind == "choice":
        if raw not in choices:
            raise ValueError(f"{raw!r} is not one of: {', '.join(choices)}")
        return raw
    if kind == "flag":
        if raw not in ("0", "1"):
            raise ValueError(f"{raw!r} must be 0 or 1")
        return raw == "1"
    if kind in NUMERIC_KINDS:
        return _parse_number(kind, raw)
    raise AssertionError(f"unknown column kind {kind}")


def _parse_sources(raw: str) -> tuple[str, ...]:
    parts = tuple(part.strip() for part in raw.split(";"))
    if not any(parts):
        raise ValueError(f"{raw!r} lists no source id")
    if not all(parts):
        raise ValueError(f"{raw!r} has an empty entry between ';'")
    return tuple(_check_id(part) for part in parts)


def _parse_number(kind: str, raw: str) -> int | float:
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
