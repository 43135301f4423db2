#!/usr/bin/env bash
# Create the virtual environments of the peer optimisers benchmarked by bench/bench_bo.py.
# Safe to run again: a venv whose packages already have the pinned versions is left alone.
#
#   bash bench/setup_peers.sh            # both venvs
#   bash bench/setup_peers.sh ax         # only ax-platform
#   bash bench/setup_peers.sh optuna     # only optuna + hyperopt
#   bash bench/setup_peers.sh hebo       # only HEBO (bench/bench_suite.py's fifth peer)
#
# Layout (ignored by git: `.bench-venvs/`):
#   .bench-venvs/ax-platform/   ax-platform==1.3.1 (imports as `ax`, like this project,
#                               hence a venv of its own); botorch 0.18.1, gpytorch 1.15.x
#   .bench-venvs/optuna/        optuna (TPE and its GP sampler, which needs torch and scipy,
#                               and greenlet to batch its optimiser) and hyperopt
#
# torch is installed FIRST, pinned to the CPU build that lies on this machine's disk (pip's
# find-links here hold torch-2.13.0+cpu): resolving the peers' bare `torch` requirements on
# an empty venv would pull a multi-GB CUDA build, and the script stops if one got in. ax-platform 1.3.1 pins botorch[pymoo]>=0.18.1,<0.18.2, and botorch 0.18.1 accepts
# torch 2.13.0, so the pins below resolve together without overrides.
# Environment: PYTHON (interpreter for the venvs, default python3; Python >= 3.10).
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

TORCH_VERSION="2.13.0"
AX_PLATFORM_VERSION="1.3.1"
OPTUNA_VERSION="5.0.0"
HYPEROPT_VERSION="0.3.0"
HEBO_VERSION="0.3.6"
PYTHON="${PYTHON:-python3}"
ROOT=".bench-venvs"

log() { echo "[setup_peers] $*"; }

# make_venv DIR: create venv DIR with $PYTHON unless it exists.
make_venv() {
    local dir="$1"
    if [ ! -x "$dir/bin/python" ]; then
        if ! "$PYTHON" -c 'import sys; sys.exit(sys.version_info < (3, 10))'; then
            echo "[setup_peers] $PYTHON is older than Python 3.10; set PYTHON=..." >&2
            exit 1
        fi
        log "creating $dir with $("$PYTHON" --version 2>&1)"
        mkdir -p "$(dirname "$dir")"
        "$PYTHON" -m venv "$dir"
    fi
}

# installed_version DIR DIST: the installed version of DIST in venv DIR ('' if absent).
installed_version() {
    "$1/bin/python" - "$2" <<'PY'
import importlib.metadata as md
import sys
try:
    print(md.version(sys.argv[1]))
except md.PackageNotFoundError:
    print("")
PY
}

# pip_install DIR ARGS...: quiet pip install into venv DIR, without the local index's
# "Location ... is ignored" noise (one line per package not mirrored on this machine's disk).
pip_install() {
    local dir="$1"
    shift
    "$dir/bin/python" -m pip install --quiet "$@" 2>&1 | { grep -v "is ignored: it is neither" || true; }
}

# install_cpu_torch DIR: torch==$TORCH_VERSION (CPU build) into venv DIR, checked.
install_cpu_torch() {
    local dir="$1" have
    have="$(installed_version "$dir" torch)"
    if [ "${have%%+*}" != "$TORCH_VERSION" ]; then
        log "$dir: installing torch==$TORCH_VERSION (CPU build)"
        # numpy alongside: torch warns at import when it is missing.
        pip_install "$dir" "torch==$TORCH_VERSION" numpy
    fi
    # Refuse a CUDA build: it would be slow to install and not what we benchmark.
    "$dir/bin/python" -c '
import sys, torch
if torch.version.cuda is not None:
    sys.exit(f"torch {torch.__version__} is a CUDA build; expected the CPU build")
'
}

# ensure DIR SPEC...: pip install the specs (`name==version` or `name`) into venv DIR
# unless each is installed already (at that version).
ensure() {
    local dir="$1"
    shift
    if ! "$dir/bin/python" - "$@" <<'PY'
import importlib.metadata as md
import sys
for spec in sys.argv[1:]:
    name, _, version = spec.partition("==")
    try:
        have = md.version(name)
    except md.PackageNotFoundError:
        sys.exit(1)
    if version and have != version:
        sys.exit(1)
PY
    then
        log "$dir: installing $*"
        # torch stays at the CPU build: pin it so that no resolver step replaces it.
        pip_install "$dir" "$@" "torch==$TORCH_VERSION"
    fi
}

setup_ax() {
    local dir="$ROOT/ax-platform"
    make_venv "$dir"
    install_cpu_torch "$dir"
    ensure "$dir" "ax-platform==$AX_PLATFORM_VERSION"
    "$dir/bin/python" - <<'PY'
import importlib.metadata as md
print("[setup_peers] ax-platform venv:", ", ".join(
    f"{d} {md.version(d)}" for d in ("ax-platform", "botorch", "gpytorch", "torch")))
PY
}

setup_optuna() {
    local dir="$ROOT/optuna"
    make_venv "$dir"
    install_cpu_torch "$dir"
    # scipy and torch are the GP sampler's needs; greenlet lets it run its L-BFGS-B
    # restarts batched (without it optuna warns and optimises them one by one). All three
    # are in optuna's "optional" extra, which pulls much else besides.
    ensure "$dir" "optuna==$OPTUNA_VERSION" scipy greenlet "hyperopt==$HYPEROPT_VERSION"
    "$dir/bin/python" - <<'PY'
import importlib.metadata as md
print("[setup_peers] optuna venv:", ", ".join(
    f"{d} {md.version(d)}" for d in ("optuna", "hyperopt", "scipy", "greenlet", "numpy", "torch")))
PY
}

# HEBO (Huawei Noah's Ark; winner of the NeurIPS 2020 black-box optimisation challenge):
# .bench-venvs/hebo/, torch first (CPU build) like the others.
setup_hebo() {
    local dir="$ROOT/hebo"
    make_venv "$dir"
    install_cpu_torch "$dir"
    # HEBO 0.3.6 needs numpy < 1.25; without these pins pip backtracks through every
    # release of pandas, matplotlib and scikit-learn for tens of minutes. pymoo 0.6.0 and
    # GPy build from source (Cython) on the way.
    ensure "$dir" "HEBO==$HEBO_VERSION" numpy==1.24.4 pandas==2.0.3 matplotlib==3.7.5 \
        scikit-learn==1.3.2 scipy==1.11.4
    "$dir/bin/python" - <<'PY'
import importlib.metadata as md
print("[setup_peers] hebo venv:", ", ".join(
    f"{d} {md.version(d)}" for d in ("HEBO", "numpy", "pandas", "torch")))
PY
}

case "${1:-all}" in
    all) setup_ax; setup_optuna; setup_hebo ;;
    ax) setup_ax ;;
    optuna) setup_optuna ;;
    hebo) setup_hebo ;;
    *) echo "usage: bash bench/setup_peers.sh [all|ax|optuna|hebo]" >&2; exit 2 ;;
esac
log "done"
