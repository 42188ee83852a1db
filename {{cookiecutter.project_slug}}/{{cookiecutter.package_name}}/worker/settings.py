"""Celery's settings: Redis when REDIS_URL is set, SQLite files otherwise."""

import os
import ssl
import tempfile

from celery.schedules import crontab

from ..platform.environment import Setting, whole_number

BEAT_SCHEDULE_FILE = "{{ cookiecutter.package_name }}-beat-schedule"


WORKER_CONCURRENCY = Setting(
    "WORKER_CONCURRENCY",
    "Worker processes per worker dyno.",
    default="2",
    parse=whole_number,
)
TASK_SOFT_TIME_LIMIT = Setting(
    "TASK_SOFT_TIME_LIMIT",
    "Seconds before a task is interrupted; it is killed 30 s later.",
    default="60",
    parse=whole_number,
)
REDIS_VISIBILITY_TIMEOUT = Setting(
    "REDIS_VISIBILITY_TIMEOUT",
    "Seconds before Redis hands an unacknowledged task to another worker: keep it "
    "above the longest task and retry countdown, or slow tasks run twice.",
    default="3600",
    parse=whole_number,
)
SUMMARY_INTERVAL_SECONDS = Setting(
    "SUMMARY_INTERVAL_SECONDS",
    "The example scheduled task runs daily at 03:00 UTC; a number of seconds here "
    "runs it that often instead (handy to watch it locally).",
    default="0",
    parse=whole_number,
    example="60",
)

SETTINGS = (
    WORKER_CONCURRENCY,
    TASK_SOFT_TIME_LIMIT,
    REDIS_VISIBILITY_TIMEOUT,
    SUMMARY_INTERVAL_SECONDS,
)


def settings(environ, config) -> dict:
    return {"CELERY": celery_settings(environ, config)}


def celery_settings(environ, config) -> dict:
    redis = config["REDIS_URL"]
    if redis:
        broker = backend = redis
    else:
        # Embedded defaults: a queue and a result store in SQLite files of the
        # instance folder, shared by the local web, worker and beat processes.
        # kombu's SQLAlchemy transport looks for tasks once a second.
        folder = config["INSTANCE_PATH"]
        broker = "sqla+sqlite:///" + os.path.join(folder, "tasks-queue.sqlite")
        backend = "db+sqlite:///" + os.path.join(folder, "tasks-results.sqlite")
    soft_limit = TASK_SOFT_TIME_LIMIT.read(environ)
    summary_every = SUMMARY_INTERVAL_SECONDS.read(environ)
    settings = {
        "broker_url": broker,
        "result_backend": backend,
        # Nothing is lost: a task is acknowledged after it ran, not before, so
        # one whose worker dies (SIGKILL, out of memory, dyno restart) is
        # handed to another worker; each worker reserves one task at a time.
        "task_acks_late": True,
        "task_reject_on_worker_lost": True,
        "worker_prefetch_multiplier": 1,
        "task_serializer": "json",
        "result_serializer": "json",
        "accept_content": ["json"],
        # A stuck task is interrupted (soft limit, catchable) then killed.
        "task_soft_time_limit": soft_limit,
        "task_time_limit": soft_limit + 30,
        # Results are stored only for tasks that say so (ping): a result
        # nobody reads costs a round trip to Redis, and when Redis is down
        # the result backend's retries would hold a request for 20 s.
        "task_ignore_result": True,
        "result_expires": 24 * 3600,
        "worker_concurrency": WORKER_CONCURRENCY.read(environ),
        "broker_connection_retry_on_startup": True,
        "beat_schedule": {
            "daily-summary": {
                "task": "{{ cookiecutter.package_name }}.worker.tasks.log_daily_summary",
                # Crontab, not an interval: dynos restart daily, which would
                # reset a 24-hour interval before it ever came due.
                "schedule": summary_every or crontab(minute=0, hour=3),
            },
        },
        # Only beat's record of last runs: losing it on a restart is harmless.
        "beat_schedule_filename": os.path.join(tempfile.gettempdir(), BEAT_SCHEDULE_FILE),
        # Tests run tasks in their own process, at once, and see their errors.
        "task_always_eager": config["APP_ENV"] == "test",
        "task_eager_propagates": config["APP_ENV"] == "test",
    }
    if redis:
        settings.update(redis_settings(environ, config))
    return settings


def redis_settings(environ, config) -> dict:
    options = config["REDIS_OPTIONS"]
    # After this long, a task taken but not acknowledged is given to another
    # worker: keep it above the longest task run and the longest retry
    # countdown (10 minutes), or a slow task would run twice.
    visibility = REDIS_VISIBILITY_TIMEOUT.read(environ)
    settings = {
        "broker_transport_options": {
            "visibility_timeout": visibility,
            # How often workers look for such tasks: a tenth of the timeout
            # (kombu's default sweep comes only every 100 s or so).
            "unacked_restore_interval": max(1, min(60, visibility // 10)),
            "unacked_restore_throttle": 1,
            "socket_timeout": options["socket_timeout"],
            "socket_connect_timeout": options["socket_connect_timeout"],
        },
        "redis_socket_timeout": options["socket_timeout"],
        "redis_socket_connect_timeout": options["socket_connect_timeout"],
        # Queuing a task (`.delay()`) tries twice, half a second apart, then
        # raises, so the request can answer instead of waiting on Redis.
        "task_publish_retry_policy": {
            "max_retries": 1,
            "interval_start": 0,
            "interval_step": 0.5,
            "interval_max": 0.5,
        },
    }
    if "ssl_cert_reqs" in options:
        # Celery's spelling of redis_connection's TLS option; an
        # ssl_cert_reqs in the URL still wins.
        tls = {"ssl_cert_reqs": ssl.CERT_NONE}
        settings["broker_use_ssl"] = tls
        settings["redis_backend_use_ssl"] = tls
    return settings
