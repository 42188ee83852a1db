"""HTTP Basic sends a password alone: an account with a second factor gets
no token that way (403, saying where to make one), and only after the
right password, so that the answer tells a guesser nothing."""

from datetime import UTC, datetime

import pyotp
from sqlalchemy import select

from {{ cookiecutter.package_name }}.accounts import totp
from {{ cookiecutter.package_name }}.accounts.passkeys import Passkey
from {{ cookiecutter.package_name }}.api.models import ApiToken


def with_an_authenticator_app(user):
    secret = totp.start_enrolment(user)
    assert totp.use_code(user, pyotp.TOTP(secret).now(), confirming=True)


def with_a_passkey(db_session, user):
    db_session.add(
        Passkey(
            user_id=user.id,
            credential_id=b"credential",
            public_key=b"public key",
            sign_count=0,
            name="Phone",
            transports="internal",
            created_at=datetime.now(UTC),
        )
    )
    db_session.commit()


def test_an_account_with_an_authenticator_app_gets_no_token_by_password(
    client, user, password, db_session
):
    with_an_authenticator_app(user)
    response = client.post("/api/v1/tokens", auth=(user.email, password))
    assert response.status_code == 403
    assert "second factor" in response.json["message"]
    assert "/account/" in response.json["message"]
    assert db_session.scalars(select(ApiToken)).all() == []


def test_an_account_with_a_passkey_gets_no_token_by_password(client, user, password, db_session):
    with_a_passkey(db_session, user)
    response = client.post("/api/v1/tokens", auth=(user.email, password))
    assert response.status_code == 403
    assert "second factor" in response.json["message"]
    assert db_session.scalars(select(ApiToken)).all() == []


def test_a_wrong_password_learns_nothing_of_the_second_factor(client, user, db_session):
    with_an_authenticator_app(user)
    response = client.post("/api/v1/tokens", auth=(user.email, "wrong password!"))
    assert response.status_code == 401
    assert "second factor" not in response.json["message"]


def test_an_enrolment_not_yet_confirmed_is_no_second_factor(client, user, password):
    totp.start_enrolment(user)
    assert client.post("/api/v1/tokens", auth=(user.email, password)).status_code == 201


def test_the_document_says_so(client):
    operation = client.get("/api/openapi.json").json["paths"]["/api/v1/tokens"]["post"]
    assert "second factor" in operation["responses"]["403"]["description"]
