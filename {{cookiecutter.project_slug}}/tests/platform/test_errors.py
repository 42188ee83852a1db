import logging

import pytest
from sqlalchemy.exc import DataError

from {{ cookiecutter.package_name }}.platform.database import MAX_ID
from {{ cookiecutter.package_name }}.platform.extending import answer_json_under

HTML = {"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"}
JSON = {"Accept": "application/json"}


@pytest.fixture
def failing_app(make_app):
    app = make_app()
    app.config["PROPAGATE_EXCEPTIONS"] = False  # answer as production would

    @app.get("/boom")
    def boom():
        raise RuntimeError("secret detail: token=abc123")

    return app


def test_not_found_is_an_html_page_for_browsers(client):
    response = client.get("/no-such-page", headers=HTML)
    assert response.status_code == 404
    assert response.mimetype == "text/html"
    assert b"404 Not Found" in response.data
    assert response.headers["X-Request-ID"].encode() in response.data


def test_not_found_is_json_for_clients_that_ask(client):
    response = client.get("/no-such-page", headers=JSON)
    assert response.status_code == 404
    assert response.json["code"] == 404
    assert response.json["status"] == "Not Found"
    assert response.json["request_id"] == response.headers["X-Request-ID"]


def test_paths_a_feature_names_answer_json_by_default(make_app):
    app = make_app()
    answer_json_under(app, "/machines/")
    client = app.test_client()
    assert client.get("/machines/no-such-thing").is_json
    assert not client.get("/no-such-thing", headers=HTML).is_json


def test_method_not_allowed_keeps_the_allow_header(client):
    response = client.delete("/healthz", headers=JSON)
    assert response.status_code == 405
    assert "GET" in response.headers["Allow"]


def test_with_debug_on_the_error_reaches_the_debugger(failing_app):
    failing_app.debug = True
    failing_app.config["PROPAGATE_EXCEPTIONS"] = None  # as with `flask run --debug`
    with pytest.raises(RuntimeError):
        failing_app.test_client().get("/boom")


@pytest.mark.parametrize("headers", [HTML, JSON])
def test_unexpected_error_hides_the_traceback(failing_app, headers, caplog):
    response = failing_app.test_client().get("/boom", headers=headers)
    assert response.status_code == 500
    assert b"Traceback" not in response.data
    assert b"secret detail" not in response.data
    logged = [r for r in caplog.records if r.levelno == logging.ERROR]
    assert logged and logged[0].exc_info[0] is RuntimeError


def test_a_value_the_database_refuses_is_400_not_500(make_app, caplog):
    app = make_app()
    app.config["PROPAGATE_EXCEPTIONS"] = False

    @app.get("/store")
    def store():
        raise DataError("INSERT ...", {}, ValueError("integer out of range"))

    response = app.test_client().get("/store", headers=JSON)
    assert response.status_code == 400
    assert response.json["message"] == "The request holds a value that cannot be stored."
    assert "Traceback" not in caplog.text
    assert "INSERT" not in response.get_data(as_text=True)


def test_an_id_in_a_url_is_at_most_what_the_database_holds(make_app):
    # Any feature's `<int:...>`: a larger number is a 404 like an unknown
    # id, and never reaches the database driver, which would overflow.
    app = make_app()

    @app.get("/things/<int:thing_id>")
    def thing(thing_id):
        return str(thing_id)

    # A rule may still set its own bounds.
    @app.get("/pages/<int(min=1, max=9):number>")
    def page(number):
        return str(number)

    client = app.test_client()
    assert client.get(f"/things/{MAX_ID}").text == str(MAX_ID)
    for beyond in (MAX_ID + 1, 2**63, 10**40):
        assert client.get(f"/things/{beyond}").status_code == 404
    assert client.get("/pages/9").status_code == 200
    assert client.get("/pages/10").status_code == 404
