"""Property: any corruption of any data file either still loads as valid data, or raises DataError naming a data file.

Never another exception (a KeyError, IndexError, csv.Error, UnicodeError...) and never data that breaks the rules
the pages rely on (ids, links, characters).
"""

import shutil
import tempfile
import unicodedata
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ketamine_explainer import data as kxdata
from ketamine_explainer.data import ID, DataError, link_problem

DATA = Path(__file__).resolve().parents[1] / "data"
FILES = sorted(p.name for p in DATA.glob("*.csv"))
TEXT = {name: (DATA / name).read_text(encoding="utf-8") for name in FILES}

# Characters that break naive loaders: CSV syntax, controls, separators, digits of other scripts, markup, quotes.
NASTY = st.sampled_from(list(',;"\'\n\r\t\x00\x1b\u2028\u2029\u202e\u200b\ufeff<>&$\\ _-.') + ["\u0667", "\uff17", "\u00e9", "1e999", "nan",
                                                                                                "-1", "1_0", "javascript:alert(1)"])
CELL = st.one_of(st.text(max_size=12), st.lists(NASTY, max_size=6).map("".join), st.sampled_from(["", "0", "1", "100", "101", "x"]))


@st.composite
def corrupted(draw):
    name = draw(st.sampled_from(FILES))
    lines = TEXT[name].split("\n")
    kind = draw(st.sampled_from(["cell", "cell", "cell", "insert", "delete_line", "duplicate_line", "truncate", "header", "bytes"]))
    if kind == "cell":
        i = draw(st.integers(0, len(lines) - 1))
        cells = lines[i].split(",")
        j = draw(st.integers(0, len(cells) - 1))
        cells[j] = draw(CELL)
        lines[i] = ",".join(cells)
        return name, "\n".join(lines).encode("utf-8")
    if kind == "insert":
        text = TEXT[name]
        at = draw(st.integers(0, len(text)))
        return name, (text[:at] + draw(st.lists(NASTY, min_size=1, max_size=4).map("".join)) + text[at:]).encode("utf-8")
    if kind == "delete_line":
        del lines[draw(st.integers(0, len(lines) - 1))]
    elif kind == "duplicate_line":
        i = draw(st.integers(1, len(lines) - 1))
        lines.insert(draw(st.integers(1, len(lines))), lines[i])
    elif kind == "truncate":
        return name, TEXT[name].encode("utf-8")[: draw(st.integers(0, len(TEXT[name])))]
    elif kind == "header":
        header = lines[0].split(",")
        i, j = draw(st.integers(0, len(header) - 1)), draw(st.integers(0, len(header) - 1))
        header[i] = draw(st.sampled_from([header[j], header[j].upper(), "", " " + header[j], header[j] + "\u200b"]))
        lines[0] = ",".join(header)
    elif kind == "bytes":
        raw = bytearray(TEXT[name].encode("utf-8"))
        at = draw(st.integers(0, len(raw) - 1))
        raw[at:at + 1] = draw(st.binary(min_size=1, max_size=3))
        return name, bytes(raw)
    return name, "\n".join(lines).encode("utf-8")


def _assert_valid(dataset) -> None:
    for table in kxdata.TABLES:
        for row in getattr(dataset, table):
            assert ID.fullmatch(row.id), row.id
            for value in vars(row).values():
                if isinstance(value, str):
                    assert not any(unicodedata.category(ch) in kxdata.BAD_CATEGORIES for ch in value), repr(value)
    for source in dataset.sources.values():
        assert ID.fullmatch(source.id) and link_problem(source.link) is None, source


@settings(max_examples=250, deadline=None, derandomize=True, database=None, suppress_health_check=[HealthCheck.too_slow])
@given(corrupted())
def test_corrupted_data_loads_or_raises_data_error_naming_the_file(case):
    name, content = case
    with tempfile.TemporaryDirectory() as folder:
        target = Path(folder) / "data"
        shutil.copytree(DATA, target)
        (target / name).write_bytes(content)
        try:
            dataset = kxdata._load.__wrapped__(target)  # not the cached loader: every example is a new folder
        except DataError as exc:
            assert exc.path.name in FILES and exc.path.parent == target, (str(exc), exc.path)
            assert str(exc).split(",")[0].split(":")[0].endswith(exc.path.name), str(exc)
        else:
            _assert_valid(dataset)
