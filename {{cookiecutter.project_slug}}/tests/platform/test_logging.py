import logging
import os

import pytest
from werkzeug.test import Client

from {{ cookiecutter.package_name }}.platform.extending import hide_in_logs, registered
from {{ cookiecutter.package_name }}.platform.logs import LogfmtFormatter, RequestLog, logfmt_value

ROUTER_ID = "f2a1c3d4-5b6e-4f70-8a9b-0c1d2e3f4a5b"


def request_records(caplog):
    return [r for r in caplog.records if r.name.endswith(".requests")]


def test_each_request_is_logged_with_its_id(client, caplog):
    caplog.set_level(logging.INFO)
    response = client.get("/healthz")
    (record,) = request_records(caplog)
    fields = record.fields
    assert fields["method"] == "GET"
    assert fields["path"] == "/healthz"
    assert fields["status"] == 200
    assert float(fields["duration_ms"]) >= 0
    assert fields["request_id"] == response.headers["X-Request-ID"]


def test_the_routers_request_id_is_kept(client, caplog):
    caplog.set_level(logging.INFO)
    response = client.get("/healthz", headers={"X-Request-ID": ROUTER_ID})
    assert response.headers["X-Request-ID"] == ROUTER_ID
    assert request_records(caplog)[0].fields["request_id"] == ROUTER_ID


def test_an_unusable_request_id_is_replaced(client):
    for bad in ("short", "x" * 201, "has spaces in it but is long enough"):
        response = client.get("/healthz", headers={"X-Request-ID": bad})
        assert response.headers["X-Request-ID"] != bad
        assert len(response.headers["X-Request-ID"]) == 32


def test_a_request_line_is_one_logfmt_line():
    record = logging.LogRecord("app.requests", logging.INFO, "", 0, "request", None, None)
    record.fields = {"method": "GET", "path": "/a b", "status": 200}
    line = LogfmtFormatter().format(record)
    assert line == 'level=info logger=app.requests msg=request method=GET path="/a b" status=200'


def test_every_line_logged_during_a_request_carries_its_id(make_app):
    # Handlers format a record as it is logged, in the thread answering.
    record = logging.LogRecord("app", logging.ERROR, "", 0, "Exception on /x [GET]", None, None)
    lines = []
    app = make_app()

    @app.get("/logs-a-line")
    def logs_a_line():
        lines.append(LogfmtFormatter().format(record))
        return "ok"

    app.test_client().get("/logs-a-line", headers={"X-Request-ID": ROUTER_ID})
    assert lines == [f'level=error logger=app msg="Exception on /x [GET]" request_id={ROUTER_ID}']
    assert "request_id" not in LogfmtFormatter().format(record)


def test_static_files_and_redirects_are_logged_too(make_app, caplog):
    caplog.set_level(logging.INFO)
    client = make_app(FORCE_HTTPS="true").test_client()
    assert client.get("/").status_code == 301  # plain HTTP, sent to HTTPS
    https = {"X-Forwarded-Proto": "https"}
    static = client.get("/static/style.css", headers=https)
    assert static.status_code == 200
    static.close()
    assert [(r.fields["path"], r.fields["status"]) for r in request_records(caplog)] == [
        ("/", 301),
        ("/static/style.css", 200),
    ]
    assert static.headers["X-Request-ID"] == request_records(caplog)[1].fields["request_id"]


def test_logfmt_values_are_quoted_and_escaped():
    assert logfmt_value("plain") == "plain"
    assert logfmt_value("") == '""'
    assert logfmt_value('say "hi"\nbye') == '"say \\"hi\\"\\nbye"'


def test_log_level_comes_from_the_environment(make_app):
    make_app(LOG_LEVEL="warning")
    assert logging.getLogger().level == logging.WARNING
    make_app(LOG_LEVEL="INFO")
    assert logging.getLogger().level == logging.INFO


@pytest.mark.parametrize(
    ("raw", "escaped"),
    [
        ("\x1b[31mred", '"\\x1b[31mred"'),  # a terminal escape sequence
        ("nul\x00byte", '"nul\\x00byte"'),
        ("line\u2028separator", '"line\\u2028separator"'),
        ("next\x85line", '"next\\x85line"'),
        ("right\u202eto left", '"right\\u202eto left"'),
        ("lone\ud800surrogate", '"lone\\ud800surrogate"'),
        ("tab\there", '"tab\\there"'),
    ],
)
def test_control_characters_are_escaped(raw, escaped):
    assert logfmt_value(raw) == escaped


def test_a_hostile_path_stays_on_one_safe_line(client, caplog):
    caplog.set_level(logging.INFO)
    client.get("/%1b[2J%00x%E2%80%A8y%C2%85z%0d%0aforged=line")
    (record,) = request_records(caplog)
    line = LogfmtFormatter().format(record)
    assert 'path="/\\x1b[2J\\x00x\\u2028y\\x85z\\r\\nforged=line"' in line
    assert line.isprintable()


def test_other_formats_keep_the_process_id(app):
    # gunicorn's own lines print [%(process)d]: the app's logging set-up
    # must leave it on every record (a None there is a logging error).
    record = logging.getLogger("gunicorn.error").makeRecord(
        "gunicorn.error", logging.INFO, "", 0, "Booting worker", None, None
    )
    assert record.process == os.getpid()
    logging.Formatter("[%(process)d] %(message)s").format(record)


def test_a_secret_in_a_path_is_logged_hidden(caplog):
    caplog.set_level(logging.INFO)

    def hello(environ, start_response):
        start_response("200 OK", [("Content-Type", "text/plain")])
        return [b"hello"]

    client = Client(RequestLog(hello, secret_prefixes=("/links/",)))
    for path in ("/links/s3cr3t-token", "/links/", "/other/s3cr3t"):
        client.get(path)
    paths = [record.fields["path"] for record in request_records(caplog)]
    assert paths == ["/links/[hidden]", "/links/", "/other/s3cr3t"]
    assert "s3cr3t-token" not in caplog.text


def test_features_name_the_paths_whose_rest_is_secret(make_app):
    app = make_app()
    hide_in_logs(app, "/links/")
    assert "/links/" in registered(app).secret_path_prefixes
