"""Round trips and throughput of one task through one worker, measured from a
client in the project's venv, as the web dyno queues tasks. run.py starts it
in the project's folder with the dyno's environment; it prints one JSON line.

    python task_client.py --app wsgi:celery_app --task my_service.worker.tasks.ping
"""

import argparse
import importlib
import json
import os
import sys
import time

from celery.exceptions import TimeoutError as TaskTimeout

WARM_UP = 3  # round trips before measuring: the worker is up, connections made


def percentile(values: list[float], share: float) -> float:
    """Nearest-rank percentile of `values`, `share` between 0 and 1."""
    ordered = sorted(values)
    return ordered[max(0, min(len(ordered) - 1, round(share * len(ordered)) - 1))]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--app", required=True, help="module:attribute of the Celery app")
    parser.add_argument("--task", required=True, help="the task's registered name")
    parser.add_argument("--pings", type=int, default=200, help="round trips, at most")
    parser.add_argument("--seconds", type=float, default=8, help="for the round trips, at most")
    parser.add_argument("--burst", type=int, default=300, help="tasks queued at once")
    parser.add_argument("--burst-seconds", type=float, default=20, help="for the burst, at most")
    args = parser.parse_args()

    sys.path.insert(0, os.getcwd())  # the project's modules, or the floor's (PYTHONPATH)
    module, _, name = args.app.partition(":")
    app = getattr(importlib.import_module(module), name)

    for _ in range(WARM_UP):
        app.send_task(args.task).get(timeout=60)

    round_trips = []
    deadline = time.monotonic() + args.seconds
    while len(round_trips) < args.pings and time.monotonic() < deadline:
        started = time.perf_counter()
        app.send_task(args.task).get(timeout=30)
        round_trips.append((time.perf_counter() - started) * 1000)

    started = finished = time.perf_counter()
    results = [app.send_task(args.task) for _ in range(args.burst)]
    deadline = time.monotonic() + args.burst_seconds
    done = 0
    for result in results:
        try:
            result.get(timeout=max(0.01, deadline - time.monotonic()))
        except TaskTimeout:
            app.control.purge()  # what is left would skew the next run on this broker
            break
        done += 1
        finished = time.perf_counter()

    print(
        json.dumps(
            {
                "round_trips": len(round_trips),
                "p50_ms": percentile(round_trips, 0.5),
                "p99_ms": percentile(round_trips, 0.99),
                "tasks": done,
                "tasks_per_s": done / (finished - started) if done else 0.0,
            }
        )
    )


if __name__ == "__main__":
    main()
