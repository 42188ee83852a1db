"""Benchmarks of the generated service, run as a dyno would: `make bench`.

Renders the default project, then measures, with production settings and no
.env, the figures a Heroku user cares about:

- web boot: seconds from the Procfile's web line to the first 200 on /healthz
  (Heroku allows 60 s), median and worst of several boots;
- web memory: gunicorn's master and workers after boot, shared pages counted
  once (a Basic dyno has 512 MB);
- task round trips: `flask tasks ping` latencies on the embedded queue and,
  when TEST_REDIS_URL is set, on Redis.

It prints the figures; it asserts nothing (the tests do the checking).
"""

import os
import re
import statistics
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from support import Dyno, production, project_venv, render

BOOTS = 5
PINGS = 10


def process_group_pss_mb(pgid: int) -> float:
    """Memory of every process in a process group, in MB: the proportional set
    size, so pages the preloaded workers share with the master count once."""
    total_kb = 0
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            stat = (proc / "stat").read_text()
            rollup = (proc / "smaps_rollup").read_text()
        except OSError:
            continue  # the process ended meanwhile
        # Fields after the command name (in parentheses): state, ppid, pgrp, ...
        if int(stat.rsplit(")", 1)[1].split()[2]) != pgid:
            continue
        match = re.search(r"^Pss:\s+(\d+) kB", rollup, re.MULTILINE)
        total_kb += int(match.group(1)) if match else 0
    return total_kb / 1024


def measure_web(project: Path, venv: Path, workdir: Path) -> None:
    boots, memory = [], []
    for run in range(BOOTS):
        logs = workdir / f"web-{run}"
        logs.mkdir()
        dyno = Dyno(project, venv, logs, **production(logs))
        dyno.release()
        with dyno.web() as boot:
            boots.append(boot)
            memory.append(process_group_pss_mb(dyno.web_process.pid))
    print(
        f"web boot to first /healthz 200: median {statistics.median(boots):.2f} s, "
        f"worst {max(boots):.2f} s over {BOOTS} boots (Heroku allows 60 s)"
    )
    print(
        f"web dyno memory after boot (master + {os.environ.get('WEB_CONCURRENCY', 2)} "
        f"workers): median {statistics.median(memory):.0f} MB (a Basic dyno has 512 MB)"
    )


def measure_pings(project: Path, venv: Path, workdir: Path, queue: str, **environ) -> None:
    logs = workdir / f"ping-{queue.split()[0]}"
    logs.mkdir()
    dyno = Dyno(project, venv, logs, **production(logs, **environ))
    dyno.release()
    worker = dyno.start("worker")
    latencies = []
    try:
        for _ in range(PINGS):
            result = dyno.run_command("flask tasks ping --timeout 30")
            latencies.append(float(re.search(r"in (\d+) ms", result.stdout).group(1)))
    finally:
        Dyno.stop(worker)
    latencies.sort()
    print(
        f"flask tasks ping on {queue}: median {statistics.median(latencies):.0f} ms, "
        f"p90 {latencies[int(len(latencies) * 0.9) - 1]:.0f} ms over {PINGS} round trips"
    )


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="bench-") as tmp:
        workdir = Path(tmp)
        project = render(workdir / "render")
        (project / ".env").unlink()  # a dyno has none
        venv = project_venv(project)
        measure_web(project, venv, workdir)
        measure_pings(project, venv, workdir, "the embedded queue (SQLite)")
        redis = os.environ.get("TEST_REDIS_URL")
        if redis:
            bench_db = redis.rsplit("/", 1)[0] + "/12"  # a Redis database of its own
            measure_pings(project, venv, workdir, "Redis", REDIS_URL=bench_db)
        else:
            print("flask tasks ping on Redis: skipped, TEST_REDIS_URL is not set")


if __name__ == "__main__":
    main()
