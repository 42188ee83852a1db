"""Password reset links: signed, expiring, and good for one use.

The link carries a token signed with SECRET_KEY. Besides the user's id it
holds a fingerprint of the current password hash: once the password changes,
the fingerprint no longer matches and the link is dead, so no table of used
tokens is needed. `max_age` makes it expire.
"""

import hashlib
import hmac

from flask import current_app, url_for
from itsdangerous import BadData, URLSafeTimedSerializer

from .. import mail
from ..extensions import db
from ..models import User

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
    # An absolute link, built from the request's host: behind Heroku's router
    # that is one of the app's own domains, as the router routes by it.
    link = url_for("auth.reset_password", token=make_reset_token(user), _external=True)
    minutes = current_app.config["PASSWORD_RESET_MAX_AGE"] // 60
    body = (
        "Someone asked to reset the password of your account.\n\n"
        f"To choose a new password, open this link within {minutes} minutes:\n\n"
        f"{link}\n\n"
        "The link works once. If you did not ask for it, ignore this message."
    )
    mail.send_email(user.email, f"Reset your {current_app.config['SERVICE_NAME']} password", body)
