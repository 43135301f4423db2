"""The HTML of the dashboard's pages: small shells that the page script fills in.

No value taken from a store is ever written into HTML markup: the page's data goes into
a ``<script type="application/json">`` element as JSON whose ``<``, ``>`` and ``&`` are
escaped (:func:`ax.dashboard.security.json_for_html`), and the script puts it on the page
with ``textContent``. The only text written as markup here (titles, error messages) is
HTML-escaped. No inline script: the Content-Security-Policy forbids it.
"""

from __future__ import annotations

import html
from typing import Any, Dict, Optional
from urllib.parse import urlencode

from ax.dashboard.security import escape_json_text, json_for_html


def static_url(name: str, token: Optional[str]) -> str:
    """The URL of a static file (with the token, since every request must carry it)."""
    return f"/static/{name}" + (f"?{urlencode({'token': token})}" if token else "")


def _shell(title: str, body: str, config: Dict[str, Any], data: str, token: Optional[str]) -> str:
    scripts = ""
    if config.get("page") == "experiment":
        scripts += f'<script src="{_e(static_url("plotly.min.js", token))}"></script>\n'
    scripts += f'<script src="{_e(static_url("dashboard.js", token))}"></script>\n'
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{_e(title)}</title>\n"
        '<link rel="icon" href="data:,">\n'
        f'<link rel="stylesheet" href="{_e(static_url("dashboard.css", token))}">\n'
        "</head>\n<body>\n"
        f'<header><a class="home" id="ax-home" href="/">ax dashboard</a>'
        f'<span class="live" id="ax-live" role="status"></span></header>\n'
        f"<main>\n{body}\n</main>\n"
        f'<script type="application/json" id="ax-config">{json_for_html(config)}</script>\n'
        f'<script type="application/json" id="ax-initial">{escape_json_text(data)}</script>\n'
        f"{scripts}</body>\n</html>\n"
    )


def list_page(config: Dict[str, Any], data: str, token: Optional[str]) -> str:
    """The list of the store's experiments (``data``: the ``/api/experiments`` JSON)."""
    body = (
        '<h1 id="ax-title">Experiments</h1>\n'
        '<p class="meta" id="ax-store"></p>\n'
        '<div class="table-wrap"><table id="ax-experiments"><thead></thead><tbody></tbody>'
        "</table></div>\n"
        '<p class="note" id="ax-empty" hidden>The store holds no experiment yet.</p>'
    )
    return _shell("ax dashboard", body, config, data, token)


def experiment_page(name: str, config: Dict[str, Any], data: str, token: Optional[str]) -> str:
    """One experiment (``data``: the ``/api/experiment`` JSON)."""
    body = """<h1 id="ax-title"></h1>
<p class="meta" id="ax-meta"></p>
<section id="summary"><dl class="summary" id="ax-summary"></dl></section>
<section id="trace"><h2>Optimization trace</h2><div class="fig" id="ax-trace"></div>
<p class="note" id="ax-trace-note" hidden></p></section>
<section id="pareto" hidden><h2>Pareto frontier</h2><div class="fig" id="ax-pareto"></div>
<p class="note" id="ax-pareto-note" hidden></p></section>
<section id="hypervolume" hidden><h2>Hypervolume</h2><div class="fig" id="ax-hypervolume"></div>
<p class="note" id="ax-hypervolume-note" hidden></p></section>
<section id="curves" hidden><h2>Learning curves</h2><div class="fig" id="ax-curves"></div>
<p class="note" id="ax-curves-note" hidden></p></section>
<section id="parameters"><h2>Parameters against the objective</h2>
<div class="fig" id="ax-parameters"></div>
<p class="note" id="ax-parameters-note" hidden></p></section>
<section id="model"><h2>Model</h2><p class="meta" id="ax-model-meta"></p>
<p class="note" id="ax-model-note" hidden></p>
<div class="fig" id="ax-contour"></div><div class="fig" id="ax-slice"></div></section>
<section id="importances"><h2>Feature importances</h2><div class="fig" id="ax-importances"></div>
<p class="note" id="ax-importances-note" hidden></p></section>
<section id="strategy"><h2>Generation strategy</h2><p class="meta" id="ax-strategy-meta"></p>
<table id="ax-strategy"><thead></thead><tbody></tbody></table>
<p class="note" id="ax-strategy-note" hidden>No generation strategy is stored with this
experiment.</p></section>
<section id="trials"><h2>Trials</h2>
<p class="controls"><label for="ax-status-filter">Status</label>
<select id="ax-status-filter"><option value="">all</option></select>
<label for="ax-text-filter">Search</label><input id="ax-text-filter" type="search">
<span class="meta" id="ax-trials-count"></span></p>
<div class="table-wrap"><table id="ax-trials"><thead></thead><tbody></tbody></table></div>
</section>"""
    return _shell(f"Experiment {name}", body, config, data, token)


def error_page(status: int, title: str, message: str, token: Optional[str]) -> str:
    """A clear error page (no traceback): what went wrong and a link to the list."""
    home = "/" + (f"?{urlencode({'token': token})}" if token else "")
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        f"<title>{_e(title)}</title>\n"
        '<link rel="icon" href="data:,">\n'
        f'<link rel="stylesheet" href="{_e(static_url("dashboard.css", token))}">\n'
        "</head>\n<body>\n<main>\n"
        f'<h1>{_e(title)}</h1>\n<p class="error" id="ax-error">{_e(message)}</p>\n'
        f'<p class="meta">HTTP {status}. <a href="{_e(home)}">Back to the experiments</a></p>\n'
        "</main>\n</body>\n</html>\n"
    )


def _e(text: str) -> str:
    return html.escape(text, quote=True)


__all__ = ["error_page", "experiment_page", "list_page", "static_url"]
