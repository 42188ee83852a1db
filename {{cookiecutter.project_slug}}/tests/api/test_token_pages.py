"""API tokens on the account page: made after a fresh proof, named, with a
lifetime up to API_TOKEN_MAX_DAYS, shown once; listed with their last use;
revoked one by one, only the account's own."""

import re
from datetime import UTC, datetime, timedelta

import pyotp
import pytest
from sqlalchemy import select, update

from {{ cookiecutter.package_name }}.accounts import totp
from {{ cookiecutter.package_name }}.accounts.sessions import LoginSession
from {{ cookiecutter.package_name }}.api.credentials import digest
from {{ cookiecutter.package_name }}.api.models import ApiToken
from {{ cookiecutter.package_name }}.platform.environment import ConfigError

NEW = "/account/tokens/new"
SHOWN_TOKEN = re.compile(r'<pre class="new-token"><code>([A-Za-z0-9_-]{40,})</code></pre>')


@pytest.fixture
def ada(user, log_in):
    """ada@example.com, logged in just now (a fresh proof)."""
    log_in()
    return user


def make_token(client, csrf, name="Backup script", days="30"):
    return client.post(NEW, data={"name": name, "days": days, "csrf_token": csrf(NEW)})


def stored_tokens(db_session):
    db_session.expire_all()
    return db_session.scalars(select(ApiToken)).all()


def test_the_account_page_has_a_tokens_section(client, ada):
    page = client.get("/account/").get_data(as_text=True)
    assert "API tokens" in page
    assert "You have no API tokens." in page
    assert f'href="{NEW}"' in page


def test_a_token_is_made_named_and_shown_once(client, ada, csrf, db_session):
    response = make_token(client, csrf)
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    page = response.get_data(as_text=True)
    token = SHOWN_TOKEN.search(page).group(1)
    [stored] = stored_tokens(db_session)
    assert stored.token_hash == digest(token)
    assert stored.name == "Backup script"
    lifetime = stored.expires_at.replace(tzinfo=UTC) - datetime.now(UTC)
    assert timedelta(days=29, hours=23) < lifetime <= timedelta(days=30)
    # It opens the API; the account page lists it, but never shows it again.
    bearer = {"Authorization": f"Bearer {token}"}
    assert client.get("/api/v1/notes", headers=bearer).status_code == 200
    listing = client.get("/account/").get_data(as_text=True)
    assert "Backup script" in listing
    assert token not in listing
    assert "never" not in listing  # it was used just now


def test_a_new_token_is_listed_as_never_used(client, ada, csrf):
    make_token(client, csrf)
    row = client.get("/account/").get_data(as_text=True).split("Backup script", 1)[1]
    assert "never" in row[: row.index("</tr>")]


def test_the_lifetimes_go_up_to_the_setting(client, ada, app, monkeypatch, csrf, db_session):
    form = client.get(NEW).get_data(as_text=True)
    assert re.findall(r'<option[^>]*value="(\d+)"', form) == ["1", "7", "30", "90"]
    too_long = make_token(client, csrf, days="365")
    assert too_long.status_code == 200
    assert "Not a valid choice" in too_long.get_data(as_text=True)
    monkeypatch.setitem(app.config, "API_TOKEN_MAX_DAYS", 400)
    form = client.get(NEW).get_data(as_text=True)
    assert re.findall(r'<option[^>]*value="(\d+)"', form) == ["1", "7", "30", "90", "365", "400"]
    assert stored_tokens(db_session) == []


@pytest.mark.parametrize("value", ["0", "3651", "ninety"])
def test_the_setting_takes_days_from_1_to_3650(make_app, value):
    with pytest.raises(ConfigError, match="API_TOKEN_MAX_DAYS"):
        make_app(API_TOKEN_MAX_DAYS=value)


