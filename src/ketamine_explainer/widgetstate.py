"""The widget state a notebook stores: exactly the models its outputs show, with ids derived from their content.

A chart or question in a notebook is an output that names a widget model (``application/vnd.jupyter.widget-view+json``);
the models themselves (controls, stacks of frames, the links between them) are stored once, in the notebook's metadata
(``application/vnd.jupyter.widget-state+json``), which is what lets them work before any cell runs and in exported
pages. Two writers touch that metadata:

- ``make execute``: nbclient stores the state of every widget its kernel made; :func:`settle` keeps only what the
  outputs show, and :func:`stable_ids` renames each model after its content, so running the notebooks twice writes
  the same files and a chart change rewrites only the notebooks that show it;
- a save from JupyterLab or Notebook 7, through the server's pre-save hook (:mod:`.savehook`): the frontend's own
  state is not trusted (it can be empty, see jupyter-widgets/ipywidgets#3888), so :func:`settle` rebuilds it from
  the state each of the explainer's outputs carries (:data:`CARRIED`), from what the frontend sent, and from the file
  being replaced, and keeps every model an output still shows.

Pure functions on notebooks as parsed JSON (``dict`` or ``nbformat.NotebookNode``); stdlib only.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Iterator, Mapping

STATE_MIME = "application/vnd.jupyter.widget-state+json"
VIEW_MIME = "application/vnd.jupyter.widget-view+json"
#: Output metadata key under which an explainer output carries the state of the models it shows (moved into the
#: notebook's metadata whenever the notebook is stored).
CARRIED = "ketamine_explainer/widget-state"
REFERENCE = "IPY_MODEL_"
VERSION = {"version_major": 2, "version_minor": 0}


def outputs(nb) -> Iterator[dict]:
    """Every output of every code cell, in order."""
    for cell in nb.get("cells", []):
        if cell.get("cell_type") == "code":
            yield from cell.get("outputs", [])


def shown(nb) -> list[str]:
    """The model ids the outputs show, in order of appearance (each once)."""
    found = {}
    for output in outputs(nb):
        view = output.get("data", {}).get(VIEW_MIME)
        if isinstance(view, Mapping) and isinstance(view.get("model_id"), str):
            found.setdefault(view["model_id"], None)
    return list(found)


def stored(nb) -> dict[str, dict]:
    """The model states in the notebook's metadata ({} if there are none, or they are not in the expected form)."""
    state = nb
    for key in ("metadata", "widgets", STATE_MIME, "state"):
        state = state.get(key) if isinstance(state, Mapping) else None
    return {k: v for k, v in state.items() if isinstance(v, Mapping)} if isinstance(state, Mapping) else {}


def references(value) -> Iterator[str]:
    """The model ids a model's state refers to (``"IPY_MODEL_<id>"`` strings, at any depth), in order."""
    if isinstance(value, str):
        if value.startswith(REFERENCE):
            yield value[len(REFERENCE):]
    elif isinstance(value, Mapping):
        for item in value.values():
            yield from references(item)
    elif isinstance(value, list | tuple):
        for item in value:
            yield from references(item)


def closure(roots: Iterable[str], pool: Mapping[str, dict]) -> list[str]:
    """The models needed to show ``roots``: each root found in ``pool``, what it refers to (depth first), then every
    model that refers only to models already kept (the links between a control and its frames)."""
    kept: dict[str, None] = {}

    def visit(model_id: str) -> None:
        if model_id in kept or model_id not in pool:
            return
        kept[model_id] = None
        for ref in references(pool[model_id].get("state", {})):
            visit(ref)

    for root in roots:
        visit(root)
    for model_id, model in pool.items():
        refs = list(references(model.get("state", {})))
        if model_id not in kept and refs and all(ref in kept for ref in refs):
            kept[model_id] = None
    return list(kept)


def take_carried(nb) -> dict[str, dict]:
    """Remove the state the outputs carry (:data:`CARRIED`) and return it, merged in output order."""
    found: dict[str, dict] = {}
    for output in outputs(nb):
        metadata = output.get("metadata")
        if isinstance(metadata, Mapping) and CARRIED in metadata:
            state = metadata.pop(CARRIED)
            if isinstance(state, Mapping):
                found.update({k: v for k, v in state.items() if isinstance(v, Mapping)})
    return found


def settle(nb, previous: Mapping[str, dict] | None = None) -> list[str]:
    """Store in ``nb`` the state of exactly the models its outputs show; return the ids shown with no state anywhere.

    Each model's state is taken, in order of trust, from the output that shows it (:data:`CARRIED`), from the state
    already in ``nb`` (what a frontend sent), then from ``previous`` (the file being replaced). Models no output
    shows any more are dropped.
    """
    pool = {**(previous or {}), **stored(nb), **take_carried(nb)}
    roots = shown(nb)
    keep = closure(roots, pool)
    metadata = nb.setdefault("metadata", {})
    if keep:
        metadata["widgets"] = {STATE_MIME: {"state": {k: pool[k] for k in keep}, **VERSION}}
    else:
        metadata.pop("widgets", None)
    return [model_id for model_id in roots if model_id not in pool]


def _canonical(value, names: Mapping[str, str], unknown: str | None = None):
    """``value`` with every model reference renamed by ``names``; a reference ``names`` lacks becomes ``unknown``
    (or is kept, if ``unknown`` is None)."""
    if isinstance(value, str) and value.startswith(REFERENCE):
        old = value[len(REFERENCE):]
        return REFERENCE + names.get(old, old if unknown is None else unknown)
    if isinstance(value, Mapping):
        return {k: _canonical(v, names, unknown) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_canonical(v, names, unknown) for v in value]
    return value


def stable_ids(nb) -> dict[str, str]:
    """Rename every stored model after its content (and the content of what it refers to); return old -> new ids.

    A model's new id is a hash of its state with its references already renamed, so an unchanged chart keeps its ids
    whatever else changes. Two models with the same content stay two models (a running count tells them apart), so
    two identical controls never become one.
    """
    state = stored(nb)
    names: dict[str, str] = {}
    taken: dict[str, int] = {}
    visiting: set[str] = set()

    def name(model_id: str) -> str:
        if model_id in names:
            return names[model_id]
        visiting.add(model_id)
        for ref in references(state[model_id].get("state", {})):
            if ref in state and ref not in names and ref not in visiting:
                name(ref)
        visiting.discard(model_id)
        text = json.dumps(_canonical(state[model_id], names, unknown="?"), sort_keys=True, separators=(",", ":"))
        digest = hashlib.sha256(text.encode()).hexdigest()
        count = taken.get(digest, 0)
        taken[digest] = count + 1
        names[model_id] = hashlib.sha256(f"{digest}#{count}".encode()).hexdigest()[:32]
        return names[model_id]

    for model_id in [*closure(shown(nb), state), *state]:
        name(model_id)
    renamed = {names[k]: _canonical(v, names) for k, v in state.items()}
    if renamed:
        nb["metadata"]["widgets"] = {STATE_MIME: {"state": renamed, **VERSION}}
    for output in outputs(nb):
        view = output.get("data", {}).get(VIEW_MIME)
        if isinstance(view, Mapping) and view.get("model_id") in names:
            view["model_id"] = names[view["model_id"]]
    return names
