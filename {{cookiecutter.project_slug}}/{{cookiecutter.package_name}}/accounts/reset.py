"""Password reset links: signed, expiring, and good for one use.

The link carries a token signed with SECRET_KEY. It names the account, the
address it was mailed to, and a fingerprint of the account's login id: a
new address, a new password or logging out everywhere each kill the link,
with no table of links. Using it changes the password only if the login id
is still the one the link names, in one UPDATE whose row count says whether
it did: of two uses at once, one finds the new login id and changes nothing.
"""

import hashlib
import hmac
import logging
from datetime import UTC, datetime

from flask import current_app
from itsdangerous import BadData, URLSafeTimedSerializer
from sqlalchemy import func, update

from .. import mail
from ..platform.database import db
from .models import User, hash_password, new_login_id

logger = logging.getLogger(__name__)
SALT = "password-reset"  # a token signed for another purpose is refused here


def serializer() -> URLSafeTimedSerializer:
    return mail.link_signer(SALT)


def login_fingerprint(user: User) -> str:
    return hashlib.sha256(user.login_id.encode()).hexdigest()[:20]


def make_reset_token(user: User) -> str:
    return serializer().dumps(
        {"user": user.id, "email": user.email, "login": login_fingerprint(user)}
    )


def user_for_reset_token(token: str) -> User | None:
    """The user the token was made for, or None if it is forged, expired,
    used, or outdated (the account's address or logins changed since)."""
    try:
        data = serializer().loads(token, max_age=current_app.config["PASSWORD_RESET_MAX_AGE"])
    except BadData:
        return None
    user = db.session.get(User, data["user"])
    if (
        user is None
        or user.email != data["email"]
        or not hmac.compare_digest(data["login"], login_fingerprint(user))
    ):
        return None
    return user


def reset_password(token: str, password: str) -> User | None:
    """Set the password the token's link chose, ending every session and
    API token of the account; None if the link is no longer good.

    Following the link proves the address too, as a confirmation link would.
    """
    user = user_for_reset_token(token)
    if user is None:
        return None
    changed = db.session.execute(
        update(User)
        .where(User.id == user.id, User.email == user.email, User.login_id == user.login_id)
        .values(
            password_hash=hash_password(password),
            login_id=new_login_id(),
            email_verified_at=func.coalesce(User.email_verified_at, datetime.now(UTC)),
        )
        .execution_options(synchronize_session=False)
    )
    if changed.rowcount != 1:
        db.session.rollback()
        return None
    db.session.commit()
    return user


def send_reset_email(user: User) -> None:
    link = mail.public_url_for("auth.reset_link", token=make_reset_token(user))
    if link is None:
        logger.error("password reset not sent: set PUBLIC_URL to build its link")
        return
    minutes = current_app.config["PASSWORD_RESET_MAX_AGE"] // 60
    body = (
        "Someone asked to reset the password of your account.\n\n"
        f"To choose a new password, open this link within {minutes} minutes:\n\n"
        f"{link}\n\n"
        "The link works once. If you did not ask for it, ignore this message."
    )
    mail.send_email(user.email, f"Reset your {current_app.config['SERVICE_NAME']} password", body)
