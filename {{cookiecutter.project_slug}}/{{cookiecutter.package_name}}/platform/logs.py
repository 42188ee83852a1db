"""Logs on stdout in logfmt: one event a line, one line a request.

Each request gets an id: the router's `X-Request-ID` when it sent a valid one,
a fresh one otherwise. It is logged with the request and echoed in the
response, so a user's report can be matched to the log line. `RequestLog`
does both as the outermost middleware but ProxyFix, so static files and
redirects to HTTPS are logged too, and no request pays for Flask hooks.
"""

import contextvars
import logging
import re
import sys
import time
import uuid

REQUEST_ID_HEADER = "X-Request-ID"
# Heroku's router passes a client's id through when it is 20-200 characters;
# anything else (too short, or able to break a log line) is replaced.
VALID_REQUEST_ID = re.compile(r"[A-Za-z0-9+/=._-]{20,200}")

request_logger = logging.getLogger(__name__.rpartition(".")[0] + ".requests")

# The id of the request this thread is answering, for every line it logs.
request_id = contextvars.ContextVar("request_id", default="")


def current_request_id() -> str:
    """The id of the request being answered, or "" outside of one."""
    return request_id.get()


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
        answering = request_id.get()
        if answering:
            fields.setdefault("request_id", answering)
        if record.exc_info:
            fields["error"] = self.formatException(record.exc_info)
        return " ".join(f"{key}={logfmt_value(value)}" for key, value in fields.items())


# What must not reach a log line raw: control characters (C0, DEL, C1 such
# as U+0085), Unicode line and paragraph separators, bidirectional overrides
# (which reorder what a reader sees) and lone surrogates (not encodable).
UNSAFE_CHARACTERS = r"\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff"
UNSAFE_CHARACTER = re.compile(f"[{UNSAFE_CHARACTERS}]")
# A value with any of these is quoted: spaces, = and quotes end a bare value.
NEEDS_QUOTES = re.compile(f'[ ="\\\\{UNSAFE_CHARACTERS}]')
SHORT_ESCAPES = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def logfmt_value(value) -> str:
    text = str(value)
    if text and not NEEDS_QUOTES.search(text):
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


class RequestLog:
    """WSGI middleware: gives each request its id, echoes it in the
    response, and logs one line when the answer is ready.

    A path under one of `secret_prefixes` is logged with the rest hidden.
    """

    def __init__(self, wsgi_app, secret_prefixes: tuple[str, ...] = ()):
        self.wsgi_app = wsgi_app
        self.secret_prefixes = tuple(secret_prefixes)

    def __call__(self, environ, start_response):
        started = time.perf_counter()
        given = environ.get("HTTP_X_REQUEST_ID", "")
        this_request = given if VALID_REQUEST_ID.fullmatch(given) else uuid.uuid4().hex
        token = request_id.set(this_request)
        status = "500"  # unless the app starts a response

        def start_with_id(status_line, headers, exc_info=None):
            nonlocal status
            status = status_line
            headers[:] = [header for header in headers if header[0].lower() != "x-request-id"]
            headers.append((REQUEST_ID_HEADER, this_request))
            return start_response(status_line, headers, exc_info)

        try:
            return self.wsgi_app(environ, start_with_id)
        finally:
            log_request(environ, status, started, self.secret_prefixes)
            request_id.reset(token)


def log_request(environ, status: str, started: float, secret_prefixes=()) -> None:
    duration_ms = (time.perf_counter() - started) * 1000
    request_logger.info(
        "request",
        extra={
            "fields": {
                "method": environ.get("REQUEST_METHOD", ""),
                "path": hide_secrets(request_path(environ), secret_prefixes),
                "status": int(status.partition(" ")[0]),
                "duration_ms": f"{duration_ms:.1f}",
                "request_id": request_id.get(),
            }
        },
    )


def request_path(environ) -> str:
    """The path as the client sent it, decoded as Flask decodes it (WSGI
    hands over its bytes as Latin-1)."""
    return environ.get("PATH_INFO", "").encode("latin-1", "replace").decode(errors="replace")


HIDDEN = "[hidden]"


def hide_secrets(path: str, secret_prefixes: tuple[str, ...]) -> str:
    """The path, with what follows a secret prefix replaced by HIDDEN."""
    for prefix in secret_prefixes:
        if path.startswith(prefix) and len(path) > len(prefix):
            return prefix + HIDDEN
    return path
