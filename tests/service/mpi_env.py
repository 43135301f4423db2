"""How the tests start ``mpirun`` (Open MPI, infra.md section b), or why they cannot.

Open MPI refuses to run as root and to place more ranks than cores unless told; the
tests run on loopback as root on 2-core machines, so both are allowed through the
environment (no command-line flags, so the commands under test stay as users type them).
"""

from __future__ import annotations

import os
import shutil
from typing import Dict, List

import pytest

MPIRUN_ENV: Dict[str, str] = {
    "OMPI_ALLOW_RUN_AS_ROOT": "1",
    "OMPI_ALLOW_RUN_AS_ROOT_CONFIRM": "1",
    "OMPI_MCA_rmaps_base_oversubscribe": "1",
}


def mpirun() -> str:
    """The ``mpirun`` executable; skips the test when Open MPI or mpi4py is missing.

    ``scripts/setup.sh`` installs both (Debian's ``openmpi-bin``, the ``mpi4py`` wheel).
    """
    path = shutil.which("mpirun")
    if path is None:
        pytest.skip("Open MPI is not installed (bash scripts/setup.sh installs openmpi-bin)")
    try:
        import mpi4py  # noqa: F401
    except ImportError:
        pytest.skip("mpi4py is not installed (pip install 'ax-experiments[mpi]')")
    return path


def mpi_env(**extra: str) -> Dict[str, str]:
    """The environment for ``mpirun`` children: ours plus :data:`MPIRUN_ENV`."""
    return dict(os.environ, **MPIRUN_ENV, **extra)


def mpirun_command(ranks: int, *command: str) -> List[str]:
    """``mpirun -n RANKS COMMAND...``."""
    return [mpirun(), "-n", str(ranks), *command]


__all__ = ["MPIRUN_ENV", "mpi_env", "mpirun", "mpirun_command"]
