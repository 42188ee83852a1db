"""The floor of the task figures: a bare Celery app with a no-op task, on the
broker the generated worker uses (REDIS_URL, or SQLite files in INSTANCE_PATH
when it is unset) and with as many processes. Run by the Procfile's worker
line with `floor_tasks:app` for `wsgi:celery_app`.
"""

import os

from celery import Celery

redis_url = os.environ.get("REDIS_URL", "")
if redis_url:
    broker = backend = redis_url
else:
    instance = os.path.abspath(os.environ.get("INSTANCE_PATH", "instance"))
    os.makedirs(instance, exist_ok=True)
    broker = "sqla+sqlite:///" + os.path.join(instance, "floor-queue.sqlite")
    backend = "db+sqlite:///" + os.path.join(instance, "floor-results.sqlite")

app = Celery("floor_tasks", broker=broker, backend=backend)
app.conf.update(
    worker_concurrency=int(os.environ.get("WORKER_CONCURRENCY", "2")),
    # A queue apart from the generated worker's, on the same broker.
    task_default_queue="bench-floor",
    broker_connection_retry_on_startup=True,
)


@app.task
def noop() -> None:
    """Does nothing: a round trip is all there is to it."""
