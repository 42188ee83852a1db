"""Signing in with an email and a password: the one check that the login
form and the API's token endpoint both go through."""

import functools
import secrets

from flask import current_app
from werkzeug.security import check_password_hash, generate_password_hash

from .models import User, user_by_email


def authenticate(email: str, password: str) -> User | None:
    """The account with this email and password, or None.

    Unknown emails cost a password hash too, so the time taken does not tell
    which emails have an account.
    """
    user = user_by_email(email)
    if user is None:
        method = current_app.config["PASSWORD_HASH_METHOD"]
        check_password_hash(unknown_account_hash(method), password)
        return None
    return user if user.check_password(password) else None


@functools.cache
def unknown_account_hash(method: str) -> str:
    return generate_password_hash(secrets.token_urlsafe(16), method=method)
