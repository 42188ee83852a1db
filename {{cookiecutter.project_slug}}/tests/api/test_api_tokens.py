import base64
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from {{ cookiecutter.package_name }}.accounts.models import User
from {{ cookiecutter.package_name }}.api import credentials
from {{ cookiecutter.package_name }}.api.credentials import digest
from {{ cookiecutter.package_name }}.api.models import ApiToken


def test_email_and_password_give_a_token(client, user, password):
    response = client.post("/api/v1/tokens", auth=("Ada@Example.com", password))
    assert response.status_code == 201
    assert set(response.json) == {"token", "id", "name", "created_at", "expires_at", "last_used_at"}
    assert response.json["name"] == "API token"
    assert response.json["last_used_at"] is None
    expires_at = datetime.fromisoformat(response.json["expires_at"])
    assert timedelta(hours=23) < expires_at - datetime.now(UTC) <= timedelta(hours=24)


def test_only_a_digest_of_the_token_is_stored(client, token, db_session):
    stored = db_session.scalars(select(ApiToken)).one()
    assert stored.token_hash == digest(token)
    assert token not in stored.token_hash


@pytest.mark.parametrize(
    "auth", [("ada@example.com", "wrong password!"), ("nobody@example.com", "some password"), None]
)
def test_a_wrong_or_missing_password_gets_no_token(client, user, auth):
    response = client.post("/api/v1/tokens", auth=auth)
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"].lower().startswith("basic")
    assert set(response.json) == {"code", "status", "message", "request_id"}


def test_a_bearer_token_does_not_buy_another(client, bearer):
    assert client.post("/api/v1/tokens", headers=bearer).status_code == 401


def test_the_token_opens_the_api(client, bearer):
    assert client.get("/api/v1/notes", headers=bearer).status_code == 200


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"Authorization": "Bearer not-a-token"},
        {"Authorization": "Bearer "},
        {"Authorization": "Basic YWRhQGV4YW1wbGUuY29tOmNvcnJlY3QgaG9yc2UgYmF0dGVyeQ=="},
        {"Authorization": "Token abc"},
    ],
)
def test_no_or_a_bad_token_is_refused(client, user, headers):
    response = client.get("/api/v1/notes", headers=headers)
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"].lower().startswith("bearer")
    assert response.json["code"] == 401


def test_an_expired_token_is_refused(client, token, bearer, db_session):
    stored = db_session.scalars(select(ApiToken)).one()
    stored.expires_at = datetime.now(UTC) - timedelta(seconds=1)
    db_session.commit()
    response = client.get("/api/v1/notes", headers=bearer)
    assert response.status_code == 401
    assert "expired" in response.json["message"]


def test_the_lifetime_comes_from_the_environment(make_app):
    app = make_app(API_TOKEN_HOURS="2")
    assert app.config["API_TOKEN_LIFETIME"] == timedelta(hours=2)


def test_a_revoked_token_is_refused(client, bearer, db_session):
    response = client.delete("/api/v1/tokens", headers=bearer)
    assert response.status_code == 204
    assert response.data == b""
    assert db_session.scalars(select(ApiToken)).all() == []
    assert client.get("/api/v1/notes", headers=bearer).status_code == 401
    assert client.delete("/api/v1/tokens", headers=bearer).status_code == 401


def test_revoking_one_token_keeps_the_others(client, user, bearer, password):
    other = client.post("/api/v1/tokens", auth=("ada@example.com", password)).json["token"]
    client.delete("/api/v1/tokens", headers=bearer)
    response = client.get("/api/v1/notes", headers={"Authorization": f"Bearer {other}"})
    assert response.status_code == 200


def test_deleting_the_account_deletes_its_tokens(client, user, token, db_session):
    db_session.delete(db_session.get(User, user.id))
    db_session.commit()
    assert db_session.scalars(select(ApiToken)).all() == []


def test_the_api_needs_no_csrf_token(client, bearer):
    # CSRF protection is on in tests (see test_csrf.py); the API is exempt.
    response = client.post("/api/v1/notes", json={"title": "No CSRF token"}, headers=bearer)
    assert response.status_code == 201


def test_a_new_token_clears_the_expired_ones(client, token, db_session, password):
    stored = db_session.scalars(select(ApiToken)).one()
    stored.expires_at = datetime.now(UTC) - timedelta(seconds=1)
    db_session.commit()
    client.post("/api/v1/tokens", auth=("ada@example.com", password))
    assert digest(token) not in db_session.scalars(select(ApiToken.token_hash)).all()
    assert len(db_session.scalars(select(ApiToken)).all()) == 1


