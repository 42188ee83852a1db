"""Error responses: JSON for clients that ask for it, an HTML page otherwise.

An unexpected exception reaches the 500 handler as InternalServerError,
after Flask has logged it with its traceback (and with debug on, Flask shows
its debugger instead). The traceback stays in the logs, never in a response.
"""

import contextlib
import logging
import sqlite3

from flask import Flask, current_app, g, render_template, request
from sqlalchemy.exc import DataError, OperationalError, SQLAlchemyError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError
from werkzeug.exceptions import BadRequest, HTTPException, SecurityError, ServiceUnavailable

from .database import db
from .extending import registered
from .logs import current_request_id

logger = logging.getLogger(__name__)

# Seconds a client is asked to wait (Retry-After) when the database is out.
DATABASE_RETRY_AFTER = 5
# SQLite's OperationalError also means a missing table or a typo in SQL: a bug
# (a 500 with its traceback), unless it says the file cannot be used now.
SQLITE_OUTAGES = ("unable to open database file", "database is locked")


def init_app(app: Flask) -> None:
    # Registered after the features, so these answer every error (a
    # feature's library may have registered its own).
    app.register_error_handler(HTTPException, handle_http_error)
    app.register_error_handler(OperationalError, handle_database_unavailable)
    app.register_error_handler(PoolTimeoutError, handle_database_unavailable)
    app.register_error_handler(DataError, handle_unstorable_value)


def handle_unstorable_value(error: DataError):
    """A value the database refused (out of range, NUL in text): the client's
    input, so a 400, not a 500. Forms and schemas refuse such values first;
    this is the net under any path they miss."""
    db.session.rollback()
    fields = {"error": type(error.orig).__name__}
    logger.warning("database refused a value", extra={"fields": fields})
    return handle_http_error(BadRequest("The request holds a value that cannot be stored."))


def handle_http_error(error: HTTPException):
    request_id = current_request_id()
    # A request for a host not in TRUSTED_HOSTS cannot build the page's links.
    if wants_json() or isinstance(error, SecurityError):
        body = {
            "code": error.code,
            "status": error.name,
            "message": error.description,
            "request_id": request_id,
        }
        # Input refused by a schema (422): the messages, by location and field.
        field_errors = getattr(error, "data", {}).get("messages")
        if field_errors:
            body["errors"] = field_errors
        response = current_app.json.response(body)
    else:
        response = current_app.make_response(
            render_template("error.html", error=error, request_id=request_id)
        )
    response.status_code = error.code or 500
    # Keep headers such as Allow (405) and Retry-After (429).
    for name, value in error.get_headers():
        if name.lower() != "content-type":
            response.headers[name] = value
    return response


def wants_json() -> bool:
    prefixes = tuple(registered(current_app).json_error_prefixes)
    if request.is_json or (prefixes and request.path.startswith(prefixes)):
        return True
    best = request.accept_mimetypes.best_match(["text/html", "application/json"])
    return best == "application/json"


def handle_database_unavailable(error: SQLAlchemyError):
    """The database refused, dropped or did not answer (or no pooled connection
    came free in time): a 503 with Retry-After, and one log line instead of a
    traceback, since during an outage every request fails the same way."""
    cause = getattr(error, "orig", None) or error
    if isinstance(cause, sqlite3.Error) and not str(cause).startswith(SQLITE_OUTAGES):
        raise error
    summary = str(cause).strip().splitlines()[0] if str(cause).strip() else ""
    logger.warning(
        "database unavailable",
        extra={"fields": {"error": type(cause).__name__, "detail": summary}},
    )
    with contextlib.suppress(SQLAlchemyError):
        db.session.rollback()
    # Who is logged in is not asked again for the error page (sessions.py).
    g.database_unavailable = True
    unavailable = ServiceUnavailable(
        "The database is not answering. Try again in a few seconds.",
        retry_after=DATABASE_RETRY_AFTER,
    )
    return handle_http_error(unavailable)
