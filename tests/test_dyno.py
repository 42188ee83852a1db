"""The dyno drill: run the Procfile as Heroku would, on loopback.

A dyno has no .env: settings come from the environment alone. The release
line runs first and must succeed; the web line must bind $PORT and answer
well inside Heroku's 60 s; SIGTERM must let a request in flight finish and
the process exit inside the 30 s before SIGKILL.
"""

import re
import subprocess
import threading
import time
from pathlib import Path

import pytest

from harness import (
    HEROKU_KILL_WINDOW,
    VARIANTS,
    Dyno,
    http_get,
    http_request,
    production,
    project_venv,
    record_figure,
)

pytestmark = pytest.mark.slow


@pytest.mark.parametrize("name", list(VARIANTS))
def test_release_then_web_serves_and_stops_cleanly(dyno_project, tmp_path, name):
    project = dyno_project(name)
    dyno = Dyno(project, project_venv(project), tmp_path, **production(tmp_path))
    assert "Running upgrade" in dyno.release()

    with dyno.web() as boot:
        record_figure(f"dyno drill ({name}): web answered /healthz {boot:.2f} s after start")
        status, body = http_get(f"{dyno.url}/healthz")
        assert status == 200, body
        status, headers, body = http_request(f"{dyno.url}/")
        assert status == 200
        assert "default-src 'self'" in headers["Content-Security-Policy"]
        assert headers["X-Frame-Options"] == "DENY"
        page = body.decode()
        assert "My Service" in page
        # WhiteNoise serves the fingerprinted stylesheet as immutable.
        stylesheet = re.search(r'href="(/static/[0-9a-f]{12}/style\.css)"', page).group(1)
        status, headers, _ = http_request(f"{dyno.url}{stylesheet}")
        assert "immutable" in headers["Cache-Control"]
        assert headers["X-Content-Type-Options"] == "nosniff"
        # A request that reached the router over plain HTTP is sent to HTTPS,
        # static files included; the health check answers either way.
        plain = {"X-Forwarded-Proto": "http"}
        for path in ("/", stylesheet):
            status, headers, _ = http_request(f"{dyno.url}{path}", headers=plain)
            assert status == 301, path
            assert headers["Location"] == f"https://127.0.0.1:{dyno.port}{path}"
        assert http_request(f"{dyno.url}/healthz", headers=plain)[0] == 200
        chosen = {"use_web_ui": True, "use_api": True, **VARIANTS[name]}
        assert http_get(f"{dyno.url}/auth/login")[0] == (200 if chosen["use_web_ui"] else 404)
        assert http_get(f"{dyno.url}/api/openapi.json")[0] == (200 if chosen["use_api"] else 404)
    assert "method=GET path=/healthz status=200" in dyno.output("web")
    record_figure(f"dyno drill ({name}): web exited {dyno.stopped_after:.2f} s after SIGTERM")


def test_sigterm_lets_the_request_in_flight_finish(dyno_project, tmp_path):
    project = dyno_project("default")
    dyno = Dyno(project, project_venv(project), tmp_path, **production(tmp_path))
    dyno.release()
    answers = []
    request = threading.Thread(
        target=lambda: answers.append(http_get(f"{dyno.url}/drill/slow", timeout=25))
    )
    with dyno.web():
        request.start()
        time.sleep(1)  # the request is now inside the app
    request.join(timeout=30)
    assert answers == [(200, b"finished")], dyno.output("web")
    record_figure(
        f"dyno drill: SIGTERM with a 3 s request in flight, exit after {dyno.stopped_after:.2f} s"
    )


@pytest.mark.parametrize("process", ["release", "web"])
def test_production_without_secret_key_refuses_to_start(dyno_project, tmp_path, process):
    project = dyno_project("default")
    environ = production(tmp_path)
    del environ["SECRET_KEY"]
    dyno = Dyno(project, project_venv(project), tmp_path, **environ)
    proc = dyno.start(process)
    try:
        proc.wait(timeout=HEROKU_KILL_WINDOW)
    except subprocess.TimeoutExpired:
        Dyno.stop(proc)
        pytest.fail(f"{process} kept running without SECRET_KEY")
    assert proc.returncode != 0
    assert "error: SECRET_KEY is not set" in dyno.output(process)
    assert "Traceback" not in dyno.output(process)


REVISION = re.compile(r'^(down_)?revision = "([^"]*)"', re.MULTILINE)


def latest_revision(project: Path) -> str:
    """The head of the project's migrations: the one revision no other
    migration revises (the history is linear)."""
    revisions, revised = set(), set()
    for path in (project / "migrations" / "versions").glob("*.py"):
        for down, revision in REVISION.findall(path.read_text()):
            (revised if down else revisions).add(revision)
    (head,) = revisions - revised
    return head


def test_the_drill_on_real_postgres(dyno_project, tmp_path, postgres_database):
    import psycopg

    project = dyno_project("default")
    # Heroku's spelling: the service must rewrite it for psycopg 3.
    heroku_url = "postgres://" + postgres_database.split("://", 1)[1]
    environ = production(tmp_path, DATABASE_URL=heroku_url)
    dyno = Dyno(project, project_venv(project), tmp_path, **environ)
    assert "PostgresqlImpl" in dyno.release()

    with dyno.web() as boot:
        record_figure(f"dyno drill (Postgres): web answered /healthz {boot:.2f} s after start")
        status, body = http_get(f"{dyno.url}/healthz")
        assert status == 200, body

    # The migrations describe the models on Postgres too, not only on SQLite.
    check = dyno.run_command("flask db check")
    assert check.returncode == 0, check.stdout + check.stderr

    with psycopg.connect(postgres_database) as connection:
        version = connection.execute("SELECT version_num FROM alembic_version").fetchone()
        assert version == (latest_revision(project),)
        assert connection.execute("SELECT count(*) FROM notes").fetchone() == (0,)


@pytest.mark.parametrize(("hops", "https"), [("1", True), ("0", False)])
def test_only_a_trusted_router_can_say_https(dyno_project, tmp_path, hops, https):
    """PROXY_HOPS=0 means no proxy is trusted, by the app and by gunicorn: a
    client's own X-Forwarded-Proto is ignored and the request is still sent
    to HTTPS."""
    project = dyno_project("bare")
    dyno = Dyno(project, project_venv(project), tmp_path, **production(tmp_path, PROXY_HOPS=hops))
    dyno.release()
    with dyno.web():
        status, headers, _ = http_request(f"{dyno.url}/", headers={"X-Forwarded-Proto": "https"})
        assert status == (200 if https else 301)
        assert ("Strict-Transport-Security" in headers) is https
