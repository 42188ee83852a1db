{%- from "parts.jinja" import parts with context -%}
"""Changing the password or the email address and deleting the account,
from the account page: each after a fresh proof, the address only once the
link mailed to it is followed, the deletion taking everything the account
owns, the last admin kept."""

import re
import time
from datetime import UTC, datetime, timedelta

import pyotp
import pytest
from itsdangerous import TimestampSigner
from sqlalchemy import func, select, update

from {{ cookiecutter.package_name }}.accounts import changes, totp
from {{ cookiecutter.package_name }}.accounts.models import User
from {{ cookiecutter.package_name }}.accounts.passkeys import Passkey
from {{ cookiecutter.package_name }}.accounts.sessions import LoginSession
from {{ cookiecutter.package_name }}.accounts.totp import RecoveryCode, TotpFactor
{%- if parts.api %}
from {{ cookiecutter.package_name }}.api.credentials import issue_token
from {{ cookiecutter.package_name }}.api.models import ApiToken
{%- endif %}
from {{ cookiecutter.package_name }}.notes.models import Note

NEW_PASSWORD = "a brand new passphrase"
CSRF_TOKEN = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


@pytest.fixture
def ada(user, log_in):
    """ada@example.com, logged in just now (a fresh proof)."""
    log_in()
    return user


@pytest.fixture
def stale(db_session):
    """Make every login's proof eleven minutes old: past the default ten."""

    def make_stale():
        db_session.execute(
            update(LoginSession).values(proved_at=datetime.now(UTC) - timedelta(minutes=11))
        )
        db_session.commit()

    return make_stale


def account(db_session, user_id):
    db_session.expire_all()
    return db_session.get(User, user_id)


def other_browser(app, email, password):
    """Another client, logged in as `email`."""
    browser = app.test_client()
    token = CSRF_TOKEN.search(browser.get("/auth/login").get_data(as_text=True)).group(1)
    data = {"email": email, "password": password, "csrf_token": token}
    assert browser.post("/auth/login", data=data).status_code == 302
    return browser


def sent_to_confirm(response):
    return response.status_code == 303 and response.headers["Location"].startswith(
        "/account/confirm?next="
    )


def test_the_account_page_links_to_each_change(client, ada):
    page = client.get("/account/").get_data(as_text=True)
    for path in ("/account/email", "/account/password", "/account/delete"):
        assert f'href="{path}"' in page, path
    assert page.index("Email and password") < page.index("Delete the account")


# The password


def change_password(client, csrf, password=NEW_PASSWORD, confirm=NEW_PASSWORD):
    data = {"password": password, "confirm": confirm, "csrf_token": csrf("/account/password")}
    return client.post("/account/password", data=data)


def test_a_new_password_keeps_this_browser_and_ends_the_others(
    app, client, ada, csrf, password, db_session, outbox
):
    phone = other_browser(app, "ada@example.com", password)
{%- if parts.api %}
    api_token = client.post("/api/v1/tokens", auth=("ada@example.com", password)).json["token"]
{%- endif %}
    response = change_password(client, csrf)
    assert response.status_code == 302
    assert response.headers["Location"] == "/account/"
    assert account(db_session, ada.id).check_password(NEW_PASSWORD)
    assert client.get("/notes/").status_code == 200
    assert phone.get("/notes/").status_code == 302
{%- if parts.api %}
    bearer = {"Authorization": f"Bearer {api_token}"}
    assert client.get("/api/v1/notes", headers=bearer).status_code == 401
{%- endif %}
    assert db_session.scalar(select(func.count()).select_from(LoginSession)) == 1
    [(to, body)] = outbox
    assert to == "ada@example.com"
    assert "password of your account was changed" in body


@pytest.mark.parametrize(
    ("new", "confirm"), [(NEW_PASSWORD, "another passphrase"), ("short", "short"), ("", "")]
)
def test_a_bad_new_password_changes_nothing(client, ada, csrf, password, db_session, new, confirm):
    response = change_password(client, csrf, new, confirm)
    assert response.status_code == 200
    assert 'class="error"' in response.get_data(as_text=True)
    assert account(db_session, ada.id).check_password(password)


