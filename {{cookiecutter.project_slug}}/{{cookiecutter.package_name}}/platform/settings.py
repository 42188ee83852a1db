"""Settings from the environment: `load_settings` turns the declared
variables into a plain dictionary for `app.config`, the platform's (the
sections below) then each feature's own (its `settings` function).

APP_ENV picks the profile; production is the default, so a server started
with nothing set is a secure one or none at all.
"""

import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from types import ModuleType
from urllib.parse import urlsplit

from sqlalchemy.engine import URL, make_url

from .environment import (
    ConfigError,
    Setting,
    comma_separated,
    one_of,
    origin,
    seconds,
    true_or_false,
    whole_number,
)
from .security import CONTENT_SECURITY_POLICY
from .web_server import WEB_THREADS

PROFILES = ("production", "development", "test")
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
SECRET_KEY_MIN_LENGTH = 32
# Only for development and tests, where no SECRET_KEY is needed; `flask check`
# reports it, and production refuses to start without a real key.
INSECURE_SECRET_KEY = "insecure-development-key-do-not-deploy"  # noqa: S105  (public by design)


def log_level(value: str) -> str:
    return one_of(*LOG_LEVELS)(value.upper())


APP_ENV = Setting(
    "APP_ENV",
    "Settings profile: production (the default when unset), development or test.",
    default="production",
    parse=one_of(*PROFILES),
    local="development",
    on_heroku=True,
    heroku_value="production",
)
SECRET_KEY = Setting(
    "SECRET_KEY",
    "Signs sessions and CSRF tokens. Production refuses to start without one of "
    f"at least {SECRET_KEY_MIN_LENGTH} random characters, such as Python's "
    "secrets.token_urlsafe(48) gives.",
    local="change-me",
    secret=True,
    on_heroku=True,
)
SECRET_KEY_FALLBACKS = Setting(
    "SECRET_KEY_FALLBACKS",
    "Earlier SECRET_KEYs, comma-separated, still accepted while you rotate it: "
    "they open the sessions and sealed secrets made with them, never make new "
    'ones. docs/deploying.md, "Rotating SECRET_KEY", has the steps.',
    parse=comma_separated,
    secret=True,
)
PUBLIC_URL = Setting(
    "PUBLIC_URL",
    "The service's public origin, as people reach it. Links that leave a request "
    "(in mail) are built from it, never from the request's Host header, and "
    "requests naming another host are refused (400).",
    parse=origin,
    example="https://your-app.example.com",
    required_in_production=True,
    on_heroku=True,
)
ALLOWED_HOSTS = Setting(
    "ALLOWED_HOSTS",
    "More host names to accept besides PUBLIC_URL's, comma-separated.",
    parse=comma_separated,
    example="your-app.herokuapp.com",
)
FORCE_HTTPS = Setting(
    "FORCE_HTTPS",
    "Redirect plain-HTTP requests to HTTPS (Heroku's router does not); on by "
    "default in production. /healthz answers either way.",
    parse=true_or_false,
    example="true",
)
MAX_CONTENT_LENGTH = Setting(
    "MAX_CONTENT_LENGTH",
    "Largest request body in bytes; a larger one is refused (413) unread.",
    default="1048576",
    parse=whole_number,
)
REQUEST_BODY_SECONDS = Setting(
    "REQUEST_BODY_SECONDS",
    "Seconds a request's body may take to arrive; a slower one gets 408 and its "
    "connection is closed, so that a slow client cannot hold a web thread. 0 "
    "lifts the bound, for a service behind a proxy that buffers bodies.",
    default="10",
    parse=seconds,
)
PROXY_HOPS = Setting(
    "PROXY_HOPS",
    "Proxies in front of the app whose X-Forwarded-* headers are trusted: 1 "
    "behind Heroku's router, 0 when clients reach the app directly.",
    default="1",
    parse=whole_number,
)
DATABASE_URL = Setting(
    "DATABASE_URL",
    "The database, any SQLAlchemy URL. Unset: SQLite in the instance folder. "
    "Heroku Postgres sets it with the postgres:// scheme, which the service "
    "rewrites for psycopg 3, requiring TLS off this machine.",
    example="postgresql://postgres@127.0.0.1:5432/service",
)
DATABASE_CONNECT_TIMEOUT = Setting(
    "DATABASE_CONNECT_TIMEOUT",
    "Seconds to open a Postgres connection before the request fails with 503.",
    default="3",
    parse=whole_number,
)
DATABASE_STATEMENT_TIMEOUT = Setting(
    "DATABASE_STATEMENT_TIMEOUT",
    "Seconds before Postgres cancels a statement (503). 0 lifts it: the release "
    "line does, for migrations.",
    default="3",
    parse=whole_number,
)
DATABASE_NETWORK_TIMEOUT = Setting(
    "DATABASE_NETWORK_TIMEOUT",
    "Seconds before a connection to a server the network no longer reaches (a "
    "frozen host, a partition) is given up (503), through TCP keepalives and "
    "the TCP user timeout; a slow statement on a live server is never cut by "
    "it. 0 leaves it to the operating system (minutes).",
    default="3",
    parse=whole_number,
)
DATABASE_POOL_TIMEOUT = Setting(
    "DATABASE_POOL_TIMEOUT",
    "Seconds a request waits for a free pooled connection before it fails with 503.",
    default="5",
    parse=whole_number,
)
LOG_LEVEL = Setting(
    "LOG_LEVEL",
    "DEBUG, INFO, WARNING or ERROR.",
    default="INFO",
    parse=log_level,
    local="INFO",
    on_heroku=True,
    heroku_value="INFO",
)
INSTANCE_PATH = Setting(
    "INSTANCE_PATH",
    "Where local state lives (SQLite files). Unset: ./instance.",
    example="instance",
)

