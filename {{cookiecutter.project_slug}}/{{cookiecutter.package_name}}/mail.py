"""Outgoing email: through SMTP when it is configured, to the log otherwise.

`send_email` is what features call (password reset, notifications). Without
SMTP settings the message is logged instead, so development and tests need
no mail server.
"""

import logging
import smtplib
from email.message import EmailMessage
{%- if cookiecutter.use_celery %}
from email.utils import make_msgid
{%- endif %}

from flask import current_app

logger = logging.getLogger(__name__)
SMTP_TIMEOUT = 10


def send_email(to: str, subject: str, body: str) -> None:
{%- if cookiecutter.use_celery %}
    """Queue the message for the worker: the request does not wait on the
    mail server, and the worker retries a server that is briefly away."""
    from .tasks import send_email as send_email_task  # tasks.py imports this module

    send_email_task.delay(to, subject, body, message_id=make_msgid())
{%- else %}
    deliver(build_message(to, subject, body))
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
