"""Optimiser benchmark (issue 3): our default generation strategy beside its peers.

- :mod:`bo.problems`: Branin and Hartmann6, minimised.
- :mod:`bo.adapters`: one function per optimiser, ``run(name, problem, seed, n_evals)``.
- :mod:`bo.run_peer`: command line that runs one optimiser inside its own virtualenv.

The driver is ``bench/bench_bo.py``; the peers' virtualenvs come from
``bench/setup_peers.sh``. This package imports nothing from the project, so that it loads in
every virtualenv (where ``ax`` may be ax-platform).
"""
