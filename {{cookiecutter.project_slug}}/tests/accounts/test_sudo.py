"""Sensitive changes ask for a fresh proof: logging in is one, the confirm
page (the password, or a code) another; older than SUDO_MINUTES, none."""

import time
from datetime import UTC, datetime, timedelta

import pyotp
import pytest
from sqlalchemy import select, update

from {{ cookiecutter.package_name }}.accounts import totp
from {{ cookiecutter.package_name }}.accounts.sessions import LoginSession
from {{ cookiecutter.package_name }}.accounts.totp import TotpFactor


@pytest.fixture
def stale(client, user, log_in, db_session):
    """ada, logged in eleven minutes ago: past the default ten."""
    log_in()
    db_session.execute(
        update(LoginSession).values(proved_at=datetime.now(UTC) - timedelta(minutes=11))
    )
    db_session.commit()


def proved_at(db_session):
    db_session.expire_all()
    return db_session.scalar(select(LoginSession.proved_at))


def test_a_login_is_a_fresh_proof(client, user, log_in, csrf, db_session):
    log_in()
    response = client.post("/account/two-factor/setup", data={"csrf_token": csrf("/account/")})
    assert response.headers["Location"] == "/account/two-factor/confirm"


def test_a_stale_proof_sends_to_the_confirm_page_and_changes_nothing(
    client, stale, csrf, db_session
):
    response = client.post("/account/two-factor/setup", data={"csrf_token": csrf("/account/")})
    assert response.status_code == 303
    assert response.headers["Location"] == "/account/confirm?next=/account/"
    assert db_session.scalar(select(TotpFactor.user_id)) is None


def test_the_password_proves_it_again(client, stale, csrf, password, db_session):
    token = csrf("/account/confirm")
    response = client.post(
        "/account/confirm?next=/account/", data={"password": password, "csrf_token": token}
    )
    assert response.headers["Location"] == "/account/"
    assert proved_at(db_session) is not None
    response = client.post("/account/two-factor/setup", data={"csrf_token": token})
    assert response.headers["Location"] == "/account/two-factor/confirm"


def test_a_code_from_the_app_proves_it_again(client, user, stale, csrf, db_session):
    secret = totp.start_enrolment(user)
    earlier = pyotp.TOTP(secret).at(time.time() - 30)
    assert totp.use_code(user, earlier, confirming=True)
    token = csrf("/account/confirm")
    replayed = client.post("/account/confirm", data={"code": earlier, "csrf_token": token})
    assert replayed.status_code == 200
    right = {"code": pyotp.TOTP(secret).now(), "csrf_token": token}
    assert client.post("/account/confirm", data=right).status_code == 302


def test_a_wrong_password_proves_nothing(client, stale, csrf, db_session):
    before = proved_at(db_session)
    token = csrf("/account/confirm")
    response = client.post("/account/confirm", data={"password": "wrong!", "csrf_token": token})
    assert "not right" in response.get_data(as_text=True)
    assert proved_at(db_session) == before


def test_the_confirm_page_goes_back_only_to_this_site(client, stale, csrf, password):
    token = csrf("/account/confirm")
    response = client.post(
        "/account/confirm?next=https://evil.example/",
        data={"password": password, "csrf_token": token},
    )
    assert response.headers["Location"] == "/account/"


def test_proving_it_again_is_limited_like_logging_in(client, stale, csrf):
    token = csrf("/account/confirm")
    wrong = {"password": "wrong!", "csrf_token": token}
    statuses = [client.post("/account/confirm", data=wrong).status_code for _ in range(5)]
    assert statuses[-1] == 429


def test_the_window_is_a_setting(app_of_its_own):
    app = app_of_its_own(SUDO_MINUTES="30")
    assert app.config["SUDO_WINDOW"] == timedelta(minutes=30)


def test_visitors_are_sent_to_log_in(client, db_session):
    response = client.get("/account/confirm")
    assert response.headers["Location"].startswith("/auth/login")
