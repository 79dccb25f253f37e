"""What the notebooks share is generated, not copied: ``make nav`` (``python -m ketamine_explainer nav``) writes it,
``make execute`` writes it before running the notebooks, and ``tests/test_notebooks.py`` fails when any of it is stale.

In every notebook:

- **Navigation** (the cells tagged ``nav``, first and last): previous / contents / next, each notebook named by its H1
  (:func:`ketamine_explainer.notebooks.navigation`).
- **The title cell** (the cell after the top navigation): its H1 is the notebook's title, the one place a title lives;
  the H1 and the subtitle under it stay authored, and the disclaimer block after them is :data:`DISCLAIMER`. The cell's
  slide text (metadata ``kx.slide``) gets the same H1 and :data:`SLIDE_DISCLAIMER`; the one-line promise between them
  stays authored.
- **The sources cell** (the code cell ``kx.sources(data, ...)``): the ids of :func:`source_ids`. A notebook that shows
  ``kx.bibliography(data)`` instead (the summary) keeps it.

In the first notebook, **the Contents cell** (the markdown cell starting ``## Contents``): one row per section notebook,
its number and H1 linked to it, and what it covers. That column is the one-line promise on the section's title slide
(the italic line of ``kx.slide`` between the H1 and the disclaimer), so it is written once, in the notebook it describes,
and edited where the slide is. The cell's own slide text lists the sections by short title (the H1 up to its colon).
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import nbformat

from . import notebooks

DISCLAIMER = (
    "> **Educational, not medical advice.** This explainer summarises published research so you can learn how the evidence "
    "looks. It does not recommend any treatment, and nothing in it is a dosing instruction. Decisions about care belong "
    "with a qualified clinician who knows the person."
)
SLIDE_DISCLAIMER = "> **Educational, not medical advice.** No treatment advice, no dosing instructions."
_DISCLAIMER_START = "> **Educational, not medical advice.**"
CONTENTS = "## Contents"
SOURCES_CALL = "kx.sources("
#: Longest line of a generated ``kx.sources(...)`` call (ruff allows more; this keeps the cell readable).
WIDTH = 95
CITATION = re.compile(r"\(#src-([a-z0-9_]+)\)")


class GenerateError(ValueError):
    """Something the generator needs is missing from a notebook (printed as one line by the command)."""


# --- Which sources a notebook uses beyond its citations --------------------------------------------------------------


def _ids(*tables) -> list[str]:
    """The source ids of data rows, in row order."""
    found = []
    for rows in tables:
        for row in rows:
            found += list(getattr(row, "source_ids", ())) + ([row.source_id] if getattr(row, "source_id", None) else [])
    return found


def _onset(data, treatments=None, *_, **__) -> list[str]:
    return _ids(p for p in data.onset if treatments is None or p.treatment in treatments)


def _side_effects(data, drug="esketamine", *_, **__) -> list[str]:
    return _ids(r for r in data.side_effects if r.drug == drug)


def _table(*names):
    return lambda data, *_, **__: _ids(*(getattr(data, name) for name in names))


#: The one rule for sources a notebook lists without citing them in its prose: whatever its code cells show from
#: ``data/``. Each ``kx.<name>(...)`` call maps to the source ids of the rows it shows, given the call's arguments
#: (literal arguments are passed as written, ``data`` as the dataset, anything else as None). A notebook that shows the
#: help lines lists their sources, a chart lists the sources of the rows it draws, a quiz the sources its feedback names.
SHOWN = {
    "help_lines": _table("helplines"),
    "quiz": lambda data, question_id=None: _ids(o for o in data.quiz if o.question_id == question_id),
    "plot_onset_timelines": _onset,
    "measured_points_table": _onset,
    "plot_single_vs_course": lambda data, *_, **__: _onset(data, ("iv_single", "iv_course")),
    "plot_prevalence": _table("prevalence"),
    "plot_stard": _table("stard"),
    "plot_timeline": _table("timeline"),
    "plot_cascade": _table("mechanism"),
    "plot_plasma": _table("pk_parameters", "plasma_levels"),
    "plot_acute_effects": lambda data, *_, **__: _ids(data.acute_effects, [data.pk("infusion_minutes")]),
    "plot_side_effects": _side_effects,
    "plot_dose_levels": _table("dose_levels"),
    "comparison_table": _table("treatments"),
    "plot_timing": lambda data, *_, **__: _ids(data.treatments) + _onset(data),
    "glossary": _table("glossary"),
}
#: Calls that show nothing from ``data/`` (or list sources themselves).
NO_SOURCES = frozenset({"load", "sources", "bibliography", "set_talk_mode"})


def _argument(node: ast.expr, data):
    if isinstance(node, ast.Name) and node.id == "data":
        return data
    try:
        return ast.literal_eval(node)
    except (ValueError, TypeError, SyntaxError, RecursionError):  # not a literal: a variable, an expression
        return None


def kx_calls(source: str) -> list[tuple[str, ast.Call]]:
    """Every ``kx.<...>.<name>(...)`` call in a code cell's source, in reading order, as (name, call)."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return []
    calls = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            root = node.func.value
            while isinstance(root, ast.Attribute):
                root = root.value
            if isinstance(root, ast.Name) and root.id == "kx":
                calls.append((node.func.attr, node))
    return sorted(calls, key=lambda c: (c[1].lineno, c[1].col_offset))


