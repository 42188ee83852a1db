import base64
import re
import time
from types import SimpleNamespace

from itsdangerous import TimestampSigner

from {{ cookiecutter.package_name }}.accounts import reset
from {{ cookiecutter.package_name }}.accounts.models import User
from {{ cookiecutter.package_name }}.accounts.reset import (
    make_reset_token,
    reset_password,
    send_reset_email,
)
from {{ cookiecutter.package_name }}.accounts.sessions import end_every_session
from {{ cookiecutter.package_name }}.mail import public_url_for

CSRF_TOKEN = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')

NEW_PASSWORD = "a brand new passphrase"


def ask_for_reset(client, csrf, email):
    data = {"email": email, "csrf_token": csrf("/auth/reset")}
    return client.post("/auth/reset", data=data)


def reset_link(body):
    return re.search(r"http://localhost(/auth/reset/\S+)", body).group(1)


def choose_password(client, csrf, link, password=NEW_PASSWORD):
    """Follow the link, then fill in the page it leads to."""
    followed = client.get(link)
    if followed.headers["Location"] != CHOOSE:
        return followed
    data = {"password": password, "confirm": password, "csrf_token": csrf(CHOOSE)}
    return client.post(CHOOSE, data=data)


CHOOSE = "/auth/new-password"  # where the link leads, its token left behind


def test_a_reset_link_is_mailed_and_sets_a_new_password(
    client, csrf, make_user, log_in, outbox, password
):
    user = make_user()
    response = ask_for_reset(client, csrf, "Ada@example.com")
    assert response.status_code == 302
    [(to, body)] = outbox
    assert to == "ada@example.com"
    link = reset_link(body)
    assert client.get(link).headers["Location"] == CHOOSE
    page = client.get(CHOOSE)
    assert page.status_code == 200
    assert link.rpartition("/")[2] not in page.get_data(as_text=True)
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
    assert client.get(CHOOSE).headers["Location"] == "/auth/reset"
    assert choose_password(client, csrf, link, "another passphrase").status_code == 302
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
    assert client.post(CHOOSE, data=data).headers["Location"] == "/auth/reset"
    assert user.check_password(password)


def test_a_link_signed_before_the_key_was_rotated_works_while_the_old_key_is_a_fallback(
    app, client, make_user, monkeypatch
):
    user = make_user()
    with app.test_request_context():
        token = make_reset_token(user)
    old_key = app.config["SECRET_KEY"]
    monkeypatch.setitem(app.config, "SECRET_KEY", "the-new-key-" * 4)
    assert client.get(f"/auth/reset/{token}").headers["Location"] == "/auth/reset"
    monkeypatch.setitem(app.config, "SECRET_KEY_FALLBACKS", [old_key])
    assert client.get(f"/auth/reset/{token}").headers["Location"] == CHOOSE


def test_a_forged_link_is_refused(client):
    assert client.get("/auth/reset/not-a-token").headers["Location"] == "/auth/reset"


def test_a_reset_ends_every_other_session(app, client, csrf, make_user, log_in, outbox, password):
    make_user()
    elsewhere = app.test_client()  # the account, logged in on another device
    token = CSRF_TOKEN.search(elsewhere.get("/auth/login").get_data(as_text=True)).group(1)
    data = {"email": "ada@example.com", "password": password, "csrf_token": token}
    assert elsewhere.post("/auth/login", data=data).status_code == 302
    assert elsewhere.get("/notes/").status_code == 200
    ask_for_reset(client, csrf, "ada@example.com")
    choose_password(client, csrf, reset_link(outbox[0][1]))
    assert elsewhere.get("/notes/").status_code == 302  # sent to log in again
    assert log_in(password=NEW_PASSWORD).status_code == 302


def test_links_in_mail_are_built_from_public_url(app_of_its_own, outbox):
    client = app_of_its_own(PUBLIC_URL="https://service.example").test_client()
    page = client.get("/auth/reset", headers={"Host": "service.example"})
    token = CSRF_TOKEN.search(page.get_data(as_text=True)).group(1)
    data = {"email": "ada@example.com", "csrf_token": token}
    client.post("/auth/reset", data=data, headers={"Host": "service.example"})
    [(_, body)] = outbox
    assert re.search(r"https://service\.example/auth/reset/\S+", body)


def test_a_reset_asked_for_another_host_is_refused(app_of_its_own, outbox):
    client = app_of_its_own(PUBLIC_URL="https://service.example").test_client()
    headers = {"Host": "evil.example"}
    response = client.post("/auth/reset", data={"email": "ada@example.com"}, headers=headers)
    assert response.status_code == 400
    assert outbox == []


def test_production_builds_no_link_without_public_url(make_app, caplog, password):
    app = make_app(APP_ENV="production", SECRET_KEY="s" * 48)
    with app.test_request_context(headers={"Host": "evil.example"}):
        assert public_url_for("auth.reset_link", token="t") is None
        send_reset_email(User(email="ada@example.com", password=password))
    assert "set PUBLIC_URL" in caplog.text


