"""Text blocks generated from data: source lists, help lines, tables of measured points."""

from __future__ import annotations

import html
from dataclasses import dataclass

from .data import Dataset, link_problem
from .units import format_days


@dataclass(frozen=True)
class Block:
    """HTML for Jupyter and exported pages, with a plain-text twin (what nbval compares and screen readers fall back on)."""

    html: str
    text: str

    def _repr_mimebundle_(self, include=None, exclude=None):
        return {"text/html": self.html, "text/plain": self.text}


def _link(url: str, text: str) -> str:
    """A link to a web address; anything but a plain http(s) address is shown as text only."""
    if link_problem(url):
        return html.escape(text)
    return f'<a href="{html.escape(url)}">{html.escape(text)}</a>'


def _anchor(source_id: str, text: str) -> str:
    return f'<a href="#src-{html.escape(source_id)}">{html.escape(text)}</a>'


def sources(data: Dataset, *source_ids: str, start: int = 1) -> Block:
    """A numbered list of full citations, each with an anchor ``src-<id>`` that the prose links to (numbered from
    ``start``: a list split over several slides keeps counting)."""
    if not source_ids:
        raise ValueError("name at least one source id")
    items, lines = [], []
    for source_id in source_ids:
        s = data.source(source_id)
        ident = f"doi:{s.doi}" if s.doi else f"PMID {s.pmid}" if s.pmid else s.url
        items.append(
            f'<li id="src-{html.escape(s.id)}">{html.escape(s.authors)} ({html.escape(s.year)}). '
            f"{html.escape(s.title)}. <em>{html.escape(s.venue)}</em>. {_link(s.link, ident)}</li>"
        )
        lines.append(f"[{s.id}] {s.citation()}")
    first = "" if start == 1 else f' start="{start:d}"'
    return Block(f'<ol class="kx-sources"{first}>{"".join(items)}</ol>', "\n".join(lines))


def bibliography_ids(data: Dataset) -> list[str]:
    """Every source id in ``data/sources.csv``, by first author and year."""
    return [s.id for s in sorted(data.sources.values(), key=lambda s: (s.authors.lower(), s.year))]


def bibliography(data: Dataset) -> Block:
    """Every source in ``data/sources.csv``, sorted by first author."""
    return sources(data, *bibliography_ids(data))


def help_lines(data: Dataset) -> Block:
    """Where to get help now, from ``data/helplines.csv``."""
    rows = "".join(
        f"<li><strong>{html.escape(h.service)}</strong> ({html.escape(h.region)}): {html.escape(h.contact)}</li>"
        for h in data.helplines
    )
    lead = ("If you are thinking about suicide, or worried about someone, you are not alone and help is available now. "
            "If you are in immediate danger, call your local emergency number.")
    block = f'<div class="kx-note kx-help" role="note"><p><strong>{html.escape(lead)}</strong></p><ul>{rows}</ul></div>'
    text = lead + "\n" + "\n".join(f"- {h.service} ({h.region}): {h.contact}" for h in data.helplines)
    return Block(block, text)


def glossary(data: Dataset) -> Block:
    """Words used in the explainer, in alphabetical order: each with its short meaning, a fuller definition and source."""
    terms = sorted(data.glossary, key=lambda g: g.term.lower())
    items = "".join(
        f'<dt id="term-{html.escape(g.id)}"><strong>{html.escape(g.term)}</strong></dt>'
        f"<dd>{html.escape(g.short[0].upper() + g.short[1:])}. {html.escape(g.definition)} "
        f"({_anchor(g.source_id, data.source(g.source_id).short)})</dd>"
        for g in terms)
    text = "\n".join(f"- {g.term}: {g.short}. {g.definition} ({data.source(g.source_id).short})" for g in terms)
    return Block(f'<dl class="kx-glossary">{items}</dl>', text)


HELP_LEAD_SHORT = "Thinking about suicide? Help is there now:"


def help_lines_short(data: Dataset) -> Block:
    """The help lines as a slide shows them: the numbers and where to turn, in a few words (the notes have the rest)."""
    rows = "".join(f"<li>{html.escape(h.slide)}</li>" for h in data.helplines)
    block = f'<div class="kx-note kx-help" role="note"><p><strong>{html.escape(HELP_LEAD_SHORT)}</strong></p><ul>{rows}</ul></div>'
    return Block(block, HELP_LEAD_SHORT + "\n" + "\n".join(f"- {h.slide}" for h in data.helplines))


def measured_points_table(data: Dataset, treatments: tuple[str, ...] | None = None) -> Block:
    """Every measured point behind the onset chart, with its population and source."""
    treatments = treatments or tuple(t.id for t in data.treatments)
    head = ("Treatment", "Arm", "Time", "Measure", "Value", "Population", "Source", "Certainty")
    body, lines = [], []
    for treatment in treatments:
        label = data.treatment(treatment).label
        rows = sorted((p for p in data.onset if p.treatment == treatment), key=lambda p: p.days)
        for p in rows:
            value = "" if p.value_pct is None else f"{p.value_pct:g}%"
            measure = p.measure.replace("_", " ") + (" (curve anchor, not measured)" if not p.measured else "")
            s = data.source(p.source_id)
            cells = (label, p.arm, format_days(p.days), measure, value, p.population,
                     f"{s.authors.split(',')[0]} {s.year}", p.certainty.replace("_", " "))
            body.append("<tr>" + "".join(f'<td data-label="{html.escape(h)}">{html.escape(c)}</td>' for h, c in zip(head, cells[:6]))
                        + f'<td data-label="{html.escape(head[6])}">{_anchor(s.id, cells[6])}</td>'
                        f'<td data-label="{html.escape(head[7])}">{html.escape(cells[7])}</td></tr>')
            lines.append(" | ".join(cells))
    table = ('<table class="kx-table"><thead><tr>' + "".join(f'<th scope="col">{html.escape(h)}</th>' for h in head)
             + "</tr></thead><tbody>" + "".join(body) + "</tbody></table>")
    return Block(table, " | ".join(head) + "\n" + "\n".join(lines))


def short_citation(data: Dataset, source_id: str) -> str:
    """How a table cites a source: first author's surname (or organisation's first word) and year, e.g. "Coyle 2015"."""
    return data.source(source_id).short


def comparison_table(data: Dataset) -> Block:
    """The treatments side by side: who was studied, onset, response, durability, what a course involves, evidence.

    The population column matters: the figures come from trials in different groups and are not directly comparable.
    """
    head = ("Treatment", "Population studied", "First effect", "Typical response", "How long it lasts", "What a course involves",
            "Evidence")
    body, lines = [], []
    for t in data.treatments:
        cells = (t.label, t.population, t.first_effect, t.typical_response, t.durability, t.course, t.evidence)
        names = [short_citation(data, i) for i in t.source_ids]
        refs = "<br>".join(_anchor(i, n) for i, n in zip(t.source_ids, names))
        body.append("<tr>" + f'<th scope="row">{html.escape(cells[0])}</th>'
                    + "".join(f'<td data-label="{html.escape(h)}">{html.escape(c)}</td>' for h, c in zip(head[1:], cells[1:]))
                    + f'<td data-label="Sources">{refs}</td></tr>')
        lines.append(" | ".join(cells) + " | " + "; ".join(names))
    table = ('<table class="kx-table"><thead><tr>' + "".join(f'<th scope="col">{html.escape(h)}</th>' for h in (*head, "Sources"))
             + "</tr></thead><tbody>" + "".join(body) + "</tbody></table>")
    return Block(table, " | ".join((*head, "Sources")) + "\n" + "\n".join(lines))

