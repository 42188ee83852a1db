"""Fixtures for the worker: a real worker process on the embedded queue."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from {{ cookiecutter.package_name }} import create_app

PROJECT_DIR = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def worker_process(tmp_path_factory, app):
    """The Procfile's worker command (SQLite files, no Redis), sharing a
    temporary instance folder with the app it yields, and its log; started
    once for the tests that need it."""
    tmp_path = tmp_path_factory.mktemp("worker")
    environ = {
        "APP_ENV": "development",
        "INSTANCE_PATH": str(tmp_path),
        "LOG_LEVEL": "INFO",
    }
    log = tmp_path / "worker.log"
    with log.open("w") as output:
        process = subprocess.Popen(
            [sys.executable, "-m", "celery", "--app", "wsgi:celery_app", "worker", "-P", "solo"],
            cwd=PROJECT_DIR,
            env={**os.environ, **environ, "FLASK_SKIP_DOTENV": "1"},
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    worker_app = create_app(environ)
    app.extensions["celery"].set_current()  # each new Celery app becomes the current one
    yield worker_app, log
    process.kill()  # its warm shutdown takes seconds, and nothing is left to finish
    process.wait(timeout=30)
    with worker_app.app_context():
        worker_app.extensions["sqlalchemy"].engine.dispose()


@pytest.fixture
def worker(worker_process, app):
    """The app whose tasks go to the real worker, and the worker's log."""
    worker_app, log = worker_process
    worker_app.extensions["celery"].set_current()
    yield worker_app, log
    app.extensions["celery"].set_current()
