"""Settings from the environment: the one place that reads it.

`load_settings` turns environment variables into a plain dictionary for
`app.config`. `APP_ENV` picks the profile; production is the default, so a
server started with nothing set is a secure one or none at all.
"""

import os
{%- if cookiecutter.use_celery %}
import ssl
import tempfile
{%- endif %}
from collections.abc import Mapping
{%- if cookiecutter.use_web_ui or cookiecutter.use_api %}
from datetime import timedelta
{%- endif %}
from urllib.parse import {% if cookiecutter.use_celery %}parse_qs, {% endif %}unquote, urlsplit

{% if cookiecutter.use_celery -%}
from celery.schedules import crontab
{% endif -%}
from sqlalchemy.engine import URL, make_url

PROFILES = ("production", "development", "test")
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
SECRET_KEY_MIN_LENGTH = 32
LOCAL_HOSTS = frozenset({"", "localhost", "127.0.0.1", "::1"})
# Request bodies above this many bytes are refused with 413 before they are
# read: the largest form or JSON body the service takes is a note.
DEFAULT_MAX_CONTENT_LENGTH = 1024 * 1024

# Only for development and tests, where no SECRET_KEY is needed; `flask check`
# reports it, and production refuses to start without a real key.
INSECURE_SECRET_KEY = "insecure-development-key-do-not-deploy"  # noqa: S105  (public by design)


class ConfigError(SystemExit):
    """The configuration cannot run: stop with one line, not a traceback.

    It derives from SystemExit so that whatever loads the app (gunicorn,
    `flask`, `manage.py`) exits non-zero printing only the message.
    """

    def __init__(self, message):
        super().__init__(f"error: {message}")


def instance_path(environ: Mapping[str, str]) -> str | None:
    """Where local state lives (SQLite files); None means Flask's ./instance."""
    path = environ.get("INSTANCE_PATH")
    return os.path.abspath(path) if path else None


