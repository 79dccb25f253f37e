"""The server's guard on saving a notebook: no save drops the state of a widget that an output still shows.

``jupyter_config/jupyter_server_config.py`` registers :func:`pre_save` with the contents manager, so it runs for every
save that reaches the server (the toolbar, Ctrl+S, autosave, closing with "Save", a script using the REST API), from
JupyterLab, Notebook 7 or anything else, with or without a running kernel. It does not trust the frontend: whatever
widget state the frontend sent (possibly none, see jupyter-widgets/ipywidgets#3888) is completed from the state each
of the explainer's outputs carries and from the file being replaced, and pruned to what the outputs show
(:func:`ketamine_explainer.widgetstate.settle`).

Stdlib only (plus :mod:`.widgetstate`): the server imports it at start-up.
"""

from __future__ import annotations

import json
import logging
import os

from . import widgetstate

log = logging.getLogger(__name__)


def previous_state(os_path: str) -> dict[str, dict]:
    """The widget state in the notebook file at ``os_path`` ({} if it is missing or cannot be read)."""
    try:
        with open(os_path, encoding="utf-8") as handle:
            return widgetstate.stored(json.load(handle))
    except (OSError, ValueError, AttributeError):
        return {}


def pre_save(model: dict, path: str, contents_manager=None, **kwargs) -> None:
    """Complete and prune the widget state of a notebook about to be saved at ``path`` (an API path)."""
    if model.get("type") != "notebook" or not isinstance(model.get("content"), dict):
        return
    os_path = None
    if contents_manager is not None and hasattr(contents_manager, "_get_os_path"):
        try:
            os_path = contents_manager._get_os_path(path)
        except Exception:  # a path outside the root: the save itself will refuse it
            os_path = None
    previous = previous_state(os_path) if os_path and os.path.isfile(os_path) else {}
    missing = widgetstate.settle(model["content"], previous)
    if missing:
        log.warning("%s: saved without the state of %d widget(s) it shows (made outside the explainer and never "
                    "stored): they will show as 'model not found' when the notebook is reopened", path, len(missing))
