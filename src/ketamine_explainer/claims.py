"""The claims ledger: every number a reader sees in prose or quiz feedback, checked against ``data/claims.csv``.

``numbers_in_text`` finds the numbers a reader sees (``2,252`` is one number); the few exemptions are explicit and narrow:

- years inside a citation link (``[Rush 2006](#src-rush2006)``), link targets and code spans;
- list numbering at the start of a line (``1. explain ...``), section numbers in link text (``[1. Depression]``) and
  cross-references (``section 6``);
- digits that are part of a name (``TRANSFORM-2``, ``SUSTAIN-1``, ``13C``, ``mTORC1``), listed in :data:`NAMES`.

``check`` returns every problem found: a number missing from the ledger of its notebook, a ledger value that does not
equal (to its rounding) the data cell it restates, or a derived value whose formula gives something else.
"""

from __future__ import annotations

import ast
import json
import operator
import re
from pathlib import Path

from .data import Claim, Dataset

#: Names that contain digits; their digits are not figures. Keep this list short and specific.
NAMES = (r"TRANSFORM-\d", r"SUSTAIN-\d", r"\b13C\b", r"\bcarbon-13\b", r"\bmTORC1\b", r"\bQIDS-SR16\b", r"\bCI-581\b")

_CITATION = re.compile(r"\[([^\]]*)\]\(#src-[a-z0-9_]+\)")
_LINK_TARGET = re.compile(r"\]\([^)]*\)")
_CODE = re.compile(r"`[^`]*`")
_LIST_NUMBER = re.compile(r"^(\s*)\d+\.\s", re.M)
_SECTION_LINK = re.compile(r"\[\d+\.\s")
_SECTION_REF = re.compile(r"\bsection \d+\b")
_YEAR = re.compile(r"\b(19|20)\d{2}\b")
_NUMBER = re.compile(r"(?<![\w.,])\d{1,3}(?:,\d{3})+(?![\w,])|(?<![\w.])\d+(?:\.\d+)?(?![\w])|(?<![\w.])\d+(?:\.\d+)?(?=%)")


def strip_exempt(text: str) -> str:
    """The text with the exempt digits removed (see the module docstring)."""
    text = _CODE.sub(" ", text)
    text = _CITATION.sub(lambda m: "[" + _YEAR.sub(" ", m.group(1)) + "]", text)
    text = _LINK_TARGET.sub("]", text)
    text = _SECTION_LINK.sub("[", text)
    text = _SECTION_REF.sub("section", text)
    text = _LIST_NUMBER.sub(r"\1", text)
    for name in NAMES:
        text = re.sub(name, " ", text)
    return text


def numbers_in_text(text: str) -> list[str]:
    """Every number a reader sees in ``text`` (as written, e.g. ``'36.8'``), after the exemptions."""
    return [n.replace(",", "") for n in _NUMBER.findall(strip_exempt(text))]  # 2,252 is the number 2252


def notebook_markdown(path: Path) -> str:
    """A notebook's markdown as readers see it: every markdown cell, and each cell's short slide text (``kx.slide``)."""
    cells = json.loads(Path(path).read_text(encoding="utf-8"))["cells"]
    texts = []
    for c in cells:
        if c["cell_type"] == "markdown":
            texts.append("".join(c["source"]))
            slide = c["metadata"].get("kx", {}).get("slide")
            if slide:
                texts.append("".join(slide))
    return "\n\n".join(texts)


def claimed_numbers(data: Dataset, notebook: str) -> set[float]:
    return {n for c in data.claims if c.notebook == notebook for n in c.numbers}


def texts_by_notebook(data: Dataset, notebook_paths) -> dict[str, list[tuple[str, str]]]:
    """(where, text) pairs for each notebook: its markdown, and the feedback of each of its quiz options."""
    texts = {Path(p).stem: [("markdown", notebook_markdown(p))] for p in notebook_paths}
    for option in data.quiz:
        texts.setdefault(option.notebook, []).append((f"quiz feedback {option.id}", option.feedback))
    return texts


_OPS = {ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul, ast.Div: operator.truediv}
_REF = re.compile(r"[a-z_]+\.csv:[A-Za-z0-9_]+:[a-z_]+")


def evaluate(data: Dataset, formula: str) -> float:
    """A derived value: data cells (``file.csv:row_id:column``) and numbers combined with + - * / and brackets."""
    names = {}

    def name(match):
        key = f"ref{len(names)}"
        names[key] = float(data.cell(match.group(0)))
        return key

    tree = ast.parse(_REF.sub(name, formula).strip(), mode="eval")

    def walk(node):
        if isinstance(node, ast.Expression):
            return walk(node.body)
        if isinstance(node, ast.BinOp) and type(node.op) in _OPS:
            return _OPS[type(node.op)](walk(node.left), walk(node.right))
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
            return -walk(node.operand)
        if isinstance(node, ast.Constant) and isinstance(node.value, (int, float)):
            return float(node.value)
        if isinstance(node, ast.Name) and node.id in names:
            return names[node.id]
        raise ValueError(f"unsupported expression in formula '{formula}'")

    return walk(tree)


def _decimals(text: str) -> int:
    return len(text.partition(".")[2])


def _ends(claim: Claim) -> list[str]:
    value = claim.value
    low, sep, high = value.partition("-")
    return [low, high] if sep and low else [value]


def value_problems(data: Dataset, claim: Claim) -> list[str]:
    """Where a claim restates a data cell or derives from data, its value must equal that, to the claim's rounding."""
    problems = []
    sources = [("data", ref) for ref in claim.data_ref.split(";") if ref.strip()] if claim.data_ref else []
    if claim.derived:
        sources = [("derived", f) for f in claim.derived.split(";")]
    if not sources:
        return problems
    ends = _ends(claim)
    if len(sources) != len(ends):
        return [f"{claim.id}: {len(ends)} value(s) but {len(sources)} data reference(s) or formula(s)"]
    for end, (kind, ref) in zip(ends, sources):
        try:
            actual = float(data.cell(ref.strip())) if kind == "data" else evaluate(data, ref)
        except (KeyError, ValueError, TypeError, ZeroDivisionError, SyntaxError) as exc:
            problems.append(f"{claim.id}: cannot read {ref.strip()!r} ({exc})")
            continue
        if round(actual, _decimals(end)) != float(end):
            problems.append(f"{claim.id} ({claim.notebook}): says {end} but {ref.strip()} gives {actual:g}")
        if kind == "data" and len(sources) == 1:
            row_source = data.cell(ref.strip().rsplit(":", 1)[0] + ":source_id") if _has_source(data, ref) else None
            if row_source and row_source != claim.source_id:
                problems.append(f"{claim.id}: cites {claim.source_id} but {ref.strip()} comes from {row_source}")
    return problems


def _has_source(data: Dataset, ref: str) -> bool:
    try:
        data.cell(ref.strip().rsplit(":", 1)[0] + ":source_id")
        return True
    except KeyError:
        return False


def check(data: Dataset, notebook_paths) -> list[str]:
    """Every problem with the numbers a reader sees; an empty list means prose, feedback, ledger and data agree."""
    problems = []
    for notebook, texts in texts_by_notebook(data, notebook_paths).items():
        claimed = claimed_numbers(data, notebook)
        for where, text in texts:
            for number in numbers_in_text(text):
                if float(number) not in claimed:
                    problems.append(f"{notebook}, {where}: {number} is not in data/claims.csv for this notebook")
    for claim in data.claims:
        problems += value_problems(data, claim)
    return problems
