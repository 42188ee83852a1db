"""A real worker process on the embedded queue (SQLite files, no Redis)."""

import time

import pytest

from {{ cookiecutter.package_name }}.worker import tasks

pytestmark = pytest.mark.integration


def test_ping_goes_through_a_real_worker(worker):
    app, _ = worker
    with app.app_context():
        started = time.monotonic()
        answer = tasks.ping.delay().get(timeout=30)
        assert answer["pong"] is True
        assert answer["worker"].startswith("celery@")
        assert time.monotonic() - started < 30
