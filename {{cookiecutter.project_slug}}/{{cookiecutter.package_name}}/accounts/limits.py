"""Limits on guessing passwords and on sending reset links.

Each guarded POST is counted twice: per client address, which stops one
machine guessing fast, and per account named in the request, which stops
many addresses sharing the guessing of one password (or flooding one
mailbox with reset links). Counts live in Redis when REDIS_URL is set, so
every dyno shares them.
"""

import contextlib
import hashlib
import time

from flask import Flask, current_app, request
from flask_limiter import Limiter, RateLimitExceeded
from flask_limiter.util import get_remote_address

from ..platform import redis_client
from ..platform.environment import Setting
from ..platform.errors import handle_http_error
from .models import normalize_email

# Keyed by the client's address (the router's X-Forwarded-For, through
# ProxyFix) unless a limit says otherwise.
limiter = Limiter(get_remote_address)

TOO_MANY_ATTEMPTS = "Too many attempts. Wait a while, then try again."


def named_account() -> str:
    """The account an attempt names: the form's email or HTTP Basic's user.

    Hashed, so the counters in Redis hold no email addresses.
    """
    credentials = request.authorization
    if credentials is not None and credentials.type == "basic":
        email = credentials.username or ""
    else:
        email = request.form.get("email", "")
    with contextlib.suppress(ValueError):  # not an email: counted as sent
        email = normalize_email(email)
    return "account:" + hashlib.sha256(email.encode(errors="surrogatepass")).hexdigest()


def per_address(setting: str):
    """A limit on POSTs per client address, as the setting says."""
    return limiter.limit(
        lambda: current_app.config[setting], methods=["POST"], error_message=TOO_MANY_ATTEMPTS
    )


def per_account(setting: str, failures_only: bool = False):
    """A limit on POSTs per account named, whatever the address, as the
    setting says; the routes it guards share one count per account.

    With `failures_only`, an answer that succeeded (201 Created, or the
    302 of a login) is not counted.
    """
    return limiter.shared_limit(
        lambda: current_app.config[setting],
        scope=setting,
        key_func=named_account,
        methods=["POST"],
        error_message=TOO_MANY_ATTEMPTS,
        deduct_when=failed if failures_only else None,
    )


def failed(response) -> bool:
    return response.status_code not in (201, 302)


# Only POSTs count: showing a form is free, guessing a password is not. The
# login form and the API's token endpoint draw on one count per account, of
# wrong passwords only, so its owner's own logins and token requests are not
# held back; a guesser still can hold them back for a while (the price of
# counting per account at all).
attempts_per_address = per_address("LOGIN_RATE_LIMIT")
attempts_per_account = per_account("ACCOUNT_RATE_LIMIT", failures_only=True)


LOGIN_RATE_LIMIT = Setting(
    "LOGIN_RATE_LIMIT",
    "Password attempts allowed per client address; one more gets 429 Too Many Requests.",
    default="5 per minute; 50 per day",
)
ACCOUNT_RATE_LIMIT = Setting(
    "ACCOUNT_RATE_LIMIT",
    "Wrong passwords allowed per account, whatever the address; one more gets 429.",
    default="5 per minute; 20 per hour; 100 per day",
)

SETTINGS = (LOGIN_RATE_LIMIT, ACCOUNT_RATE_LIMIT)


def settings(environ, config) -> dict:
    redis = config["REDIS_URL"]
    return {
        # Password attempts are counted in Redis, shared by every dyno;
        # without it each process counts alone, in memory.
        "RATELIMIT_STORAGE_URI": redis or "memory://",
        "RATELIMIT_HEADERS_ENABLED": False,  # answer_too_many_attempts says Retry-After
        # If Redis is unreachable, count in memory rather than refuse every login
        # (each process alone); Flask-Limiter tries Redis again after 1, 2, 4 ... 32 s.
        "RATELIMIT_IN_MEMORY_FALLBACK_ENABLED": True,
        "LOGIN_RATE_LIMIT": LOGIN_RATE_LIMIT.read(environ),
        "ACCOUNT_RATE_LIMIT": ACCOUNT_RATE_LIMIT.read(environ),
    }


def init_app(app: Flask) -> None:
    redis = redis_client.client(app)
    if redis is not None:
        # Counted through the app's one Redis client (platform/redis_client.py):
        # its connection pool, timeouts and TLS settings.
        app.config["RATELIMIT_STORAGE_OPTIONS"] = {"connection_pool": redis.connection_pool}
    limiter.init_app(app)
    app.register_error_handler(RateLimitExceeded, answer_too_many_attempts)


def answer_too_many_attempts(error: RateLimitExceeded):
    """The usual error answer, telling the client when to come back.

    Only this answer says so: Flask-Limiter's own headers would also mark
    every successful answer of a limited route (a login's redirect
    included), and they are off.
    """
    response = handle_http_error(error)
    breached = limiter.current_limit
    if breached is not None:
        response.headers["Retry-After"] = str(max(1, int(breached.reset_at - time.time())))
    return response