SETTINGS = (
    APP_ENV,
    SECRET_KEY,
    SECRET_KEY_FALLBACKS,
    PUBLIC_URL,
    ALLOWED_HOSTS,
    FORCE_HTTPS,
    MAX_CONTENT_LENGTH,
    REQUEST_BODY_SECONDS,
    PROXY_HOPS,
    DATABASE_URL,
    DATABASE_CONNECT_TIMEOUT,
    DATABASE_STATEMENT_TIMEOUT,
    DATABASE_NETWORK_TIMEOUT,
    DATABASE_POOL_TIMEOUT,
    LOG_LEVEL,
    INSTANCE_PATH,
)


def instance_path(environ: Mapping[str, str]) -> str | None:
    """Where local state lives (SQLite files); None means Flask's ./instance."""
    path = INSTANCE_PATH.read(environ)
    return os.path.abspath(path) if path else None


def load_settings(
    environ: Mapping[str, str], instance_path: str, features: Iterable[ModuleType] = ()
) -> dict:
    """Build the Flask settings for the profile named by APP_ENV: the
    platform's, then those of each feature that has a `settings` function."""
    profile = APP_ENV.read(environ)
    settings = {
        "APP_ENV": profile,
        "TESTING": profile == "test",
        "INSTANCE_PATH": instance_path,
        **secret_settings(environ, profile),
        **web_settings(environ, profile),
        **database_settings(environ, profile, instance_path),
        "LOG_LEVEL": LOG_LEVEL.read(environ),
    }
    for feature in features:
        if hasattr(feature, "settings"):
            settings.update(feature.settings(environ, settings))
    return settings


# Profile and secrets ---------------------------------------------------------


def secret_settings(environ, profile) -> dict:
    return {
        "SECRET_KEY": secret_key(environ, profile == "production"),
        # Flask's own setting: its session cookie accepts these keys too.
        "SECRET_KEY_FALLBACKS": SECRET_KEY_FALLBACKS.read(environ) or [],
        # Werkzeug's scrypt (n=2**15) costs about 0.1 s a hash, as it should;
        # tests hash hundreds of passwords, through the same code, at n=2**10.
        "PASSWORD_HASH_METHOD": "scrypt:1024:8:1" if profile == "test" else "scrypt",
    }


def secret_key(environ, production: bool) -> str:
    key = SECRET_KEY.read(environ)
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


def web_settings(environ, profile) -> dict:
    production = profile == "production"
    public_url = PUBLIC_URL.read(environ)
    max_content_length = MAX_CONTENT_LENGTH.read(environ)
    force_https = FORCE_HTTPS.read(environ)
    return {
        "PROXY_HOPS": PROXY_HOPS.read(environ),
        "SESSION_COOKIE_SECURE": production,
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "PREFERRED_URL_SCHEME": "https" if production else "http",
        # Where people reach the service: links that leave a request (mail)
        # are built from it, and requests for other hosts are refused (400).
        "PUBLIC_URL": public_url,
        "TRUSTED_HOSTS": trusted_hosts(public_url, ALLOWED_HOSTS.read(environ)),
        # Heroku's router does not redirect plain HTTP to HTTPS; the app does.
        "FORCE_HTTPS": production if force_https is None else force_https,
        "MAX_CONTENT_LENGTH": max_content_length,
        "MAX_FORM_MEMORY_SIZE": max_content_length,
        "MAX_FORM_PARTS": 100,
        # How long a body may take to arrive (request_bodies.py).
        "REQUEST_BODY_SECONDS": REQUEST_BODY_SECONDS.read(environ),
        # gunicorn's threads a process: one is kept from waiting on bodies.
        "WEB_THREADS": WEB_THREADS.read(environ),
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
    # One connection per gunicorn thread.
    pool_size = WEB_THREADS.read(environ)
    return {
        "DATABASE": database,
        "SQLALCHEMY_DATABASE_URI": database.url,
        "SQLALCHEMY_ENGINE_OPTIONS": engine_options(environ, database, pool_size),
    }


def database_url(environ, profile, instance_path) -> URL:
    """DATABASE_URL, or an SQLite file in the instance folder when it is unset
    (in memory for tests)."""
    url = DATABASE_URL.read(environ)
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
        "pool_timeout": DATABASE_POOL_TIMEOUT.read(environ),
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
    waits = {"connect_timeout": DATABASE_CONNECT_TIMEOUT.read(environ)}
    statement_timeout = DATABASE_STATEMENT_TIMEOUT.read(environ)
    if statement_timeout:
        waits["options"] = f"-c statement_timeout={statement_timeout * 1000}"
    network_timeout = DATABASE_NETWORK_TIMEOUT.read(environ)
    if network_timeout:
        waits.update(
            keepalives=1,
            keepalives_idle=1,
            keepalives_interval=1,
            keepalives_count=network_timeout,
            tcp_user_timeout=network_timeout * 1000,
        )
    return waits
