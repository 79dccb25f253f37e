"""Stored widget state: a save keeps every model an output shows (whatever the frontend sends), drops the rest, and
`make execute` names each model after its content, so the same run writes the same file."""

import copy
import json
import uuid

import nbformat
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ketamine_explainer import savehook, widgetstate
from ketamine_explainer.widgetstate import CARRIED, STATE_MIME, VIEW_MIME

REF = widgetstate.REFERENCE


def model(name: str, **state) -> dict:
    return {"model_module": "@jupyter-widgets/controls", "model_module_version": "2.0.0", "model_name": name,
            "state": state}


def explorer(prefix: str, frames=("a", "b")) -> dict[str, dict]:
    """A small explorer: a dropdown linked to a stack of HTML frames, in a box (ids start with ``prefix``)."""
    ids = {k: f"{prefix}{k}".ljust(32, "0") for k in ("box", "pick", "stack", "link", *frames)}
    return {
        ids["box"]: model("VBoxModel", children=[REF + ids["pick"], REF + ids["stack"]]),
        ids["pick"]: model("DropdownModel", _options_labels=list(frames), index=0),
        ids["stack"]: model("StackModel", children=[REF + ids[f] for f in frames], selected_index=0),
        ids["link"]: model("LinkModel", source=[REF + ids["pick"], "index"], target=[REF + ids["stack"], "selected_index"]),
        **{ids[f]: model("HTMLModel", value=f"<img alt='{f}'>") for f in frames},
    }


def root_of(models: dict) -> str:
    return next(k for k, m in models.items() if m["model_name"] == "VBoxModel")


def notebook(*roots: str, state: dict | None = None) -> dict:
    cells = [nbformat.v4.new_markdown_cell("# Title")]
    for root in roots:
        cell = nbformat.v4.new_code_cell("kx.explore(...)")
        cell.outputs = [nbformat.v4.new_output("display_data", data={
            VIEW_MIME: {"model_id": root, "version_major": 2, "version_minor": 0}, "text/plain": "An explorer."})]
        cells.append(cell)
    nb = nbformat.v4.new_notebook(cells=cells)
    if state is not None:
        nb.metadata["widgets"] = {STATE_MIME: {"state": state, "version_major": 2, "version_minor": 0}}
    return json.loads(json.dumps(nb))  # plain JSON, as a frontend sends it


def test_settle_keeps_what_the_outputs_show_with_their_links_and_drops_the_rest():
    shown, stale = explorer("a"), explorer("b")
    nb = notebook(root_of(shown), state={**shown, **stale})
    assert widgetstate.settle(nb) == []
    assert widgetstate.stored(nb) == shown, "the shown explorer, its frames and its link; nothing of the old run"


def test_a_save_with_an_empty_widget_state_keeps_the_stored_state():
    """jupyter-widgets/ipywidgets#3888: a reopened notebook's first save sends an empty state."""
    first, second = explorer("a"), explorer("b")
    on_disk = notebook(root_of(first), root_of(second), state={**first, **second})
    sent = notebook(root_of(first), root_of(second), state={})
    assert widgetstate.settle(sent, widgetstate.stored(on_disk)) == []
    assert widgetstate.stored(sent) == {**first, **second}


def test_the_state_an_output_carries_is_stored_once_and_trusted_over_the_frontends():
    old, rerun = explorer("a"), explorer("c")
    nb = notebook(root_of(old), root_of(rerun), state={})
    output = nb["cells"][2]["outputs"][0]
    output["metadata"][CARRIED] = copy.deepcopy(rerun)
    nb["metadata"]["widgets"] = {STATE_MIME: {"state": {root_of(rerun): model("VBoxModel", children=[])}}}  # a stale copy
    assert widgetstate.settle(nb, previous=old) == []
    assert widgetstate.stored(nb) == {**old, **rerun}
    assert CARRIED not in output["metadata"], "the carried copy is moved into the notebook's metadata, not kept twice"


def test_a_shown_model_with_no_state_anywhere_is_reported():
    nb = notebook("f" * 32, state={})
    assert widgetstate.settle(nb) == ["f" * 32]
    assert "widgets" not in nb["metadata"]


def _random_ids(state: dict, nb: dict) -> dict:
    """The same notebook with every model id replaced by a fresh random one, as each kernel run makes them."""
    names = {k: uuid.uuid4().hex for k in state}
    text = json.dumps(nb)
    for old, new in names.items():
        text = text.replace(old, new)
    return json.loads(text)