def test_a_stale_proof_changes_no_password(client, ada, csrf, password, db_session, stale, outbox):
    token = csrf("/account/password")
    stale()
    data = {"password": NEW_PASSWORD, "confirm": NEW_PASSWORD, "csrf_token": token}
    assert sent_to_confirm(client.post("/account/password", data=data))
    assert account(db_session, ada.id).check_password(password)
    assert outbox == []


def test_changing_the_password_needs_the_csrf_token(client, ada, password, db_session):
    data = {"password": NEW_PASSWORD, "confirm": NEW_PASSWORD}
    assert client.post("/account/password", data=data).status_code == 400
    assert account(db_session, ada.id).check_password(password)


# The email address


def ask_for_new_email(client, csrf, email="ada.new@example.com"):
    data = {"email": email, "csrf_token": csrf("/account/email")}
    return client.post("/account/email", data=data)


def link_in(body):
    return re.search(r"http://localhost(/account/email/\S+)", body).group(1)


def test_a_new_address_takes_effect_once_its_link_is_followed(
    client, ada, csrf, password, db_session, outbox
):
    response = ask_for_new_email(client, csrf, "Ada.New@Example.com")
    assert response.headers["Location"] == "/account/"
    [(to, body), (told, asked)] = outbox
    assert to == "ada.new@example.com"
    # The present address hears of the request at once, with no link.
    assert told == "ada@example.com"
    assert "asked to make ada.new@example.com its address" in asked
    assert "/account/email/" not in asked
    assert account(db_session, ada.id).email == "ada@example.com"  # not yet
    followed = client.get(link_in(body))
    assert followed.headers["Location"] == "/account/"
    changed = account(db_session, ada.id)
    assert changed.email == "ada.new@example.com"
    assert changed.email_verified_at is not None
    # The old address is told, with no link that acts.
    (old_to, notice) = outbox[2]
    assert old_to == "ada@example.com"
    assert "no longer ada@example.com" in notice
    assert "/account/email/" not in notice
    # The account logs in with its new address only.
    assert other_browser(client.application, "ada.new@example.com", password)


def test_the_link_works_once(client, ada, csrf, db_session, outbox):
    ask_for_new_email(client, csrf)
    link = link_in(outbox[0][1])
    client.get(link)
    again = client.get(link, follow_redirects=True)
    assert "Your address is ada.new@example.com already." in again.get_data(as_text=True)
    assert len(outbox) == 3  # the link, the request's notice, the change's: no second one
    assert account(db_session, ada.id).email == "ada.new@example.com"


def test_an_expired_link_changes_nothing(app, client, ada, db_session, monkeypatch, outbox):
    two_days_ago = int(time.time()) - 2 * 86400
    with app.test_request_context(), monkeypatch.context() as patch:
        patch.setattr(TimestampSigner, "get_timestamp", lambda self: two_days_ago)
        expired = changes.make_email_change_token(ada, "ada.new@example.com")
    response = client.get(f"/account/email/{expired}", follow_redirects=True)
    assert "expired" in response.get_data(as_text=True)
    assert account(db_session, ada.id).email == "ada@example.com"
    forged = client.get("/account/email/forged", follow_redirects=True)
    assert "expired or is not good" in forged.get_data(as_text=True)
    assert outbox == []


def test_a_link_for_an_address_taken_meanwhile_changes_nothing(
    client, ada, csrf, make_user, db_session, outbox
):
    ask_for_new_email(client, csrf, "bob@example.com")
    make_user("bob@example.com")
    response = client.get(link_in(outbox[0][1]), follow_redirects=True)
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "address of another account" in page
    assert "IntegrityError" not in page
    assert account(db_session, ada.id).email == "ada@example.com"
    assert len(outbox) == 2  # the link and the request's notice: no change to tell


def test_an_address_taken_in_the_same_moment_is_no_server_error(
    client, ada, csrf, make_user, db_session, outbox, monkeypatch
):
    # Bob's sign-up lands between the check and the UPDATE: the database's
    # unique index refuses it, and the page says what the check would have.
    ask_for_new_email(client, csrf, "bob@example.com")
    make_user("bob@example.com")
    monkeypatch.setattr(changes, "user_by_email", lambda email: None)
    response = client.get(link_in(outbox[0][1]), follow_redirects=True)
    assert response.status_code == 200
    assert "address of another account" in response.get_data(as_text=True)
    assert account(db_session, ada.id).email == "ada@example.com"


