"""Error responses: JSON for clients that ask for it, an HTML page otherwise.

An unexpected exception reaches the 500 handler as InternalServerError,
after Flask has logged it with its traceback (and with debug on, Flask shows
its debugger instead). The traceback stays in the logs, never in a response.
"""

import logging

from flask import Flask, current_app, g, render_template, request
from flask.globals import request_ctx
from sqlalchemy.exc import DataError
from werkzeug.exceptions import BadRequest, HTTPException

from .extensions import db

logger = logging.getLogger(__name__)


def register_error_handlers(app: Flask) -> None:
    app.register_error_handler(HTTPException, handle_http_error)
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
    request_id = g.get("request_id", "")
    # A request for an untrusted host has no URL adapter to build the page's links.
    if wants_json() or request_ctx.url_adapter is None:
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
    if request.path.startswith("/api/") or request.is_json:
        return True
    best = request.accept_mimetypes.best_match(["text/html", "application/json"])
    return best == "application/json"
