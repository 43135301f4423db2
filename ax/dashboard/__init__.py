"""The live dashboard: ``ax dashboard STORE`` serves every experiment of a store as web pages.

Modules, by concept:

- :mod:`ax.dashboard.options`: the typed, validated options (store, host, port, token,
  actions flag);
- :mod:`ax.dashboard.store`: read-only, consistent snapshots of a SQL store or a JSON
  file, cached by a cheap change marker;
- :mod:`ax.dashboard.views`: what a page shows (summaries, trials table, generation
  strategy, figures from :mod:`ax.plot.figures`, the same as the HTML report's);
- :mod:`ax.dashboard.pages`: the HTML shells (data goes in as escaped JSON);
- :mod:`ax.dashboard.security`: token, CSRF and the Content-Security-Policy;
- :mod:`ax.dashboard.actions`: the optional writes (abandon a trial, add a note);
- :mod:`ax.dashboard.app`: the Starlette application (routes);
- :mod:`ax.dashboard.server`: running it under uvicorn.

Starlette and uvicorn are the optional ``dashboard`` extra
(``pip install 'ax-experiments[dashboard]'``); nothing here is imported by ``import ax``.
"""