def mailed_links(outbox):
    return [link_in(body) for to, body in outbox if "/account/email/" in body]


def test_a_link_from_before_another_change_is_outdated(client, ada, csrf, db_session, outbox):
    ask_for_new_email(client, csrf, "first@example.com")
    ask_for_new_email(client, csrf, "second@example.com")
    first, second = mailed_links(outbox)
    client.get(second)
    response = client.get(first, follow_redirects=True)
    assert "outdated" in response.get_data(as_text=True)
    assert account(db_session, ada.id).email == "second@example.com"


def test_a_link_from_before_a_change_and_back_is_outdated(client, ada, csrf, db_session, outbox):
    ask_for_new_email(client, csrf, "elsewhere@example.com")
    [away] = mailed_links(outbox)
    client.get(away)
    ask_for_new_email(client, csrf, "ada@example.com")
    client.get(mailed_links(outbox)[1])
    assert account(db_session, ada.id).email == "ada@example.com"
    response = client.get(away, follow_redirects=True)
    assert "outdated" in response.get_data(as_text=True)
    assert account(db_session, ada.id).email == "ada@example.com"


def test_logging_out_everywhere_kills_the_link(client, ada, csrf, db_session, outbox):
    # Someone in a stolen session asks for their own address; the owner
    # logs out everywhere (or changes the password) before the link is used.
    ask_for_new_email(client, csrf, "thief@example.com")
    account(db_session, ada.id).end_sessions()
    db_session.commit()
    response = client.get(mailed_links(outbox)[0], follow_redirects=True)
    assert "outdated" in response.get_data(as_text=True)
    assert account(db_session, ada.id).email == "ada@example.com"


@pytest.mark.parametrize(
    "email",
    [
        "ADA@example.com",
        "not an email",
        "x" * 250 + "@example.com",
        "\ufdf2" * 80 + "@example.com",  # 92 characters, 332 once folded (4 each)
    ],
)
def test_a_bad_or_same_address_mails_nothing(client, ada, csrf, outbox, email):
    response = ask_for_new_email(client, csrf, email)
    assert response.status_code == 200
    assert 'class="error"' in response.get_data(as_text=True)
    assert outbox == []


def test_a_stale_proof_mails_no_link(client, ada, csrf, stale, db_session, outbox):
    token = csrf("/account/email")
    stale()
    data = {"email": "ada.new@example.com", "csrf_token": token}
    assert sent_to_confirm(client.post("/account/email", data=data))
    assert outbox == []


def test_the_link_leaves_no_address_in_the_log(client, ada, csrf, outbox, caplog):
    ask_for_new_email(client, csrf)
    link = link_in(outbox[0][1])
    client.get(link)
    paths = [r.fields["path"] for r in caplog.records if r.name.endswith(".requests")]
    assert "/account/email/[hidden]" in paths
    assert link.rpartition("/")[2] not in caplog.text


def test_links_mailed_are_limited_per_account(app_of_its_own, password, monkeypatch):
    sent = []
    monkeypatch.setattr(changes.mail, "send_email", lambda to, subject, body: sent.append(to))
    app = app_of_its_own(EMAIL_CHANGE_RATE_LIMIT="2 per hour")
    browser = other_browser(app, "ada@example.com", password)
    statuses = []
    for number in range(3):
        page = browser.get("/account/email").get_data(as_text=True)
        data = {
            "email": f"ada{number}@example.com",
            "csrf_token": CSRF_TOKEN.search(page).group(1),
        }
        statuses.append(browser.post("/account/email", data=data).status_code)
    assert statuses == [302, 302, 429]
    # Each link to the new address, and a notice to the present one.
    assert sent == ["ada0@example.com", "ada@example.com", "ada1@example.com", "ada@example.com"]


# Deleting the account


