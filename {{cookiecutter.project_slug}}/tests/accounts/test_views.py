import base64
import re
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from {{ cookiecutter.package_name }} import FEATURES
from {{ cookiecutter.package_name }}.accounts import views
from {{ cookiecutter.package_name }}.accounts.models import (
    MAX_PASSWORD_LENGTH,
    MIN_PASSWORD_LENGTH,
    User,
)
from {{ cookiecutter.package_name }}.platform.database import db
from {{ cookiecutter.package_name }}.platform.settings import load_settings

CSRF_TOKEN = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def register(client, csrf, password, email="ada@example.com", confirm=None):
    data = {
        "email": email,
        "password": password,
        "confirm": password if confirm is None else confirm,
        "csrf_token": csrf("/auth/register"),
    }
    return client.post("/auth/register", data=data)


def test_the_forms_show(client):
    for path in ("/auth/register", "/auth/login", "/auth/reset"):
        response = client.get(path)
        assert response.status_code == 200, path
        assert b'name="csrf_token"' in response.data


@pytest.fixture
def no_verification(app, monkeypatch):
    """EMAIL_VERIFICATION=false: a sign-up is let in at once, as a service
    that does not want confirmed addresses has it."""
    monkeypatch.setitem(app.config, "EMAIL_VERIFICATION", False)


def test_sign_up_creates_an_account(client, csrf, db_session, password):
    response = register(client, csrf, password, email="Ada@Example.com")
    assert response.status_code == 302
    user = db_session.scalar(select(User).where(User.email == "ada@example.com"))
    assert user.check_password(password)
    assert not user.is_admin
    assert user.email_verified_at is None  # until the mailed link is followed
    assert password not in user.password_hash
    assert user.password_hash.startswith("scrypt:")


def test_without_verification_sign_up_creates_an_account_and_logs_in(
    client, csrf, db_session, password, no_verification
):
    response = register(client, csrf, password, email="Ada@Example.com")
    assert response.status_code == 302
    assert response.headers["Location"] == "/notes/"
    assert client.get("/notes/").status_code == 200


def test_without_verification_sign_up_refuses_a_taken_email(
    client, csrf, make_user, password, no_verification
):
    make_user("ada@example.com")
    response = register(client, csrf, password, email="ADA@example.com")
    assert response.status_code == 200
    assert b"exists already" in response.data


def test_sign_up_refuses_bad_input(client, csrf, db_session, password):
    between = f"between {MIN_PASSWORD_LENGTH} and {MAX_PASSWORD_LENGTH} characters"
    assert between.encode() in register(client, csrf, "short").data
    assert b"differ" in register(client, csrf, password, confirm="something else!").data
    assert b"Invalid email" in register(client, csrf, password, email="nobody").data
    # 92 characters as typed, 332 once folded (U+FDF2 is four letters).
    folded_long = register(client, csrf, password, email="\ufdf2" * 80 + "@example.com")
    assert folded_long.status_code == 200
    assert b"at most 254 characters" in folded_long.data
    assert db_session.scalars(select(User)).all() == []


def test_sign_up_without_the_csrf_token_is_refused(client, db_session, password):
    data = {"email": "ada@example.com", "password": password, "confirm": password}
    assert client.post("/auth/register", data=data).status_code == 400
    assert db_session.scalars(select(User)).all() == []


def test_login_with_the_right_password(client, make_user, log_in):
    make_user()
    response = log_in("ADA@example.com")
    assert response.status_code == 302
    assert response.headers["Location"] == "/notes/"
    assert b"ada@example.com" in client.get("/notes/").data


def test_login_with_a_wrong_password_or_email(client, make_user, log_in, password):
    make_user()
    for email, attempt in [("ada@example.com", "wrong password!"), ("bob@example.com", password)]:
        response = log_in(email, attempt)
        assert response.status_code == 200
        assert b"Wrong email or password." in response.data
    assert client.get("/notes/").status_code == 302


def test_login_without_the_csrf_token_is_refused(client, make_user, password):
    make_user()
    response = client.post("/auth/login", data={"email": "ada@example.com", "password": password})
    assert response.status_code == 400


def test_login_returns_to_the_page_asked_for(client, make_user, csrf, password):
    make_user()
    assert client.get("/notes/new").headers["Location"] == "/auth/login?next=%2Fnotes%2Fnew"
    data = {"email": "ada@example.com", "password": password, "csrf_token": csrf("/auth/login")}
    response = client.post("/auth/login?next=/notes/new", data=data)
    assert response.headers["Location"] == "/notes/new"


