"""Outgoing email: through SMTP when it is configured, to the log otherwise.

`send_email` is what features call (password reset, notifications). Without
SMTP settings the message is logged instead, so development and tests need
no mail server.
"""

import logging
import smtplib
from email.message import EmailMessage

from flask import current_app

logger = logging.getLogger(__name__)
SMTP_TIMEOUT = 10


def send_email(to: str, subject: str, body: str) -> None:
    deliver(build_message(to, subject, body))


def build_message(to: str, subject: str, body: str) -> EmailMessage:
    message = EmailMessage()
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
