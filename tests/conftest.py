
import pytest

from harness import (
    DRILL_ROWS,
    FIGURES,
    VARIANTS,
    fresh_postgres_database,
    project_venv,
    render,
)


@pytest.fixture(scope="session")
def render_variant(tmp_path_factory):
    """Render a variant once per session; return its project directory."""
    rendered = {}

    def render_once(name):
        if name not in rendered:
            rendered[name] = render(tmp_path_factory.mktemp(name), **VARIANTS[name])
        return rendered[name]

    return render_once


@pytest.fixture(scope="session")
def default_project(render_variant):
    """The project as `cookiecutter` renders it with every default answer."""
    return render_variant("default")


@pytest.fixture(scope="session")
def default_venv(default_project):
    return project_venv(default_project)


@pytest.fixture(params=list(VARIANTS))
def variant(request, render_variant):
    """Each variant's project directory, one test per variant."""
    return render_variant(request.param)


# Appended to the drills' copy of the project: a request and a task that take
# a while, to watch SIGTERM and SIGKILL in the middle of them. The service
# itself has neither.
DRILL_ROUTE = '''

import time as _time  # noqa: E402


@app.get("/drill/slow")
def drill_slow():
    _time.sleep(3)
    return "finished"
'''

DRILL_TASK = '''

@shared_task
def drill_sleep(seconds: float, marker: str) -> None:
    """Note each start in marker.started, sleep, then note the finish."""
    import time
    from pathlib import Path

    with Path(marker + ".started").open("a") as started:
        started.write("started\\n")
    time.sleep(seconds)
    with Path(marker).open("a") as finished:
        finished.write("finished\\n")
'''


# A task whose effect is idempotent, as the service's tasks are: a file named
# by its key. Every attempt is noted in attempts.log, so a drill can count
# attempts (a task handed out again) apart from effects (each key once).
DRILL_EFFECT_TASK = '''

@shared_task
def drill_effect(folder: str, key: str, seconds: float) -> None:
    import time
    from pathlib import Path

    with (Path(folder) / "attempts.log").open("a") as attempts:
        attempts.write(key + "\\n")
    time.sleep(seconds)
    (Path(folder) / key).touch()
'''


@pytest.fixture(scope="session")
def dyno_project(tmp_path_factory):
    """A variant rendered for the drills: no .env (a dyno has none), plus the
    drill's slow route and slow task."""
    rendered = {}

    def render_once(name):
        if name not in rendered:
            project = render(tmp_path_factory.mktemp(f"dyno-{name}"), **VARIANTS[name])
            (project / ".env").unlink()
            with (project / "wsgi.py").open("a") as wsgi:
                wsgi.write(DRILL_ROUTE)
            tasks = project / "my_service" / "worker" / "tasks.py"
            if tasks.exists():
                with tasks.open("a") as module:
                    module.write(DRILL_TASK + DRILL_EFFECT_TASK)
            rendered[name] = project
        return rendered[name]

    return render_once


@pytest.fixture
def postgres_database():
    """A fresh database on the server at TEST_DATABASE_URL, dropped afterwards."""
    with fresh_postgres_database() as url:
        yield url


@pytest.fixture
def redis_url(own_redis):
    """A Redis of the test's own: nothing another test queued, restored or
    left unacknowledged can reach the worker drills' queue."""
    return own_redis.url


@pytest.fixture
def own_postgres():
    """A PostgreSQL server of the drill's own, to stop and freeze."""
    from drills import OwnPostgres

    server = OwnPostgres()
    yield server
    server.close()


@pytest.fixture
def own_redis():
    """A redis-server of the drill's own, to stop and freeze."""
    from drills import OwnRedis

    server = OwnRedis()
    yield server
    server.close()


def pytest_sessionfinish(session):
    # Under `pytest -n`, each worker process hands its figures to the main one.
    workeroutput = getattr(session.config, "workeroutput", None)
    if workeroutput is not None:
        workeroutput["figures"] = FIGURES
        workeroutput["drill_rows"] = DRILL_ROWS


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node, error):
    FIGURES.extend(node.workeroutput.get("figures", []))
    DRILL_ROWS.extend(tuple(row) for row in node.workeroutput.get("drill_rows", []))


def pytest_terminal_summary(terminalreporter):
    if FIGURES:
        terminalreporter.section("measured")
        for line in FIGURES:
            terminalreporter.write_line(line)
    if DRILL_ROWS:
        terminalreporter.section("fault drills")
        terminalreporter.write_line("| drill | requests or tasks | failures | recovery |")
        terminalreporter.write_line("| --- | --- | --- | --- |")
        for row in sorted(DRILL_ROWS):
            terminalreporter.write_line("| " + " | ".join(row) + " |")
