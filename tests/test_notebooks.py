"""Notebooks: the standard opening and closing, stored outputs, generated navigation, and citations that resolve."""

import json
import re

import pytest

from ketamine_explainer import generate, notebooks

PATHS = notebooks.notebook_paths()
IDS = [p.stem for p in PATHS]


def _cells(path):
    return json.loads(path.read_text(encoding="utf-8"))["cells"]


def _markdown(path):
    return "\n".join("".join(c["source"]) for c in _cells(path) if c["cell_type"] == "markdown")


def _code(path):
    return "\n".join("".join(c["source"]) for c in _cells(path) if c["cell_type"] == "code")


def test_every_notebook_in_the_reading_order_exists():
    assert list(notebooks.NOTEBOOKS) == IDS


@pytest.mark.parametrize("path", PATHS, ids=IDS)
def test_standard_opening_and_closing(path):
    cells = _cells(path)
    assert "nav" in cells[0]["metadata"].get("tags", []) and "nav" in cells[-1]["metadata"].get("tags", [])
    opening = "".join(cells[1]["source"])
    assert opening.startswith("# "), "the first cell after the navigation is the title"
    assert "Educational, not medical advice" in opening
    text = _markdown(path)
    for heading in ("## Learning goals", "## Key takeaways", "## Sources"):
        assert heading in text, f"{path.name} lacks '{heading}'"
    assert text.index("## Learning goals") < text.index("## Key takeaways") < text.index("## Sources")
    assert re.search(r"kx\.(sources|bibliography)\(", _code(path)), "the sources are generated from data/sources.csv"


@pytest.mark.parametrize("path", PATHS, ids=IDS)
def test_navigation_is_generated_and_current(path):
    cells = _cells(path)
    expected = notebooks.navigation(path.stem)
    assert "".join(cells[0]["source"]) == expected == "".join(cells[-1]["source"])


@pytest.fixture(scope="module")
def stale(data):
    """What the generator would change in the stored notebooks ({stem: parts}), run in memory."""
    return generate.generate(generate.read_all(), data)


@pytest.mark.parametrize("path", PATHS, ids=IDS)
def test_generated_text_is_current(path, stale):
    """Navigation, title cell, 00's contents and the sources cell are exactly what the generator writes."""
    assert path.stem not in stale, f"{path.name}: stale {', '.join(stale.get(path.stem, []))}: run make nav, then make execute"


@pytest.mark.parametrize("path", PATHS, ids=IDS)
def test_the_title_is_the_h1(path):
    h1 = "".join(_cells(path)[1]["source"]).split("\n")[0]
    assert h1 == f"# {notebooks.title(path.stem)}"


@pytest.mark.parametrize("path", PATHS, ids=IDS)
def test_every_code_cell_has_stored_output_and_no_error(path):
    nb = json.loads(path.read_text(encoding="utf-8"))
    for cell in nb["cells"]:
        if cell["cell_type"] != "code":
            continue
        assert cell["execution_count"] is not None, "run `make execute` to store outputs"
        assert all(o["output_type"] != "error" for o in cell["outputs"])
        assert all(o.get("name") != "stderr" for o in cell["outputs"]), "no warnings in stored outputs"
        assert not re.search(r"\b\w*Warning\b", json.dumps(cell["outputs"])), "no warning text in stored outputs"
        for output in cell["outputs"]:
            if "<img" in str(output.get("data", {}).get("text/html", "")):
                assert len(output["metadata"]["text/html"]["alt"]) > 40, "a chart's alt text is in its output metadata"
    uses_widgets = any("application/vnd.jupyter.widget-view+json" in o.get("data", {})
                       for c in nb["cells"] if c["cell_type"] == "code" for o in c["outputs"])
    if uses_widgets:
        state = nb["metadata"]["widgets"]["application/vnd.jupyter.widget-state+json"]["state"]
        views = [o["data"]["application/vnd.jupyter.widget-view+json"]["model_id"] for c in nb["cells"]
                 if c["cell_type"] == "code" for o in c["outputs"] if "application/vnd.jupyter.widget-view+json" in o.get("data", {})]
        assert all(model_id in state for model_id in views), "widget state must be stored for every widget shown"


