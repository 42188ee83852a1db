"""The database: Flask-SQLAlchemy's `db`, SQLite's rules, and sessions that
end without errors. On Postgres, postgres.py pings idle connections."""

import logging
import os
from datetime import UTC, datetime

from flask import Flask
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import MetaData, event
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import DeclarativeBase
from werkzeug.routing import IntegerConverter

logger = logging.getLogger(__name__)

# Ids are INTEGER columns, 32-bit in Postgres, as is every whole number a
# resource keeps (`flask scaffold`'s int).
MIN_INTEGER, MAX_INTEGER = -(2**31), 2**31 - 1
MAX_ID = MAX_INTEGER
# The times a resource may keep: Python's years are 1 to 9999, and a time at
# either end would leave them when a database in another time zone hands it
# back.
EARLIEST_TIME = datetime(2, 1, 1, tzinfo=UTC)
LATEST_TIME = datetime(9998, 12, 31, tzinfo=UTC)


class IdConverter(IntegerConverter):
    """`<int:...>` in this service's URL rules: Werkzeug's, at most MAX_ID
    unless the rule says otherwise. A larger number is answered 404 by the
    router, like any id that does not exist, instead of overflowing in the
    database driver (a 500)."""

    def __init__(self, map, fixed_digits=0, min=None, max=MAX_ID, signed=False):
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)


class Base(DeclarativeBase):
    # Named constraints let Alembic alter and drop them, on SQLite too.
    metadata = MetaData(
        naming_convention={
            "ix": "ix_%(column_0_label)s",
            "uq": "uq_%(table_name)s_%(column_0_name)s",
            "ck": "ck_%(table_name)s_%(constraint_name)s",
            "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
            "pk": "pk_%(table_name)s",
        }
    )


db = SQLAlchemy(model_class=Base)


def init_app(app: Flask) -> None:
    database = app.config["DATABASE"]
    if database.sqlite_file:
        os.makedirs(os.path.dirname(os.path.abspath(database.sqlite_file)), exist_ok=True)
    # Before any rule is added: every feature's `<int:...>` is bounded.
    app.url_map.converters["int"] = IdConverter
    db.init_app(app)
    if database.is_sqlite:
        with app.app_context():
            event.listen(db.engine, "connect", enforce_sqlite_foreign_keys)
    else:
        # Imported here: psycopg is for Postgres alone.
        from . import postgres

        postgres.init_app(app)
    # After `db.init_app`: teardowns run last-registered first, so the session
    # is closed here before Flask-SQLAlchemy's own teardown runs.
    app.teardown_appcontext(close_session)


def enforce_sqlite_foreign_keys(dbapi_connection, connection_record):
    """SQLite ignores foreign keys (and ON DELETE CASCADE) unless asked."""
    dbapi_connection.execute("PRAGMA foreign_keys = ON")


def close_session(error: BaseException | None) -> None:
    """Close the request's session. If its connection died after the last
    query (a failover, a restart), the pool throws the connection away
    instead of failing a request that has already been answered."""
    try:
        db.session.close()
    except SQLAlchemyError as close_error:
        db.session().invalidate()  # the scoped session itself has no invalidate()
        logger.warning(
            "database connection lost after the request",
            extra={"fields": {"error": type(getattr(close_error, "orig", close_error)).__name__}},
        )
