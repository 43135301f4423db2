"""JobWorker and the ``polaris-worker`` command: run a Polaris experiment's jobs.

::

    polaris-worker --exp-key KEY [--mpi] [--run-once] [--debug]
    mpirun -n 4 polaris-worker --mpi --exp-key KEY     # one 4-rank worker

The broker is ``$RABBITMQ_URL``. The worker announces itself when idle, runs one job at a
time (each verified before it is unpickled; a job already seen or expired is refused and
logged, see :mod:`ax.service.rabbitmq.replay` for ``AX_WORKER_*`` settings), survives a
raising ``fn`` (the trial fails),
and leaves when the client ends the experiment (or after one job with ``--run-once``, or on
SIGTERM). With ``--mpi`` every rank runs each job with the same parameters; rank 0 talks
to the broker; all ranks leave together.
"""

from __future__ import annotations

import argparse
import logging
import sys
from typing import Any, Optional, Sequence

from polaris.rabbitmq.config import broker_url

LOG_FORMAT = "%(asctime)s:%(lineno)d:%(levelname)s:%(message)s"


class JobWorker:
    """A worker of Polaris's parallel mode.

    Args:
        args: An object with ``exp_key`` (str), ``mpi`` (bool) and ``run_once`` (bool),
            such as the ``polaris-worker`` command's parsed arguments.
        logger: Logger for this worker's messages; default
            ``logging.getLogger("polaris.rabbitmq.worker")``.
        debug: Log at DEBUG.

    Raises:
        UserInputError: ``args`` lacks ``exp_key`` or it is not a valid key.
    """

    def __init__(self, args: Any, logger: Optional[logging.Logger] = None, debug: bool = False):
        from ax.exceptions import UserInputError
        from ax.service.rabbitmq.protocol import queues

        exp_key = getattr(args, "exp_key", None)
        if not isinstance(exp_key, str):
            raise UserInputError(f"JobWorker: args.exp_key must be a str, got {exp_key!r}")
        queues(exp_key)  # validates the key
        self.exp_key = exp_key
        self.mpi = bool(getattr(args, "mpi", False))
        self.run_once = bool(getattr(args, "run_once", False))
        self.logger = logger if logger is not None else logging.getLogger("polaris.rabbitmq.worker")
        self.debug = debug
        if debug:
            self.logger.setLevel(logging.DEBUG)

    def start(self) -> Any:
        """Serve jobs until the experiment ends (see the module docstring).

        Returns:
            The worker's :class:`~ax.service.rabbitmq.worker.WorkerStats` (None on MPI
            ranks other than 0).

        Raises:
            BrokerConnectionError: The broker cannot be reached or goes away.
        """
        from ax.service.rabbitmq.worker import run_worker_process

        self.logger.info("Starting a worker of experiment %r...", self.exp_key)
        return run_worker_process(
            broker_url(logger=self.logger),
            self.exp_key,
            max_jobs=1 if self.run_once else None,
            mpi=self.mpi,
            announce=True,
        )


def build_parser() -> argparse.ArgumentParser:
    """The ``polaris-worker`` argument parser."""
    parser = argparse.ArgumentParser(
        prog="polaris-worker",
        description="Run the jobs of a Polaris experiment (Polaris.run_parallel) sent "
        "through RabbitMQ ($RABBITMQ_URL), until the experiment ends.",
    )
    parser.add_argument("--exp-key", "--e", dest="exp_key", required=True, metavar="KEY")
    parser.add_argument(
        "--mpi", "--m", action="store_true", help="be one rank of an mpirun -n K worker"
    )
    parser.add_argument("--run-once", action="store_true", help="exit after one job")
    parser.add_argument("--debug", action="store_true", help="log at DEBUG")
    return parser


def main(argv: Optional[Sequence[str]] = None) -> int:
    """The ``polaris-worker`` command; its exit status (0 when the experiment ended)."""
    args = build_parser().parse_args(argv)
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter(LOG_FORMAT))
    level = logging.DEBUG if args.debug else logging.INFO
    for name in ("polaris", "ax"):
        logger = logging.getLogger(name)
        logger.addHandler(handler)
        logger.setLevel(level)
        logger.propagate = False
    from ax.exceptions import AxError

    worker_logger = logging.getLogger("polaris.rabbitmq.worker")
    try:
        JobWorker(args, logger=worker_logger, debug=args.debug).start()
    except KeyboardInterrupt:
        worker_logger.info("Stop current worker...")
        return 130
    except AxError as err:
        print(f"polaris-worker: error: {err}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