def _explored(call: ast.Call, data) -> tuple[str, list[tuple[list, dict]]] | None:
    """``kx.explore(kx.charts.plot_x, data, **options)`` as the chart's name and the calls of it the options imply:
    one with the fixed keywords, and one per value of each varied keyword (a list, or a dict's values)."""
    if not call.args or not isinstance(call.args[0], ast.Attribute):
        return None
    fixed, varied = {}, {}
    for keyword in call.keywords:
        value = _argument(keyword.value, data)
        # as frames.varies, for literals (a range(...) call is not one, and is read as fixed)
        (varied if isinstance(value, (list, dict)) else fixed)[keyword.arg] = value
    calls = [([data], fixed)]
    for name, values in varied.items():
        calls += [([data], {**fixed, name: v}) for v in (values.values() if isinstance(values, dict) else values)]
    return call.args[0].attr, calls


def shown_ids(nb, data) -> list[str]:
    """The source ids of what the notebook's code cells show from data (see :data:`SHOWN`), in order."""
    found = []
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        for name, call in kx_calls(cell.source):
            explored = _explored(call, data) if name == "explore" else None
            if explored is not None:
                name, calls = explored
            else:
                calls = [([_argument(a, data) for a in call.args], {k.arg: _argument(k.value, data) for k in call.keywords if k.arg})]
            if name not in SHOWN:
                continue
            for args, kwargs in calls:
                try:
                    found += SHOWN[name](*args, **kwargs)
                except TypeError as exc:
                    raise GenerateError(f"cannot tell which sources kx.{name}(...) shows: {exc}") from None
    return found


def cited_ids(nb) -> list[str]:
    """Source ids the markdown cites (``(#src-<id>)`` links), in order of first citation."""
    text = "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
    return list(dict.fromkeys(CITATION.findall(text)))


def source_ids(nb, data) -> list[str]:
    """What a notebook's sources cell lists: the ids its prose cites, in order of first citation, then the ids of what
    its code cells show from data (:data:`SHOWN`: help lines, charts, tables, quiz feedback) that the prose does not cite."""
    return list(dict.fromkeys(cited_ids(nb) + shown_ids(nb, data)))


def sources_call(ids: list[str]) -> str:
    """``kx.sources(data, ...)`` on one line if it fits in :data:`WIDTH`, else one argument block wrapped at it."""
    quoted = [f'"{i}"' for i in ids]
    line = f"kx.sources(data, {', '.join(quoted)})"
    if len(line) <= WIDTH:
        return line
    lines, current = [], "   "
    for item in quoted:
        if len(current) + len(item) + 2 > WIDTH and current.strip():
            lines.append(current)
            current = "   "
        current += f" {item},"
    return "\n".join(["kx.sources(", "    data,", *lines, current, ")"])


# --- The title cell and the contents ----------------------------------------------------------------------------------


def _paragraphs(text: str) -> list[str]:
    return [p.strip() for p in re.split(r"\n[ \t]*\n", text.strip()) if p.strip()]


def opening(text: str, title: str, disclaimer: str) -> str:
    """``text`` (a title cell or its slide text) as: ``# title``, its authored paragraphs, ``disclaimer``."""
    paragraphs = _paragraphs(text)
    if paragraphs and paragraphs[0].startswith("# "):  # the old H1, and any line under it in the same paragraph
        paragraphs = paragraphs[0].split("\n", 1)[1:] + paragraphs[1:]
    kept = [p for p in paragraphs if not p.startswith(_DISCLAIMER_START)]
    return "\n\n".join([f"# {title}", *kept, disclaimer])


