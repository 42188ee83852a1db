"""Outgoing email: through SMTP when it is configured, to the log otherwise.

`send_email` is what features call (password reset, notifications). Without
SMTP settings the message is logged instead, so development and tests need
no mail server. With the worker, queue.py hands messages to it instead.
When the message can be neither queued nor sent, it raises MailNotSent: the
caller tells the person to try again, and nothing is silently dropped.
"""

import logging
import smtplib
from email.message import EmailMessage
from urllib.parse import unquote, urlsplit

from flask import Flask, current_app

from ..platform.environment import ConfigError, int_setting
from ..platform.extending import add_deploy_check

logger = logging.getLogger(__name__)
SMTP_TIMEOUT = 10


class MailNotSent(Exception):
    """The message was neither queued nor sent; asking again later may work."""


def settings(environ, config) -> dict:
    return {
        "SMTP": smtp_settings(environ),
        "MAIL_FROM": environ.get("MAIL_FROM", "{{ cookiecutter.project_slug }} <noreply@localhost>"),
    }


def init_app(app: Flask) -> None:
    add_deploy_check(app, missing_smtp_server)
    add_deploy_check(app, missing_public_url)


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
    if environ.get("SMTP_URL"):
        url = urlsplit(environ["SMTP_URL"])
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
    for prefix, user_key in (("MAILGUN_SMTP_", "LOGIN"), ("SMTP_", "USER")):
        host = environ.get(f"{prefix}SERVER") or environ.get(f"{prefix}HOST")
        if host:
            port = int_setting(environ, f"{prefix}PORT", 587)
            return {
                "host": host,
                "port": port,
                "user": environ.get(f"{prefix}{user_key}", ""),
                "password": environ.get(f"{prefix}PASSWORD", ""),
                "ssl": port == 465,
            }
    return None
