"""The dyno drill: run the Procfile as Heroku would, on loopback.

A dyno has no .env: settings come from the environment alone. The release
line runs first and must succeed; the web line must bind $PORT and answer
well inside Heroku's 60 s; SIGTERM must let a request in flight finish and
the process exit inside the 30 s before SIGKILL.
"""

import os
import secrets
import signal
import subprocess
import threading
import time
from pathlib import Path

import pytest

from support import (
    free_port,
    http_get,
    procfile,
    project_venv,
    record_figure,
    render,
    venv_env,
    wait_for_http,
)

pytestmark = pytest.mark.slow

HEROKU_BOOT_LIMIT = 60
HEROKU_KILL_WINDOW = 30

# Appended to the drill's copy of wsgi.py: a request that takes a while, to
# see SIGTERM let it finish. The service itself has no such route.
SLOW_ROUTE = '''

import time as _time  # noqa: E402


@app.get("/drill/slow")
def drill_slow():
    _time.sleep(3)
    return "finished"
'''


class Dyno:
    """Runs the project's Procfile lines with a dyno's environment."""

    def __init__(self, project: Path, venv: Path, logs: Path, **environ: str):
        self.project = project
        self.commands = procfile(project)
        self.port = free_port()
        self.env = venv_env(venv, PORT=str(self.port), WEB_CONCURRENCY="2", **environ)
        self.logs = logs
        self.url = f"http://127.0.0.1:{self.port}"

    def run(self, process: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            ["bash", "-c", self.commands[process]],
            cwd=self.project,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=120,
        )

    def start(self, process: str) -> subprocess.Popen:
        log = (self.logs / f"{process}.log").open("w")
        return subprocess.Popen(
            ["bash", "-c", f"exec {self.commands[process]}"],
            cwd=self.project,
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group, like a dyno
        )

    def output(self, process: str) -> str:
        return (self.logs / f"{process}.log").read_text()

    @staticmethod
    def stop(proc: subprocess.Popen) -> float:
        """SIGTERM every process of the dyno; seconds until it exited."""
        started = time.monotonic()
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=HEROKU_KILL_WINDOW)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            pytest.fail(f"still running {HEROKU_KILL_WINDOW} s after SIGTERM")
        return time.monotonic() - started


@pytest.fixture(scope="module")
def dyno_project(tmp_path_factory):
    project = render(tmp_path_factory.mktemp("dyno"))
    (project / ".env").unlink()
    with (project / "wsgi.py").open("a") as wsgi:
        wsgi.write(SLOW_ROUTE)
    return project


@pytest.fixture(scope="module")
def dyno_venv(dyno_project):
    return project_venv(dyno_project)


def production(tmp_path, **environ):
    return {
        "APP_ENV": "production",
        "SECRET_KEY": secrets.token_urlsafe(48),
        "DATABASE_URL": f"sqlite:///{tmp_path}/dyno.db",
        **environ,
    }


def test_release_then_web_serves_and_stops_cleanly(dyno_project, dyno_venv, tmp_path):
    dyno = Dyno(dyno_project, dyno_venv, tmp_path, **production(tmp_path))
    release = dyno.run("release")
    assert release.returncode == 0, release.stdout + release.stderr
    assert "Running upgrade" in release.stdout + release.stderr

    web = dyno.start("web")
    try:
        boot = wait_for_http(f"{dyno.url}/healthz", web, HEROKU_BOOT_LIMIT)
        record_figure(f"dyno drill (SQLite): web answered /healthz {boot:.2f} s after start")
        status, body = http_get(f"{dyno.url}/healthz")
        assert (status, body) == (200, b'{"checks":{"database":{"status":"ok"}},"status":"ok"}\n')
        status, body = http_get(f"{dyno.url}/")
        assert status == 200
        assert b"My Service" in body
    finally:
        stopped = dyno.stop(web)
    assert web.returncode == 0
    logs = dyno.output("web")
    assert "method=GET path=/healthz status=200" in logs
    record_figure(f"dyno drill (SQLite): web exited {stopped:.2f} s after SIGTERM")


def test_sigterm_lets_the_request_in_flight_finish(dyno_project, dyno_venv, tmp_path):
    dyno = Dyno(dyno_project, dyno_venv, tmp_path, **production(tmp_path))
    assert dyno.run("release").returncode == 0
    web = dyno.start("web")
    answers = []
    try:
        wait_for_http(f"{dyno.url}/healthz", web, HEROKU_BOOT_LIMIT)
        request = threading.Thread(
            target=lambda: answers.append(http_get(f"{dyno.url}/drill/slow", timeout=25))
        )
        request.start()
        time.sleep(1)  # the request is now inside the app
    finally:
        stopped = dyno.stop(web)
    request.join(timeout=30)
    assert answers == [(200, b"finished")], dyno.output("web")
    assert web.returncode == 0
    record_figure(f"dyno drill: SIGTERM with a 3 s request in flight, exit after {stopped:.2f} s")


@pytest.mark.parametrize("process", ["release", "web"])
def test_production_without_secret_key_refuses_to_start(
    dyno_project, dyno_venv, tmp_path, process
):
    environ = production(tmp_path)
    del environ["SECRET_KEY"]
    dyno = Dyno(dyno_project, dyno_venv, tmp_path, **environ)
    proc = dyno.start(process)
    try:
        proc.wait(timeout=HEROKU_KILL_WINDOW)
    except subprocess.TimeoutExpired:
        Dyno.stop(proc)
        pytest.fail(f"{process} kept running without SECRET_KEY")
    assert proc.returncode != 0
    assert "error: SECRET_KEY is not set" in dyno.output(process)
    assert "Traceback" not in dyno.output(process)


def test_the_drill_on_real_postgres(dyno_project, dyno_venv, tmp_path, postgres_database):
    import psycopg

    # Heroku's spelling: the service must rewrite it for psycopg 3.
    heroku_url = "postgres://" + postgres_database.split("://", 1)[1]
    dyno = Dyno(dyno_project, dyno_venv, tmp_path, **production(tmp_path, DATABASE_URL=heroku_url))
    release = dyno.run("release")
    assert release.returncode == 0, release.stdout + release.stderr
    assert "PostgresqlImpl" in release.stdout + release.stderr

    web = dyno.start("web")
    try:
        boot = wait_for_http(f"{dyno.url}/healthz", web, HEROKU_BOOT_LIMIT)
        record_figure(f"dyno drill (Postgres): web answered /healthz {boot:.2f} s after start")
        status, body = http_get(f"{dyno.url}/healthz")
        assert status == 200, body
    finally:
        dyno.stop(web)
    assert web.returncode == 0

    # Migrations are numbered: the release must have reached the last one.
    head = max(path.name[:4] for path in (dyno_project / "migrations" / "versions").glob("*.py"))
    with psycopg.connect(postgres_database) as connection:
        version = connection.execute("SELECT version_num FROM alembic_version").fetchone()
        assert version == (head,)
        assert connection.execute("SELECT count(*) FROM users").fetchone() == (0,)
