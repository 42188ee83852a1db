{%- from "parts.jinja" import parts with context -%}
"""API credentials: a token issued for an email and password (HTTP Basic),
then presented as a bearer token.{% if parts.token_pages %} The account page makes them too
(token_pages.py).{% endif %}

Only each token's SHA-256 digest is stored, so a copy of the database cannot
be replayed against the API. Tokens expire, can be revoked, and end when the
account's password changes (each holds the login id it was issued under).
Each has a name, to tell it apart, and the time it last opened a request.
{%- if parts.web_ui %}

HTTP Basic sends a password alone: an account with a second factor (an
authenticator app or a passkey) gets no token that way, or the password
would be enough after all. Its tokens are made on the account page, after
the second factor.
{%- endif %}
"""

import functools
import hashlib
import secrets
from datetime import UTC, datetime, timedelta

from flask import current_app, g, request
from sqlalchemy import delete, or_, select, update
from werkzeug.datastructures import WWWAuthenticate
from werkzeug.exceptions import Forbidden, Unauthorized

from ..accounts.models import User, must_verify_email
from ..accounts.passwords import authenticate
{%- if parts.web_ui %}
from ..accounts.second_factors import has_second_factor
{%- endif %}
from ..platform.database import db
from .models import ApiToken
from .schemas import ErrorSchema

BEARER = [{"bearerAuth": []}]
BASIC = [{"basicAuth": []}]
# When a token was last used is written at most this often: not a database
# write per request.
LAST_USE_INTERVAL = timedelta(minutes=1)


def digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue_token(
    user: User, name: str | None = None, lifetime: timedelta | None = None
) -> tuple[str, ApiToken]:
    """A new token for `user` and its row, named `name` (or the column's
    default), lasting `lifetime` (or API_TOKEN_HOURS); only the digest is stored.

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
    stored = ApiToken(
        token_hash=digest(token),
        user_id=user.id,
        login_id=user.login_id,
        created_at=now,
        expires_at=now + (lifetime or current_app.config["API_TOKEN_LIFETIME"]),
    )
    if name is not None:
        stored.name = name
    db.session.add(stored)
    db.session.commit()
    return token, stored


def live_tokens(user: User) -> list[ApiToken]:
    """The account's tokens that still open the API, the newest first."""
    return db.session.scalars(
        select(ApiToken)
        .where(
            ApiToken.user_id == user.id,
            ApiToken.login_id == user.login_id,
            ApiToken.expires_at > datetime.now(UTC),
        )
        .order_by(ApiToken.created_at.desc(), ApiToken.id.desc())
    ).all()


def revoke_token(user: User, token_id: int) -> bool:
    """Revoke one of the account's tokens; False if it has no such one."""
    revoked = db.session.execute(
        delete(ApiToken).where(ApiToken.id == token_id, ApiToken.user_id == user.id)
    )
    db.session.commit()
    return revoked.rowcount == 1


def password_owner() -> User:
    """The account named by the request's HTTP Basic email and password."""
    credentials = request.authorization
    if credentials is None or credentials.type != "basic":
        raise unauthorized("basic", "Send your email and password with HTTP Basic.")
    user = authenticate(credentials.username or "", credentials.password or "")
    if user is None:
        raise unauthorized("basic", "Wrong email or password.")
{%- if parts.web_ui %}
    # Only after the right password: a guesser learns nothing from it.
    if has_second_factor(user):
        raise Forbidden(SECOND_FACTOR)
{%- endif %}
    return user


def bearer_token() -> str:
    """The token the request presents, or 401."""
    credentials = request.authorization
    if credentials is None or credentials.type != "bearer" or not credentials.token:
        raise unauthorized("bearer", "Send a token as `Authorization: Bearer <token>`.")
    return credentials.token


def token_owner() -> User:
    """The account whose live stored token the request presents, in one
    query; the token's last use is written at most once a minute."""
    moment = datetime.now(UTC)
    found = db.session.execute(
        select(
            User,
            ApiToken.id,
            or_(
                ApiToken.last_used_at.is_(None),
                ApiToken.last_used_at < moment - LAST_USE_INTERVAL,
            ),
        )
        .join(ApiToken, ApiToken.user_id == User.id)
        .where(
            ApiToken.token_hash == digest(bearer_token()),
            ApiToken.expires_at > moment,
            ApiToken.login_id == User.login_id,
        )
    ).first()
    if found is None:
        raise unauthorized("bearer", "The token is unknown, expired or revoked.")
    user, token_id, stale = found
    if must_verify_email(user):
        raise Forbidden(UNVERIFIED)
    if stale:
        # Committed at once: the owner is found before a view changes anything.
        db.session.execute(
            update(ApiToken).where(ApiToken.id == token_id).values(last_used_at=moment)
        )
        db.session.commit()
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
{%- if parts.web_ui %}
SECOND_FACTOR = (
    "This account has a second factor, which HTTP Basic cannot send: create "
    "its tokens on the account page, /account/, instead."
)
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
