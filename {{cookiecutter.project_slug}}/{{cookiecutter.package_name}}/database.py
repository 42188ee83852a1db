"""The database: Flask-SQLAlchemy set up for the app, SQLite's rules, and
sessions that end without errors. On Postgres, postgres.py bounds every
wait, so that no request waits on the database for ever.
"""

import logging
import os

from flask import Flask
from sqlalchemy import event
from sqlalchemy.exc import SQLAlchemyError

from .extensions import db

logger = logging.getLogger(__name__)


def register_database(app: Flask) -> None:
    """Bind Flask-SQLAlchemy, bound every wait on Postgres, and end sessions
    without errors."""
    database = app.config["DATABASE"]
    if database.sqlite_file:
        os.makedirs(os.path.dirname(os.path.abspath(database.sqlite_file)), exist_ok=True)
    db.init_app(app)
    if database.is_sqlite:
        with app.app_context():
            event.listen(db.engine, "connect", enforce_sqlite_foreign_keys)
    # After `db.init_app`: teardowns run last-registered first, so the session
    # is closed here before Flask-SQLAlchemy's own teardown runs.
    app.teardown_appcontext(close_session)
    if not database.is_sqlite:
        # Here, not at the top: psycopg is for Postgres alone (5 MB a process).
        from .postgres import bound_database_waits, ping_idle_connections

        bound_database_waits(app)
        ping_idle_connections(app)


def enforce_sqlite_foreign_keys(dbapi_connection, connection_record):
    """SQLite ignores foreign keys (and ON DELETE CASCADE) unless asked."""
    dbapi_connection.execute("PRAGMA foreign_keys = ON")


def close_session(error: BaseException | None) -> None:
    """Close the request's session; if its connection died after the last
    query (a failover, a restart), throw the connection away instead of
    failing a request that has already been answered."""
    if not db.session.registry.has():
        return  # the request used no database: nothing to close
    try:
        db.session.close()
    except SQLAlchemyError as close_error:
        db.session().invalidate()  # the scoped session has no proxy for it
        logger.warning(
            "database connection lost after the request",
            extra={"fields": {"error": type(getattr(close_error, "orig", close_error)).__name__}},
        )
