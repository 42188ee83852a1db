"""Limits on guessing passwords, on sending reset links and on writing.

Each guarded POST is counted twice: per client, which stops one machine
guessing fast, and per account named in the request, which stops many
addresses sharing the guessing of one password (or flooding one mailbox
with reset links). An account's writes are counted too, so that one
account cannot fill the database. Counts live in Redis when REDIS_URL is
set, so every dyno shares them.

Every attempt is counted as it arrives, before the view checks anything:
counting and comparing with the limit is one step in the storage (an
INCR in Redis, a locked addition in memory), so attempts sent all at once
cannot slip past it.
"""

import contextlib
import hashlib
import ipaddress
import time
from collections.abc import Callable

from flask import Flask, current_app, request
from flask_limiter import Limiter, RateLimitExceeded
from flask_limiter.util import get_remote_address

from ..platform import redis_client
from ..platform.environment import Setting
from ..platform.errors import handle_http_error
from .models import normalize_email

TOO_MANY_ATTEMPTS = "Too many attempts. Wait a while, then try again."
TOO_MANY_WRITES = "Too many changes in a short time. Wait a while, then try again."


def client_network() -> str:
    """The client a per-address limit counts: its IPv4 address, or the /64
    network of its IPv6 address.

    The address is the router's X-Forwarded-For, through ProxyFix. One IPv6
    subscriber usually holds a whole /64, so counting single IPv6 addresses
    would let one machine take a fresh address for every attempt.
    """
    address = get_remote_address()
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return address  # not an IP address: counted as sent
    if ip.version == 6 and ip.ipv4_mapped:
        return str(ip.ipv4_mapped)
    if ip.version == 6:
        return str(ipaddress.ip_network((ip, 64), strict=False))
    return str(ip)


# Keyed by client_network unless a limit says otherwise.
limiter = Limiter(client_network)


def account_key(email: str) -> str:
    """An account's key in the counts, hashed so that Redis holds no emails."""
    with contextlib.suppress(ValueError):  # not an email: counted as sent
        email = normalize_email(email)
    return "account:" + hashlib.sha256(email.encode(errors="surrogatepass")).hexdigest()


def form_email() -> str:
    """The account a form names: its email field, whatever else is sent."""
    return account_key(request.form.get("email", ""))


def basic_username() -> str:
    """The account HTTP Basic names, where Basic is the credential (the
    API's token endpoint)."""
    credentials = request.authorization
    if credentials is None or credentials.type != "basic":
        return account_key("")
    return account_key(credentials.username or "")


def per_address(setting: str):
    """A limit on POSTs per client, as the setting says."""
    return limiter.limit(
        lambda: current_app.config[setting], methods=["POST"], error_message=TOO_MANY_ATTEMPTS
    )


def per_account(setting: str, named_by: Callable[[], str]):
    """A limit on POSTs per account, whatever the address, as the setting
    says; `named_by` finds the account in the request. The routes it
    guards share one count per account."""
    return limiter.shared_limit(
        lambda: current_app.config[setting],
        scope=setting,
        key_func=named_by,
        methods=["POST"],
        error_message=TOO_MANY_ATTEMPTS,
    )


def writes_per_account(account_id: Callable[[], int]):
    """A limit on an account's writes (POST, PUT, PATCH, DELETE), as
    WRITE_RATE_LIMIT says, shared by every route it guards; `account_id`
    gives the signed-in account's id. Place it where the account is known:
    the notes pages ask for a login first, the API below its token check."""
    return limiter.shared_limit(
        lambda: current_app.config["WRITE_RATE_LIMIT"],
        scope="WRITE_RATE_LIMIT",
        key_func=lambda: f"writer:{account_id()}",
        methods=["POST", "PUT", "PATCH", "DELETE"],
        error_message=TOO_MANY_WRITES,
    )


# Only POSTs count: showing a form is free, guessing a password is not. The
# login form and the API's token endpoint draw on one count per account,
# the form naming it by its email, the endpoint by HTTP Basic's user.
#
# Every attempt counts, the owner's own logins and token requests too:
# counting only the wrong ones means counting once the password is checked,
# and attempts sent all at once would all be checked first. What it costs
# the owner: one who logs in or asks for a token more often than
# ACCOUNT_RATE_LIMIT allows (a script asking for a token on every run rather
# than keeping it) waits for the window to pass, as they already do while a
# guesser has spent the account's count. Hence defaults above what a person
# needs, 30 an hour and 200 a day, while 5 a minute still holds a guesser back.
attempts_per_address = per_address("LOGIN_RATE_LIMIT")
login_attempts_per_account = per_account("ACCOUNT_RATE_LIMIT", named_by=form_email)
token_attempts_per_account = per_account("ACCOUNT_RATE_LIMIT", named_by=basic_username)


LOGIN_RATE_LIMIT = Setting(
    "LOGIN_RATE_LIMIT",
    "Password attempts allowed per client address; one more gets 429 Too Many Requests.",
    default="5 per minute; 50 per day",
)
ACCOUNT_RATE_LIMIT = Setting(
    "ACCOUNT_RATE_LIMIT",
    "Password attempts allowed per account, whatever the address, right ones "
    "included; one more gets 429.",
    default="5 per minute; 30 per hour; 200 per day",
)
WRITE_RATE_LIMIT = Setting(
    "WRITE_RATE_LIMIT",
    "Changes (creating, editing or deleting a note, through the pages or the "
    "API) allowed per account; one more gets 429.",
    default="60 per minute; 1000 per day",
)

SETTINGS = (LOGIN_RATE_LIMIT, ACCOUNT_RATE_LIMIT, WRITE_RATE_LIMIT)


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
        # Requests already counting in Redis as it fails, alongside the one that
        # switches to memory, pass uncounted and are logged instead of a 500.
        "RATELIMIT_SWALLOW_ERRORS": True,
        "LOGIN_RATE_LIMIT": LOGIN_RATE_LIMIT.read(environ),
        "ACCOUNT_RATE_LIMIT": ACCOUNT_RATE_LIMIT.read(environ),
        "WRITE_RATE_LIMIT": WRITE_RATE_LIMIT.read(environ),
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
