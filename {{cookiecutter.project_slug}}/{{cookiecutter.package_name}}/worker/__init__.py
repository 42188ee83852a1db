"""The worker: Celery, made from the Flask app, for deferred and scheduled
tasks (tasks.py). The Procfile's worker and beat processes run it."""

from flask import Flask

from .. import health
from ..deploy_check import register_deploy_check
from .celery_app import broker_check, init_celery
from .commands import tasks_group
from .settings import settings

__all__ = ["init_app", "settings"]


def init_app(app: Flask) -> None:
    init_celery(app)
    health.register_health_check(app, "broker", broker_check(app))
    register_deploy_check(app, embedded_queue_problem)
    app.cli.add_command(tasks_group)


def embedded_queue_problem(config) -> str | None:
    if not config["REDIS_URL"]:
        return (
            "REDIS_URL is not set; the embedded task queue lives on a dyno's own "
            "disk, which the web, worker and beat dynos do not share"
        )
    return None