def load_settings(environ: Mapping[str, str], instance_path: str) -> dict:
    """Build the Flask settings for the profile named by APP_ENV."""
    profile = environ.get("APP_ENV", "production")
    if profile not in PROFILES:
        raise ConfigError(f"APP_ENV is {profile!r}; use one of {', '.join(PROFILES)}")
    production = profile == "production"
    database_url = environ.get("DATABASE_URL") or default_database_url(profile, instance_path)
    web_threads = int_setting(environ, "WEB_THREADS", 4)
    public_url = public_origin(environ.get("PUBLIC_URL", ""))
    max_content_length = int_setting(environ, "MAX_CONTENT_LENGTH", DEFAULT_MAX_CONTENT_LENGTH)
{%- if cookiecutter.use_celery or cookiecutter.use_web_ui or cookiecutter.use_api %}
    redis = redis_url(environ.get("REDIS_URL", ""))
{%- endif %}
    return {
        "APP_ENV": profile,
        "TESTING": profile == "test",
        "SECRET_KEY": secret_key(environ, production),
        # Werkzeug's scrypt (n=2**15) costs about 0.1 s a hash, as it should;
        # tests hash hundreds of passwords, through the same code, at n=2**10.
        "PASSWORD_HASH_METHOD": "scrypt:1024:8:1" if profile == "test" else "scrypt",
        "SQLALCHEMY_DATABASE_URI": database_uri(database_url),
        "SQLALCHEMY_ENGINE_OPTIONS": engine_options(environ, database_url, web_threads),
        "DATABASE_ANSWER_TIMEOUT": database_answer_timeout(environ, database_url),
{%- if cookiecutter.use_celery or cookiecutter.use_web_ui or cookiecutter.use_api %}
        # Unset: embedded defaults stand in for Redis (see the features using it).
        "REDIS_URL": redis,
        "REDIS_TIMEOUT": int_setting(environ, "REDIS_TIMEOUT", 2),
{%- endif %}
{%- if cookiecutter.use_celery %}
        "CELERY": celery_settings(environ, instance_path, redis),
{%- endif %}
        "SMTP": smtp_settings(environ),
        "MAIL_FROM": environ.get("MAIL_FROM", "{{ cookiecutter.project_slug }} <noreply@localhost>"),
        "LOG_LEVEL": log_level(environ),
        # Heroku's router is one proxy hop in front of the dyno.
        "PROXY_HOPS": int_setting(environ, "PROXY_HOPS", 1),
        "SESSION_COOKIE_SECURE": production,
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "PREFERRED_URL_SCHEME": "https" if production else "http",
        # Where people reach the service: links that leave a request (mail)
        # are built from it, and requests for other hosts are refused (400).
        "PUBLIC_URL": public_url,
        "TRUSTED_HOSTS": trusted_hosts(public_url, environ.get("ALLOWED_HOSTS", "")),
        # Heroku's router does not redirect plain HTTP to HTTPS; the app does.
        "FORCE_HTTPS": bool_setting(environ, "FORCE_HTTPS", production),
        "MAX_CONTENT_LENGTH": max_content_length,
        "MAX_FORM_MEMORY_SIZE": max_content_length,
        "MAX_FORM_PARTS": 100,
{%- if cookiecutter.use_web_ui or cookiecutter.use_api %}
        # Password attempts are counted in Redis, shared by every dyno;
        # without it each process counts alone, in memory (see limits.py).
        "RATELIMIT_STORAGE_URI": redis or "memory://",
        "RATELIMIT_STORAGE_OPTIONS": redis_timeouts(environ) if redis else {},
        "RATELIMIT_HEADERS_ENABLED": False,  # limits.py sets Retry-After on 429 alone
        # If Redis is unreachable, count in memory rather than refuse every login
        # (each process alone); Flask-Limiter tries Redis again after 1, 2, 4 ... 32 s.
        "RATELIMIT_IN_MEMORY_FALLBACK_ENABLED": True,
        "LOGIN_RATE_LIMIT": environ.get("LOGIN_RATE_LIMIT", "5 per minute; 50 per day"),
        "ACCOUNT_RATE_LIMIT": environ.get(
            "ACCOUNT_RATE_LIMIT", "5 per minute; 20 per hour; 100 per day"
        ),
{%- endif %}
{%- if cookiecutter.use_web_ui %}
        "RESET_RATE_LIMIT": environ.get("RESET_RATE_LIMIT", "3 per hour; 10 per day"),
        # Seconds a password reset link stays valid.
        "PASSWORD_RESET_MAX_AGE": int_setting(environ, "PASSWORD_RESET_MAX_AGE", 3600),
        # "Keep me logged in": a cookie as guarded as the session's, for a while.
        "REMEMBER_COOKIE_DURATION": timedelta(days=int_setting(environ, "REMEMBER_DAYS", 14)),
        "REMEMBER_COOKIE_SECURE": production,
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
{%- endif %}
{%- if cookiecutter.use_api %}
        # The API (flask-smorest): its OpenAPI document at /api/openapi.json.
        "OPENAPI_URL_PREFIX": "/api",
        "API_TOKEN_LIFETIME": timedelta(hours=int_setting(environ, "API_TOKEN_HOURS", 24)),
{%- endif %}
    }


def secret_key(environ, production):
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


def log_level(environ) -> str:
    level = environ.get("LOG_LEVEL", "INFO").upper()
    if level not in LOG_LEVELS:
        raise ConfigError(f"LOG_LEVEL is {level!r}; use one of {', '.join(LOG_LEVELS)}")
    return level


def default_database_url(profile, instance_path):
    if profile == "test":
        return "sqlite://"  # in memory, gone with the process
    return f"sqlite:///{os.path.join(instance_path, 'app.db')}"


def database_uri(url: str) -> URL:
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


def public_origin(url: str) -> str:
    """PUBLIC_URL as scheme://host[:port], or "" when unset."""
    if not url:
        return ""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.path.strip("/"):
        raise ConfigError(
            f"PUBLIC_URL is {url!r}; use the service's origin, like https://example.com"
        )
    return f"{parts.scheme}://{parts.netloc}"


def trusted_hosts(public_url: str, allowed_hosts: str) -> list[str] | None:
    """The hosts requests may name: PUBLIC_URL's and ALLOWED_HOSTS; None is any."""
    hosts = [name.strip() for name in allowed_hosts.split(",") if name.strip()]
    if public_url:
        hosts.insert(0, urlsplit(public_url).hostname)
    return hosts or None
{%- if cookiecutter.use_celery or cookiecutter.use_web_ui or cookiecutter.use_api %}


