"""The development mailbox: every mail kept where every process sees it,
and shown at /dev/mail; absent unless development or DEV_MAILBOX asks."""

import re
from urllib.parse import quote

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from {{ cookiecutter.package_name }}.mail import mailbox, send_email

LINK = "http://localhost/auth/verify/a.token-of_sorts"
MESSAGE_LINK = re.compile(r'href="(/dev/mail/[^"]+)"')


@pytest.fixture
def mailbox_app(make_app, tmp_path):
    """A test app with the mailbox on, in an instance folder of its own."""
    return make_app(DEV_MAILBOX="true", INSTANCE_PATH=str(tmp_path / "instance"))


def send(app, to="ada@example.com", subject="Hello", body="A body."):
    with app.app_context():
        send_email(to, subject, body)


def test_only_development_has_it_unless_asked(make_app, tmp_path):
    def has_it(**environ):
        app = make_app(INSTANCE_PATH=str(tmp_path), **environ)
        return app.config["DEV_MAILBOX"], app.test_client().get("/dev/mail/").status_code

    assert has_it() == (False, 404)
    assert has_it(APP_ENV="development") == (True, 200)
    assert has_it(APP_ENV="development", DEV_MAILBOX="false") == (False, 404)
    assert has_it(APP_ENV="test", DEV_MAILBOX="true") == (True, 200)


def test_check_flags_an_open_mailbox(make_app, tmp_path):
    app = make_app(APP_ENV="development", INSTANCE_PATH=str(tmp_path))
    output = app.test_cli_runner().invoke(args=["check"]).output
    assert "- DEV_MAILBOX is on" in output
    assert "- no SMTP server is set" in output  # the mailbox sends nothing
    closed = make_app(APP_ENV="development", DEV_MAILBOX="false", INSTANCE_PATH=str(tmp_path))
    assert "DEV_MAILBOX" not in closed.test_cli_runner().invoke(args=["check"]).output


def test_a_sent_mail_is_listed_and_shown_with_its_links(mailbox_app):
    send(mailbox_app, subject="Confirm <your> address", body=f"Open this:\n\n{LINK}\n\nThanks.")
    client = mailbox_app.test_client()
    listing = client.get("/dev/mail/")
    assert listing.status_code == 200
    page = listing.get_data(as_text=True)
    assert "ada@example.com" in page
    assert "Confirm &lt;your&gt; address" in page
    [path] = MESSAGE_LINK.findall(page)
    shown = client.get(path)
    assert shown.status_code == 200
    text = shown.get_data(as_text=True)
    assert f'<a href="{LINK}">{LINK}</a>' in text
    assert "Open this:" in text


def test_every_process_sees_the_same_mailbox(mailbox_app, make_app, tmp_path):
    """A web worker and the queue's worker are apps of their own, in other
    processes: what one keeps, another shows."""
    worker = make_app(DEV_MAILBOX="true", INSTANCE_PATH=str(tmp_path / "instance"))
    send(worker, subject="From the worker")
    send(mailbox_app, subject="From the web")
    page = mailbox_app.test_client().get("/dev/mail/").get_data(as_text=True)
    assert page.index("From the web") < page.index("From the worker")  # newest first


def test_only_the_newest_mails_are_kept(mailbox_app, monkeypatch):
    monkeypatch.setattr(mailbox, "KEEP", 3)
    for number in range(5):
        send(mailbox_app, subject=f"Mail {number}")
    page = mailbox_app.test_client().get("/dev/mail/").get_data(as_text=True)
    assert [f"Mail {n}" in page for n in range(5)] == [False, False, True, True, True]


def test_a_mail_with_links_and_markup_is_shown_as_text(mailbox_app):
    body = '<script>alert(1)</script> https://example.com/"onmouseover=x javascript:alert(1)'
    send(mailbox_app, body=body)
    client = mailbox_app.test_client()
    [path] = MESSAGE_LINK.findall(client.get("/dev/mail/").get_data(as_text=True))
    text = client.get(path).get_data(as_text=True)
    assert "<script>" not in text
    assert '<a href="https://example.com/">' in text
    assert 'href="javascript' not in text


NAMES = st.one_of(
    st.text(min_size=1),
    st.sampled_from(["..", "../../app.db", "%2e%2e%2fapp", "0" * 20, "0" * 20 + "-00000000"]),
)


@settings(
    max_examples=50, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(name=NAMES)
def test_no_name_is_a_server_error_nor_a_way_out(mailbox_app, name):
    path = "/dev/mail/" + quote(name.encode(errors="surrogatepass"), safe="")
    # 308: Werkzeug sends /dev/mail// (a name "/") to /dev/mail/.
    assert mailbox_app.test_client().get(path).status_code in (404, 308), name
