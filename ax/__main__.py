"""``python -m ax``: the ``ax`` command (see :mod:`ax.cli`)."""

from __future__ import annotations

from ax.cli import main

if __name__ == "__main__":
    raise SystemExit(main())
