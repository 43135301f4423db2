#!/usr/bin/env bash
# Set up (scripts/setup.sh), then run every check CI runs. Exits non-zero if any fails.
#
#   bash scripts/test.sh              # ruff, mypy, import contracts, the whole test suite
#   bash scripts/test.sh -k storage   # extra arguments go to pytest
set -uo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

bash scripts/setup.sh || { echo "[test] setup failed" >&2; exit 1; }

BIN=".venv/bin"
failed=()

step() {
    local name="$1"; shift
    echo "[test] ==> $name: $*"
    "$@"
    local rc=$?
    if [ "$rc" -ne 0 ]; then
        echo "[test] FAILED: $name (exit $rc)" >&2
        failed+=("$name")
    fi
}

step ruff "$BIN/ruff" check ax polaris tests bench
step mypy "$BIN/mypy" ax polaris
step import-contracts "$BIN/lint-imports" --no-cache  # the cache can keep stale edges

echo "[test] ==> pytest: $BIN/pytest $*"
"$BIN/pytest" "$@"
rc=$?
if [ "$rc" -eq 5 ]; then
    echo "[test] FAILED: pytest collected no tests" >&2
    failed+=("pytest")
elif [ "$rc" -ne 0 ]; then
    echo "[test] FAILED: pytest (exit $rc)" >&2
    failed+=("pytest")
fi

if [ "${#failed[@]}" -ne 0 ]; then
    echo "[test] FAILED steps: ${failed[*]}" >&2
    exit 1
fi
echo "[test] all checks passed"
