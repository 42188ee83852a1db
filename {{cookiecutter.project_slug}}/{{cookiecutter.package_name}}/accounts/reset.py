"""Password reset links: signed, expiring, and good for one use.

The link carries a token signed with SECRET_KEY. Besides the user's id it
holds a fingerprint of the current password hash: once the password changes,
the fingerprint no longer matches and the link is dead, so no table of used
tokens is needed. `max_age` makes it expire.
"""

import hashlib
import hmac
import logging

from flask import current_app, url_for
from itsdangerous import BadData, URLSafeTimedSerializer

from .. import mail
from ..platform.database import db
from .models import User

logger = logging.getLogger(__name__)
SALT = "password-reset"  # a token signed for another purpose is refused here


def serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=SALT)


def password_fingerprint(user: User) -> str:
    return hashlib.sha256(user.password_hash.encode()).hexdigest()[:20]


def make_reset_token(user: User) -> str:
    return serializer().dumps({"user": user.id, "password": password_fingerprint(user)})


def user_for_reset_token(token: str) -> User | None:
    """The user the token was made for, or None if it is forged, expired or used."""
    try:
        data = serializer().loads(token, max_age=current_app.config["PASSWORD_RESET_MAX_AGE"])
    except BadData:
        return None
    user = db.session.get(User, data["user"])
    if user is None or not hmac.compare_digest(data["password"], password_fingerprint(user)):
        return None
    return user


def send_reset_email(user: User) -> None:
    link = public_url_for("auth.reset_password", token=make_reset_token(user))
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
