"""The account page lists where the account is logged in, and ends any of
those sessions."""

import re

import pytest
from sqlalchemy import select

from {{ cookiecutter.package_name }}.accounts.profile import device
from {{ cookiecutter.package_name }}.accounts.sessions import LoginSession

CSRF_TOKEN = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
FIREFOX = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"
PHONE = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1"
)


def logged_in_browser(app, password, user_agent, address):
    browser = app.test_client()
    headers = {"User-Agent": user_agent, "X-Forwarded-For": address}
    page = browser.get("/auth/login", headers=headers).get_data(as_text=True)
    data = {
        "email": "ada@example.com",
        "password": password,
        "csrf_token": CSRF_TOKEN.search(page).group(1),
    }
    assert browser.post("/auth/login", data=data, headers=headers).status_code == 302
    return browser


@pytest.fixture
def two_browsers(app, make_user, password):
    """The account, logged in on a laptop (this browser) and on a phone."""
    make_user()
    laptop = logged_in_browser(app, password, FIREFOX, "198.51.100.7")
    phone = logged_in_browser(app, password, PHONE, "203.0.113.20")
    return laptop, phone


def token_of(browser, path="/account/"):
    return CSRF_TOKEN.search(browser.get(path).get_data(as_text=True)).group(1)


def session_ids(db_session):
    db_session.expire_all()
    return {login.user_agent: login.id for login in db_session.scalars(select(LoginSession))}


def test_visitors_are_sent_to_log_in(client):
    response = client.get("/account/")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/auth/login?next=")


def test_the_page_lists_every_session(two_browsers):
    laptop, _ = two_browsers
    response = laptop.get("/account/", headers={"User-Agent": FIREFOX})
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "no-store" in response.headers["Cache-Control"]
    assert "Firefox on Linux" in page
    assert "Safari on iOS" in page
    assert "198.51.100.7" in page
    assert "203.0.113.20" in page
    assert page.count("(this browser)") == 1
    this_row = page[page.index('class="this-session"') :]
    assert this_row.index("Firefox on Linux") < this_row.index("</tr>")


def test_ending_another_session_logs_that_browser_out(two_browsers, db_session):
    laptop, phone = two_browsers
    phone_session = session_ids(db_session)[PHONE]
    ended = laptop.post(
        f"/account/sessions/{phone_session}/end", data={"csrf_token": token_of(laptop)}
    )
    assert ended.status_code == 302
    assert ended.headers["Location"] == "/account/"
    assert phone.get("/notes/").status_code == 302
    assert laptop.get("/notes/").status_code == 200
    assert set(session_ids(db_session)) == {FIREFOX}


def test_ending_this_session_logs_out(two_browsers, db_session):
    laptop, phone = two_browsers
    mine = session_ids(db_session)[FIREFOX]
    ended = laptop.post(f"/account/sessions/{mine}/end", data={"csrf_token": token_of(laptop)})
    assert ended.headers["Location"] == "/"
    assert laptop.get("/notes/").status_code == 302
    assert phone.get("/notes/").status_code == 200


def test_ending_needs_the_csrf_token(two_browsers, db_session):
    laptop, phone = two_browsers
    phone_session = session_ids(db_session)[PHONE]
    assert laptop.post(f"/account/sessions/{phone_session}/end").status_code == 400
    assert laptop.get(f"/account/sessions/{phone_session}/end").status_code == 405
    assert phone.get("/notes/").status_code == 200


def test_another_accounts_session_cannot_be_ended(app, two_browsers, make_user, db_session):
    laptop, _ = two_browsers
    make_user("bob@example.com")
    bob = app.test_client()
    token = CSRF_TOKEN.search(bob.get("/auth/login").get_data(as_text=True)).group(1)
    data = {"email": "bob@example.com", "password": "correct horse battery", "csrf_token": token}
    bob.post("/auth/login", data=data, headers={"User-Agent": "Bob's browser"})
    bobs = session_ids(db_session)["Bob's browser"]
    answer = laptop.post(f"/account/sessions/{bobs}/end", data={"csrf_token": token_of(laptop)})
    assert answer.status_code == 404
    missing = laptop.post("/account/sessions/2147483647/end", data={"csrf_token": token_of(laptop)})
    assert missing.status_code == 404
    assert bob.get("/notes/").status_code == 200


def test_logging_out_everywhere_ends_every_session(two_browsers):
    laptop, phone = two_browsers
    answer = laptop.post("/auth/logout-everywhere", data={"csrf_token": token_of(laptop)})
    assert answer.status_code == 302
    assert laptop.get("/notes/").status_code == 302
    assert phone.get("/notes/").status_code == 302


def test_an_unconfirmed_account_is_offered_a_new_link(client, make_user, log_in):
    make_user(verified=False)
    log_in()
    page = client.get("/account/").get_data(as_text=True)
    assert "not confirmed yet" in page
    assert 'action="/auth/verify"' in page


@pytest.mark.parametrize(
    ("user_agent", "shown"),
    [
        (FIREFOX, "Firefox on Linux"),
        (PHONE, "Safari on iOS"),
        (
            "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
            "Chrome/126.0.0.0 Safari/537.36 Edg/126.0.0.0",
            "Edge on Windows",
        ),
        (
            "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) "
            "Chrome/126.0.0.0 Mobile Safari/537.36",
            "Chrome on Android",
        ),
        (
            "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 (KHTML, like "
            "Gecko) Version/17.5 Safari/605.1.15",
            "Safari on macOS",
        ),
        ("curl/8.8.0", "curl"),
        ("", "An unknown device"),
    ],
)
def test_devices_have_the_names_people_know(user_agent, shown):
    assert device(user_agent) == shown
