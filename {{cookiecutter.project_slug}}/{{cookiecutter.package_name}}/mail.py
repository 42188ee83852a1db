"""Outgoing email: through SMTP when it is configured, to the log otherwise.

`send_email` is what features call (password reset, notifications). Without
SMTP settings the message is logged instead, so development and tests need
no mail server. When the message can be neither queued nor sent, it raises
MailNotSent: the caller tells the person to try again, and nothing is
silently dropped.
"""

import logging
import smtplib
from email.message import EmailMessage
{%- if cookiecutter.use_celery %}
from email.utils import make_msgid
{%- endif %}

from flask import current_app
{%- if cookiecutter.use_celery %}
from kombu.exceptions import OperationalError as QueueUnreachable
{%- endif %}

logger = logging.getLogger(__name__)
SMTP_TIMEOUT = 10


class MailNotSent(Exception):
    """The message was neither queued nor sent; asking again later may work."""


def send_email(to: str, subject: str, body: str) -> None:
{%- if cookiecutter.use_celery %}
    """Queue the message for the worker: the request does not wait on the
    mail server, and the worker retries a server that is briefly away."""
    from .tasks import send_email as send_email_task  # tasks.py imports this module

    try:
        send_email_task.delay(to, subject, body, message_id=make_msgid())
    except (QueueUnreachable, OSError) as error:
        logger.warning("email not queued", extra={"fields": {"to": to, "error": repr(error)}})
        raise MailNotSent from error
{%- else %}
    try:
        deliver(build_message(to, subject, body))
    except (smtplib.SMTPException, OSError) as error:
        logger.warning("email not sent", extra={"fields": {"to": to, "error": repr(error)}})
        raise MailNotSent from error
{%- endif %}


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