def test_login_never_redirects_to_another_site(client, make_user, csrf, password):
    make_user()
    for target in (
        "https://evil.example/",
        "//evil.example/",
        "/\\evil.example/",  # browsers read a backslash as a slash
        "javascript:alert(1)",
    ):
        data = {"email": "ada@example.com", "password": password, "csrf_token": csrf("/auth/login")}
        response = client.post("/auth/login", query_string={"next": target}, data=data)
        assert response.headers["Location"] == "/notes/", target


def test_logout_is_a_post_with_the_csrf_token(client, make_user, log_in, csrf):
    make_user()
    log_in()
    assert client.get("/auth/logout").status_code == 405
    assert client.post("/auth/logout").status_code == 400  # no token: still logged in
    assert client.get("/notes/").status_code == 200
    response = client.post("/auth/logout", data={"csrf_token": csrf("/notes/")})
    assert response.status_code == 302
    assert client.get("/notes/").status_code == 302


WRONG_ATTEMPT = {"email": "ada@example.com", "password": "wrong password!"}


@pytest.fixture
def limited_client(app_of_its_own):
    def make(**environ):
        app = app_of_its_own(**environ)
        app.config["WTF_CSRF_ENABLED"] = False  # these tests count attempts, not tokens
        return app.test_client()

    return make