def test_a_new_token_is_not_stored_by_caches(client, user, password):
    response = client.post("/api/v1/tokens", auth=("ada@example.com", password))
    assert response.headers["Cache-Control"] == "no-store"


def test_a_password_change_ends_every_token(client, user, bearer, db_session):
    user.set_password("a brand new passphrase")
    db_session.commit()
    assert client.get("/api/v1/notes", headers=bearer).status_code == 401
    fresh = client.post("/api/v1/tokens", auth=("ada@example.com", "a brand new passphrase"))
    fresh_bearer = {"Authorization": f"Bearer {fresh.json['token']}"}
    assert client.get("/api/v1/notes", headers=fresh_bearer).status_code == 200
    assert len(db_session.scalars(select(ApiToken)).all()) == 1  # the ended one is cleared


@pytest.mark.parametrize(
    "credentials",
    [b"ada@example.com\x00:x", b"\x1b[31m@example.com:x", b"ada@example.com\n:x", b"\xff:\xfd"],
)
def test_control_characters_in_credentials_are_401(client, user, credentials):
    header = "Basic " + base64.b64encode(credentials).decode()
    response = client.post("/api/v1/tokens", headers={"Authorization": header})
    assert response.status_code == 401


def from_address(number):
    return {"X-Forwarded-For": f"203.0.113.{number}"}  # as Heroku's router passes it


def test_password_guessing_is_limited_per_address(app_of_its_own, password):
    client = app_of_its_own(LOGIN_RATE_LIMIT="3 per minute").test_client()
    wrong = ("ada@example.com", "wrong password!")
    statuses = [
        client.post(
            "/api/v1/tokens", auth=(f"user{n}@example.com", "x"), headers=from_address(1)
        ).status_code
        for n in range(3)
    ]
    assert statuses == [401, 401, 401]
    response = client.post("/api/v1/tokens", auth=wrong, headers=from_address(1))
    assert response.status_code == 429
    assert response.json["code"] == 429
    assert int(response.headers["Retry-After"]) > 0
    # Another address is not held back by the first one's guesses.
    right = ("ada@example.com", password)
    assert client.post("/api/v1/tokens", auth=right, headers=from_address(2)).status_code == 201


def test_password_guessing_is_limited_per_account_whatever_the_address(app_of_its_own, password):
    client = app_of_its_own(ACCOUNT_RATE_LIMIT="3 per minute").test_client()
    wrong = ("ada@example.com", "wrong password!")
    statuses = [
        client.post("/api/v1/tokens", auth=wrong, headers=from_address(n)).status_code
        for n in range(4)
    ]
    assert statuses == [401, 401, 401, 429]
    # The same account's right password waits too; another account does not.
    assert client.post("/api/v1/tokens", auth=("ada@example.com", password)).status_code == 429
    other = client.post("/api/v1/tokens", auth=("bob@example.com", "x"), headers=from_address(9))
    assert other.status_code == 401


def test_right_passwords_count_against_an_account_too(app_of_its_own, password):
    # Every attempt is counted before its password is checked (limits.py
    # says what that costs the owner): a script should keep its token.
    client = app_of_its_own(ACCOUNT_RATE_LIMIT="2 per minute").test_client()
    right = ("ada@example.com", password)
    statuses = [
        client.post("/api/v1/tokens", auth=right, headers=from_address(n)).status_code
        for n in range(3)
    ]
    assert statuses == [201, 201, 429]


def test_token_requests_sent_at_once_are_counted_before_any_password_is_checked(
    app_of_its_own, monkeypatch
):
    # Were an attempt counted only once answered, all six would be checked.
    client = app_of_its_own(ACCOUNT_RATE_LIMIT="2 per minute").test_client()
    monkeypatch.setattr(credentials, "authenticate", lambda email, password: time.sleep(0.3))
    together = threading.Barrier(6)

    def attempt(n):
        own_client = client.application.test_client()
        together.wait()
        wrong = ("ada@example.com", "wrong password!")
        return own_client.post("/api/v1/tokens", auth=wrong, headers=from_address(n)).status_code

    with ThreadPoolExecutor(6) as pool:
        statuses = sorted(pool.map(attempt, range(6)))
    assert statuses == [401, 401, 429, 429, 429, 429]
