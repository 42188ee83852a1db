"""`make bench`: the generated service against the floor, bare Flask and
Celery doing the same work, figure by figure.

    python -m bench.run            every figure, a few minutes; bench/results/latest.*
    python -m bench.run --smoke    every part of the harness in seconds, figures meaningless

Renders the default project, builds its venv, and runs both services as
dynos from the project's Procfile: web on SQLite and on Postgres (a fresh
database on TEST_DATABASE_URL's server), tasks on Redis (TEST_REDIS_URL) and
on the embedded queue, and the generated suite's wall time. Prints one table,
and writes it as JSON and Markdown. It asserts nothing about the figures.
"""

import argparse
import contextlib
import datetime
import os
import re
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from urllib.parse import urlsplit

from harness import TEMPLATE_DIR, fresh_postgres_database, project_venv, render, venv_env

from . import dyno, load, report, web, workers

RESULTS = dyno.BENCH_DIR / "results"
SMOKE_RESULTS = TEMPLATE_DIR / ".cache" / "bench-smoke"
REDIS_DATABASE = 12  # a Redis database of the bench's own on TEST_REDIS_URL's server


@dataclass(frozen=True)
class Plan:
    seconds: int  # each wrk run
    rounds: int  # runs of each service per endpoint, alternating
    warmup: int  # seconds of load before an endpoint's runs, not counted (0: none)
    boots: int  # of each service, per database
    databases: tuple[str, ...]
    brokers: int  # how many of Redis and the embedded queue
    pings: int  # task round trips, at most
    ping_seconds: float
    burst: int  # tasks queued at once, for tasks per second
    burst_seconds: float
    suite: bool


FULL = Plan(
    seconds=3,
    rounds=5,
    warmup=1,
    boots=3,
    databases=("SQLite", "Postgres"),
    brokers=2,
    pings=200,
    ping_seconds=8,
    burst=300,
    burst_seconds=10,
    suite=True,
)
# Every part once, briefly, on SQLite and one broker: for the template's tests.
SMOKE = Plan(
    seconds=1,
    rounds=1,
    warmup=0,
    boots=1,
    databases=("SQLite",),
    brokers=1,
    pings=5,
    ping_seconds=2,
    burst=5,
    burst_seconds=5,
    suite=False,
)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--smoke", action="store_true", help="a seconds-long run of every part")
    parser.add_argument("--output", type=Path, help="folder for latest.json and latest.md")
    args = parser.parse_args(argv)
    plan = SMOKE if args.smoke else FULL
    output = args.output or (SMOKE_RESULTS if args.smoke else RESULTS)
    if not load.wrk_path():
        print("wrk is not installed: apt-get install wrk (Debian's package)", file=sys.stderr)
        return 2

    rows, notes, problems = [], [], []
    run = run_facts(plan, args.smoke)
    redis_url = bench_redis(notes)
    with tempfile.TemporaryDirectory(prefix="bench-") as tmp:
        workdir = Path(tmp)
        dyno.progress("rendering the default project, building its venv")
        with stdout_to(workdir / "render.log"):  # the hook's next steps
            project = render(workdir / "render")
        (project / ".env").unlink()  # a dyno has none
        venv = project_venv(project)
        for database in plan.databases:
            with database_url(database, workdir, notes) as url:
                if url:
                    found, amiss = web.bench_web(
                        project, venv, workdir / database, database, url, redis_url, plan
                    )
                    rows += found
                    problems += amiss
        brokers = [("Redis", redis_url)] if redis_url else []
        brokers = [*brokers, ("embedded queue", "")][: plan.brokers]
        for broker, url in brokers:
            folder = workdir / broker.split()[0].lower()  # no space in the dyno's paths
            rows += workers.bench_tasks(project, venv, folder, broker, url, plan)
        if plan.suite:
            rows.append(suite_row(project, venv, notes, problems))
    run["load_after"] = f"{os.getloadavg()[0]:.2f}"
    table = report.write(output, rows, run, notes, problems)
    print()
    print(table)
    print(f"Written to {output}/latest.json and latest.md")
    return 0


