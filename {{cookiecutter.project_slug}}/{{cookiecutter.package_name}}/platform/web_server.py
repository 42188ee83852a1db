"""The web server's settings, which gunicorn.conf.py reads: the port and how
many processes and threads answer requests."""

from .environment import Setting, whole_number

PORT = Setting(
    "PORT",
    "The port gunicorn binds; Heroku sets it.",
    default="5000",
    parse=whole_number,
)
WEB_CONCURRENCY = Setting(
    "WEB_CONCURRENCY",
    "gunicorn's processes; Heroku sets it from the dyno size.",
    default="2",
    parse=whole_number,
)
WEB_THREADS = Setting(
    "WEB_THREADS",
    "Threads per gunicorn process, and so database connections per process.",
    default="4",
    parse=whole_number,
)

SETTINGS = (PORT, WEB_CONCURRENCY, WEB_THREADS)