@pytest.mark.parametrize("path", PATHS, ids=IDS)
def test_citations_in_the_text_resolve_and_are_listed(path, data):
    cited = set(re.findall(r"\(#src-([a-z0-9_]+)\)", _markdown(path)))
    assert cited <= set(data.sources), f"unknown source ids: {cited - set(data.sources)}"
    call = re.search(r"kx\.sources\(data, (.*?)\)", _code(path), re.S)
    if call:
        listed = set(re.findall(r'"([a-z0-9_]+)"', call.group(1)))
        assert cited <= listed, f"cited but not in the sources list: {cited - listed}"


@pytest.mark.parametrize("path", PATHS, ids=IDS)
def test_help_lines_wherever_suicide_is_mentioned(path):
    if re.search(r"suicid", _markdown(path), re.I):
        assert "kx.help_lines(data)" in _code(path)


@pytest.mark.parametrize("path", PATHS, ids=IDS)
def test_stored_outputs_hold_no_machine_paths(path):
    text = path.read_text(encoding="utf-8")
    for pattern in ("/root/", "/home/", "/tmp/", "/work/"):
        assert pattern not in text, f"{path.name} stores a machine path ({pattern})"


def test_every_source_is_used_by_data_or_notebook_text(data):
    used = data.cited_ids()
    for path in PATHS:
        used |= set(re.findall(r"\(#src-([a-z0-9_]+)\)", _markdown(path)))
        used |= set(re.findall(r'"([a-z0-9_]+)"', _code(path))) & set(data.sources)
    assert set(data.sources) - used == set(), "sources listed but never cited"


GENERIC_ALT = {"", "image", "chart", "figure", "plot", "no description has been provided for this image"}


@pytest.mark.parametrize("path", PATHS, ids=IDS)
def test_every_image_in_outputs_and_widget_frames_has_descriptive_alt_text(path):
    nb = json.loads(path.read_text(encoding="utf-8"))
    html = [o["data"]["text/html"] for c in nb["cells"] if c["cell_type"] == "code" for o in c["outputs"]
            if "text/html" in o.get("data", {})]
    html = ["".join(h) if isinstance(h, list) else h for h in html]
    state = nb["metadata"].get("widgets", {}).get("application/vnd.jupyter.widget-state+json", {}).get("state", {})
    html += [m["state"].get("value", "") for m in state.values() if m.get("model_name") == "HTMLModel"]
    images = [tag for chunk in html for tag in re.findall(r"<img\b[^>]*>", chunk)]
    assert all("image/png" not in o.get("data", {}) for c in nb["cells"] if c["cell_type"] == "code" for o in c["outputs"]), \
        "charts are shown as <img> with alt text, not bare PNG outputs"
    for tag in images:
        alt = re.search(r'alt="([^"]*)"', tag)
        assert alt and alt.group(1).strip().lower() not in GENERIC_ALT and len(alt.group(1)) > 40, tag[:120]


MAINTAINERS_ONLY = re.compile(r"`make\b|\bmake (lab|test|html|slides|handout|execute|nav)\b|\.venv|README|CONTRIBUTING|"
                              r"set_talk_mode|KETAMINE_|build/")


@pytest.mark.parametrize("path", PATHS, ids=IDS)
def test_pages_for_students_carry_no_commands_or_maintainer_notes(path):
    """What a learner reads (prose, slide text, notes) names no build command or project file: teachers' material is in
    TEACHING.md and the answer key."""
    for cell in _cells(path):
        if cell["cell_type"] == "markdown":
            for text in ("".join(cell["source"]), cell["metadata"].get("kx", {}).get("slide", "")):
                found = MAINTAINERS_ONLY.search(text)
                assert found is None, f"{path.name}: {found.group(0)!r} in {text[:80]!r}"