@pytest.mark.parametrize(
    ("name", "days"),
    [("", "30"), ("   ", "30"), ("x" * 61, "30"), ("Fine", "seven"), ("Fine", "99999999999999")],
)
def test_bad_input_makes_no_token(client, ada, csrf, db_session, name, days):
    response = make_token(client, csrf, name=name, days=days)
    assert response.status_code == 200
    assert 'class="error"' in response.get_data(as_text=True)
    assert stored_tokens(db_session) == []


def test_making_a_token_needs_a_fresh_proof(client, ada, csrf, db_session):
    token = csrf(NEW)
    db_session.execute(
        update(LoginSession).values(proved_at=datetime.now(UTC) - timedelta(minutes=11))
    )
    db_session.commit()
    response = client.post(NEW, data={"name": "Late", "days": "7", "csrf_token": token})
    assert response.status_code == 303
    assert response.headers["Location"].startswith("/account/confirm?next=")
    assert stored_tokens(db_session) == []
    shown = client.get(NEW)  # the form itself sends to the confirm page, then back
    assert shown.headers["Location"] == "/account/confirm?next=/account/tokens/new?"


def test_making_a_token_needs_the_csrf_token(client, ada, db_session):
    assert client.post(NEW, data={"name": "No CSRF", "days": "7"}).status_code == 400
    assert stored_tokens(db_session) == []


def test_visitors_are_sent_to_log_in(client, user, db_session):
    assert client.get(NEW).headers["Location"].startswith("/auth/login")
    assert client.post("/account/tokens/1/revoke").status_code in (302, 400)
    assert stored_tokens(db_session) == []


def test_an_account_with_a_second_factor_makes_its_tokens_here(client, ada, csrf, password):
    secret = totp.start_enrolment(ada)
    assert totp.use_code(ada, pyotp.TOTP(secret).now(), confirming=True)
    assert client.post("/api/v1/tokens", auth=(ada.email, password)).status_code == 403
    response = make_token(client, csrf)
    assert SHOWN_TOKEN.search(response.get_data(as_text=True))


def test_a_token_is_revoked_from_the_page(client, ada, csrf, db_session):
    token = SHOWN_TOKEN.search(make_token(client, csrf).get_data(as_text=True)).group(1)
    [stored] = stored_tokens(db_session)
    response = client.post(
        f"/account/tokens/{stored.id}/revoke", data={"csrf_token": csrf("/account/")}
    )
    assert response.status_code == 302
    assert response.headers["Location"] == "/account/"
    assert stored_tokens(db_session) == []
    bearer = {"Authorization": f"Bearer {token}"}
    assert client.get("/api/v1/notes", headers=bearer).status_code == 401


def test_another_accounts_token_is_404_and_keeps_working(client, ada, make_user, csrf, db_session):
    make_user("bob@example.com")
    bobs = client.post("/api/v1/tokens", auth=("bob@example.com", "correct horse battery")).json
    response = client.post(
        f"/account/tokens/{bobs['id']}/revoke", data={"csrf_token": csrf("/account/")}
    )
    assert response.status_code == 404
    missing = client.post(
        "/account/tokens/2147483647/revoke", data={"csrf_token": csrf("/account/")}
    )
    assert missing.status_code == 404
    headers = {"Authorization": f"Bearer {bobs['token']}"}
    assert client.get("/api/v1/notes", headers=headers).status_code == 200
    assert "Bob" not in client.get("/account/").get_data(as_text=True)


def test_tokens_made_here_count_against_the_accounts_limit(app_of_its_own, password):
    # The login is one attempt of the account's count, the first token the second.
    client = app_of_its_own(ACCOUNT_RATE_LIMIT="2 per minute").test_client()
    page = client.get("/auth/login").get_data(as_text=True)
    csrf_token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
    login = {"email": "ada@example.com", "password": password, "csrf_token": csrf_token}
    assert client.post("/auth/login", data=login).status_code == 302
    page = client.get(NEW).get_data(as_text=True)
    csrf_token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
    data = {"name": "One", "days": "7", "csrf_token": csrf_token}
    assert client.post(NEW, data=data).status_code == 200
    assert client.post(NEW, data=data).status_code == 429
