"""Notebook plotting, at the import path Ax users' notebooks use.

``from ax.utils.notebook.plotting import render, init_notebook_plotting`` gives the
functions of :mod:`ax.plot.render`. Like :mod:`ax.utils.testing`, this module sits above
the layer it lives in (it reaches up into :mod:`ax.plot`), for the convenience of
notebooks; importing it does not import plotly.

Example:
    >>> from ax.utils.notebook.plotting import init_notebook_plotting, render
    >>> init_notebook_plotting()
    >>> render(fig)
"""

from __future__ import annotations

from ax.plot.render import init_notebook_plotting, render

__all__ = ["init_notebook_plotting", "render"]
