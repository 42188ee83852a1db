"""A new account proves its email address with a mailed link before it
uses the service's data; sign-up tells nobody which addresses have an
account."""

import re
import time

from itsdangerous import TimestampSigner
from sqlalchemy import select

from {{ cookiecutter.package_name }} import mail
from {{ cookiecutter.package_name }}.accounts.models import User
from {{ cookiecutter.package_name }}.accounts.verification import make_verification_token
from {{ cookiecutter.package_name }}.accounts.views import add_account
from {{ cookiecutter.package_name }}.platform.database import db

NEW_PASSWORD = "a brand new passphrase"


def sign_up(client, csrf, email="ada@example.com", password=NEW_PASSWORD):
    data = {
        "email": email,
        "password": password,
        "confirm": password,
        "csrf_token": csrf("/auth/register"),
    }
    return client.post("/auth/register", data=data)


def confirmation_link(body):
    return re.search(r"http://localhost(/auth/verify/\S+)", body).group(1)


def account(db_session, email="ada@example.com"):
    db_session.expire_all()
    return db_session.scalar(select(User).where(User.email == email))


def test_a_sign_up_mails_a_link_and_does_not_log_in(client, csrf, db_session, outbox):
    response = sign_up(client, csrf)
    assert response.status_code == 302
    assert response.headers["Location"] == "/auth/login"
    [(to, body)] = outbox
    assert to == "ada@example.com"
    assert confirmation_link(body)
    assert account(db_session).email_verified_at is None
    assert client.get("/notes/").status_code == 302  # sent to log in


def test_until_confirmed_the_notes_pages_say_so(client, csrf, db_session, outbox, log_in):
    sign_up(client, csrf)
    assert log_in(password=NEW_PASSWORD).status_code == 302
    for path in ("/notes/", "/notes/new"):
        page = client.get(path)
        assert page.status_code == 403, path
        text = page.get_data(as_text=True)
        assert "Confirm your email address" in text
        assert 'action="/auth/verify"' in text  # the button that mails it again
    assert client.get("/account/").status_code == 200  # the account itself is theirs


def test_the_link_confirms_the_address_once(client, csrf, db_session, outbox, log_in):
    sign_up(client, csrf)
    link = confirmation_link(outbox[0][1])
    assert client.get(link).headers["Location"] == "/auth/login"
    assert account(db_session).email_verified_at is not None
    log_in(password=NEW_PASSWORD)
    assert client.get("/notes/").status_code == 200
    again = client.get(link, follow_redirects=True)  # a second click changes nothing
    assert b"confirmed" in again.data
    assert account(db_session).email_verified_at is not None


def test_the_link_leaves_no_token_in_the_log(client, csrf, outbox, caplog):
    sign_up(client, csrf)
    link = confirmation_link(outbox[0][1])
    client.get(link)
    paths = [r.fields["path"] for r in caplog.records if r.name.endswith(".requests")]
    assert "/auth/verify/[hidden]" in paths
    assert link.rpartition("/")[2] not in caplog.text


def test_forged_expired_and_outdated_links_are_refused(
    app, client, csrf, make_user, db_session, monkeypatch
):
    user = make_user(verified=False)
    assert b"no longer good" in client.get("/auth/verify/forged", follow_redirects=True).data
    two_days_ago = int(time.time()) - 2 * 86400
    with app.test_request_context(), monkeypatch.context() as patch:
        patch.setattr(TimestampSigner, "get_timestamp", lambda self: two_days_ago)
        expired = make_verification_token(user)
    client.get(f"/auth/verify/{expired}")
    assert account(db_session).email_verified_at is None
    with app.test_request_context():
        for_the_old_address = make_verification_token(user)
    user.email = "ada.new@example.com"
    db_session.commit()
    client.get(f"/auth/verify/{for_the_old_address}")
    assert account(db_session, "ada.new@example.com").email_verified_at is None


def answer(client, response, email):
    """What a sign-up answered, the address it named left out: its status,
    where it sent the browser, and the message shown there."""
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    flashes = re.findall(r'<li class="flash[^"]*">([^<]*)</li>', page)
    return (
        response.status_code,
        response.headers["Location"],
        [text.replace(email, "<email>") for text in flashes],
    )


def test_a_sign_up_for_a_taken_address_answers_the_same_and_mails_the_owner(
    client, csrf, make_user, db_session, outbox, password
):
    owner = make_user("bob@example.com")
    new = answer(client, sign_up(client, csrf, "ada@example.com"), "ada@example.com")
    taken = answer(client, sign_up(client, csrf, "BOB@example.com"), "bob@example.com")
    assert taken == new
    assert new[2] and "<email>" in new[2][0]
    assert [to for to, _ in outbox] == ["ada@example.com", "bob@example.com"]
    assert "already has an account" in outbox[1][1]
    assert "/auth/reset" in outbox[1][1]
    assert len(db_session.scalars(select(User)).all()) == 2
    assert owner.check_password(password)  # the sign-up's password changed nothing


def test_a_sign_up_that_loses_the_race_finds_the_account(app, db_session, make_user):
    existing = make_user()
    with app.test_request_context():
        user, created = add_account("ada@example.com", NEW_PASSWORD)
    assert (user.id, created) == (existing.id, False)


def test_mailing_the_link_again_is_limited_per_account(app_of_its_own, outbox):
    app = app_of_its_own(VERIFICATION_RATE_LIMIT="2 per hour")
    app.config["WTF_CSRF_ENABLED"] = False
    client = app.test_client()
    with app.app_context():
        db.session.add(User(email="eve@example.com", password=NEW_PASSWORD))
        db.session.commit()
    login = {"email": "eve@example.com", "password": NEW_PASSWORD}
    assert client.post("/auth/login", data=login).status_code == 302
    statuses = [
        client.post("/auth/verify", headers={"X-Forwarded-For": f"203.0.113.{n}"}).status_code
        for n in range(3)
    ]
    assert statuses == [302, 302, 429]
    assert len(outbox) == 2
    assert all(to == "eve@example.com" for to, _ in outbox)


def test_sign_ups_naming_one_address_are_limited(app_of_its_own, outbox):
    client = app_of_its_own(SIGNUP_RATE_LIMIT="2 per hour").test_client()
    client.application.config["WTF_CSRF_ENABLED"] = False
    data = {"email": "ada@example.com", "password": NEW_PASSWORD, "confirm": NEW_PASSWORD}
    statuses = [
        client.post(
            "/auth/register", data=data, headers={"X-Forwarded-For": f"203.0.113.{n}"}
        ).status_code
        for n in range(3)
    ]
    assert statuses == [302, 302, 429]
    assert len(outbox) == 2


def test_a_mail_that_cannot_be_sent_asks_to_retry(client, csrf, monkeypatch):
    def queue_down(to, subject, body):
        raise mail.MailNotSent

    monkeypatch.setattr(mail, "send_email", queue_down)
    response = sign_up(client, csrf)
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "60"
    assert b"could not send the email just now" in response.data


def test_without_verification_nothing_is_held_back(app, client, make_user, log_in, monkeypatch):
    monkeypatch.setitem(app.config, "EMAIL_VERIFICATION", False)
    make_user(verified=False)
    log_in()
    assert client.get("/notes/").status_code == 200


def test_the_commands_make_confirmed_accounts(runner, db_session):
    result = runner.invoke(
        args=["create-user", "--email", "cli@example.com", "--password", NEW_PASSWORD]
    )
    assert result.exit_code == 0, result.output
    assert account(db_session, "cli@example.com").email_verified_at is not None
