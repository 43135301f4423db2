"""Notebook helpers: :mod:`ax.utils.notebook.plotting` (``render``, ``init_notebook_plotting``)."""