def promise(nb) -> str | None:
    """The one-line promise on a notebook's title slide: the paragraphs of ``kx.slide`` between the H1 and the disclaimer."""
    i = notebooks.title_cell_index(nb)
    slide = nb.cells[i].metadata.get("kx", {}).get("slide", "") if i is not None else ""
    paragraphs = [p for p in _paragraphs(slide) if not p.startswith(("# ", _DISCLAIMER_START))]
    return " ".join(p.strip("*_ ") for p in paragraphs) or None


def short_title(title: str) -> str:
    """A title up to its colon (``Safety: short-term effects ...`` is ``Safety``), for the contents slide."""
    return title.split(":", 1)[0].strip()


def _cell_text(text: str) -> str:
    return text.replace("|", "\\|")


def contents(titles: dict[str, str], promises: dict[str, str]) -> tuple[str, str]:
    """The Contents cell of the first notebook, and its slide text, for the section notebooks in ``titles``."""
    sections = [(n, s) for n, s in enumerate(notebooks.NOTEBOOKS) if n > 0 and s in titles]
    rows = [f"| [{n}. {titles[s]}]({s}.ipynb) | {_cell_text(promises[s])} |" for n, s in sections]
    cell = "\n".join([CONTENTS, "", "| Section | What it covers |", "|---|---|", *rows])
    slide = "\n".join([CONTENTS, "", *(f"{n}. [{short_title(titles[s])}]({s}.ipynb)" for n, s in sections)])
    return cell, slide


# --- Applying it -------------------------------------------------------------------------------------------------------


def _set(cell, text: str, what: str, changes: list[str]) -> None:
    if cell.source != text:
        cell.source = text
        changes.append(what)


def _set_slide(cell, text: str, what: str, changes: list[str]) -> None:
    kx = cell.metadata.get("kx", {})
    if kx.get("slide") != text:
        cell.metadata.setdefault("kx", {})["slide"] = text
        changes.append(what)


GLOSSARY_TAG = "glossary"
TAKEAWAYS = "## Key takeaways"
GLOSSARY_NOTE = "Speaker note: words used in this section, as the glossary (in the summary section) defines them."


def prose_cells(nb) -> list:
    """The markdown cells a reader reads: not the navigation, not the generated word list."""
    return [c for c in nb.cells if c.cell_type == "markdown"
            and not {notebooks.NAV_TAG, GLOSSARY_TAG} & set(c.metadata.get("tags", []))]


def term_pattern(term) -> re.Pattern:
    """Where a glossary term appears in prose: the word itself (any case), not part of a longer word."""
    return re.compile(rf"(?<![\w-]){re.escape(term.term)}(?![\w-])", re.IGNORECASE)


def terms_used(nb, data) -> list:
    """The glossary terms the notebook's prose uses, in order of first use."""
    text = "\n".join(c.source for c in prose_cells(nb))
    found = [(m.start(), g) for g in data.glossary for m in [term_pattern(g).search(text)] if m]
    return [g for _, g in sorted(found, key=lambda pair: pair[0])]


def glossary_note(terms) -> str:
    return GLOSSARY_NOTE + "\n\n" + "\n".join(f"- **{g.term}**: {g.short}." for g in terms)


def _glossary_cell(nb, data, changes: list[str]) -> None:
    """The speaker notes of the key takeaways slide list the words the section uses (the slides carry the glossary)."""
    import nbformat

    terms = terms_used(nb, data)
    cells = [c for c in nb.cells if GLOSSARY_TAG in c.metadata.get("tags", [])]
    if not terms:
        for cell in cells:
            nb.cells.remove(cell)
            changes.append("word list removed")
        return
    if not cells:
        after = next((i for i, c in enumerate(nb.cells) if c.cell_type == "markdown" and c.source.startswith(TAKEAWAYS)), None)
        if after is None:
            return
        cell = nbformat.v4.new_markdown_cell("", metadata={"slideshow": {"slide_type": "notes"}, "tags": [GLOSSARY_TAG]})
        nb.cells.insert(after + 1, cell)
        cells = [cell]
    _set(cells[0], glossary_note(terms), "word list", changes)