def delete_account(client, csrf, email="ada@example.com"):
    data = {"email": email, "csrf_token": csrf("/account/delete")}
    return client.post("/account/delete", data=data)


def rows_of(db_session, model, column, user_id):
    return db_session.scalar(select(func.count()).select_from(model).where(column == user_id))


def owned_rows(db_session, user_id):
    """How many rows of each table hold the account's things."""
    db_session.expire_all()
    return {
        "users": rows_of(db_session, User, User.id, user_id),
        "notes": rows_of(db_session, Note, Note.owner_id, user_id),
        "sessions": rows_of(db_session, LoginSession, LoginSession.user_id, user_id),
        "passkeys": rows_of(db_session, Passkey, Passkey.user_id, user_id),
        "totp": rows_of(db_session, TotpFactor, TotpFactor.user_id, user_id),
        "recovery codes": rows_of(db_session, RecoveryCode, RecoveryCode.user_id, user_id),
{%- if parts.api %}
        "api tokens": rows_of(db_session, ApiToken, ApiToken.user_id, user_id),
{%- endif %}
    }


def give_things(client, db_session, user, password):
    """A note, a second session, an authenticator app, recovery codes and
    a passkey{% if parts.api %}, an API token{% endif %}: something in every table that refers to
    an account."""
    db_session.add(Note(owner_id=user.id, title="Mine"))
    db_session.add(
        Passkey(
            user_id=user.id,
            credential_id=f"credential of {user.email}".encode(),
            public_key=b"public key",
            sign_count=0,
            name="Phone",
            transports="internal",
            created_at=datetime.now(UTC),
        )
    )
    db_session.commit()
    other_browser(client.application, user.email, password)
    secret = totp.start_enrolment(user)
    assert totp.use_code(user, pyotp.TOTP(secret).now(), confirming=True)
    totp.new_recovery_codes(user)
{%- if parts.api %}
    issue_token(user)
{%- endif %}


def test_deleting_the_account_deletes_everything_it_owns(
    client, ada, make_user, csrf, password, db_session
):
    bob = make_user("bob@example.com")
    give_things(client, db_session, ada, password)
    give_things(client, db_session, bob, password)
    before = owned_rows(db_session, ada.id)
    assert all(before.values()), before
    bobs = owned_rows(db_session, bob.id)
    response = delete_account(client, csrf, "Ada@Example.com")
    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    assert set(owned_rows(db_session, ada.id).values()) == {0}
    assert owned_rows(db_session, bob.id) == bobs
    assert client.get("/notes/").status_code == 302  # logged out
    assert other_browser(client.application, "bob@example.com", password)


@pytest.mark.parametrize("typed", ["bob@example.com", "ada", "", "ada@example.com\x00"])
def test_the_wrong_email_typed_deletes_nothing(client, ada, make_user, csrf, db_session, typed):
    make_user("bob@example.com")
    response = delete_account(client, csrf, typed)
    assert response.status_code in (200, 400)
    assert account(db_session, ada.id) is not None
    assert client.get("/notes/").status_code == 200


def test_a_stale_proof_deletes_nothing(client, ada, csrf, stale, db_session):
    token = csrf("/account/delete")
    stale()
    data = {"email": "ada@example.com", "csrf_token": token}
    assert sent_to_confirm(client.post("/account/delete", data=data))
    assert account(db_session, ada.id) is not None


def test_deleting_needs_the_csrf_token(client, ada, db_session):
    assert client.post("/account/delete", data={"email": "ada@example.com"}).status_code == 400
    assert account(db_session, ada.id) is not None


def test_the_last_admin_cannot_delete_their_account(client, admin, csrf, db_session):
    response = delete_account(client, csrf, "root@example.com")
    assert response.status_code == 200
    assert "root@example.com is the only admin" in response.get_data(as_text=True)
    assert account(db_session, admin.id) is not None
    assert client.get("/admin/").status_code == 200


def test_an_admin_may_go_while_another_stays(client, admin, make_user, csrf, db_session):
    other = make_user("second@example.com", is_admin=True)
    assert delete_account(client, csrf, "root@example.com").status_code == 302
    assert account(db_session, admin.id) is None
    assert account(db_session, other.id).is_admin
