"""Framework cost per trial of the AxClient ask/tell loop, as the experiment grows.

DESIGN.md's budget: the framework's own cost per trial stays flat (ax-platform's ask/tell
loop costs 26 ms per trial at 100 trials and 399 ms at 5,000). A Sobol-only strategy is
used so that no model fit is timed: what is measured is the client, the strategy, the
bridge and the bookkeeping around one ``get_next_trial`` + ``complete_trial``.

Usage: python bench/bench_ask_tell.py [--sizes 100 1000 5000] [--window 50]
"""

from __future__ import annotations

import argparse
import statistics
import time

from ax.modelbridge.generation_strategy import GenerationStep, GenerationStrategy
from ax.modelbridge.registry import Models
from ax.service.ax_client import AxClient


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100, 1000, 5000])
    parser.add_argument("--window", type=int, default=50, help="trials timed at each size")
    args = parser.parse_args()
    client = AxClient(
        generation_strategy=GenerationStrategy(
            [GenerationStep(Models.SOBOL, num_trials=-1, model_kwargs={"seed": 0})]
        ),
        verbose_logging=False,
    )
    client.create_experiment(
        name="ask_tell",
        parameters=[{"name": f"x{i}", "type": "range", "bounds": [0.0, 1.0]} for i in range(6)],
        objective_name="y",
        minimize=True,
    )
    print(f"{'trials so far':>14} {'ask+tell median (ms)':>22} {'ask (ms)':>10} {'tell (ms)':>10}")
    done = 0
    for size in sorted(args.sizes):
        while done < size - args.window:
            params, index = client.get_next_trial()
            client.complete_trial(index, {"y": (sum(params.values()), 0.0)})
            done += 1
        asks, tells = [], []
        while done < size:
            t0 = time.perf_counter()
            params, index = client.get_next_trial()
            t1 = time.perf_counter()
            client.complete_trial(index, {"y": (sum(params.values()), 0.0)})
            t2 = time.perf_counter()
            asks.append(t1 - t0)
            tells.append(t2 - t1)
            done += 1
        total = [a + t for a, t in zip(asks, tells)]
        print(
            f"{size:>14} {1000 * statistics.median(total):>22.2f} "
            f"{1000 * statistics.median(asks):>10.2f} {1000 * statistics.median(tells):>10.2f}"
        )


if __name__ == "__main__":
    main()