def redis_url(url: str) -> str:
    """Accept the self-signed certificate of Heroku's Key-Value Store.

    Every Heroku Redis plan speaks TLS (`rediss://`) with a self-signed
    certificate; Redis clients refuse it unless the URL says
    `ssl_cert_reqs=none`. An explicit `ssl_cert_reqs` is kept.
    """
    if url.startswith("rediss://") and "ssl_cert_reqs=" not in url:
        url += ("&" if "?" in url else "?") + "ssl_cert_reqs=none"
    return url
{%- endif %}
{%- if cookiecutter.use_celery %}


SSL_CERT_REQS = {
    "none": ssl.CERT_NONE,
    "optional": ssl.CERT_OPTIONAL,
    "required": ssl.CERT_REQUIRED,
}
BEAT_SCHEDULE_FILE = "{{ cookiecutter.package_name }}-beat-schedule"


def celery_settings(environ, instance_path, redis: str) -> dict:
    """Celery's settings: Redis when REDIS_URL is set, SQLite files otherwise."""
    if redis:
        broker = backend = redis
    else:
        # Embedded defaults: a queue and a result store in SQLite files of the
        # instance folder, shared by the local web, worker and beat processes.
        broker = "sqla+sqlite:///" + os.path.join(instance_path, "tasks-queue.sqlite")
        backend = "db+sqlite:///" + os.path.join(instance_path, "tasks-results.sqlite")
    soft_limit = int_setting(environ, "TASK_SOFT_TIME_LIMIT", 60)
    summary_every = int_setting(environ, "SUMMARY_INTERVAL_SECONDS", 0)
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
        "worker_concurrency": int_setting(environ, "WORKER_CONCURRENCY", 2),
        "broker_connection_retry_on_startup": True,
        "beat_schedule": {
            "daily-summary": {
                "task": "{{ cookiecutter.package_name }}.tasks.log_daily_summary",
                # Crontab, not an interval: dynos restart daily, which would
                # reset a 24-hour interval before it ever came due.
                "schedule": summary_every or crontab(minute=0, hour=3),
            },
        },
        # Only beat's record of last runs: losing it on a restart is harmless.
        "beat_schedule_filename": os.path.join(tempfile.gettempdir(), BEAT_SCHEDULE_FILE),
    }
    if redis:
        # After this long, a task taken but not acknowledged is given to
        # another worker: keep it above the longest task run and the longest
        # retry countdown (10 minutes), or a slow task would run twice.
        visibility = int_setting(environ, "REDIS_VISIBILITY_TIMEOUT", 3600)
        transport = {
            "visibility_timeout": visibility,
            # How often workers look for such tasks: a tenth of the timeout
            # (kombu's default sweep comes only every 100 s or so).
            "unacked_restore_interval": max(1, min(60, visibility // 10)),
            "unacked_restore_throttle": 1,
        }
        # Every wait on Redis is bounded, so a frozen Redis fails a request
        # or a health check in seconds instead of holding it.
        transport.update(redis_timeouts(environ))
        settings["broker_transport_options"] = transport
        settings["redis_socket_timeout"] = transport["socket_timeout"]
        settings["redis_socket_connect_timeout"] = transport["socket_connect_timeout"]
        # Queuing a task (`.delay()`) tries twice, half a second apart, then
        # raises, so the request can answer instead of waiting on Redis.
        settings["task_publish_retry_policy"] = {
            "max_retries": 1,
            "interval_start": 0,
            "interval_step": 0.5,
            "interval_max": 0.5,
        }
        if redis.startswith("rediss://"):
            # "none" or Celery's own spelling, "CERT_NONE".
            cert_reqs = parse_qs(urlsplit(redis).query)["ssl_cert_reqs"][0].lower()
            tls = {"ssl_cert_reqs": SSL_CERT_REQS[cert_reqs.removeprefix("cert_")]}
            settings["broker_use_ssl"] = tls
            settings["redis_backend_use_ssl"] = tls
    return settings
{%- endif %}


def smtp_settings(environ) -> dict | None:
    """Where to send mail: SMTP_URL, or a mail add-on's host/port/user/password.

    `smtp://user:password@host:587` uses STARTTLS, `smtps://...:465` TLS from
    the start. Heroku's Mailgun add-on sets MAILGUN_SMTP_SERVER, _PORT, _LOGIN
    and _PASSWORD; SMTP_HOST, _PORT, _USER and _PASSWORD work for any other.
    None means no mail server: messages go to the log.
    """
    if environ.get("SMTP_URL"):
        url = urlsplit(environ["SMTP_URL"])
        if url.scheme not in ("smtp", "smtps") or not url.hostname:
            raise ConfigError("SMTP_URL must look like smtp://user:password@host:587")
        ssl = url.scheme == "smtps"
        return {
            "host": url.hostname,
            "port": url.port or (465 if ssl else 587),
            "user": unquote(url.username or ""),
            "password": unquote(url.password or ""),
            "ssl": ssl,
        }
    for prefix, user_key in (("MAILGUN_SMTP_", "LOGIN"), ("SMTP_", "USER")):
        host = environ.get(f"{prefix}SERVER") or environ.get(f"{prefix}HOST")
        if host:
            port = int_setting(environ, f"{prefix}PORT", 587)
            return {
                "host": host,
                "port": port,
                "user": environ.get(f"{prefix}{user_key}", ""),
                "password": environ.get(f"{prefix}PASSWORD", ""),
                "ssl": port == 465,
            }
    return None


def engine_options(environ, url: str, web_threads: int) -> dict:
    if url.startswith("sqlite"):
        return {}
    # One connection per gunicorn thread, none on overflow: entry Postgres
    # plans allow about 20 connections for every dyno together.
    return {
        "pool_pre_ping": True,
        "pool_size": web_threads,
        "max_overflow": 0,
        # Seconds a request waits for a free connection before it fails (503).
        "pool_timeout": int_setting(environ, "DATABASE_POOL_TIMEOUT", 5),
        "pool_recycle": 300,
        "connect_args": postgres_timeouts(environ),
    }


def postgres_timeouts(environ) -> dict:
    """libpq's connect timeout, and the server's statement timeout.

    Both stay well under the router's 30 s, so a request that needs a slow
    or unreachable database fails with a 503 instead of holding its thread.
    """
    connect_args = {"connect_timeout": int_setting(environ, "DATABASE_CONNECT_TIMEOUT", 3)}
    statement_timeout = int_setting(environ, "DATABASE_STATEMENT_TIMEOUT", 3)
    if statement_timeout:
        connect_args["options"] = f"-c statement_timeout={statement_timeout * 1000}"
    return connect_args


def database_answer_timeout(environ, url: str) -> int | None:
    """Seconds the client waits for any answer from Postgres, or None.

    The statement timeout works only while the server runs; a frozen server
    or a lost network answers nothing, so the client also stops waiting, one
    second after the server would have cancelled the statement.
    """
    statement_timeout = int_setting(environ, "DATABASE_STATEMENT_TIMEOUT", 3)
    if url.startswith("sqlite") or not statement_timeout:
        return None
    return statement_timeout + 1
{%- if cookiecutter.use_celery or cookiecutter.use_web_ui or cookiecutter.use_api %}


def redis_timeouts(environ) -> dict:
    """Seconds any Redis client waits to connect or for an answer (redis-py's names)."""
    seconds = int_setting(environ, "REDIS_TIMEOUT", 2)
    return {"socket_timeout": seconds, "socket_connect_timeout": seconds}
{%- endif %}


def bool_setting(environ, name, default: bool) -> bool:
    value = environ.get(name, "").lower()
    if not value:
        return default
    if value not in ("true", "false", "1", "0"):
        raise ConfigError(f"{name} is {value!r}; use true or false")
    return value in ("true", "1")


def int_setting(environ, name, default):
    value = environ.get(name, "")
    if not value:
        return default
    try:
        return int(value)
    except ValueError:
        raise ConfigError(f"{name} is {value!r}; use a whole number") from None
