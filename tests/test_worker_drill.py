"""The worker drill: the Procfile's worker and beat lines, run as dynos.

On the embedded queue (SQLite files, no service) and on real Redis: a task
makes the round trip (`flask tasks ping`), beat's schedule fires, and no task
is lost when a worker is killed (SIGKILL) or stopped (SIGTERM) mid-task.
"""

import re
import shlex
from pathlib import Path

import pytest

from harness import (
    HEROKU_BOOT_LIMIT,
    HEROKU_KILL_WINDOW,
    Dyno,
    http_get,
    production,
    project_venv,
    record_figure,
    wait_for_http,
    wait_until,
)

# In make test's load process, beside the fault drills (see test_fault_drills).
pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("load")]

PING_ROUNDS = 5


def dyno_for(dyno_project, tmp_path, **environ) -> Dyno:
    project = dyno_project("default")
    # Beat's example task every 2 s, to see it run.
    settings = production(tmp_path, SUMMARY_INTERVAL_SECONDS="2", **environ)
    dyno = Dyno(project, project_venv(project), tmp_path, **settings)
    dyno.release()
    return dyno


def ping_latencies(dyno: Dyno) -> list[float]:
    """`flask tasks ping`, a few times; the latencies it reports, in ms."""
    latencies = []
    for _ in range(PING_ROUNDS):
        result = dyno.run_command("flask tasks ping --timeout 30")
        assert result.returncode == 0, result.stdout + result.stderr
        latencies.append(float(re.search(r"in (\d+) ms", result.stdout).group(1)))
    return latencies


def enqueue_drill_task(dyno: Dyno, seconds: float, marker: Path) -> None:
    code = (
        "import wsgi\n"
        "from my_service.worker.tasks import drill_sleep\n"
        f"drill_sleep.delay({seconds}, {str(marker)!r})\n"
    )
    result = dyno.run_command(f"python -c {shlex.quote(code)}")
    assert result.returncode == 0, result.stderr


def starts(marker: Path) -> int:
    started = marker.with_name(marker.name + ".started")
    return started.read_text().count("started") if started.exists() else 0


def run_web_worker_and_beat(dyno: Dyno, queue: str) -> None:
    web, worker, beat = dyno.start("web"), dyno.start("worker"), dyno.start("beat")
    try:
        waited = wait_until(
            lambda: "msg=\"daily summary\"" in dyno.output("worker"),
            30,
            "the scheduled task to run on the worker",
        )
        record_figure(f"beat on {queue}: first scheduled run done {waited:.1f} s after start")

        wait_for_http(f"{dyno.url}/healthz", web, HEROKU_BOOT_LIMIT)
        status, body = http_get(f"{dyno.url}/healthz")
        assert status == 200, body
        assert b'"broker":{"status":"ok"}' in body

        latencies = sorted(ping_latencies(dyno))
        record_figure(
            f"flask tasks ping on {queue}: median {latencies[len(latencies) // 2]:.0f} ms, "
            f"max {latencies[-1]:.0f} ms over {PING_ROUNDS} round trips"
        )
    finally:
        stopped = [dyno.stop(process) for process in (web, worker, beat)]
    assert max(stopped) < HEROKU_KILL_WINDOW
    assert "Sending due task daily-summary" in dyno.output("beat")


def test_web_worker_and_beat_on_the_embedded_queue(dyno_project, tmp_path):
    dyno = dyno_for(dyno_project, tmp_path)
    run_web_worker_and_beat(dyno, "the embedded queue (SQLite)")


def test_web_worker_and_beat_on_redis(dyno_project, tmp_path, redis_url):
    dyno = dyno_for(dyno_project, tmp_path, REDIS_URL=redis_url)
    run_web_worker_and_beat(dyno, "Redis")


def test_a_killed_worker_loses_no_task(dyno_project, tmp_path, redis_url):
    # A short visibility timeout, so the unacknowledged task comes back soon;
    # still longer than the task, or a slow run would be handed out twice.
    # The task takes long enough that a busy machine's pauses do not let it
    # finish before the kill lands.
    dyno = dyno_for(dyno_project, tmp_path, REDIS_URL=redis_url, REDIS_VISIBILITY_TIMEOUT="10")
    marker = tmp_path / "killed-task"
    first = dyno.start("worker", "worker-1")
    try:
        enqueue_drill_task(dyno, 6, marker)
        wait_until(lambda: starts(marker) == 1, 60, "the task to start")
    finally:
        dyno.kill(first)
    assert not marker.exists()

    second = dyno.start("worker", "worker-2")
    try:
        waited = wait_until(marker.exists, 60, "the task to finish on the next worker")
    finally:
        dyno.stop(second)
    assert starts(marker) == 2
    record_figure(f"SIGKILL mid-task: the next worker finished it {waited:.1f} s after starting")


def test_a_stopped_worker_returns_its_task_to_the_queue(dyno_project, tmp_path, redis_url):
    # An hour's visibility timeout: the task must come back at once, because
    # the worker put it back on SIGTERM (REMAP_SIGTERM=SIGQUIT, late acks).
    dyno = dyno_for(dyno_project, tmp_path, REDIS_URL=redis_url)
    marker = tmp_path / "stopped-task"
    first = dyno.start("worker", "worker-1")
    try:
        enqueue_drill_task(dyno, 20, marker)
        wait_until(lambda: starts(marker) == 1, 60, "the task to start")
    finally:
        stopped = dyno.stop(first)
    assert stopped < HEROKU_KILL_WINDOW
    assert not marker.exists()

    second = dyno.start("worker", "worker-2")
    try:
        wait_until(lambda: starts(marker) == 2, 30, "the task to start on the next worker")
    finally:
        dyno.stop(second)
    record_figure(f"SIGTERM mid-task: worker exited after {stopped:.2f} s, task re-queued")
