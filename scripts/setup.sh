#!/usr/bin/env bash
# Set up the development environment; safe to run again (it skips what is already done).
#
#   bash scripts/setup.sh           # .venv + CPU torch + `pip install -e '.[dev]'`
#   bash scripts/setup.sh --no-dev  # same, without the dev tools (enough for the demo)
#
# torch is installed FIRST, pinned to the CPU build: resolving the package's bare
# `torch>=2.1` requirement on an empty environment would pull a multi-GB CUDA build.
# Environment: PYTHON (interpreter used to create .venv, default python3).
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

TORCH_VERSION="2.13.0"
PYTHON="${PYTHON:-python3}"
VENV=".venv"
VPY="$VENV/bin/python"
STAMP="$VENV/.ax-setup-stamp"

extras="[dev]"
case "${1:-}" in
    "") ;;
    --no-dev) extras="" ;;
    *) echo "usage: bash scripts/setup.sh [--no-dev]" >&2; exit 2 ;;
esac

log() { echo "[setup] $*"; }

# 1. The virtual environment (Python >= 3.10).
if [ ! -x "$VPY" ]; then
    if ! "$PYTHON" -c 'import sys; sys.exit(sys.version_info < (3, 10))'; then
        echo "[setup] $PYTHON is older than Python 3.10; set PYTHON=/path/to/python3.10+" >&2
        exit 1
    fi
    log "creating $VENV with $("$PYTHON" --version 2>&1)"
    "$PYTHON" -m venv "$VENV"
fi

# 2. torch, CPU build, before anything that depends on it (read from metadata, not imported).
installed_torch="$("$VPY" - <<'PY'
import importlib.metadata as md
try:
    print(md.version("torch").split("+")[0])
except md.PackageNotFoundError:
    print("")
PY
)"
if [ "$installed_torch" != "$TORCH_VERSION" ]; then
    log "installing torch==$TORCH_VERSION (CPU build)"
    "$VPY" -m pip install --quiet "torch==$TORCH_VERSION"
else
    log "torch $TORCH_VERSION already installed"
fi

# 3. The package itself, editable. Skipped when the packaging files are unchanged since the
#    last install with these extras (a dev install also serves --no-dev).
want="$(cat pyproject.toml setup.cfg | sha256sum | cut -d' ' -f1)"
have_hash=""; have_extras=""
if [ -f "$STAMP" ]; then read -r have_hash have_extras < "$STAMP" || true; fi
if [ "$have_hash" = "$want" ] && { [ "$have_extras" = "[dev]" ] || [ -z "$extras" ]; } \
    && "$VPY" -c 'import importlib.metadata as md; md.version("ax-experiments")' 2>/dev/null; then
    log "ax-experiments already installed (editable${have_extras:+, $have_extras})"
else
    log "installing ax-experiments (editable) with extras '${extras:-none}'"
    "$VPY" -m pip install --quiet -e ".${extras}"
    echo "$want ${extras}" > "$STAMP"
fi
# 4. Chromium from Debian's packages, for the headless-browser test of the HTML report
#    (dev installs only). Installed when missing and running as root; otherwise skipped
#    with a message (the test then skips itself, saying why).
# 5. PostgreSQL from Debian's packages, for the SQL store's tests and bench against a real
#    throwaway server (tests/storage/postgres_server.py starts and stops it; nothing is
#    started here). Same rule: installed when missing and root, else skipped with a message.
# 6. RabbitMQ from Debian's packages, for the RabbitMQ workers' tests against a real
#    throwaway broker (tests/service/rabbitmq_broker.py starts and stops it; nothing is
#    started here). Same rule.
# 7. Open MPI from Debian's packages (openmpi-bin), for the MPI workers' tests under a real
#    `mpirun` (mpi4py comes from the dev extra as a binary wheel). Same rule.
#    All steps share one `apt-get update`, run only if something is to be installed.
apt_updated=""
apt_install() {  # apt_install PACKAGE: one shared `apt-get update`, then install PACKAGE
    if [ -z "$apt_updated" ]; then
        DEBIAN_FRONTEND=noninteractive apt-get update -qq || return 1
        apt_updated=1
    fi
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$1" >/dev/null
}
can_apt() { [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; }
if [ "$extras" = "[dev]" ]; then
    if [ -x /usr/bin/chromium ]; then
        log "chromium already installed"
    elif can_apt; then
        log "installing chromium (Debian package) for the report's browser test"
        if ! apt_install chromium; then
            log "warning: could not install chromium; the browser test will fail"
        fi
    else
        log "chromium is not installed and this is not root: skipping it (the browser test" \
            "will be skipped; install it with: sudo apt-get install chromium)"
    fi
    if compgen -G "/usr/lib/postgresql/*/bin/postgres" >/dev/null; then
        log "postgresql already installed"
    elif can_apt; then
        log "installing postgresql (Debian package) for the SQL store's PostgreSQL tests"
        if ! apt_install postgresql; then
            log "warning: could not install postgresql; the PostgreSQL tests will fail"
        fi
    else
        log "postgresql is not installed and this is not root: skipping it (the PostgreSQL" \
            "tests will be skipped; install it with: sudo apt-get install postgresql)"
    fi
    if [ -x /usr/lib/rabbitmq/bin/rabbitmq-server ]; then
        log "rabbitmq-server already installed"
    elif can_apt; then
        log "installing rabbitmq-server (Debian package) for the RabbitMQ workers' tests"
        if ! apt_install rabbitmq-server; then
            log "warning: could not install rabbitmq-server; the RabbitMQ tests will fail"
        fi
    else
        log "rabbitmq-server is not installed and this is not root: skipping it (the" \
            "RabbitMQ tests will be skipped; install it with: sudo apt-get install rabbitmq-server)"
    fi
    if [ -x /usr/bin/mpirun ]; then
        log "Open MPI already installed"
    elif can_apt; then
        log "installing openmpi-bin (Debian package) for the MPI workers' tests"
        if ! apt_install openmpi-bin; then
            log "warning: could not install openmpi-bin; the MPI tests will fail"
        fi
    else
        log "Open MPI is not installed and this is not root: skipping it (the MPI tests" \
            "will be skipped; install it with: sudo apt-get install openmpi-bin)"
    fi
fi

log "done: $("$VPY" --version 2>&1), torch $TORCH_VERSION, ax $("$VPY" -c 'import ax; print(ax.__version__)')"
