# The explainer's settings for JupyterLab and Notebook 7 (`make lab` puts this folder on JUPYTER_CONFIG_PATH; see README).
import os

from ketamine_explainer.page import configure

# File > Save and Export Notebook As > HTML: jupyter_server's nbconvert handler builds its exporter from the server's
# configuration, so it writes the explainer's self-contained page.
configure(c)  # noqa: F821 (c is the configuration object Jupyter provides to config files)
# Saving: no save drops the stored state of a widget that an output still shows, whatever the frontend sends (see
# savehook.py). JupyterLab's own widget-state saving stays off (labconfig/): it marks a notebook unsaved as soon as it
# opens, and its first save can write an empty state (jupyter-widgets/ipywidgets#3888).
c.ContentsManager.pre_save_hook = "ketamine_explainer.savehook.pre_save"  # noqa: F821
# custom/custom.css: hides ipywidgets' "disconnected" badge on the explainer's controls, which work with no kernel.
# ServerApp.static_custom_path is not configurable (setting it only prints a warning), so the web application's setting
# it feeds, which JupyterLab's /custom/ handler reads, is set instead.
CUSTOM = os.path.join(os.path.dirname(os.path.abspath(__file__)), "custom")
# A plain dict, not .update() on an unset value (a LazyConfigValue, which JupyterHub's single-user extension cannot read).
SETTINGS = dict(c.ServerApp.tornado_settings) if "tornado_settings" in c.ServerApp else {}  # noqa: F821
c.ServerApp.tornado_settings = {**SETTINGS, "static_custom_path": [CUSTOM]}  # noqa: F821
c.LabApp.custom_css = True  # noqa: F821
# Kernels talk to the server over Unix sockets in a private per-server folder, not over TCP (no "Kernel is running over
# TCP without encryption" warning); TCP is kept where Unix sockets are not available (Windows). See kernels.py.
c.AsyncMappingKernelManager.kernel_manager_class = "ketamine_explainer.kernels.LocalSocketKernelManager"  # noqa: F821
