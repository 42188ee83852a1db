"""Settings from the environment: the one place that reads it.

`load_settings` turns environment variables into a plain dictionary for
`app.config`: the platform's settings, in the sections below, then each
feature's own (its `settings` function). `APP_ENV` picks the profile;
production is the default, so a server started with nothing set is a secure
one or none at all.
"""

import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from types import ModuleType
from urllib.parse import urlsplit

from sqlalchemy.engine import URL, make_url

from .environment import (
    ConfigError,
    bool_setting,
    choice_setting,
    int_setting,
    list_setting,
    origin_setting,
)
from .security import CONTENT_SECURITY_POLICY

PROFILES = ("production", "development", "test")
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
SECRET_KEY_MIN_LENGTH = 32
# Only for development and tests, where no SECRET_KEY is needed; `flask check`
# reports it, and production refuses to start without a real key.
INSECURE_SECRET_KEY = "insecure-development-key-do-not-deploy"  # noqa: S105  (public by design)


def instance_path(environ: Mapping[str, str]) -> str | None:
    """Where local state lives (SQLite files); None means Flask's ./instance."""
    path = environ.get("INSTANCE_PATH")
    return os.path.abspath(path) if path else None


def load_settings(
    environ: Mapping[str, str], instance_path: str, features: Iterable[ModuleType] = ()
) -> dict:
    """Build the Flask settings for the profile named by APP_ENV: the
    platform's, then those of each feature that has a `settings` function."""
    profile = choice_setting(environ, "APP_ENV", PROFILES, "production")
    settings = {
        "APP_ENV": profile,
        "TESTING": profile == "test",
        "INSTANCE_PATH": instance_path,
        **secret_settings(environ, profile),
        **web_settings(environ, profile),
        **database_settings(environ, profile, instance_path),
        "LOG_LEVEL": log_level(environ),
    }
    for feature in features:
        if hasattr(feature, "settings"):
            settings.update(feature.settings(environ, settings))
    return settings


# Profile and secrets ---------------------------------------------------------


def secret_settings(environ, profile) -> dict:
    return {
        "SECRET_KEY": secret_key(environ, profile == "production"),
        # Werkzeug's scrypt (n=2**15) costs about 0.1 s a hash, as it should;
        # tests hash hundreds of passwords, through the same code, at n=2**10.
        "PASSWORD_HASH_METHOD": "scrypt:1024:8:1" if profile == "test" else "scrypt",
    }


def secret_key(environ, production: bool) -> str:
    key = environ.get("SECRET_KEY", "")
    if production and not key:
        raise ConfigError(
            "SECRET_KEY is not set; production needs a random value of at "
            f"least {SECRET_KEY_MIN_LENGTH} characters"
        )
    if production and key == INSECURE_SECRET_KEY:
        raise ConfigError("SECRET_KEY is the public development key; set a random one")
    if production and len(key) < SECRET_KEY_MIN_LENGTH:
        raise ConfigError(
            f"SECRET_KEY is {len(key)} characters long; production needs at "
            f"least {SECRET_KEY_MIN_LENGTH}"
        )
    return key or INSECURE_SECRET_KEY


# Web: hosts, HTTPS, cookies, request sizes ------------------------------------

# Request bodies above this many bytes are refused with 413 before they are
# read: the largest form or JSON body the service takes is a note.
DEFAULT_MAX_CONTENT_LENGTH = 1024 * 1024


def web_settings(environ, profile) -> dict:
    production = profile == "production"
    public_url = origin_setting(environ, "PUBLIC_URL")
    max_content_length = int_setting(environ, "MAX_CONTENT_LENGTH", DEFAULT_MAX_CONTENT_LENGTH)
    return {
        # Heroku's router is one proxy hop in front of the dyno.
        "PROXY_HOPS": int_setting(environ, "PROXY_HOPS", 1),
        "SESSION_COOKIE_SECURE": production,
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "PREFERRED_URL_SCHEME": "https" if production else "http",
        # Where people reach the service: links that leave a request (mail)
        # are built from it, and requests for other hosts are refused (400).
        "PUBLIC_URL": public_url,
        "TRUSTED_HOSTS": trusted_hosts(public_url, list_setting(environ, "ALLOWED_HOSTS")),
        # Heroku's router does not redirect plain HTTP to HTTPS; the app does.
        "FORCE_HTTPS": bool_setting(environ, "FORCE_HTTPS", production),
        "MAX_CONTENT_LENGTH": max_content_length,
        "MAX_FORM_MEMORY_SIZE": max_content_length,
        "MAX_FORM_PARTS": 100,
        # What pages may load (security.py); a feature may widen it for its pages.
        "CONTENT_SECURITY_POLICY": dict(CONTENT_SECURITY_POLICY),
    }


