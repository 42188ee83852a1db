"""Security notices: a mail to an account's owner after a change they
should know about (the password, the email, a second factor, a passkey, a
recovery code used), through the worker when there is one.

A notice says what happened, when and from what device, and what to do if
it was not them; it never carries a secret or a link that acts.
"""

import logging
from datetime import UTC, datetime

from flask import current_app, request

from .. import mail
from .models import User
from .profile import device

logger = logging.getLogger(__name__)


def send_notice(
    user: User, subject: str, what_happened: str, to: str | None = None, advice: str | None = None
) -> None:
    """Tell the owner of `user` (or the address `to`) what just happened,
    and what to do if it was not them (`advice`, or the password's).

    The change it reports is made already: a notice that cannot be sent is
    logged, and does not undo it.
    """
    service = current_app.config["SERVICE_NAME"]
    moment = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    if advice is None:
        reset = mail.public_url_for("auth.request_reset")
        advice = (
            "If this was you, there is nothing to do.\n"
            "If it was not, someone else has your password: choose a new one"
            + (f" at {reset}" if reset else "")
            + ", and look at where you are logged in on your account page."
        )
    body = (
        f"{what_happened}\n\n"
        f"When: {moment}\n"
        f"From: {device(request.user_agent.string)}\n\n"
        f"{advice}\n"
    )
    try:
        mail.send_email(to or user.email, f"{service}: {subject}", body)
    except mail.MailNotSent:
        logger.warning("security notice not sent", extra={"fields": {"subject": subject}})
