#!/usr/bin/env bash
# Set up (without the dev tools) and run the main job: `ax demo` minimises the built-in
# problem (Branin subject to x1 + x2 <= 10, 20 trials: Sobol, then Bayesian optimisation),
# saves the experiment as JSON, writes the self-contained HTML report, and prints the best
# point and both paths.
#
#   bash scripts/demo.sh                         # writes to ${AX_DEMO_DIR:-/tmp/ax-demo}
#   bash scripts/demo.sh --trials 30 --seed 1    # extra arguments go to `ax demo`
#   bash scripts/demo.sh --out-dir results       # (see `ax demo --help`)
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

bash scripts/setup.sh --no-dev
exec .venv/bin/ax demo --out-dir "${AX_DEMO_DIR:-${TMPDIR:-/tmp}/ax-demo}" "$@"
