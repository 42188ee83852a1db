"""Outgoing email: through SMTP when it is configured, to the log otherwise.

`send_email` is what features call (password reset, notifications). Without
SMTP settings the message is logged instead, so development and tests need
no mail server. With the worker, queue.py hands messages to it instead.
When the message can be neither queued nor sent, it raises MailNotSent: the
caller tells the person to try again, and nothing is silently dropped. In
development every message is also kept, and shown at /dev/mail (mailbox.py).
"""

import logging
import smtplib
from email.message import EmailMessage
from urllib.parse import unquote, urlsplit

from flask import Flask, current_app, url_for
from itsdangerous import URLSafeTimedSerializer

from ..platform.environment import ConfigError, Setting, true_or_false, whole_number
from ..platform.extending import add_deploy_check
from . import mailbox

logger = logging.getLogger(__name__)
SMTP_TIMEOUT = 10

SMTP_URL = Setting(
    "SMTP_URL",
    "Outgoing mail's server. Unset: messages are written to the log instead of "
    "sent. smtp:// uses STARTTLS (port 587), smtps:// TLS from the start (465).",
    example="smtp://user:password@smtp.example.com:587",
    secret=True,
)
SMTP_HOST = Setting("SMTP_HOST", "Or the mail server's parts, for any provider: its host.")
SMTP_PORT = Setting(
    "SMTP_PORT", "Its port; 465 means TLS from the start.", default="587", parse=whole_number
)
SMTP_USER = Setting("SMTP_USER", "Its user name.")
SMTP_PASSWORD = Setting("SMTP_PASSWORD", "Its password.", secret=True)
MAILGUN_SMTP_SERVER = Setting(
    "MAILGUN_SMTP_SERVER", "Set by Heroku's Mailgun add-on, with the three below."
)
MAILGUN_SMTP_PORT = Setting(
    "MAILGUN_SMTP_PORT", "Mailgun's port.", default="587", parse=whole_number
)
MAILGUN_SMTP_LOGIN = Setting("MAILGUN_SMTP_LOGIN", "Mailgun's user name.")
MAILGUN_SMTP_PASSWORD = Setting("MAILGUN_SMTP_PASSWORD", "Mailgun's password.", secret=True)
MAIL_FROM = Setting(
    "MAIL_FROM",
    "The sender of outgoing mail.",
    default="{{ cookiecutter.project_slug }} <noreply@localhost>",
)
DEV_MAILBOX = Setting(
    "DEV_MAILBOX",
    "Keep every mail sent in the instance folder and show them at /dev/mail, "
    "sent or not. On by default in development only: anyone could read them.",
    parse=true_or_false,
    example="true",
)

SETTINGS = (
    SMTP_URL,
    SMTP_HOST,
    SMTP_PORT,
    SMTP_USER,
    SMTP_PASSWORD,
    MAILGUN_SMTP_SERVER,
    MAILGUN_SMTP_PORT,
    MAILGUN_SMTP_LOGIN,
    MAILGUN_SMTP_PASSWORD,
    MAIL_FROM,
    DEV_MAILBOX,
)


class MailNotSent(Exception):
    """The message was neither queued nor sent; asking again later may work."""


def settings(environ, config) -> dict:
    dev_mailbox = DEV_MAILBOX.read(environ)
    return {
        "SMTP": smtp_settings(environ),
        "MAIL_FROM": MAIL_FROM.read(environ),
        "DEV_MAILBOX": config["APP_ENV"] == "development" if dev_mailbox is None else dev_mailbox,
    }


def init_app(app: Flask) -> None:
    add_deploy_check(app, missing_smtp_server)
    add_deploy_check(app, missing_public_url)
    add_deploy_check(app, open_mailbox)
    if app.config["DEV_MAILBOX"]:
        mailbox.init_app(app)


def missing_smtp_server(config) -> str | None:
    if not config["SMTP"]:
        return (
            "no SMTP server is set (SMTP_URL, or a mail add-on); password reset "
            "links would be written to the log instead of mailed"
        )
    return None


def missing_public_url(config) -> str | None:
    if config["APP_ENV"] == "production" and not config["PUBLIC_URL"]:
        return "PUBLIC_URL is not set; mail cannot link to the service (password reset links)"
    return None


