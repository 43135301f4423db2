"""The Polaris client: ``Polaris(fn, bounds, algo, trials, ...).run()``, checkpoint, resume.

``polaris`` has the API of the Polaris tuning library on this library's models. You give
it a function and the bounds of its parameters; it minimises the function's ``loss``:

- ``fn(params, exp_info)`` is called with ``params`` = ``{label: value}`` (floats, or ints
  on an integer grid) and ``exp_info`` = ``{"exp_key": str, "eval_count": int}``
  (1-based), and returns ``{"loss": <number>, "status": STATUS_SUCCESS}`` (other keys are
  kept in the trial's record) or ``{"status": STATUS_FAILURE, ...}``. A raised exception is
  a failed evaluation too; a failure is never the best.
- ``algo`` is ``'random'``, ``'bayesian_opt'`` (here: 6 Sobol points, then the GP) or
  ``'tpe'``.
- Each entry point returns the best parameters, or raises an error naming the last
  failure if no evaluation succeeded.

Sequential (the default): ``run()`` with ``max_evals=8`` in this process, checkpointed to
``<checkpoint_dir>/<exp_key>/checkpoint.json`` (a temporary directory here) after every
evaluation; then a new ``Polaris`` with the same ``exp_key`` and ``max_evals=12`` resumes
from the checkpoint and runs the remaining 4.

Parallel (``--parallel``, needs a RabbitMQ broker in ``RABBITMQ_URL``): one
``polaris-worker --exp-key KEY`` process is started (``python -m polaris.rabbitmq.worker``,
the same as the ``polaris-worker`` command), ``run_parallel()`` hands it the trials, and
the worker leaves when the experiment ends.

Usage:
    python examples/polaris_client.py [--seed S]
    RABBITMQ_URL=amqp://user:password@host:5672/vhost python examples/polaris_client.py --parallel
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
import uuid

from ax.exceptions import AxError
from polaris import STATUS_SUCCESS, Bounds, Polaris, Trials

BOUNDS = [
    Bounds("lr", 0.001, 0.01),
    Bounds("weight_decay", 0.0002, 0.04),
    Bounds("batch_size", 16, 128, q=16),  # a grid: 16, 32, ..., 128 (ints)
]
FIRST_EVALS, TOTAL_EVALS = 8, 12


def pseudo_train(params: dict, exp_info: dict) -> dict:
    """A made-up, deterministic loss; lowest at lr=0.006, weight_decay=0.02, batch 64.

    Stand-in for your own training code. Signature and result are Polaris's:
    ``fn(params, exp_info) -> {"loss": float, "status": STATUS_SUCCESS}``.
    """
    loss = (
        (params["lr"] - 0.006) ** 2 * 1e4
        + (params["weight_decay"] - 0.02) ** 2 * 1e3
        + ((params["batch_size"] - 64) / 64) ** 2
    )
    return {"loss": loss, "status": STATUS_SUCCESS, "eval": exp_info["eval_count"]}


def show(trials: Trials) -> None:
    for record in trials.trials:
        params = ", ".join(
            f"{k}={v}" if isinstance(v, int) else f"{k}={v:.5f}"
            for k, v in record["params"].items()
        )
        print(f"  eval {record['eval_count']:2d}: {params} -> loss {record['loss']:.4f}")


def sequential(seed: int) -> int:
    """Run 8 evaluations, then resume from the checkpoint up to 12."""
    with tempfile.TemporaryDirectory() as checkpoint_dir:
        exp_key = "polaris_example"
        started = time.perf_counter()
        trials = Trials()
        best = Polaris(
            pseudo_train,
            BOUNDS,
            "bayesian_opt",
            trials,
            max_evals=FIRST_EVALS,
            exp_key=exp_key,
            checkpoint_dir=checkpoint_dir,
            seed=seed,
        ).run()
        print(f"run(): {len(trials)} evaluations in {time.perf_counter() - started:.1f} s")
        show(trials)
        print(f"best so far: {best}")
        checkpoint = os.path.join(checkpoint_dir, exp_key, "checkpoint.json")
        print(f"checkpoint: {checkpoint} ({os.path.getsize(checkpoint):,} bytes)")

        # Later (or after a crash): the same exp_key and checkpoint_dir resume the run.
        trials = Trials()
        best = Polaris(
            pseudo_train,
            BOUNDS,
            "bayesian_opt",
            trials,
            max_evals=TOTAL_EVALS,
            exp_key=exp_key,
            checkpoint_dir=checkpoint_dir,
            seed=seed,
        ).run()
    print(f"resumed run(): {len(trials)} evaluations, the last {TOTAL_EVALS - FIRST_EVALS} new")
    show(trials)
    print(f"best parameters: {best} (loss {trials.lowest_loss:.4f})")
    if len(trials) != TOTAL_EVALS or [r["eval_count"] for r in trials.trials] != list(
        range(1, TOTAL_EVALS + 1)
    ):
        print(f"FAILED: expected evaluations 1..{TOTAL_EVALS} after the resume")
        return 1
    print("OK")
    return 0


def parallel(seed: int) -> int:
    """Run 12 evaluations on one polaris-worker process through RabbitMQ."""
    if not os.environ.get("RABBITMQ_URL"):
        print(
            "polaris_client.py --parallel: RABBITMQ_URL is not set; it needs a RabbitMQ "
            "broker, e.g. RABBITMQ_URL=amqp://user:password@localhost:5672/vhost",
            file=sys.stderr,
        )
        return 2
    # A fresh key per run: it names the broker's queues and the checkpoint directory.
    exp_key = f"polaris-example-{uuid.uuid4().hex[:8]}"
    with tempfile.TemporaryDirectory() as checkpoint_dir:
        log_path = os.path.join(checkpoint_dir, "worker.log")
        with open(log_path, "w") as log:
            # The worker reads RABBITMQ_URL from the environment it inherits.
            worker = subprocess.Popen(
                [sys.executable, "-m", "polaris.rabbitmq.worker", "--exp-key", exp_key],
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        print(f"started polaris-worker (pid {worker.pid}) for {exp_key!r}")
        started = time.perf_counter()
        trials = Trials()
        try:
            best = Polaris(
                pseudo_train,
                BOUNDS,
                "bayesian_opt",
                trials,
                max_evals=TOTAL_EVALS,
                exp_key=exp_key,
                checkpoint_dir=checkpoint_dir,
                seed=seed,
            ).run_parallel()
        except AxError as err:  # e.g. BrokerConnectionError: the broker is not reachable
            worker.terminate()
            worker.wait()
            print(f"FAILED: run_parallel: {err}", file=sys.stderr)
            return 1
        # run_parallel() deleted the experiment's queues: the worker leaves on its own.
        try:
            worker.wait(timeout=30)
        except subprocess.TimeoutExpired:
            worker.terminate()
            worker.wait()
            print("FAILED: the worker did not leave within 30 s of the end", file=sys.stderr)
            return 1
        with open(log_path) as log:
            worker_log = log.read()
    print(f"run_parallel(): {len(trials)} evaluations in {time.perf_counter() - started:.1f} s")
    show(trials)
    print(f"best parameters: {best} (loss {trials.lowest_loss:.4f})")
    print(f"worker exited with {worker.returncode}")
    if worker.returncode != 0:
        print(
            f"FAILED: the worker exited with {worker.returncode}: {worker_log[-500:]}",
            file=sys.stderr,
        )
        return 1
    if len(trials) != TOTAL_EVALS:
        print(f"FAILED: expected {TOTAL_EVALS} evaluations, got {len(trials)}", file=sys.stderr)
        return 1
    print("OK")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--parallel", action="store_true", help="run on a polaris-worker (needs RABBITMQ_URL)"
    )
    parser.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    args = parser.parse_args(argv)
    return parallel(args.seed) if args.parallel else sequential(args.seed)


if __name__ == "__main__":
    sys.exit(main())
