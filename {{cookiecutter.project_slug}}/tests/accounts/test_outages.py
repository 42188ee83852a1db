"""The web pages when the database, Redis or the mail queue is away: a
logged-in person gets the 503 page, limits still count, and a reset mail
that cannot go out asks the person to try again."""

import os
import subprocess
import sys
from pathlib import Path

from flask_login import current_user, login_required
from sqlalchemy import event
from sqlalchemy.exc import OperationalError

from {{ cookiecutter.package_name }} import mail
from {{ cookiecutter.package_name }}.platform.database import db

PROJECT_DIR = Path(__file__).resolve().parents[2]


# Three wrong passwords with Redis down, in a process of its own: once its
# storage fails, the limiter (one object a process) counts in memory until a
# later request finds the storage again, and that switch, some seconds on,
# would restart the counts of whichever test was running then.
WRONG_PASSWORDS_WITH_REDIS_DOWN = """
from {{ cookiecutter.package_name }} import create_app
from {{ cookiecutter.package_name }}.accounts.limits import limiter
from {{ cookiecutter.package_name }}.platform.migrations import upgrade

app = create_app()
app.config["WTF_CSRF_ENABLED"] = False
with app.app_context():
    upgrade()
attempt = {"email": "ada@example.com", "password": "wrong password!"}
client = app.test_client()
print(*[client.post("/auth/login", data=attempt).status_code for _ in range(3)])
print(type(limiter.storage).__name__)
"""


def test_with_redis_down_login_attempts_are_counted_in_memory(test_environ):
    # Nothing listens on port 1: the limiter falls back to counting in memory,
    # in each process alone, rather than refuse or let through every attempt.
    environ = {
        **os.environ,
        **test_environ,
        "DATABASE_URL": "sqlite://",
        "REDIS_URL": "redis://127.0.0.1:1/0",
        "LOGIN_RATE_LIMIT": "2 per minute",
    }
    result = subprocess.run(
        [sys.executable, "-c", WRONG_PASSWORDS_WITH_REDIS_DOWN],
        cwd=PROJECT_DIR,
        env=environ,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    # Its last two lines, after the app's logs: the answers, then the storage
    # the limiter tries first, each time.
    assert result.stdout.splitlines()[-2:] == ["200 200 429", "RedisStorage"]


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
