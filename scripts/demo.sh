#!/usr/bin/env bash
# Set up (without the dev tools) and run the main example: build an experiment, save it to
# JSON, load it back and check that nothing was lost.
#
#   bash scripts/demo.sh                   # saves to a temporary file
#   bash scripts/demo.sh my_experiment.json
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

bash scripts/setup.sh --no-dev
exec .venv/bin/python examples/save_load.py "$@"
