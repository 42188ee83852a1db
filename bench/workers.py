"""The task figures on one broker: round trips and tasks per second through
one worker dyno, and its memory, for the generated worker and a bare Celery
app (floor_tasks.py) on the same broker."""

import json
import re
import subprocess
from pathlib import Path

from harness import production

from . import dyno
from .report import REDIS_ROUND_TRIP_TARGET, row


def package_name(project: Path) -> str:
    return re.search(r"^from (\w+) import create_app", (project / "wsgi.py").read_text(), re.M)[1]


def bench_tasks(project: Path, venv: Path, workdir: Path, broker: str, redis_url: str, plan):
    """Rows of the table for `broker` ("Redis" with `redis_url`, or the embedded queue)."""
    environ = production(workdir)
    if redis_url:
        environ["REDIS_URL"] = redis_url
    clients = {
        "floor": (
            dyno.floor(project, venv, workdir / "floor", environ),
            "floor_tasks:app",
            "floor_tasks.noop",
        ),
        "generated": (
            dyno.generated(project, venv, workdir / "generated", environ),
            "wsgi:celery_app",
            f"{package_name(project)}.worker.tasks.ping",
        ),
    }
    figures = {}
    for name, (service, app, task) in clients.items():
        dyno.progress(f"{broker}: tasks through the {name} worker")
        with dyno.working(service) as worker:
            figures[name] = measure(service, venv, app, task, plan)
            figures[name]["memory_mb"] = dyno.process_group_pss_mb(worker.pid)

    def pair(key: str) -> tuple[float, float]:
        return figures["floor"][key], figures["generated"][key]

    round_trip_target = REDIS_ROUND_TRIP_TARGET if redis_url else None
    return [
        row("task round trip, p50", broker, "ms", *pair("p50_ms"), round_trip_target, runs=figures),
        row("task round trip, p99", broker, "ms", *pair("p99_ms")),
        row("tasks per second, one worker", broker, "tasks/s", *pair("tasks_per_s")),
        row("worker dyno memory (PSS, after the tasks)", broker, "MB", *pair("memory_mb")),
    ]


def measure(service, venv: Path, app: str, task: str, plan) -> dict:
    """task_client.py's figures, run in the project's venv with the dyno's settings."""
    limit = 60 + plan.ping_seconds + plan.burst_seconds + 60  # warm-up, pings, burst, start
    result = subprocess.run(
        [
            str(venv / "bin" / "python"),
            str(dyno.BENCH_DIR / "task_client.py"),
            f"--app={app}",
            f"--task={task}",
            f"--pings={plan.pings}",
            f"--seconds={plan.ping_seconds}",
            f"--burst={plan.burst}",
            f"--burst-seconds={plan.burst_seconds}",
        ],
        cwd=service.project,
        env=service.env,
        capture_output=True,
        text=True,
        timeout=limit,
    )
    if result.returncode != 0:
        raise RuntimeError(f"task client for {app} failed:\n{result.stderr[-3000:]}")
    return json.loads(result.stdout.strip().splitlines()[-1])
