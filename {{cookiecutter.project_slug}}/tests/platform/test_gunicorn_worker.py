"""The web worker, the one override of a library's undocumented part
(platform/gunicorn_worker.py): it holds only for the gunicorn it was read
against."""

from importlib.metadata import version
from pathlib import Path

from {{ cookiecutter.package_name }}.platform.gunicorn_worker import (
    CHECKED_WITH_GUNICORN,
    ListenerClosingWorker,
)

PROJECT_DIR = Path(__file__).resolve().parents[2]


def test_the_worker_was_checked_against_the_installed_gunicorn():
    installed = version("gunicorn")
    assert installed == CHECKED_WITH_GUNICORN, (
        f"gunicorn {installed} is installed; platform/gunicorn_worker.py was checked against "
        f"{CHECKED_WITH_GUNICORN}. Read gunicorn/workers/gthread.py again: ThreadWorker.run() "
        "must still call set_accept_enabled(False) after its loop, with alive False after "
        "SIGTERM and the listeners no longer polled, and keep them in self.sockets. Check "
        "the release notes for a setting that closes them at once (then delete the module). "
        "Then set CHECKED_WITH_GUNICORN to the new version."
    )


def test_gunicorn_runs_the_worker():
    worker = f"{ListenerClosingWorker.__module__}.{ListenerClosingWorker.__name__}"
    assert f'worker_class = "{worker}"' in (PROJECT_DIR / "gunicorn.conf.py").read_text()
