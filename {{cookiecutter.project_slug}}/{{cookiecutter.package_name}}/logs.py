"""Logs on stdout in logfmt: one event a line, one line a request.

Each request gets an id: the router's `X-Request-ID` when it sent a valid one,
a fresh one otherwise. It is logged with the request and echoed in the
response, so a user's report can be matched to the log line.
"""

import logging
import re
import sys
import time
import uuid

from flask import Flask, g, has_request_context, request

REQUEST_ID_HEADER = "X-Request-ID"
# Heroku's router passes a client's id through when it is 20-200 characters;
# anything else (too short, or able to break a log line) is replaced.
VALID_REQUEST_ID = re.compile(r"[A-Za-z0-9+/=._-]{20,200}")

request_logger = logging.getLogger(__name__.rpartition(".")[0] + ".requests")


class LogfmtFormatter(logging.Formatter):
    """`level=info logger=app msg="..." key=value`, one line per record.

    A line logged while a request is handled carries its request id, so an
    error's traceback can be found from the id on the error page.
    """

    def format(self, record):
        fields = {
            "level": record.levelname.lower(),
            "logger": record.name,
            "msg": record.getMessage(),
            **getattr(record, "fields", {}),
        }
        if has_request_context() and "request_id" in g:
            fields.setdefault("request_id", g.request_id)
        if record.exc_info:
            fields["error"] = self.formatException(record.exc_info)
        return " ".join(f"{key}={logfmt_value(value)}" for key, value in fields.items())


# What must not reach a log line raw: control characters (C0, DEL, C1 such
# as U+0085), Unicode line and paragraph separators, bidirectional overrides
# (which reorder what a reader sees) and lone surrogates (not encodable).
UNSAFE_CHARACTER = re.compile(
    r"[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff]"
)
SHORT_ESCAPES = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def logfmt_value(value) -> str:
    text = str(value)
    if text and not any(char in text for char in ' ="\\') and not UNSAFE_CHARACTER.search(text):
        return text
    escaped = text.replace("\\", "\\\\").replace('"', '\\"')
    return f'"{UNSAFE_CHARACTER.sub(escape_character, escaped)}"'


def escape_character(match: re.Match) -> str:
    char = match.group()
    if char in SHORT_ESCAPES:
        return SHORT_ESCAPES[char]
    code = ord(char)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def configure_logging(level: str) -> None:
    """Send every logger to stdout in logfmt, once per process."""
    root = logging.getLogger()
    root.setLevel(level)
    if not any(isinstance(h.formatter, LogfmtFormatter) for h in root.handlers):
        handler = logging.StreamHandler(sys.stdout)
        handler.setFormatter(LogfmtFormatter())
        root.addHandler(handler)


def register_request_logging(app: Flask) -> None:
    app.before_request(start_request)
    app.after_request(log_request)


def start_request():
    g.request_started = time.perf_counter()
    given = request.headers.get(REQUEST_ID_HEADER, "")
    g.request_id = given if VALID_REQUEST_ID.fullmatch(given) else uuid.uuid4().hex


def log_request(response):
    duration_ms = (time.perf_counter() - g.request_started) * 1000
    response.headers[REQUEST_ID_HEADER] = g.request_id
    request_logger.info(
        "request",
        extra={
            "fields": {
                "method": request.method,
                "path": request.path,
                "status": response.status_code,
                "duration_ms": f"{duration_ms:.1f}",
                "request_id": g.request_id,
            }
        },
    )
    return response
