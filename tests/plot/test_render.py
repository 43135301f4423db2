"""render and init_notebook_plotting (ax.utils.notebook.plotting and ax.plot.render)."""

from __future__ import annotations

import sys
import types
from typing import Any, List

import pytest

from ax.exceptions import UserInputTypeError
from ax.utils.notebook.plotting import init_notebook_plotting, render


class FakeFigure:
    def __init__(self) -> None:
        self.shown = 0

    def show(self) -> None:
        self.shown += 1


def test_render_displays_through_ipython(monkeypatch: pytest.MonkeyPatch) -> None:
    displayed: List[Any] = []
    ipython = types.ModuleType("IPython")
    display_module = types.ModuleType("IPython.display")
    display_module.display = displayed.append  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "IPython", ipython)
    monkeypatch.setitem(sys.modules, "IPython.display", display_module)
    fig = FakeFigure()
    render(fig)
    assert displayed == [fig] and fig.shown == 0


def test_render_without_ipython_shows_the_figure(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "IPython", None)  # makes the import fail
    monkeypatch.setitem(sys.modules, "IPython.display", None)
    fig = FakeFigure()
    render(fig)
    assert fig.shown == 1


def test_render_rejects_non_figures() -> None:
    with pytest.raises(UserInputTypeError, match="render: fig must be a plotly figure, got int"):
        render(3)


@pytest.mark.parametrize("offline, renderer", [(True, "notebook"), (False, "notebook_connected")])
def test_init_notebook_plotting_sets_renderer_quietly(
    offline: bool, renderer: str, capsys: pytest.CaptureFixture[str]
) -> None:
    import plotly.io as pio

    before = pio.renderers.default
    try:
        init_notebook_plotting(offline=offline)
        assert pio.renderers.default == renderer
    finally:
        pio.renderers.default = before
    captured = capsys.readouterr()
    assert captured.out == "" and captured.err == ""
