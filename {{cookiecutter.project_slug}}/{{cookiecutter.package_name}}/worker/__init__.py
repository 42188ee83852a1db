"""The worker: Celery, made from the Flask app, for deferred and scheduled
tasks (tasks.py). The Procfile's worker and beat processes run it."""

from flask import Flask

from ..platform.extending import add_deploy_check, add_health_check
from . import tasks  # noqa: F401  (its tasks, known to Celery)
from .celery_app import broker_check, init_celery
from .commands import tasks_group
from .settings import SETTINGS, settings

__all__ = ["SETTINGS", "init_app", "settings"]


def init_app(app: Flask) -> None:
    init_celery(app)
    add_health_check(app, "broker", broker_check(app))
    add_deploy_check(app, embedded_queue_on_a_dyno)
    app.cli.add_command(tasks_group)


def embedded_queue_on_a_dyno(config) -> str | None:
    if not config["REDIS_URL"]:
        return (
            "REDIS_URL is not set; the embedded task queue lives on a dyno's own "
            "disk, which the web, worker and beat dynos do not share"
        )
    return None
