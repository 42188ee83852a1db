"""Bounded waits on Postgres: no request waits on the database for ever.

libpq's connect timeout bounds a new connection and the server's statement
timeout a slow query; neither helps when the server is frozen or the network
lost, since the socket stays open and nothing answers. `AnswerTimeoutConnection`
is psycopg's connection that also stops waiting on its own after
DATABASE_ANSWER_TIMEOUT seconds, closes itself (the pool then drops it) and
raises OperationalError, which errors.py answers with a 503.
"""

import logging

import psycopg
from flask import Flask
from sqlalchemy import event
from sqlalchemy.exc import SQLAlchemyError

from .extensions import db

logger = logging.getLogger(__name__)


class DatabaseDidNotAnswer(psycopg.OperationalError):
    """The server sent nothing back within the answer timeout."""


class AnswerTimeoutConnection(psycopg.Connection):
    answer_timeout: float | None = None

    def wait(self, gen, interval=0.1, timeout=None):
        # Every query, commit and rollback of a connection waits here.
        try:
            return super().wait(gen, interval=interval, timeout=timeout or self.answer_timeout)
        except psycopg.errors.OperationalError as error:
            # psycopg's own timeout error is internal: recognise it by its class.
            if type(error).__name__ != "_WaitTimeout":
                raise
            self.pgconn.finish()  # in an unknown state: never to be used again
            raise DatabaseDidNotAnswer(
                f"no answer from the database within {self.answer_timeout} s"
            ) from None


def register_database_guards(app: Flask) -> None:
    """Bound every wait on the database, and end sessions without errors.

    Call after `db.init_app`: teardowns run last-registered first, so the
    session is closed here before Flask-SQLAlchemy's own teardown runs.
    """
    app.teardown_appcontext(close_session)
    bound_database_waits(app)


def close_session(error: BaseException | None) -> None:
    """Close the request's session; if its connection died after the last
    query (a failover, a restart), throw the connection away instead of
    failing a request that has already been answered."""
    try:
        db.session.close()
    except SQLAlchemyError as close_error:
        db.session().invalidate()  # the scoped session has no proxy for it
        logger.warning(
            "database connection lost after the request",
            extra={"fields": {"error": type(getattr(close_error, "orig", close_error)).__name__}},
        )


def bound_database_waits(app: Flask) -> None:
    """Open Postgres connections as AnswerTimeoutConnection."""
    seconds = app.config["DATABASE_ANSWER_TIMEOUT"]
    if not seconds:
        return

    def connect(dialect, connection_record, cargs, cparams):
        connection = AnswerTimeoutConnection.connect(*cargs, **cparams)
        connection.answer_timeout = seconds
        return connection

    with app.app_context():
        event.listen(db.engine, "do_connect", connect)
