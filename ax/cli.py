"""The ``ax`` command: ``ax demo``, ``ax report``, ``ax show`` and ``ax worker``.

::

    ax demo [--trials N] [--seed S] [--out-dir DIR] [--no-progress]
    ax report EXPERIMENT.json [-o REPORT.html] [--title TITLE]
    ax show EXPERIMENT.json
    ax worker [--broker URL] --exp-key KEY [--mpi] [--run-once] [--max-jobs N] [--max-retries R]
    ax dashboard STORE [--host 127.0.0.1] [--port N] [--token T] [--allow-actions]

``python -m ax`` is the same command. Importing this module is cheap (argparse only); each
subcommand imports what it needs when it runs. A bad path or an unreadable experiment
file gives a one-line error on stderr and exit status 2.
"""

from __future__ import annotations

import argparse
import os
import sys
from typing import TYPE_CHECKING, Optional, Sequence, TextIO

if TYPE_CHECKING:  # pragma: no cover
    from ax.core.experiment import Experiment

EXIT_OK = 0
EXIT_USAGE = 2
EXIT_INTERRUPTED = 130


class CommandError(Exception):
    """A user-facing failure of a subcommand: printed as one line, exit status 2."""


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of the ``ax`` command (subcommands demo, report, show)."""
    from ax import __version__

    parser = argparse.ArgumentParser(
        prog="ax",
        description="Adaptive experimentation: run the demo, report on or show a saved experiment.",
    )
    parser.add_argument("--version", action="version", version=f"ax-experiments {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    commands.required = True

    demo = commands.add_parser(
        "demo",
        help="optimise the built-in problem; save the experiment and an HTML report",
        description="Minimise Branin subject to x1 + x2 <= 10 with the default strategy "
        "(Sobol, then Bayesian optimisation), save the experiment as JSON and write the "
        "HTML report, then print the best point and both paths.",
    )
    demo.add_argument("--trials", type=_positive_int, default=20, help="trials (default 20)")
    demo.add_argument("--seed", type=_seed, default=0, help="random seed (default 0)")
    demo.add_argument(
        "--out-dir",
        default="ax-demo",
        help="directory for experiment.json and report.html (default ./ax-demo)",
    )
    demo.add_argument("--no-progress", action="store_true", help="hide the progress bar")

    report = commands.add_parser(
        "report",
        help="write the self-contained HTML report of a saved experiment",
        description="Write one self-contained HTML file (optimization trace, parameter "
        "plots, trials table) for an experiment saved with ax.save.",
    )
    report.add_argument("experiment", metavar="EXPERIMENT.json", help="the saved experiment")
    report.add_argument(
        "-o",
        "--output",
        metavar="REPORT.html",
        help="file to write (default: the experiment's path with .html)",
    )
    report.add_argument("--title", help="page title (default: Experiment <name>)")

    show = commands.add_parser(
        "show",
        help="print the trials table and the best point of a saved experiment",
        description="Print the trials of an experiment saved with ax.save (one row per "
        "arm) and its best observed point.",
    )
    show.add_argument("experiment", metavar="EXPERIMENT.json", help="the saved experiment")

    worker = commands.add_parser(
        "worker",
        help="run trials sent by a RabbitMQExecutor (RabbitMQ, pika)",
        description="Serve the jobs of one experiment from RabbitMQ until the experiment "
        "ends (its queues are deleted), --max-jobs are done, or SIGTERM. Messages are "
        "verified with HMAC-SHA256 (key from AX_WORKER_SECRET, else derived from the URL's "
        "credentials) before anything is unpickled.",
    )
    worker.add_argument(
        "--broker",
        metavar="URL",
        default=os.environ.get("RABBITMQ_URL"),
        help="amqp://user:password@host:port/vhost (default: $RABBITMQ_URL)",
    )
    worker.add_argument("--exp-key", required=True, metavar="KEY", help="the experiment's key")
    worker.add_argument("--run-once", action="store_true", help="exit after one job")
    worker.add_argument("--max-jobs", type=_positive_int, help="exit after N jobs")
    worker.add_argument(
        "--max-retries",
        type=_seed,
        default=2,
        help="redeliveries of a job before it is dead-lettered (default 2)",
    )
    worker.add_argument(
        "--mpi",
        action="store_true",
        help="be one rank of a K-rank worker started by mpirun -n K: every rank runs each "
        "trial (data-parallel training), rank 0 talks to the broker (needs mpi4py)",
    )
    worker.add_argument("--quiet", action="store_true", help="log warnings only")
    _add_dashboard_parser(commands)
    return parser


# ---------------------------------------------------------------------------- dashboard


def _add_dashboard_parser(commands: argparse._SubParsersAction) -> None:
    dashboard = commands.add_parser(
        "dashboard",
        help="serve a live web dashboard of the experiments in a store (read-only)",
        description="Serve every experiment of STORE (sqlite:///runs.db, a PostgreSQL URL, "
        "or a JSON file saved by ax.save) as web pages that follow a run as it writes. "
        "Binds to 127.0.0.1 by default; another address needs --token. Read-only unless "
        "--allow-actions. Needs the `dashboard` extra: pip install 'ax-experiments[dashboard]'.",
    )
    dashboard.add_argument("store", metavar="STORE", help="database URL or JSON file")
    dashboard.add_argument("--host", default="127.0.0.1", help="address to bind (127.0.0.1)")
    dashboard.add_argument(
        "--port", type=_port, default=8080, help="port (default 8080; 0 picks a free one)"
    )
    dashboard.add_argument(
        "--token",
        default=os.environ.get("AX_DASHBOARD_TOKEN"),
        help="secret every request must carry (required off loopback; default $AX_DASHBOARD_TOKEN)",
    )
    dashboard.add_argument(
        "--allow-actions",
        action="store_true",
        help="allow marking trials abandoned and adding notes (POST, CSRF-protected)",
    )


def _dashboard(args: argparse.Namespace, out: TextIO) -> int:
    from ax.exceptions import AxError

    try:
        from ax.dashboard.options import DashboardOptions

        options = DashboardOptions(
            store=args.store,
            host=args.host,
            port=args.port,
            token=args.token,
            allow_actions=args.allow_actions,
        )
        from ax.dashboard.server import serve
    except ModuleNotFoundError as err:
        if (err.name or "").split(".")[0] in ("starlette", "uvicorn", "anyio"):
            raise CommandError(
                f"the dashboard needs {err.name}: pip install 'ax-experiments[dashboard]'"
            ) from err
        raise
    except AxError as err:
        raise CommandError(_one_line(err)) from err
    try:
        serve(options, out)
    except AxError as err:
        raise CommandError(_one_line(err)) from err
    return EXIT_OK


def _port(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a port 0..65535, got {text!r}") from None
    if not 0 <= value <= 65535:
        raise argparse.ArgumentTypeError(f"expected a port 0..65535, got {text!r}")
    return value


def main(argv: Optional[Sequence[str]] = None) -> int:
    """Run the ``ax`` command.

    Args:
        argv: Arguments without the program name (default ``sys.argv[1:]``).

    Returns:
        The exit status: 0 on success (also when the reader of stdout closes the pipe
        early), 2 on a usage error or a bad file (with a one-line message on stderr), 130
        when interrupted.
    """
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exit_:  # --help, --version and usage errors
        return int(exit_.code or 0) if not isinstance(exit_.code, str) else EXIT_USAGE
    try:
        if args.command == "demo":
            return _demo(args, sys.stdout)
        if args.command == "report":
            return _report(args, sys.stdout)
        if args.command == "worker":
            return _worker(args, sys.stdout)
        if args.command == "dashboard":
            return _dashboard(args, sys.stdout)
        return _show(args, sys.stdout)
    except CommandError as err:
        print(f"ax {args.command}: error: {err}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print(f"ax {args.command}: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        # The reader went away (``ax show X.json | head -1``): stop quietly. stdout is
        # pointed at devnull so that the interpreter's final flush cannot raise again.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 0


# ---------------------------------------------------------------------------- commands


def _demo(args: argparse.Namespace, out: TextIO) -> int:
    from ax.demo import DEMO_CONSTRAINTS, DEMO_METRIC, DEMO_OPTIMUM, run_demo
    from ax.exceptions import AxError

    try:
        result = run_demo(
            total_trials=args.trials,
            seed=args.seed,
            out_dir=args.out_dir,
            show_progress=not args.no_progress,
        )
    except (AxError, OSError) as err:
        raise CommandError(_one_line(err)) from err
    experiment = result.experiment
    parameters = ", ".join(f"{k}={_fmt(v)}" for k, v in result.best_parameters.items())
    print(
        f"Ran {len(experiment.trials)} trials of {experiment.name!r} (minimise Branin "
        f"subject to {DEMO_CONSTRAINTS[0]}) in {result.seconds:.1f} s.",
        file=out,
    )
    print(f"Best parameters: {parameters} (trial {result.best_trial_index})", file=out)
    print(
        f"Objective: {DEMO_METRIC} = {result.best_value:.6g} (known minimum {DEMO_OPTIMUM})",
        file=out,
    )
    print(f"Experiment saved to: {result.experiment_path}", file=out)
    print(f"Report written to:   {result.report_path}", file=out)
    return EXIT_OK


def _report(args: argparse.Namespace, out: TextIO) -> int:
    from ax.exceptions import AxError
    from ax.plot.report import save_report

    experiment = _load(args.experiment)
    output = args.output or _default_report_path(args.experiment)
    if os.path.isdir(output):
        raise CommandError(f"output {output!r} is a directory; give a file name")
    parent = os.path.dirname(os.path.abspath(output))
    if not os.path.isdir(parent):
        raise CommandError(f"cannot write {output!r}: directory {parent!r} does not exist")
    try:
        path = save_report(experiment, output, title=args.title)
    except (AxError, OSError) as err:
        raise CommandError(_one_line(err)) from err
    print(f"Report written to: {path}", file=out)
    return EXIT_OK


def _show(args: argparse.Namespace, out: TextIO) -> int:
    from ax.core.objective import ScalarizedObjective
    from ax.exceptions import AxError, NoDataError
    from ax.plot.exp_utils import format_text_table, objective, trials_table
    from ax.service.utils.best_point import get_best_raw_objective_point

    experiment = _load(args.experiment)
    counts: dict[str, int] = {}
    for trial in experiment.trials.values():
        counts[trial.status.name.lower()] = counts.get(trial.status.name.lower(), 0) + 1
    described = ", ".join(f"{n} {s}" for s, n in sorted(counts.items()))
    name = experiment._name or "(unnamed)"
    print(
        f"Experiment {name!r}: {len(experiment.trials)} trials"
        + (f" ({described})" if described else ""),
        file=out,
    )
    target = objective(experiment)
    if target is not None:
        print(f"Objective: {target[0]} ({'minimize' if target[1] else 'maximize'})", file=out)
    elif experiment.optimization_config is not None and isinstance(
        experiment.optimization_config.objective, ScalarizedObjective
    ):
        scalarized = experiment.optimization_config.objective
        terms = " + ".join(f"{w:g} * {m.name}" for m, w in scalarized.metric_weights)
        print(f"Objective: {'minimize' if scalarized.minimize else 'maximize'} {terms}", file=out)
    if len(experiment.progression_data):
        from ax.plot.learning_curves import compute_saved

        print(compute_saved(experiment).describe(), file=out)
    header, rows = trials_table(experiment)
    print("", file=out)
    print(format_text_table(header, rows) if rows else "(no trials)", file=out)
    print("", file=out)
    if _show_pareto(experiment, out):
        return EXIT_OK
    config = experiment.optimization_config
    if config is None:
        print("Best point: none (the experiment has no optimization config)", file=out)
        return EXIT_OK
    try:
        parameters, values = get_best_raw_objective_point(experiment)
    except NoDataError:
        print("Best point: none (no completed trial has data for the objective)", file=out)
        return EXIT_OK
    except AxError as err:
        raise CommandError(_one_line(err)) from err
    described_params = ", ".join(f"{k}={_fmt(v)}" for k, v in parameters.items())
    print(f"Best point: {described_params}", file=out)
    for metric, (mean, sem) in values.items():
        sem_text = "" if sem != sem else f" (sem {sem:.3g})"  # NaN: unknown
        print(f"  {metric} = {mean:.6g}{sem_text}", file=out)
    return EXIT_OK


def _show_pareto(experiment: Experiment, out: TextIO) -> bool:
    """Print the objectives, hypervolume and trade-off table of a multi-objective
    experiment; False (nothing printed) for a single-objective one."""
    from ax.plot.exp_utils import format_text_table, format_value
    from ax.plot.pareto import observed_frontier, tradeoff_table

    frontier = observed_frontier(experiment)
    if frontier is None:
        return False
    print(
        "Objectives: "
        + ", ".join(
            f"{n} ({'minimize' if m else 'maximize'})"
            + (f", threshold {frontier.thresholds[n]:g}" if n in frontier.thresholds else "")
            for n, m in zip(frontier.objectives, frontier.minimize)
        ),
        file=out,
    )
    reference = ", ".join(
        f"{n}={frontier.reference_point[n]:.6g} ({frontier.reference_source[n]})"
        for n in frontier.objectives
        if n in frontier.reference_point
    )
    print(f"Reference point: {reference or 'none yet'}", file=out)
    print(f"Hypervolume: {frontier.hypervolume:.6g}", file=out)
    header, rows = tradeoff_table(frontier)
    if not rows:
        print(
            "Pareto frontier: none (no completed trial is feasible and within the "
            "objective thresholds)",
            file=out,
        )
        return True
    print(f"Pareto frontier ({len(rows)} arm(s)):", file=out)
    print(format_text_table(header, [[format_value(v) for v in row] for row in rows]), file=out)
    return True


def _worker(args: argparse.Namespace, out: TextIO) -> int:
    from ax.exceptions import AxError
    from ax.utils.logger import set_verbosity

    if not args.broker:
        raise CommandError("no broker: give --broker URL or set RABBITMQ_URL")
    max_jobs = 1 if args.run_once else args.max_jobs
    set_verbosity("WARNING" if args.quiet else "INFO")
    try:
        from ax.service.rabbitmq.worker import run_worker_process

        stats = run_worker_process(
            args.broker,
            args.exp_key,
            max_jobs=max_jobs,
            max_retries=args.max_retries,
            mpi=args.mpi,
        )
    except AxError as err:
        raise CommandError(_one_line(err)) from err
    except Exception as err:  # anything else from pika: one line, no traceback
        raise CommandError(f"{type(err).__name__}: {_one_line(err)}") from err
    if stats is not None:  # rank 0 or the only process
        print(
            f"Worker {args.exp_key!r}: ran {stats.jobs_run} job(s) ({stats.jobs_failed} "
            f"failed), refused {stats.refused}, dead-lettered {stats.dead_lettered}; "
            f"stopped: {stats.stopped_because}",
            file=out,
        )
    return EXIT_OK


# ---------------------------------------------------------------------------- helpers


def _load(path: str) -> Experiment:
    """Load a saved experiment, or raise CommandError with a one-line reason."""
    from ax.exceptions import AxError
    from ax.storage.json_store.load import load

    if not os.path.exists(path):
        raise CommandError(f"no such file: {path!r}")
    if os.path.isdir(path):
        raise CommandError(f"{path!r} is a directory, not a saved experiment")
    try:
        return load(path)
    except AxError as err:  # the message names the file
        raise CommandError(_one_line(err)) from err
    except OSError as err:
        raise CommandError(f"cannot read {path!r}: {err.strerror or err}") from err


def _default_report_path(experiment_path: str) -> str:
    root, ext = os.path.splitext(experiment_path)
    return (root if ext.lower() == ".json" else experiment_path) + ".html"


def _one_line(err: BaseException) -> str:
    text = str(err).strip() or type(err).__name__
    return " ".join(text.split())


def _fmt(value: object) -> str:
    return f"{value:.6g}" if isinstance(value, float) else str(value)


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {text!r}")
    return value


def _seed(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected an integer >= 0, got {text!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"expected an integer >= 0, got {text!r}")
    return value


__all__ = ["CommandError", "build_parser", "main"]
