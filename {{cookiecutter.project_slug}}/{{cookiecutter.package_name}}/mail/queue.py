"""Mail through the worker: the request does not wait on the mail server,
and the worker retries a server that is briefly away. Set up when the
project has both the web pages and the worker."""

import logging
import smtplib
from email.utils import make_msgid

from celery import shared_task
from flask import Flask
from kombu.exceptions import OperationalError as QueueUnreachable

from . import MailNotSent, build_message, deliver

logger = logging.getLogger(__name__)

# Failures worth another try: the mail server or the network was away.
TRANSIENT_ERRORS = (
    ConnectionError,
    TimeoutError,
    smtplib.SMTPConnectError,
    smtplib.SMTPServerDisconnected,
)


def init_app(app: Flask) -> None:
    app.extensions["mail_queue"] = queue_email


def queue_email(to: str, subject: str, body: str) -> None:
    try:
        send_email.delay(to, subject, body, message_id=make_msgid())
    except (QueueUnreachable, OSError) as error:
        logger.warning("email not queued", extra={"fields": {"to": to, "error": repr(error)}})
        raise MailNotSent from error


@shared_task(
    autoretry_for=TRANSIENT_ERRORS,
    retry_backoff=True,  # 1 s, 2 s, 4 s ... with jitter, at most 10 minutes
    retry_backoff_max=600,
    retry_jitter=True,
    max_retries=8,
)
def send_email(to: str, subject: str, body: str, message_id: str) -> None:
    """Deliver one email. A second run sends the same Message-ID, which
    receiving mail systems treat as the same message."""
    deliver(build_message(to, subject, body, message_id=message_id))