def open_mailbox(config) -> str | None:
    if config["DEV_MAILBOX"]:
        return "DEV_MAILBOX is on; anyone can read every mail the service sends at /dev/mail"
    return None


def public_url_for(endpoint: str, **values) -> str | None:
    """An absolute link for a message that leaves the request, such as mail.

    Built from PUBLIC_URL, never from the request's Host header, which the
    client chooses. Without it only development and tests fall back to the
    request's host; production builds no link (`flask check` says so).
    """
    origin = current_app.config["PUBLIC_URL"]
    if origin:
        return origin + url_for(endpoint, **values)
    if current_app.config["APP_ENV"] == "production":
        return None
    return url_for(endpoint, _external=True, **values)


def link_signer(salt: str) -> URLSafeTimedSerializer:
    """What signs the tokens of mailed links for one purpose (`salt`): with
    SECRET_KEY, and while it is rotated, still opening the links signed with
    a key of SECRET_KEY_FALLBACKS (itsdangerous signs with the last)."""
    config = current_app.config
    keys = [*config["SECRET_KEY_FALLBACKS"], config["SECRET_KEY"]]  # as Flask's session does
    return URLSafeTimedSerializer(keys, salt=salt)


def send_email(to: str, subject: str, body: str) -> None:
    """Send now, or queue for the worker when queue.py is set up."""
    send = current_app.extensions.get("mail_queue", send_now)
    send(to, subject, body)


def send_now(to: str, subject: str, body: str) -> None:
    try:
        deliver(build_message(to, subject, body))
    except (smtplib.SMTPException, OSError) as error:
        logger.warning("email not sent", extra={"fields": {"to": to, "error": repr(error)}})
        raise MailNotSent from error


def build_message(to: str, subject: str, body: str, message_id: str | None = None) -> EmailMessage:
    message = EmailMessage()
    if message_id:
        message["Message-ID"] = message_id
    message["From"] = current_app.config["MAIL_FROM"]
    message["To"] = to
    message["Subject"] = subject
    message.set_content(body)
    return message


def deliver(message: EmailMessage) -> None:
    if current_app.config["DEV_MAILBOX"]:
        mailbox.keep(message)
    smtp = current_app.config["SMTP"]
    if not smtp:
        fields = {
            "to": message["To"],
            "subject": message["Subject"],
            "body": message.get_content(),
        }
        logger.info("email not sent: no SMTP configured", extra={"fields": fields})
        return
    connect = smtplib.SMTP_SSL if smtp["ssl"] else smtplib.SMTP
    with connect(smtp["host"], smtp["port"], timeout=SMTP_TIMEOUT) as server:
        if not smtp["ssl"]:
            server.starttls()
        if smtp["user"]:
            server.login(smtp["user"], smtp["password"])
        server.send_message(message)
    logger.info("email sent", extra={"fields": {"to": message["To"]}})


def smtp_settings(environ) -> dict | None:
    """Where to send mail: SMTP_URL, or a mail add-on's host/port/user/password.

    `smtp://user:password@host:587` uses STARTTLS, `smtps://...:465` TLS from
    the start. Heroku's Mailgun add-on sets MAILGUN_SMTP_SERVER, _PORT, _LOGIN
    and _PASSWORD; SMTP_HOST, _PORT, _USER and _PASSWORD work for any other.
    None means no mail server: messages go to the log.
    """
    smtp_url = SMTP_URL.read(environ)
    if smtp_url:
        url = urlsplit(smtp_url)
        if url.scheme not in ("smtp", "smtps") or not url.hostname:
            raise ConfigError("SMTP_URL must look like smtp://user:password@host:587")
        ssl = url.scheme == "smtps"
        return {
            "host": url.hostname,
            "port": url.port or (465 if ssl else 587),
            "user": unquote(url.username or ""),
            "password": unquote(url.password or ""),
            "ssl": ssl,
        }
    for host, port, user, password in (
        (MAILGUN_SMTP_SERVER, MAILGUN_SMTP_PORT, MAILGUN_SMTP_LOGIN, MAILGUN_SMTP_PASSWORD),
        (SMTP_HOST, SMTP_PORT, SMTP_USER, SMTP_PASSWORD),
    ):
        if host.read(environ):
            return {
                "host": host.read(environ),
                "port": port.read(environ),
                "user": user.read(environ),
                "password": password.read(environ),
                "ssl": port.read(environ) == 465,
            }
    return None