def test_reset_mails_are_limited_per_account_whatever_the_address(app_of_its_own, outbox):
    client = app_of_its_own(RESET_RATE_LIMIT="2 per hour").test_client()
    client.application.config["WTF_CSRF_ENABLED"] = False
    statuses = [
        client.post(
            "/auth/reset",
            data={"email": "Ada@example.com"},
            headers={"X-Forwarded-For": f"203.0.113.{n}"},
        ).status_code
        for n in range(3)
    ]
    assert statuses == [302, 302, 429]
    assert len(outbox) == 2


def test_a_basic_header_does_not_move_reset_mails_to_another_account(app_of_its_own, outbox):
    # The account is the form's email, whatever HTTP Basic names.
    client = app_of_its_own(RESET_RATE_LIMIT="2 per hour").test_client()
    client.application.config["WTF_CSRF_ENABLED"] = False
    statuses = []
    for n in range(3):
        decoy = base64.b64encode(f"decoy{n}@example.com:x".encode()).decode()
        headers = {"X-Forwarded-For": f"203.0.113.{n}", "Authorization": f"Basic {decoy}"}
        response = client.post("/auth/reset", data={"email": "ada@example.com"}, headers=headers)
        statuses.append(response.status_code)
    assert statuses == [302, 302, 429]
    assert len(outbox) == 2


def test_the_link_leaves_no_token_in_the_log(client, csrf, make_user, outbox, caplog):
    make_user()
    ask_for_reset(client, csrf, "ada@example.com")
    link = reset_link(outbox[0][1])
    token = link.rpartition("/")[2]
    choose_password(client, csrf, link)
    requests = [r.fields["path"] for r in caplog.records if r.name.endswith(".requests")]
    assert "/auth/reset/[hidden]" in requests
    assert CHOOSE in requests
    assert token not in caplog.text


def test_a_link_dies_when_the_address_changes(
    client, csrf, make_user, outbox, db_session, password
):
    user = make_user()
    ask_for_reset(client, csrf, "ada@example.com")
    user.email = "ada.new@example.com"
    db_session.commit()
    assert client.get(reset_link(outbox[0][1])).headers["Location"] == "/auth/reset"
    assert user.check_password(password)


def test_a_link_dies_when_the_account_logs_out_everywhere(
    client, csrf, make_user, outbox, password
):
    user = make_user()
    ask_for_reset(client, csrf, "ada@example.com")
    end_every_session(user)
    assert choose_password(client, csrf, reset_link(outbox[0][1])).headers["Location"] == (
        "/auth/reset"
    )
    assert user.check_password(password)


def test_a_link_opened_in_two_browsers_works_in_one(app, client, csrf, make_user, outbox):
    user = make_user()
    ask_for_reset(client, csrf, "ada@example.com")
    link = reset_link(outbox[0][1])
    other = app.test_client()
    pages = []
    for browser in (client, other):  # both reach the form before either sends it
        assert browser.get(link).headers["Location"] == CHOOSE
        page = browser.get(CHOOSE).get_data(as_text=True)
        pages.append(CSRF_TOKEN.search(page).group(1))
    answers = [
        browser.post(CHOOSE, data={"password": chosen, "confirm": chosen, "csrf_token": token})
        for browser, chosen, token in zip(
            (client, other), (NEW_PASSWORD, "the second passphrase"), pages, strict=True
        )
    ]
    assert [answer.headers["Location"] for answer in answers] == ["/auth/login", "/auth/reset"]
    assert user.check_password(NEW_PASSWORD)


def test_a_token_changes_the_password_once(app, make_user, db_session):
    user = make_user()
    with app.test_request_context():
        token = make_reset_token(user)
        assert reset_password(token, NEW_PASSWORD) is not None
        assert reset_password(token, "the second passphrase") is None
    assert user.check_password(NEW_PASSWORD)


def test_of_two_uses_at_once_one_changes_the_password(app, make_user, monkeypatch):
    """Two requests that both found the link good before either changed
    anything: the second one's UPDATE finds the login id changed."""
    user = make_user()
    with app.test_request_context():
        token = make_reset_token(user)
        as_checked = SimpleNamespace(id=user.id, email=user.email, login_id=user.login_id)
        assert reset_password(token, NEW_PASSWORD) is not None
        monkeypatch.setattr(reset, "user_for_reset_token", lambda token: as_checked)
        assert reset_password(token, "the second passphrase") is None
    assert user.check_password(NEW_PASSWORD)


def test_a_reset_confirms_the_address(client, csrf, make_user, outbox):
    user = make_user(verified=False)
    ask_for_reset(client, csrf, "ada@example.com")
    choose_password(client, csrf, reset_link(outbox[0][1]))
    assert user.email_verified_at is not None