def trusted_hosts(public_url: str, allowed_hosts: list[str]) -> list[str] | None:
    """The hosts requests may name: PUBLIC_URL's and ALLOWED_HOSTS; None is any."""
    hosts = list(allowed_hosts)
    if public_url:
        hosts.insert(0, urlsplit(public_url).hostname)
    return hosts or None


# Database ---------------------------------------------------------------------

LOCAL_HOSTS = frozenset({None, "", "localhost", "127.0.0.1", "::1"})


@dataclass(frozen=True)
class Database:
    """DATABASE_URL, parsed once: the engine options, the factory and the
    deploy check all ask this object, never the URL text."""

    url: URL

    @property
    def is_sqlite(self) -> bool:
        return self.url.get_backend_name() == "sqlite"

    @property
    def sqlite_file(self) -> str | None:
        """The SQLite file's path, or None (not SQLite, or in memory)."""
        if not self.is_sqlite or self.url.database in (None, "", ":memory:"):
            return None
        return self.url.database


def database_settings(environ, profile, instance_path) -> dict:
    database = Database(database_url(environ, profile, instance_path))
    # One connection per gunicorn thread (gunicorn.conf.py reads it too).
    pool_size = int_setting(environ, "WEB_THREADS", 4)
    return {
        "DATABASE": database,
        "SQLALCHEMY_DATABASE_URI": database.url,
        "SQLALCHEMY_ENGINE_OPTIONS": engine_options(environ, database, pool_size),
    }


def database_url(environ, profile, instance_path) -> URL:
    """DATABASE_URL, or an SQLite file in the instance folder when it is unset
    (in memory for tests)."""
    url = environ.get("DATABASE_URL", "")
    if not url:
        return make_url("sqlite://" if profile == "test" else f"sqlite:///{instance_path}/app.db")
    return parse_database_url(url)


def parse_database_url(url: str) -> URL:
    """Point Postgres URLs at psycopg 3, and require TLS off this machine.

    Heroku's DATABASE_URL uses the `postgres://` scheme, which SQLAlchemy
    refuses; Heroku rotates the value, so it is fixed here, not by hand.
    """
    if url.startswith("postgres://"):
        url = "postgresql://" + url.removeprefix("postgres://")
    parsed = make_url(url)
    if parsed.get_backend_name() != "postgresql":
        return parsed
    parsed = parsed.set(drivername="postgresql+psycopg")
    if parsed.host not in LOCAL_HOSTS and "sslmode" not in parsed.query:
        parsed = parsed.update_query_dict({"sslmode": "require"})
    return parsed


def engine_options(environ, database: Database, pool_size: int) -> dict:
    if database.is_sqlite:
        return {}
    # No connections on overflow: entry Postgres plans allow about 20
    # connections for every dyno together.
    # postgres.py pings connections that were idle, not each one handed out.
    return {
        "pool_size": pool_size,
        "max_overflow": 0,
        # Seconds a request waits for a free connection before it fails (503).
        "pool_timeout": int_setting(environ, "DATABASE_POOL_TIMEOUT", 5),
        "pool_recycle": 300,
        "connect_args": postgres_waits(environ),
    }


def postgres_waits(environ) -> dict:
    """libpq's connection parameters that bound each wait on the server itself.

    All stay well under the router's 30 s, so a request that needs a down,
    slow or unreachable database fails with a 503 instead of holding its
    thread:
    - connect_timeout: opening a connection (DATABASE_CONNECT_TIMEOUT);
    - statement_timeout, sent as a server option: the server cancels a slow
      statement (DATABASE_STATEMENT_TIMEOUT; 0 lifts it, for migrations);
    - tcp_user_timeout and keepalives: a server the network no longer
      reaches (a frozen host, a partition) answers nothing, not even a
      cancellation, so the operating system gives the connection up after
      DATABASE_NETWORK_TIMEOUT seconds with data unacknowledged or keepalive
      probes (one a second while a query waits) unanswered. A live server
      acknowledges both however slow its statement, so this never cuts one
      short.
    """
    waits = {"connect_timeout": int_setting(environ, "DATABASE_CONNECT_TIMEOUT", 3)}
    statement_timeout = int_setting(environ, "DATABASE_STATEMENT_TIMEOUT", 3)
    if statement_timeout:
        waits["options"] = f"-c statement_timeout={statement_timeout * 1000}"
    network_timeout = int_setting(environ, "DATABASE_NETWORK_TIMEOUT", 3)
    if network_timeout:
        waits.update(
            keepalives=1,
            keepalives_idle=1,
            keepalives_interval=1,
            keepalives_count=network_timeout,
            tcp_user_timeout=network_timeout * 1000,
        )
    return waits


# Logging ----------------------------------------------------------------------


def log_level(environ) -> str:
    level = environ.get("LOG_LEVEL", "INFO").upper()
    if level not in LOG_LEVELS:
        raise ConfigError(f"LOG_LEVEL is {level!r}; use one of {', '.join(LOG_LEVELS)}")
    return level
