import re
import time

import pytest
from itsdangerous import TimestampSigner

from {{ cookiecutter.package_name }} import mail
from {{ cookiecutter.package_name }}.auth.reset import make_reset_token

NEW_PASSWORD = "a brand new passphrase"


@pytest.fixture
def outbox(monkeypatch):
    """The messages sent through mail.send_email, instead of sending them."""
    sent = []
    monkeypatch.setattr(mail, "send_email", lambda to, subject, body: sent.append((to, body)))
    return sent


def ask_for_reset(client, csrf, email):
    data = {"email": email, "csrf_token": csrf("/auth/reset")}
    return client.post("/auth/reset", data=data)


def reset_link(body):
    return re.search(r"http://localhost(/auth/reset/\S+)", body).group(1)


def choose_password(client, csrf, link, password=NEW_PASSWORD):
    data = {"password": password, "confirm": password, "csrf_token": csrf(link)}
    return client.post(link, data=data)


def test_a_reset_link_is_mailed_and_sets_a_new_password(
    client, csrf, make_user, log_in, outbox, password
):
    user = make_user()
    response = ask_for_reset(client, csrf, "Ada@example.com")
    assert response.status_code == 302
    [(to, body)] = outbox
    assert to == "ada@example.com"
    link = reset_link(body)
    assert client.get(link).status_code == 200
    response = choose_password(client, csrf, link)
    assert response.headers["Location"] == "/auth/login"
    assert user.check_password(NEW_PASSWORD)
    assert log_in(password=password).status_code == 200  # the old one no longer works
    assert log_in(password=NEW_PASSWORD).status_code == 302


def test_an_unknown_email_gets_the_same_answer_and_no_mail(client, csrf, make_user, outbox):
    make_user()
    known = ask_for_reset(client, csrf, "ada@example.com")
    unknown = ask_for_reset(client, csrf, "bob@example.com")
    assert (unknown.status_code, unknown.headers["Location"]) == (
        known.status_code,
        known.headers["Location"],
    )
    assert len(outbox) == 1


def test_a_used_link_is_refused(client, csrf, make_user, outbox):
    user = make_user()
    ask_for_reset(client, csrf, "ada@example.com")
    link = reset_link(outbox[0][1])
    choose_password(client, csrf, link)
    response = client.get(link)
    assert response.headers["Location"] == "/auth/reset"
    assert choose_password(client, csrf, "/auth/reset", "another passphrase").status_code == 200
    assert user.check_password(NEW_PASSWORD)


def test_an_expired_link_is_refused(app, client, csrf, make_user, monkeypatch, password):
    user = make_user()
    two_hours_ago = int(time.time()) - 2 * 3600
    with app.test_request_context(), monkeypatch.context() as patch:
        patch.setattr(TimestampSigner, "get_timestamp", lambda self: two_hours_ago)
        token = make_reset_token(user)
    link = f"/auth/reset/{token}"
    assert client.get(link).headers["Location"] == "/auth/reset"
    data = {"password": NEW_PASSWORD, "confirm": NEW_PASSWORD, "csrf_token": csrf("/auth/reset")}
    assert client.post(link, data=data).status_code == 302
    assert user.check_password(password)


def test_a_forged_link_is_refused(client):
    assert client.get("/auth/reset/not-a-token").headers["Location"] == "/auth/reset"
