import io
import json
import logging
import threading

import pytest
from flask import request

from {{ cookiecutter.package_name }}.platform.extending import answer_json_under
from {{ cookiecutter.package_name }}.platform.request_bodies import READERS
from {{ cookiecutter.package_name }}.platform.settings import ConfigError, load_settings

HTML = {"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"}
JSON = {"Accept": "application/json"}


class StalledBody:
    """A request body that stops coming: each read waits until released."""

    def __init__(self):
        self.reading = threading.Event()
        self.released = threading.Event()

    def read(self, size=-1):
        self.reading.set()
        self.released.wait()
        return b""


class UnreadBody(io.BytesIO):
    """A request body that must not be read."""

    def read(self, size=-1):
        raise AssertionError("the body was read")


class GivenBody(io.BytesIO):
    """A request body as a server gives it, told apart from a copy."""


@pytest.fixture
def stalled_body():
    body = StalledBody()
    yield body
    body.released.set()  # the reader thread it holds goes back to work


@pytest.fixture
def echo_app(make_app):
    """make_app's, with views that say what they received."""

    def make(**environ):
        app = make_app(**environ)
        app.config["WTF_CSRF_ENABLED"] = False
        answer_json_under(app, "/machines/")

        @app.post("/echo")
        @app.post("/machines/echo")
        def echo():
            return {
                "form": request.form.to_dict(),
                "json": request.get_json(silent=True),
                "data": request.get_data(as_text=True),
                "length": request.content_length,
            }

        @app.route("/input", methods=["GET", "POST"])
        def given_input():
            return {"input": type(request.environ["wsgi.input"]).__name__}

        return app

    return make


def test_a_form_and_json_arrive_whole(echo_app):
    client = echo_app().test_client()
    text = "é" * 5000
    form = client.post("/echo", data={"text": text})
    assert form.json["form"] == {"text": text}
    posted = client.post("/machines/echo", json={"text": text})
    assert posted.json["json"] == {"text": text}


def test_a_chunked_body_arrives_whole_with_its_length(echo_app):
    client = echo_app().test_client()
    chunked = {"wsgi.input": io.BytesIO(b"chunk" * 1000), "wsgi.input_terminated": True}
    headers = {"Transfer-Encoding": "chunked", "Content-Type": "text/plain"}
    response = client.post("/echo", headers=headers, environ_overrides=chunked)
    assert response.json["data"] == "chunk" * 1000
    assert response.json["length"] == 5000


def test_an_announced_body_over_the_limit_is_413_unread(echo_app):
    app = echo_app(MAX_CONTENT_LENGTH="100")
    over = {"wsgi.input": UnreadBody(), "CONTENT_LENGTH": "101"}
    response = app.test_client().post("/echo", environ_overrides=over, headers=HTML)
    assert response.status_code == 413
    assert response.mimetype == "text/html"


def test_a_chunked_body_over_the_limit_is_413_read_one_byte_past_it(echo_app):
    app = echo_app(MAX_CONTENT_LENGTH="100")
    body = io.BytesIO(b"x" * 1000)
    response = app.test_client().post(
        "/echo",
        headers={"Transfer-Encoding": "chunked", **JSON},
        environ_overrides={"wsgi.input": body, "wsgi.input_terminated": True},
    )
    assert response.status_code == 413
    assert body.tell() == 101


@pytest.mark.parametrize("path, headers", [("/echo", HTML), ("/machines/echo", {})])
def test_a_body_that_does_not_arrive_in_time_is_408_and_ends_the_connection(
    make_app, stalled_body, path, headers, caplog
):
    # CSRF stays on: the late body is refused before anything judges it.
    app = make_app(REQUEST_BODY_SECONDS="0.2")
    answer_json_under(app, "/machines/")
    called = []

    @app.post("/echo")
    @app.post("/machines/echo")
    def echo():
        called.append(request.path)
        return ""

    late = {"wsgi.input": stalled_body, "CONTENT_LENGTH": "1000"}
    with caplog.at_level(logging.INFO):
        response = app.test_client().post(path, headers=headers, environ_overrides=late)
    assert response.status_code == 408
    assert response.headers["X-Frame-Options"] == "DENY"  # an answer like any other
    assert called == []
    answer = iter(response.response)
    page = next(answer)
    if path.startswith("/machines/"):
        assert response.is_json and json.loads(page)["code"] == 408
    else:
        assert response.mimetype == "text/html" and b"408" in page
    # Then the server is told to end the connection: the rest of the body
    # may still come, and must not be read as another request.
    with pytest.raises(ConnectionResetError):
        next(answer)
    logged = [r.fields["status"] for r in caplog.records if r.name.endswith(".requests")]
    assert logged == [408]


def test_with_no_bound_the_body_is_left_to_the_app_as_the_server_gave_it(echo_app):
    client = echo_app(REQUEST_BODY_SECONDS="0").test_client()
    given = {"wsgi.input": GivenBody(b"abc"), "CONTENT_LENGTH": "3"}
    assert client.post("/input", environ_overrides=given).json["input"] == "GivenBody"


def test_requests_without_a_body_reach_the_app_untouched(echo_app):
    client = echo_app().test_client()
    response = client.get("/input", environ_overrides={"wsgi.input": UnreadBody()})
    assert response.json["input"] == "UnreadBody"


def test_the_bound_is_read_in_seconds(tmp_path):
    environ = {"APP_ENV": "test"}
    assert load_settings(environ, str(tmp_path))["REQUEST_BODY_SECONDS"] == 10
    decimal = {**environ, "REQUEST_BODY_SECONDS": "2.5"}
    assert load_settings(decimal, str(tmp_path))["REQUEST_BODY_SECONDS"] == 2.5
    for value in ("soon", "-1", "nan", "inf"):
        with pytest.raises(ConfigError, match=f"REQUEST_BODY_SECONDS is '{value}'"):
            load_settings({**environ, "REQUEST_BODY_SECONDS": value}, str(tmp_path))


def test_one_thread_is_kept_from_waiting_on_bodies(make_app, stalled_body):
    # Two threads: one request may wait the whole bound for its body; while
    # it waits, another's body, a second late, is refused.
    app = make_app(REQUEST_BODY_SECONDS="30", WEB_THREADS="2")
    app.config["WTF_CSRF_ENABLED"] = False

    @app.post("/echo")
    def echo():
        return request.get_data()

    late = {"wsgi.input": stalled_body, "CONTENT_LENGTH": "1000"}
    first = threading.Thread(
        target=app.test_client().post, args=("/echo",), kwargs={"environ_overrides": late}
    )
    first.start()
    second = StalledBody()
    arrives = threading.Timer(1, second.released.set)
    try:
        stalled_body.reading.wait(10)
        arrives.start()
        crowded = {"wsgi.input": second, "CONTENT_LENGTH": "1000"}
        assert app.test_client().post("/echo", environ_overrides=crowded).status_code == 408
    finally:
        arrives.cancel()
        second.released.set()
        stalled_body.released.set()
        first.join()


def test_each_process_has_four_body_readers_a_web_thread(echo_app):
    # Readers given up on wait for their clients: more web threads, more
    # slow clients at once before bodies queue for a reader.
    echo_app(WEB_THREADS="25").test_client().post("/echo", data={"a": "b"})
    assert READERS.count == 100
    readers = [t for t in threading.enumerate() if t.name.startswith("request-body-")]
    assert len(readers) == 100