def test_stable_ids_do_not_depend_on_the_ids_a_run_happened_to_make():
    one, two = explorer("a"), explorer("b", frames=("x", "y", "z"))
    nb = notebook(root_of(one), root_of(two), state={**one, **two})
    first, second = _random_ids({**one, **two}, nb), _random_ids({**one, **two}, nb)
    assert first != second
    widgetstate.stable_ids(first)
    widgetstate.stable_ids(second)
    assert first == second
    assert len(widgetstate.stored(first)) == len(one) + len(two)
    assert widgetstate.settle(first) == [], "every output still finds its model"


def test_a_changed_chart_renames_only_its_own_models():
    one, two = explorer("a"), explorer("b")
    before = notebook(root_of(one), root_of(two), state={**one, **two})
    changed = copy.deepcopy(two)
    frame = next(k for k, m in changed.items() if m["model_name"] == "HTMLModel")
    changed[frame]["state"]["value"] = "<img alt='redrawn'>"
    after = notebook(root_of(one), root_of(two), state={**one, **changed})
    names_before, names_after = widgetstate.stable_ids(before), widgetstate.stable_ids(after)
    assert all(names_before[k] == names_after[k] for k in one), "the untouched chart keeps every id"
    assert names_before[root_of(two)] != names_after[root_of(two)]


def test_identical_models_stay_separate_so_two_identical_controls_never_become_one():
    one, two = explorer("a"), explorer("b")  # the same content under other ids
    nb = notebook(root_of(one), root_of(two), state={**one, **two})
    names = widgetstate.stable_ids(nb)
    assert len(set(names.values())) == len(names)


def graphs():
    """Random widget graphs: models referring to earlier ones, some shown, state split between the sources."""
    return st.integers(2, 12).flatmap(lambda n: st.tuples(
        st.lists(st.lists(st.integers(0, n - 1), max_size=3), min_size=n, max_size=n),
        st.lists(st.integers(0, n - 1), min_size=1, max_size=3),
        st.lists(st.sampled_from(["carried", "frontend", "disk", "nowhere"]), min_size=n, max_size=n)))


@settings(max_examples=200, deadline=None)
@given(graphs())
def test_settle_never_loses_a_shown_model_and_stores_no_dangling_reference(graph):
    refs, roots, where = graph
    ids = [f"{i:032x}" for i in range(len(refs))]
    models = {ids[i]: model("BoxModel", children=[REF + ids[j] for j in r if j != i]) for i, r in enumerate(refs)}
    sources = {name: {ids[i]: models[ids[i]] for i, w in enumerate(where) if w == name} for name in ("carried", "frontend", "disk")}
    nb = notebook(*[ids[i] for i in roots], state=sources["frontend"])
    nb["cells"][1]["outputs"][0]["metadata"][CARRIED] = sources["carried"]
    missing = widgetstate.settle(nb, sources["disk"])
    kept = widgetstate.stored(nb)
    available = {k for name in ("carried", "frontend", "disk") for k in sources[name]}
    for i in roots:
        assert (ids[i] in kept) == (ids[i] in available)
        assert (ids[i] in missing) == (ids[i] not in available)
    for model_id, stored_model in kept.items():
        assert stored_model == models[model_id]
        assert all(ref in kept or ref not in available for ref in widgetstate.references(stored_model["state"]))


class Contents:
    """The part of a contents manager the hook uses: where an API path lives on disk."""

    def __init__(self, root):
        self.root = root

    def _get_os_path(self, path):
        return str(self.root / path)


def test_the_pre_save_hook_completes_a_save_from_the_file_it_replaces(tmp_path):
    shown = explorer("a")
    on_disk = notebook(root_of(shown), state=shown)
    (tmp_path / "05.ipynb").write_text(json.dumps(on_disk), encoding="utf-8")
    saved = {"type": "notebook", "content": notebook(root_of(shown), state={})}
    savehook.pre_save(model=saved, path="05.ipynb", contents_manager=Contents(tmp_path))
    assert widgetstate.stored(saved["content"]) == shown
    other = {"type": "file", "content": "text"}
    savehook.pre_save(model=other, path="notes.txt", contents_manager=Contents(tmp_path))
    assert other == {"type": "file", "content": "text"}


@pytest.mark.parametrize("junk", ["", "{not json", json.dumps({"metadata": {"widgets": []}})])
def test_the_pre_save_hook_survives_an_unreadable_previous_file(tmp_path, junk):
    shown = explorer("a")
    (tmp_path / "05.ipynb").write_text(junk, encoding="utf-8")
    saved = {"type": "notebook", "content": notebook(root_of(shown), state=shown)}
    savehook.pre_save(model=saved, path="05.ipynb", contents_manager=Contents(tmp_path))
    assert widgetstate.stored(saved["content"]) == shown
