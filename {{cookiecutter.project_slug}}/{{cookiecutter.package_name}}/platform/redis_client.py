"""Redis, shared by the features that use it: its settings, and one pooled
client for the app.

Unset REDIS_URL means no Redis: each feature then uses its embedded default.
"""

import redis
from flask import Flask

from .environment import int_setting


def settings(environ, config) -> dict:
    url = environ.get("REDIS_URL", "")
    seconds = int_setting(environ, "REDIS_TIMEOUT", 2)
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