def _title_cell(nb, title: str, changes: list[str]) -> None:
    cell = nb.cells[notebooks.title_cell_index(nb)]
    _set(cell, opening(cell.source, title, DISCLAIMER), "title cell", changes)
    if cell.metadata.get("kx", {}).get("slide"):
        _set_slide(cell, opening(cell.metadata["kx"]["slide"], title, SLIDE_DISCLAIMER), "title slide text", changes)


def _contents_cell(nbs: dict, titles: dict[str, str], changes: list[str]) -> None:
    cell = next((c for c in nbs[notebooks.NOTEBOOKS[0]].cells if c.cell_type == "markdown" and c.source.startswith(CONTENTS)), None)
    if cell is None:
        return
    section_titles = {s: t for s, t in titles.items() if s != notebooks.NOTEBOOKS[0]}
    promises = {s: promise(nbs[s]) for s in section_titles}
    missing = [s for s, p in promises.items() if not p]
    if missing:
        raise GenerateError(f"{', '.join(f'notebooks/{s}.ipynb' for s in missing)}: the title slide (metadata kx.slide) needs "
                            f"a one-line promise under its H1, for the start page's contents table")
    text, slide = contents(section_titles, promises)
    _set(cell, text, "contents table", changes)
    _set_slide(cell, slide, "contents slide text", changes)


def _sources_cell(nb, data, changes: list[str]) -> None:
    for cell in nb.cells:
        if cell.cell_type == "code" and cell.source.startswith(SOURCES_CALL):
            ids = source_ids(nb, data)
            if not ids:
                raise GenerateError("the sources cell has no source to list (no citation, and nothing shown from data)")
            _set(cell, sources_call(ids), "sources cell", changes)


def generate(nbs: dict, data) -> dict[str, list[str]]:
    """Rewrite the generated parts of ``nbs`` ({stem: notebook node}, in memory); return {stem: what changed} for
    those that changed. Titles come from the H1s of ``nbs`` themselves, so a changed H1 reaches every notebook."""
    titles = {s: notebooks.heading(nb) for s, nb in nbs.items() if notebooks.heading(nb)}
    changed = {}
    for stem, nb in nbs.items():
        changes: list[str] = []
        if stem in notebooks.NOTEBOOKS:
            text = notebooks.navigation(stem, titles)
            for cell in nb.cells:
                if notebooks.NAV_TAG in cell.metadata.get("tags", []):
                    _set(cell, text, "navigation", changes)
        if stem in titles:
            _title_cell(nb, titles[stem], changes)
        _glossary_cell(nb, data, changes)
        try:
            _sources_cell(nb, data, changes)
        except GenerateError as exc:
            raise GenerateError(f"notebooks/{stem}.ipynb: {exc}") from None
        if changes:
            changed[stem] = changes
    first = notebooks.NOTEBOOKS[0]
    if first in nbs:  # after the loop: the promises are read from title slides already regenerated
        changes = changed.get(first, [])
        _contents_cell(nbs, titles, changes)
        if changes:
            changed[first] = changes
    return {stem: list(dict.fromkeys(changed[stem])) for stem in nbs if stem in changed}


def check_quiz_notebooks(data, directory: Path = notebooks.NOTEBOOK_DIR) -> None:
    """Every question in ``quiz.csv`` names a notebook of the reading order that exists in ``directory``."""
    from .errors import row_error
    from .tables import QuizOption

    stems = [p.stem for p in notebooks.notebook_paths(Path(directory))]
    for option in data.quiz:
        if option.notebook not in stems:
            raise row_error(data.folder / QuizOption.FILE, option, "notebook",
                            f"no notebook {option.notebook!r} (choose from {', '.join(stems)})")


def read_all(directory: Path = notebooks.NOTEBOOK_DIR) -> dict:
    """{stem: notebook node} for the notebooks in ``directory``, in reading order."""
    return {p.stem: nbformat.read(p, as_version=4) for p in notebooks.notebook_paths(Path(directory))}


def write_all(directory: Path = notebooks.NOTEBOOK_DIR, data=None) -> list[Path]:
    """Regenerate every notebook in ``directory``, writing (atomically) only those that changed; return their paths."""
    from .data import load

    nbs = read_all(directory)
    changed = generate(nbs, data if data is not None else load())
    paths = [Path(directory) / f"{stem}.ipynb" for stem in changed]
    for path in paths:
        notebooks.write_atomic(nbs[path.stem], path)
    return paths