@contextlib.contextmanager
def stdout_to(path: Path):
    """This process's standard output, and its children's, into `path`."""
    sys.stdout.flush()
    saved = os.dup(1)
    with path.open("w") as log:
        os.dup2(log.fileno(), 1)
    try:
        yield
    finally:
        sys.stdout.flush()
        os.dup2(saved, 1)
        os.close(saved)


def run_facts(plan: Plan, smoke: bool) -> dict:
    commit = subprocess.run(
        ["git", "describe", "--always", "--dirty"],
        cwd=TEMPLATE_DIR,
        capture_output=True,
        text=True,
    ).stdout.strip()
    return {
        "date": datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "commit": commit or "unknown",
        "smoke": smoke,
        "cpus": os.cpu_count(),
        "load_before": f"{os.getloadavg()[0]:.2f}",
        "connections": load.CONNECTIONS,
        "seconds": plan.seconds,
        "runs_per_service": plan.rounds,
        "web": "gunicorn as the Procfile runs it (2 workers of 4 threads, preloaded)",
        "plan": asdict(plan),
    }


def bench_redis(notes: list[str]) -> str:
    """TEST_REDIS_URL's server, on a database of the bench's own; "" without one."""
    url = os.environ.get("TEST_REDIS_URL", "")
    if not url:
        notes.append("Redis: not measured, TEST_REDIS_URL is not set (embedded queue only)")
        return ""
    import redis  # the template's dev requirements

    url = urlsplit(url)._replace(path=f"/{REDIS_DATABASE}").geturl()
    try:
        redis.Redis.from_url(url, socket_timeout=3, socket_connect_timeout=3).ping()
    except redis.RedisError as error:
        if os.environ.get("CI") == "true":
            raise
        notes.append(f"Redis: not measured, TEST_REDIS_URL is unreachable ({error})")
        return ""
    return url


@contextlib.contextmanager
def database_url(database: str, workdir: Path, notes: list[str]):
    """The database's URL for the run, or None when it cannot be had."""
    if database == "SQLite":
        yield f"sqlite:///{workdir}/bench.db"
        return
    if not os.environ.get("TEST_DATABASE_URL"):
        notes.append("Postgres: not measured, TEST_DATABASE_URL is not set")
        yield None
        return
    # A database of its own on that server, dropped afterwards.
    with fresh_postgres_database() as url:
        yield url


def suite_row(project: Path, venv: Path, notes: list[str], problems: list[str]) -> dict:
    """The generated suite's wall time, as `pytest` runs it in a checkout of
    the project: on SQLite, without the services' URLs, the second time (the
    first compiles the project and rewrites the tests' asserts, which Python
    and pytest then keep in __pycache__, as on a developer's machine)."""
    dyno.progress("the generated suite, twice")
    environ = venv_env(venv)
    # CI=true would fail the tests that want those services, instead of
    # skipping them; this machine's PYTHONDONTWRITEBYTECODE would keep no cache.
    for name in ("TEST_DATABASE_URL", "TEST_REDIS_URL", "CI", "PYTHONDONTWRITEBYTECODE"):
        environ.pop(name, None)
    for attempt in ("first", "second"):
        started = time.monotonic()
        result = subprocess.run(
            [str(venv / "bin" / "python"), "-m", "pytest", "-q", "-p", "no:cacheprovider"],
            cwd=project,
            env=environ,
            capture_output=True,
            text=True,
            timeout=900,
        )
        seconds = time.monotonic() - started
        if attempt == "first":
            notes.append(f"the generated suite's first run, compiling: {seconds:.1f} s")
    summary = (result.stdout.strip().splitlines() or [""])[-1]
    if result.returncode != 0:
        problems.append(f"the generated suite failed: {summary}")
    else:
        notes.append(f"the generated suite: {summary}")
    passed = re.search(r"(\d+) passed", summary)
    return report.row(
        "generated suite, all options, wall time",
        "SQLite",
        "s",
        None,
        seconds,
        report.SUITE_TARGET,
        tests=int(passed[1]) if passed else 0,
        summary=summary,
    )


if __name__ == "__main__":
    sys.exit(main())
