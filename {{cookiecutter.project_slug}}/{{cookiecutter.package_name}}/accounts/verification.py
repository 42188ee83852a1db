"""Proving an email address: a signed link mailed to it at sign-up, which
expires and works once.

Until the link is followed, the account may log in but not use the
service's own data (`verified_email_required`, the API's tokens likewise).
A sign-up naming an address that has an account mails its owner instead,
and answers as for a new one, so the page tells nobody who has an account.
EMAIL_VERIFICATION=false turns all of it off.
"""

import functools
import logging
from datetime import UTC, datetime

from flask import current_app, render_template
from flask_login import current_user
from itsdangerous import BadData, URLSafeTimedSerializer
from sqlalchemy import update

from .. import mail
from ..platform.database import db
from .models import User, must_verify_email

logger = logging.getLogger(__name__)
SALT = "email-verification"  # a token signed for another purpose is refused here


def serializer() -> URLSafeTimedSerializer:
    return mail.link_signer(SALT)


def make_verification_token(user: User) -> str:
    # The address is in the token: a link for an address the account no
    # longer has proves nothing.
    return serializer().dumps({"user": user.id, "email": user.email})


def verify_email(token: str) -> bool | None:
    """Mark the token's address as proved: True when this use did, False
    when it was proved already (a second click), None for a forged, expired
    or outdated link."""
    try:
        data = serializer().loads(token, max_age=current_app.config["EMAIL_VERIFICATION_MAX_AGE"])
    except BadData:
        return None
    proved = db.session.execute(
        update(User)
        .where(
            User.id == data["user"],
            User.email == data["email"],
            User.email_verified_at.is_(None),
        )
        .values(email_verified_at=datetime.now(UTC))
    )
    db.session.commit()
    if proved.rowcount == 1:
        return True
    user = db.session.get(User, data["user"])
    if user is not None and user.email == data["email"]:
        return False
    return None


def send_verification_email(user: User) -> None:
    link = mail.public_url_for("auth.confirm_email", token=make_verification_token(user))
    if link is None:
        logger.error("address confirmation not sent: set PUBLIC_URL to build its link")
        return
    hours = current_app.config["EMAIL_VERIFICATION_MAX_AGE"] // 3600
    body = (
        f"Welcome to {current_app.config['SERVICE_NAME']}!\n\n"
        f"To confirm that this address is yours, open this link within {hours} hours:\n\n"
        f"{link}\n\n"
        "If you did not sign up, ignore this message: nothing happens without the link."
    )
    mail.send_email(user.email, f"Confirm your {current_app.config['SERVICE_NAME']} address", body)


def send_account_exists_email(user: User) -> None:
    """What a sign-up naming an address that has an account sends its owner."""
    log_in = mail.public_url_for("auth.login")
    reset = mail.public_url_for("auth.request_reset")
    if log_in is None or reset is None:
        logger.error("account notice not sent: set PUBLIC_URL to build its links")
        return
    body = (
        "Someone, perhaps you, tried to sign up with this address, which already "
        "has an account.\n\n"
        f"To log in: {log_in}\n"
        f"Forgot the password? Choose a new one: {reset}\n\n"
        "If it was not you, ignore this message: your account is as it was."
    )
    mail.send_email(user.email, f"Your {current_app.config['SERVICE_NAME']} account", body)


def verified_email_required(view):
    """For views that need an account whose address is proved (after
    `login_required`): others get a page that says so, with a button that
    mails the link again."""

    @functools.wraps(view)
    def verified_view(*args, **kwargs):
        if current_user.is_authenticated and must_verify_email(current_user):
            return render_template("accounts/verify_email.html"), 403
        return view(*args, **kwargs)

    return verified_view
