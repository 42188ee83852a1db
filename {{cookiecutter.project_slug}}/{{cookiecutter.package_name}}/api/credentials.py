{%- from "parts.jinja" import parts with context -%}
"""API credentials: a token issued for an email and password (HTTP Basic),
then presented as a bearer token.

Only each token's SHA-256 digest is stored, so a copy of the database cannot
be replayed against the API. Tokens expire, can be revoked, and end when the
account's password changes (each holds the login id it was issued under).
"""

import functools
import hashlib
import secrets
from datetime import UTC, datetime

from flask import current_app, g, request
from sqlalchemy import delete, select
from werkzeug.datastructures import WWWAuthenticate
from werkzeug.exceptions import Forbidden, Unauthorized

from ..accounts.models import User, must_verify_email
from ..accounts.passwords import authenticate
from ..platform.database import db
from .models import ApiToken
from .schemas import ErrorSchema

BEARER = [{"bearerAuth": []}]
BASIC = [{"basicAuth": []}]


def digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue_token(user: User) -> tuple[str, datetime]:
    """A new token for `user` and its expiry; only the digest is stored.

    The user's expired or ended tokens are deleted on the way: they open nothing.
    """
    now = datetime.now(UTC)
    db.session.execute(
        delete(ApiToken).where(
            ApiToken.user_id == user.id,
            (ApiToken.expires_at <= now) | (ApiToken.login_id != user.login_id),
        )
    )
    token = secrets.token_urlsafe(32)
    expires_at = now + current_app.config["API_TOKEN_LIFETIME"]
    db.session.add(
        ApiToken(token_hash=digest(token), user=user, login_id=user.login_id, expires_at=expires_at)
    )
    db.session.commit()
    return token, expires_at


def password_owner() -> User:
    """The account named by the request's HTTP Basic email and password."""
    credentials = request.authorization
    if credentials is None or credentials.type != "basic":
        raise unauthorized("basic", "Send your email and password with HTTP Basic.")
    user = authenticate(credentials.username or "", credentials.password or "")
    if user is None:
        raise unauthorized("basic", "Wrong email or password.")
    return user


def bearer_token() -> str:
    """The token the request presents, or 401."""
    credentials = request.authorization
    if credentials is None or credentials.type != "bearer" or not credentials.token:
        raise unauthorized("bearer", "Send a token as `Authorization: Bearer <token>`.")
    return credentials.token


def token_owner() -> User:
    """The account whose live stored token the request presents, in one query."""
    user = db.session.scalar(
        select(User)
        .join(ApiToken, ApiToken.user_id == User.id)
        .where(
            ApiToken.token_hash == digest(bearer_token()),
            ApiToken.expires_at > datetime.now(UTC),
            ApiToken.login_id == User.login_id,
        )
    )
    if user is None:
        raise unauthorized("bearer", "The token is unknown, expired or revoked.")
    if must_verify_email(user):
        raise Forbidden(UNVERIFIED)
    return user


def revoke_presented_token() -> None:
    db.session.execute(delete(ApiToken).where(ApiToken.token_hash == digest(bearer_token())))
    db.session.commit()


{% if parts.web_ui -%}
# Verification comes with the pages (EMAIL_VERIFICATION): logged in there,
# an unconfirmed account is offered the link again.
UNVERIFIED = (
    "Confirm your account's email address first: open the link mailed to it, "
    "or log in on the site's pages to have another one sent."
)
{%- else -%}
UNVERIFIED = "Confirm your account's email address first: open the link mailed to it."
{%- endif %}


def unauthorized(scheme: str, message: str) -> Unauthorized:
    return Unauthorized(message, www_authenticate=WWWAuthenticate(scheme))


def token_required(blueprint):
    """A decorator for the views of `blueprint` that need a bearer token.

    The view runs with the token's owner in `g.api_user`; without a valid
    token the answer is 401, and 403 while the owner's email address is not
    confirmed. The OpenAPI document says all three.
    """

    def decorator(view):
        @functools.wraps(view)
        def authenticated_view(*args, **kwargs):
            g.api_user = token_owner()
            return view(*args, **kwargs)

        documented = blueprint.doc(security=BEARER)(authenticated_view)
        unauthorized = blueprint.alt_response(
            401, schema=ErrorSchema, description="No valid bearer token"
        )
        unverified = blueprint.alt_response(
            403, schema=ErrorSchema, description="The account's email address is not confirmed"
        )
        return unverified(unauthorized(documented))

    return decorator
