"""The web pages when the database, Redis or the mail queue is away: a
logged-in person gets the 503 page, limits still count, and a reset mail
that cannot go out asks the person to try again."""

from flask_login import current_user, login_required
from sqlalchemy import event
from sqlalchemy.exc import OperationalError

from {{ cookiecutter.package_name }} import mail
from {{ cookiecutter.package_name }}.accounts.limits import limiter
from {{ cookiecutter.package_name }}.platform.database import db


def test_with_redis_down_login_attempts_are_counted_in_memory(app_of_its_own):
    # Nothing listens on port 1: the limiter falls back to counting in memory,
    # in each process alone, rather than refuse or let through every attempt.
    app = app_of_its_own(REDIS_URL="redis://127.0.0.1:1/0", LOGIN_RATE_LIMIT="2 per minute")
    app.config["WTF_CSRF_ENABLED"] = False
    client = app.test_client()
    attempt = {"email": "ada@example.com", "password": "wrong password!"}
    statuses = [client.post("/auth/login", data=attempt).status_code for _ in range(3)]
    assert statuses == [200, 200, 429]
    assert type(limiter.storage).__name__ == "RedisStorage"  # tried first, each time


def test_a_reset_mail_that_cannot_be_queued_asks_to_retry(client, csrf, make_user, monkeypatch):
    def queue_down(to, subject, body):
        raise mail.MailNotSent

    make_user()
    monkeypatch.setattr(mail, "send_email", queue_down)
    data = {"email": "ada@example.com", "csrf_token": csrf("/auth/reset")}
    response = client.post("/auth/reset", data=data)
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "60"
    assert b"could not send the email just now" in response.data


def test_a_database_outage_shows_a_logged_in_person_the_503_page(
    app_of_its_own, make_app, password
):
    working = app_of_its_own()
    working.config["WTF_CSRF_ENABLED"] = False
    client = working.test_client()
    data = {"email": "ada@example.com", "password": password}
    assert client.post("/auth/login", data=data).status_code == 302
    # The same service, its database gone: nothing listens on port 1.
    broken = make_app(DATABASE_URL="postgresql://postgres@127.0.0.1:1/gone")
    broken.config["PROPAGATE_EXCEPTIONS"] = False

    @broken.get("/private")
    @login_required
    def private():
        return "unreachable"

    cookie = working.config["SESSION_COOKIE_NAME"]
    person = broken.test_client()
    person.set_cookie(cookie, client.get_cookie(cookie).value)
    response = person.get("/private", headers={"Accept": "text/html"})
    assert response.status_code == 503
    assert response.headers["Retry-After"]
    # Who it is cannot be asked: the page names no account and offers no links to one.
    assert b"Log out" not in response.data
    assert b"Log in" not in response.data


def test_a_query_failing_after_login_shows_the_503_page_without_asking_again(
    app_of_its_own, password
):
    # The connection dies mid-request, the account already loaded: the error
    # page must not load it again from a database that is not answering.
    app = app_of_its_own()
    app.config["WTF_CSRF_ENABLED"] = False
    app.config["PROPAGATE_EXCEPTIONS"] = False
    asked_after_the_failure = []

    def record(conn, cursor, statement, *args):
        asked_after_the_failure.append(statement)

    @app.get("/private")
    @login_required
    def private():
        assert current_user.email == "ada@example.com"
        event.listen(db.engine, "before_cursor_execute", record)
        raise OperationalError("SELECT 1", {}, ConnectionError("server closed the connection"))

    client = app.test_client()
    data = {"email": "ada@example.com", "password": password}
    assert client.post("/auth/login", data=data).status_code == 302
    try:
        response = client.get("/private", headers={"Accept": "text/html"})
    finally:
        with app.app_context():
            event.remove(db.engine, "before_cursor_execute", record)
    assert response.status_code == 503
    assert asked_after_the_failure == []
    assert b"ada@example.com" not in response.data
