import logging
import smtplib
from typing import ClassVar

import pytest

from {{ cookiecutter.package_name }}.mail import MailNotSent, send_email, send_now, smtp_settings
from {{ cookiecutter.package_name }}.platform.environment import ConfigError


class FakeSMTP:
    """Stands in for smtplib.SMTP and records what the service did with it."""

    sent: ClassVar[list] = []

    def __init__(self, host, port, timeout):
        self.calls = [("connect", host, port)]

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        FakeSMTP.sent.append(self.calls)

    def starttls(self):
        self.calls.append(("starttls",))

    def login(self, user, password):
        self.calls.append(("login", user, password))

    def send_message(self, message):
        self.calls.append(("send", message["To"], message["Subject"], message.get_content()))


def test_smtp_url_is_parsed():
    assert smtp_settings({"SMTP_URL": "smtp://ada:p%40ss@mail.example.com"}) == {
        "host": "mail.example.com",
        "port": 587,
        "user": "ada",
        "password": "p@ss",
        "ssl": False,
    }
    assert smtp_settings({"SMTP_URL": "smtps://mail.example.com"})["port"] == 465


def test_a_mail_add_ons_settings_are_read():
    settings = smtp_settings(
        {
            "MAILGUN_SMTP_SERVER": "smtp.mailgun.org",
            "MAILGUN_SMTP_PORT": "587",
            "MAILGUN_SMTP_LOGIN": "postmaster@example.com",
            "MAILGUN_SMTP_PASSWORD": "secret",
        }
    )
    assert settings["host"] == "smtp.mailgun.org"
    assert settings["user"] == "postmaster@example.com"


def test_no_smtp_settings_means_none_and_a_bad_url_is_refused():
    assert smtp_settings({}) is None
    with pytest.raises(ConfigError, match="SMTP_URL"):
        smtp_settings({"SMTP_URL": "http://mail.example.com"})


def test_without_smtp_mail_goes_to_the_log(app, caplog):
    caplog.set_level(logging.INFO)
    with app.app_context():
        send_email("ada@example.com", "Hello", "Body text")
    (record,) = [r for r in caplog.records if r.name.endswith(".mail")]
    assert record.fields == {"to": "ada@example.com", "subject": "Hello", "body": "Body text\n"}


def test_with_smtp_mail_is_sent_over_starttls(make_app, monkeypatch):
    monkeypatch.setattr(smtplib, "SMTP", FakeSMTP)
    FakeSMTP.sent.clear()
    app = make_app(SMTP_URL="smtp://ada:pw@mail.example.com:2525", MAIL_FROM="svc@example.com")
    with app.app_context():
        send_email("bob@example.com", "Hi", "There")
    assert FakeSMTP.sent == [
        [
            ("connect", "mail.example.com", 2525),
            ("starttls",),
            ("login", "ada", "pw"),
            ("send", "bob@example.com", "Hi", "There\n"),
        ]
    ]


def test_a_mail_that_cannot_be_sent_raises_mail_not_sent(make_app):
    app = make_app(SMTP_URL="smtp://127.0.0.1:1")  # nothing listens on port 1
    with app.app_context(), pytest.raises(MailNotSent):
        send_now("ada@example.com", "Hello", "A body.")


def test_check_flags_production_without_mail(make_app):
    app = make_app(APP_ENV="development")
    result = app.test_cli_runner().invoke(args=["check"])
    assert "- no SMTP server is set" in result.output
    app = make_app(APP_ENV="development", SMTP_URL="smtp://user:pw@smtp.example.com:587")
    assert "SMTP" not in app.test_cli_runner().invoke(args=["check"]).output


def test_check_flags_production_mail_without_a_public_url(make_app):
    production = {"APP_ENV": "production", "SECRET_KEY": "s" * 48}
    result = make_app(**production).test_cli_runner().invoke(args=["check"])
    assert "- PUBLIC_URL is not set; mail cannot link to the service" in result.output
    app = make_app(**production, PUBLIC_URL="https://service.example.com")
    assert "mail cannot link" not in app.test_cli_runner().invoke(args=["check"]).output
