"""Each login is a session kept on the server: its cookies name it, and it
ends when its row goes, when it expires, or when it sits idle."""

import hashlib
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select, update

from {{ cookiecutter.package_name }} import FEATURES
from {{ cookiecutter.package_name }}.accounts.sessions import LoginSession
from {{ cookiecutter.package_name }}.platform.settings import load_settings

BROWSER = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"


def log_in(client, csrf, password, remember=False, **headers):
    data = {"email": "ada@example.com", "password": password, "csrf_token": csrf("/auth/login")}
    if remember:
        data["remember"] = "y"
    response = client.post("/auth/login", data=data, headers=headers)
    assert response.status_code == 302
    return response


def utc(moment: datetime) -> datetime:
    """A time from the database in UTC: SQLite gives it without a zone."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def the_session(db_session) -> LoginSession:
    db_session.expire_all()
    (login,) = db_session.scalars(select(LoginSession)).all()
    return login


def move_back(db_session, **ago: timedelta):
    """Make the one session look as if its times were this long ago."""
    login = the_session(db_session)
    values = {name: utc(getattr(login, name)) - delta for name, delta in ago.items()}
    db_session.execute(update(LoginSession).values(**values))
    db_session.commit()


def test_a_login_is_a_row_holding_only_its_tokens_digest(
    app, client, csrf, make_user, db_session, password
):
    user = make_user()
    log_in(client, csrf, password, remember=True, **{"User-Agent": BROWSER})
    login = the_session(db_session)
    with client.session_transaction() as session:
        token = session["_user_id"]
    assert login.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert token not in login.token_hash
    assert token != user.login_id
    assert login.user_id == user.id
    assert login.remembered is True
    assert login.user_agent == BROWSER
    assert login.address == "127.0.0.1"
    assert client.get_cookie("remember_token").value.startswith(token + "|")


def test_a_session_ends_after_its_idle_timeout(client, csrf, make_user, db_session, password):
    make_user()
    log_in(client, csrf, password)
    move_back(db_session, last_seen_at=timedelta(minutes=59))
    assert client.get("/notes/").status_code == 200  # which counts as being seen
    move_back(db_session, last_seen_at=timedelta(minutes=61))
    assert client.get("/notes/").status_code == 302


def test_a_session_ends_after_its_lifetime_however_busy(
    client, csrf, make_user, db_session, password
):
    make_user()
    log_in(client, csrf, password)
    lifetime = utc(the_session(db_session).expires_at) - datetime.now(UTC)
    assert lifetime == pytest.approx(timedelta(hours=12), abs=timedelta(minutes=1))
    move_back(db_session, expires_at=timedelta(hours=12, minutes=1))
    assert client.get("/notes/").status_code == 302


def test_a_remembered_session_outlasts_the_short_timeouts(
    app, client, csrf, make_user, db_session, password
):
    make_user()
    log_in(client, csrf, password, remember=True)
    move_back(db_session, last_seen_at=timedelta(days=6))
    assert client.get("/notes/").status_code == 200
    # But not a week without a request, nor its two weeks.
    move_back(db_session, last_seen_at=timedelta(days=8))
    assert client.get("/notes/").status_code == 302


def test_a_remembered_session_ends_after_its_days(
    app, client, csrf, make_user, db_session, password
):
    make_user()
    log_in(client, csrf, password, remember=True)
    lifetime = utc(the_session(db_session).expires_at) - datetime.now(UTC)
    assert lifetime == pytest.approx(timedelta(days=14), abs=timedelta(minutes=1))
    move_back(db_session, expires_at=timedelta(days=14, minutes=1))
    only_the_cookie = app.test_client()
    only_the_cookie.set_cookie("remember_token", client.get_cookie("remember_token").value)
    assert only_the_cookie.get("/notes/").status_code == 302


def test_last_seen_is_written_at_most_once_a_minute(client, csrf, make_user, db_session, password):
    make_user()
    log_in(client, csrf, password)
    seen = the_session(db_session).last_seen_at
    for _ in range(3):
        assert client.get("/notes/").status_code == 200
    assert the_session(db_session).last_seen_at == seen
    move_back(db_session, last_seen_at=timedelta(minutes=2))
    client.get("/notes/", headers={"X-Forwarded-For": "203.0.113.9"})
    touched = the_session(db_session)
    assert utc(touched.last_seen_at) > datetime.now(UTC) - timedelta(seconds=30)
    assert touched.address == "203.0.113.9"  # where it was last seen from


def test_a_password_change_ends_every_session(app, client, csrf, make_user, db_session, password):
    user = make_user()
    log_in(client, csrf, password, remember=True)
    only_the_cookie = app.test_client()
    only_the_cookie.set_cookie("remember_token", client.get_cookie("remember_token").value)
    user.set_password("a brand new passphrase")  # as the admin does
    db_session.commit()
    assert client.get("/notes/").status_code == 302
    assert only_the_cookie.get("/notes/").status_code == 302


def test_a_login_clears_the_accounts_ended_sessions(client, csrf, make_user, db_session, password):
    make_user()
    log_in(client, csrf, password)
    move_back(db_session, expires_at=timedelta(days=1))
    log_in(client, csrf, password)
    assert len(db_session.scalars(select(LoginSession)).all()) == 1


def test_what_a_browser_sends_is_stored_clean(client, csrf, make_user, db_session, password):
    make_user()
    log_in(client, csrf, password, **{"User-Agent": "Evil\x00\x1b[31m" + "x" * 500})
    login = the_session(db_session)
    assert login.user_agent.startswith("Evil[31m")
    assert len(login.user_agent) == 255


def test_the_timeouts_come_from_the_environment(tmp_path):
    environ = {
        "APP_ENV": "production",
        "SECRET_KEY": "s" * 48,
        "SESSION_HOURS": "2",
        "SESSION_IDLE_MINUTES": "15",
        "REMEMBER_DAYS": "30",
        "REMEMBER_IDLE_DAYS": "3",
    }
    settings = load_settings(environ, str(tmp_path), FEATURES)
    assert settings["SESSION_LIFETIME"] == timedelta(hours=2)
    assert settings["SESSION_IDLE_TIMEOUT"] == timedelta(minutes=15)
    assert settings["REMEMBER_COOKIE_DURATION"] == timedelta(days=30)
    assert settings["REMEMBERED_SESSION_IDLE_TIMEOUT"] == timedelta(days=3)
