# The explainer's HTML export settings for JupyterLab's File > Save and Export Notebook As > HTML:
# jupyter_server's nbconvert handler builds its exporter from the server's configuration.
# `make lab` puts this folder on JUPYTER_CONFIG_PATH (see README, "Exporting one page").
from ketamine_explainer.page import configure

configure(c)  # noqa: F821 (c is the configuration object Jupyter provides to config files)
