"""Bounded waits on Postgres, so that no request waits on it for ever.

libpq's connect timeout bounds a new connection and the server's statement
timeout a slow query; neither helps when the server is frozen or the network
lost, since the socket stays open and nothing answers. `AnswerTimeoutConnection`
is psycopg's connection that also stops waiting on its own after
DATABASE_ANSWER_TIMEOUT seconds, closes itself (the pool then drops it) and
raises OperationalError, which errors.py answers with a 503.

After such a timeout, the process fails fast for a few seconds (`Breaker`)
rather than let every request hold a thread for the whole timeout: threads
stay free for pages and /healthz that do not need the database.
"""

import threading
import time

import psycopg
from flask import Flask
from sqlalchemy import event
from sqlalchemy.exc import DisconnectionError

from .database import db

# Seconds a process fails fast after the database did not answer in time.
FAIL_FAST_SECONDS = 2
# A pooled connection left unused this long is pinged before a request gets
# it (a restart or failover may have ended it meanwhile); a busy one is not,
# which saves a round trip on nearly every request.
PING_AFTER_IDLE_SECONDS = 10


class DatabaseDidNotAnswer(psycopg.OperationalError):
    """The server sent nothing back within the answer timeout."""


class Breaker:
    """Fail fast while the database is known not to answer.

    `trip()` opens it for FAIL_FAST_SECONDS; then `allow()` lets one caller
    try again (the others still fail fast), and any answer closes it.
    """

    def __init__(self):
        self.lock = threading.Lock()
        self.tripped = False
        self.closed_again_at = 0.0

    def allow(self) -> bool:
        if not self.tripped:
            return True
        with self.lock:
            now = time.monotonic()
            if now < self.closed_again_at:
                return False
            # This caller tries; the rest wait for its answer, failing fast.
            self.closed_again_at = now + FAIL_FAST_SECONDS
            return True

    def trip(self) -> None:
        with self.lock:
            self.tripped = True
            self.closed_again_at = time.monotonic() + FAIL_FAST_SECONDS

    def reset(self) -> None:
        if self.tripped:
            self.tripped = False


breaker = Breaker()  # one a process: each gunicorn worker learns for itself


class AnswerTimeoutConnection(psycopg.Connection):
    answer_timeout: float | None = None

    def wait(self, gen, interval=0.1, timeout=None):
        # Every query, commit and rollback of a connection waits here.
        if not breaker.allow():
            raise DatabaseDidNotAnswer("the database is not answering (failing fast)")
        try:
            answer = super().wait(gen, interval=interval, timeout=timeout or self.answer_timeout)
        except psycopg.errors.OperationalError as error:
            # psycopg's own timeout error is internal: recognise it by its class.
            if type(error).__name__ != "_WaitTimeout":
                raise
            breaker.trip()
            self.pgconn.finish()  # in an unknown state: never to be used again
            raise DatabaseDidNotAnswer(
                f"no answer from the database within {self.answer_timeout} s"
            ) from None
        breaker.reset()
        return answer


def init_app(app: Flask) -> None:
    bound_database_waits(app)
    ping_idle_connections(app)


def bound_database_waits(app: Flask) -> None:
    """Open Postgres connections as AnswerTimeoutConnection."""
    seconds = app.config["DATABASE_ANSWER_TIMEOUT"]
    if not seconds:
        return

    def connect(dialect, connection_record, cargs, cparams):
        if not breaker.allow():
            raise DatabaseDidNotAnswer("the database is not answering (failing fast)")
        started = time.monotonic()
        try:
            connection = AnswerTimeoutConnection.connect(*cargs, **cparams)
        except psycopg.OperationalError:
            # A refusal comes at once; only a connect timeout means "frozen".
            if time.monotonic() - started >= cparams.get("connect_timeout", 0):
                breaker.trip()
            raise
        breaker.reset()
        connection.answer_timeout = seconds
        return connection

    with app.app_context():
        event.listen(db.engine, "do_connect", connect)


def ping_idle_connections(app: Flask) -> None:
    with app.app_context():
        event.listen(db.engine, "checkin", note_checkin)
        event.listen(db.engine, "checkout", ping_if_idle)


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