def test_too_many_login_attempts_get_429_with_a_clear_page(limited_client):
    client = limited_client(LOGIN_RATE_LIMIT="3 per minute")
    attempt = WRONG_ATTEMPT
    statuses = [client.post("/auth/login", data=attempt).status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    response = client.post("/auth/login", data=attempt)
    assert response.status_code == 429
    assert b"Too many attempts" in response.data
    assert int(response.headers["Retry-After"]) > 0
    assert client.get("/auth/login").status_code == 200  # showing the form is not limited


def test_login_attempts_are_limited_per_account_whatever_the_address(limited_client):
    client = limited_client(LOGIN_RATE_LIMIT="100 per minute", ACCOUNT_RATE_LIMIT="3 per minute")
    statuses = [
        client.post(
            "/auth/login", data=WRONG_ATTEMPT, headers={"X-Forwarded-For": f"203.0.113.{n}"}
        ).status_code
        for n in range(4)
    ]
    assert statuses == [200, 200, 200, 429]
    # Another account, from an address already used, is not held back.
    other = {"email": "bob@example.com", "password": "wrong password!"}
    assert client.post("/auth/login", data=other).status_code == 200


def basic(username):
    """An HTTP Basic header naming `username`."""
    return {"Authorization": "Basic " + base64.b64encode(f"{username}:x".encode()).decode()}


def test_a_basic_header_does_not_move_a_login_form_post_to_another_account(limited_client):
    # On a form the account is the form's email: naming another account in
    # HTTP Basic with every guess does not spread the guesses out.
    client = limited_client(LOGIN_RATE_LIMIT="100 per minute", ACCOUNT_RATE_LIMIT="3 per minute")
    statuses = [
        client.post(
            "/auth/login",
            data=WRONG_ATTEMPT,
            headers={"X-Forwarded-For": f"203.0.113.{n}", **basic(f"decoy{n}@example.com")},
        ).status_code
        for n in range(4)
    ]
    assert statuses == [200, 200, 200, 429]


def test_logins_behind_one_basic_header_count_per_account(limited_client, password):
    # A site behind a proxy's HTTP Basic (a staging site, say) sends the same
    # header with every request: each person's logins still count apart.
    client = limited_client(LOGIN_RATE_LIMIT="100 per minute", ACCOUNT_RATE_LIMIT="2 per minute")
    with client.application.app_context():
        db.session.add(User(email="bob@example.com", password=password))
        db.session.commit()
    staging = basic("staging")
    for email in ("ada@example.com", "ada@example.com", "bob@example.com"):
        data = {"email": email, "password": password}
        assert client.post("/auth/login", data=data, headers=staging).status_code == 302, email


def test_attempts_sent_at_once_are_counted_before_any_password_is_checked(
    limited_client, monkeypatch
):
    # Six wrong passwords from six addresses at the same moment, each check
    # taking a while: were an attempt counted only once answered, all six
    # would be checked before the first was counted.
    client = limited_client(LOGIN_RATE_LIMIT="100 per minute", ACCOUNT_RATE_LIMIT="2 per minute")
    monkeypatch.setattr(views, "authenticate", lambda email, password: time.sleep(0.3))
    together = threading.Barrier(6)

    def attempt(n):
        own_client = client.application.test_client()
        together.wait()
        headers = {"X-Forwarded-For": f"203.0.113.{n}"}
        return own_client.post("/auth/login", data=WRONG_ATTEMPT, headers=headers).status_code

    with ThreadPoolExecutor(6) as pool:
        statuses = sorted(pool.map(attempt, range(6)))
    assert statuses == [200, 200, 429, 429, 429, 429]


def test_right_passwords_count_against_the_account_too(limited_client, password):
    # The price of counting before the check (limits.py): the owner's own
    # logins spend the account's count as well.
    client = limited_client(LOGIN_RATE_LIMIT="100 per minute", ACCOUNT_RATE_LIMIT="2 per minute")
    right = {"email": "ada@example.com", "password": password}
    statuses = [client.post("/auth/login", data=right).status_code for _ in range(3)]
    assert statuses == [302, 302, 429]


@pytest.mark.parametrize(
    ("same_client", "another_client"),
    [
        # IPv6: one /64 is one client, whatever addresses it takes in it.
        (
            ["2001:db8:1:2::1", "2001:db8:1:2::ab", "2001:db8:1:2:ffff::1", "2001:db8:1:2:1:2:3:4"],
            "2001:db8:1:3::1",
        ),
        # IPv4: one address is one client, also when written as IPv6.
        (["203.0.113.9", "::ffff:203.0.113.9"] * 2, "203.0.113.10"),
    ],
)
def test_attempts_are_counted_per_ipv4_address_or_ipv6_64(
    limited_client, same_client, another_client
):
    client = limited_client(LOGIN_RATE_LIMIT="3 per minute")
    statuses = [
        client.post(
            "/auth/login", data=WRONG_ATTEMPT, headers={"X-Forwarded-For": address}
        ).status_code
        for address in same_client
    ]
    assert statuses == [200, 200, 200, 429]
    other = {"email": "bob@example.com", "password": "wrong password!"}
    response = client.post("/auth/login", data=other, headers={"X-Forwarded-For": another_client})
    assert response.status_code == 200


def test_a_successful_login_carries_no_rate_limit_headers(client, make_user, log_in):
    make_user()
    response = log_in()
    assert response.status_code == 302
    assert "Retry-After" not in response.headers
    assert not [name for name, _ in response.headers if name.startswith("X-RateLimit")]


def test_login_ignores_a_next_with_control_characters(client, make_user, csrf, password):
    make_user()
    for target in ("/\x00evil", "/notes/\r\nSet-Cookie: x=y", "/\x1b[31m", "/notes/ x"):
        data = {"email": "ada@example.com", "password": password, "csrf_token": csrf("/auth/login")}
        response = client.post("/auth/login", query_string={"next": target}, data=data)
        assert response.status_code == 302, repr(target)
        assert response.headers["Location"] == "/notes/", repr(target)


@pytest.mark.parametrize(
    "lookalike",
    [
        "A\u0308nne@example.com",  # a + combining diaeresis, not the precomposed letter
        "\u00c4NNE@EXAMPLE.COM",
        "\u00e4nne@\uff45\uff58\uff41\uff4d\uff50\uff4c\uff45.com",  # a fullwidth domain
    ],
)
def test_lookalike_emails_are_one_account(
    client, csrf, db_session, password, lookalike, no_verification
):
    assert register(client, csrf, password, email="\u00e4nne@example.com").status_code == 302
    client.post("/auth/logout", data={"csrf_token": csrf("/notes/")})
    assert b"exists already" in register(client, csrf, password, email=lookalike).data
    assert len(db_session.scalars(select(User)).all()) == 1
    data = {"email": lookalike, "password": password, "csrf_token": csrf("/auth/login")}
    assert client.post("/auth/login", data=data).status_code == 302


def test_fullwidth_letters_are_one_account(client, csrf, db_session, password, no_verification):
    assert register(client, csrf, password, email="anna@example.com").status_code == 302
    client.post("/auth/logout", data={"csrf_token": csrf("/notes/")})
    fullwidth = "\uff41\uff4e\uff4e\uff41@example.com"
    assert b"exists already" in register(client, csrf, password, email=fullwidth).data


def remembered_login(client, csrf, password):
    data = {
        "email": "ada@example.com",
        "password": password,
        "remember": "y",
        "csrf_token": csrf("/auth/login"),
    }
    response = client.post("/auth/login", data=data)
    assert response.status_code == 302
    return response


def only_the_remember_cookie(app, client):
    """A new browser holding nothing but a copy of the remember cookie."""
    thief = app.test_client()
    thief.set_cookie("remember_token", client.get_cookie("remember_token").value)
    return thief


def test_the_remember_cookie_is_guarded_and_expires(client, csrf, make_user, password):
    make_user()
    response = remembered_login(client, csrf, password)
    [cookie] = [c for c in response.headers.getlist("Set-Cookie") if c.startswith("remember_token")]
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie
    expires = client.get_cookie("remember_token").expires
    assert timedelta(days=13) < expires - datetime.now(UTC) <= timedelta(days=14)


def test_the_remember_cookie_is_secure_in_production(tmp_path):
    settings = load_settings(
        {"APP_ENV": "production", "SECRET_KEY": "s" * 48}, str(tmp_path), FEATURES
    )
    assert settings["REMEMBER_COOKIE_SECURE"] is True
    assert settings["REMEMBER_COOKIE_HTTPONLY"] is True
    assert settings["REMEMBER_COOKIE_SAMESITE"] == "Lax"
    assert settings["REMEMBER_COOKIE_DURATION"] == timedelta(days=14)


def test_logging_out_everywhere_ends_every_session_and_remember_cookie(
    app, client, csrf, make_user, password
):
    make_user()
    remembered_login(client, csrf, password)
    thief = only_the_remember_cookie(app, client)
    assert thief.get("/notes/").status_code == 200  # a copied cookie logs in...
    response = client.post("/auth/logout-everywhere", data={"csrf_token": csrf("/notes/")})
    assert response.status_code == 302
    assert client.get("/notes/").status_code == 302
    assert thief.get("/notes/").status_code == 302  # ...until the account logs out everywhere
    assert remembered_login(client, csrf, password).status_code == 302  # a new login works


def test_a_plain_logout_keeps_other_sessions(app, client, csrf, make_user, password):
    make_user()
    other_browser = app.test_client()  # the account, logged in on another device
    token = CSRF_TOKEN.search(other_browser.get("/auth/login").get_data(as_text=True)).group(1)
    data = {"email": "ada@example.com", "password": password, "csrf_token": token}
    assert other_browser.post("/auth/login", data=data).status_code == 302
    remembered_login(client, csrf, password)
    client.post("/auth/logout", data={"csrf_token": csrf("/notes/")})
    assert client.get_cookie("remember_token") is None  # this browser forgets it
    assert other_browser.get("/notes/").status_code == 200


def test_a_plain_logout_ends_copies_of_its_cookies(app, client, csrf, make_user, password):
    make_user()
    remembered_login(client, csrf, password)
    copied_remember_cookie = only_the_remember_cookie(app, client)
    cookie = app.config["SESSION_COOKIE_NAME"]
    copied_session = app.test_client()
    copied_session.set_cookie(cookie, client.get_cookie(cookie).value)
    assert copied_remember_cookie.get("/notes/").status_code == 200  # copies log in...
    assert copied_session.get("/notes/").status_code == 200
    client.post("/auth/logout", data={"csrf_token": csrf("/notes/")})
    # ...until the session they name is logged out, from whichever browser.
    assert copied_remember_cookie.get("/notes/").status_code == 302
    assert copied_session.get("/notes/").status_code == 302


def test_each_login_has_a_remember_cookie_of_its_own(client, csrf, make_user, password):
    make_user()
    values = []
    for _ in range(2):
        remembered_login(client, csrf, password)
        values.append(client.get_cookie("remember_token").value)
        client.post("/auth/logout", data={"csrf_token": csrf("/notes/")})
    assert values[0] != values[1]


def test_login_starts_a_fresh_session(app, client, csrf, make_user, password):
    """A session a visitor had before logging in (which someone may have
    planted in their browser) is not carried on: its CSRF secret included."""
    make_user()
    before = csrf("/auth/login")
    data = {"email": "ada@example.com", "password": password, "csrf_token": before}
    with client.session_transaction() as planted:
        planted["planted"] = "by someone else"
        secret = planted["csrf_token"]
    assert client.post("/auth/login", data=data).status_code == 302
    with client.session_transaction() as logged_in:
        assert "planted" not in logged_in
        assert logged_in.get("csrf_token") != secret
    # The old page's token no longer works; the new page's does.
    assert client.post("/auth/logout", data={"csrf_token": before}).status_code == 400
    assert client.post("/auth/logout", data={"csrf_token": csrf("/notes/")}).status_code == 302
