"""Redis, shared by the features that use it: its settings, and one pooled
client for the app.

Unset REDIS_URL means no Redis: each feature then uses its embedded default.
"""

import redis
from flask import Flask

from .environment import Setting, whole_number

REDIS_URL = Setting(
    "REDIS_URL",
    "Redis, shared by every dyno, for the features that keep state there. "
    "Unset: each keeps its own, in SQLite files or in memory, on one machine "
    "only. Heroku's Key-Value Store sets a rediss:// URL; its self-signed "
    "certificate is accepted unless the URL says ssl_cert_reqs=required.",
    example="redis://127.0.0.1:6379/0",
)
REDIS_TIMEOUT = Setting(
    "REDIS_TIMEOUT",
    "Seconds any Redis client waits to connect or for an answer, so a frozen "
    "Redis fails fast instead of holding requests.",
    default="2",
    parse=whole_number,
)

SETTINGS = (REDIS_URL, REDIS_TIMEOUT)


def settings(environ, config) -> dict:
    url = REDIS_URL.read(environ)
    seconds = REDIS_TIMEOUT.read(environ)
    # redis-py's keyword arguments, for every client of this Redis. Every wait
    # is bounded, so a frozen Redis fails a request or a health check in
    # seconds instead of holding it.
    options = {"socket_timeout": seconds, "socket_connect_timeout": seconds}
    if url.startswith("rediss://"):
        # Every Heroku Key-Value Store plan speaks TLS with a self-signed
        # certificate, which clients refuse unless told; an ssl_cert_reqs in
        # the URL itself still wins, in every client.
        options["ssl_cert_reqs"] = "none"
    return {"REDIS_URL": url, "REDIS_OPTIONS": options}


def init_app(app: Flask) -> None:
    if app.config["REDIS_URL"]:
        # Connections are opened on first use and then kept in its pool.
        app.extensions["redis"] = redis.Redis.from_url(
            app.config["REDIS_URL"], **app.config["REDIS_OPTIONS"]
        )


def client(app: Flask) -> redis.Redis | None:
    """The app's Redis client, or None when REDIS_URL is unset."""
    return app.extensions.get("redis")
