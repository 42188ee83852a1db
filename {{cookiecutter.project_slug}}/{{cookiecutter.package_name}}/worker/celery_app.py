"""The Celery app, made from the Flask app: one source of settings.

Tasks run inside the Flask app context, so they use `db.session`,
`current_app.config` and the extensions exactly as views do.
"""

import os
from collections.abc import Callable

from celery import Celery, Task
from celery.signals import setup_logging
from flask import Flask

from ..platform import redis_client


def init_celery(app: Flask) -> Celery:
    class FlaskTask(Task):
        def __call__(self, *args, **kwargs):
            with app.app_context():
                return self.run(*args, **kwargs)

    celery = Celery(app.import_name, task_cls=FlaskTask)
    celery.config_from_object(app.config["CELERY"])
    celery.set_default()
    setup_logging.connect(keep_app_logging, weak=False)
    app.extensions["celery"] = celery
    if not app.config["REDIS_URL"]:
        os.makedirs(app.instance_path, exist_ok=True)  # the embedded queue's files
    return celery


def keep_app_logging(**kwargs) -> None:
    """Celery configures logging itself unless a receiver of this signal
    does; the app already has (logfmt on stdout, at LOG_LEVEL)."""


def broker_check(app: Flask) -> Callable[[], None]:
    """The check that the task queue can be reached: it raises when not.

    On Redis, a PING through the app's pooled client (platform/redis_client.py):
    no connection is opened per check. The embedded queue is a file, opened.
    """
    redis = redis_client.client(app)
    if redis is not None:
        return redis.ping
    celery = app.extensions["celery"]

    def check() -> None:
        with celery.connection_for_write() as connection:
            connection.ensure_connection(max_retries=1, interval_start=0, timeout=3)

    return check
