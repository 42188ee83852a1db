"""The two services under test, run as dynos from the same Procfile lines.

The generated service runs its Procfile as Heroku does (release first,
production settings, no .env). The floor runs the very same lines with
`floor:app` for `wsgi:app` and `floor_tasks:app` for `wsgi:celery_app`: the
same gunicorn.conf.py (workers, threads, preload), the same Celery command,
the same venv and environment.
"""

import contextlib
import re
import time
from pathlib import Path

from harness import Dyno, http_request

BENCH_DIR = Path(__file__).resolve().parent

PUBLIC_HOST = "bench.example"
BOOT_LIMIT = 60  # seconds; Heroku's R10
STARTED = time.monotonic()


def progress(text: str) -> None:
    print(f"[{time.monotonic() - STARTED:5.0f} s] {text}", flush=True)


def generated(project: Path, venv: Path, logs: Path, environ: dict) -> Dyno:
    logs.mkdir(parents=True, exist_ok=True)
    return Dyno(project, venv, logs, **environ)


def floor(project: Path, venv: Path, logs: Path, environ: dict) -> Dyno:
    logs.mkdir(parents=True, exist_ok=True)
    dyno = Dyno(project, venv, logs, **environ, PYTHONPATH=str(BENCH_DIR))
    dyno.commands = {
        "web": swapped(dyno.commands["web"], "wsgi:app", "floor:app"),
        "worker": swapped(dyno.commands["worker"], "wsgi:celery_app", "floor_tasks:app"),
    }
    return dyno


def swapped(command: str, old: str, new: str) -> str:
    if old not in command:
        raise ValueError(f"the Procfile line {command!r} no longer runs {old}")
    return command.replace(old, new)


def router_headers(address: str) -> dict[str, str]:
    """What Heroku's router sends with a client's request that came over TLS."""
    return {
        "Host": PUBLIC_HOST,
        "X-Forwarded-Proto": "https",
        "X-Forwarded-Port": "443",
        "X-Forwarded-For": address,
        "X-Request-ID": "bench-request-0123456789abcdef",
        "User-Agent": "bench",
    }


def request(dyno: Dyno, path: str, headers: dict, method: str = "GET", body=None, timeout=10):
    """(status, headers, body) of one request to the dyno."""
    return http_request(f"{dyno.url}{path}", method, headers, body, timeout=timeout)


@contextlib.contextmanager
def serving(dyno: Dyno, headers: dict):
    """The web line running; yields the seconds from its start to the first
    200 from /healthz. SIGTERM on leaving."""
    started = time.monotonic()
    web = dyno.web_process = dyno.start("web")
    try:
        yield first_200(dyno, web, headers, started)
    finally:
        Dyno.stop(web)


def first_200(dyno: Dyno, web, headers: dict, started: float) -> float:
    while time.monotonic() - started < BOOT_LIMIT:
        if web.poll() is not None:
            raise RuntimeError(f"web exited with {web.returncode}:\n{dyno.output('web')[-3000:]}")
        with contextlib.suppress(OSError):
            if request(dyno, "/healthz", headers, timeout=2)[0] == 200:
                return time.monotonic() - started
        time.sleep(0.02)
    raise RuntimeError(f"no 200 from /healthz within {BOOT_LIMIT} s:\n{dyno.output('web')[-3000:]}")


@contextlib.contextmanager
def working(dyno: Dyno):
    """The worker line running; SIGTERM on leaving."""
    worker = dyno.start("worker")
    try:
        yield worker
    finally:
        Dyno.stop(worker)


def process_group_pss_mb(pgid: int) -> float:
    """Memory of every process in a process group (a dyno), in MB: the
    proportional set size, so pages the forked workers share count once."""
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
