"""Postgres connections: failing fast while the database is unreachable,
and pinging pooled connections that sat idle.

Every wait on Postgres has its own bound, a libpq connection parameter set
in settings.py (`postgres_waits`): the connect timeout, the server's
statement timeout, and TCP keepalives with a TCP user timeout for a server
the network no longer reaches. Any of them running out raises psycopg's
OperationalError, which errors.py answers with a 503; a connection whose
network gave up is broken, and the pool drops it.

While the database is unreachable, every request would still wait out the
connect timeout, and waiting requests would take every thread. So after a
connection attempt timed out, the process fails fast for a few seconds
(`Breaker`): threads stay free for pages and /healthz that do not need the
database.
"""

import threading
import time

import psycopg
from flask import Flask
from sqlalchemy import event
from sqlalchemy.exc import DisconnectionError

from .database import db

# Seconds a process fails fast after a connection attempt timed out.
FAIL_FAST_SECONDS = 2
# A pooled connection left unused this long is pinged before a request gets
# it (a restart or failover may have ended it meanwhile); a busy one is not,
# which saves a round trip on nearly every request.
PING_AFTER_IDLE_SECONDS = 10


class DatabaseUnreachable(psycopg.OperationalError):
    """A connection attempt timed out moments ago: this one is not made."""


class Breaker:
    """Fail fast while the database is known to be unreachable.

    `trip()` opens it for FAIL_FAST_SECONDS; then `allow()` lets one caller
    try again (the others still fail fast), and a connection made closes it.
    """

    def __init__(self):
        self.lock = threading.Lock()
        self.tripped = False
        self.next_try_at = 0.0

    def allow(self) -> bool:
        if not self.tripped:
            return True
        with self.lock:
            now = time.monotonic()
            if now < self.next_try_at:
                return False
            # This caller tries; the rest wait for its answer, failing fast.
            self.next_try_at = now + FAIL_FAST_SECONDS
            return True

    def trip(self) -> None:
        with self.lock:
            self.tripped = True
            self.next_try_at = time.monotonic() + FAIL_FAST_SECONDS

    def reset(self) -> None:
        self.tripped = False


def init_app(app: Flask) -> None:
    with app.app_context():
        engine = db.engine
    # One a process (each gunicorn worker learns for itself), one an engine.
    breaker = Breaker()

    def connect(dialect, connection_record, cargs, cparams):
        """SQLAlchemy's do_connect event: connect as the dialect would, unless
        an attempt timed out moments ago."""
        if not breaker.allow():
            raise DatabaseUnreachable("the database did not answer moments ago (failing fast)")
        try:
            connection = dialect.connect(*cargs, **cparams)
        except psycopg.errors.ConnectionTimeout:
            # A refusal comes at once and trips nothing: only silence does.
            breaker.trip()
            raise
        breaker.reset()
        return connection

    event.listen(engine, "do_connect", connect)
    event.listen(engine, "checkin", note_checkin)
    event.listen(engine, "checkout", ping_if_idle)


def note_checkin(dbapi_connection, connection_record) -> None:
    connection_record.info["checked_in_at"] = time.monotonic()


def ping_if_idle(dbapi_connection, connection_record, connection_proxy) -> None:
    """SQLAlchemy's pessimistic disconnect handling, for idle connections
    only: a dead one raises DisconnectionError, and the pool replaces it."""
    checked_in_at = connection_record.info.get("checked_in_at")
    if checked_in_at is None or time.monotonic() - checked_in_at < PING_AFTER_IDLE_SECONDS:
        return
    try:
        dbapi_connection.execute("SELECT 1")
    except psycopg.OperationalError as error:
        raise DisconnectionError(str(error)) from error
