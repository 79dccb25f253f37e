# The explainer's HTML export settings for `jupyter nbconvert --to html` (one self-contained page that works offline).
# Used when this folder is on JUPYTER_CONFIG_PATH, or with `jupyter nbconvert --config jupyter_config/jupyter_nbconvert_config.py`.
from ketamine_explainer.page import configure

configure(c)  # noqa: F821 (c is the configuration object Jupyter provides to config files)
