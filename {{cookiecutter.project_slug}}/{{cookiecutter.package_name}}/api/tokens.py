{%- from "parts.jinja" import parts with context -%}
"""`/api/v1/tokens`: trade an email and password for a token, list the
account's tokens, revoke one of them or the one a request carries."""

from flask import abort, g

from ..accounts.limits import attempts_per_address, token_attempts_per_account
from .blueprint import ApiBlueprint
from .credentials import (
    BASIC,
    issue_token,
    live_tokens,
    password_owner,
    revoke_presented_token,
    revoke_token,
    token_required,
)
from .schemas import ErrorSchema, TokenInfoSchema, TokenInSchema, TokenSchema

bp = ApiBlueprint(
    "api_tokens",
    __name__,
    url_prefix="/api/v1",
    description="Bearer tokens: get one with your email and password, list yours, revoke them.",
)
auth_required = token_required(bp)


@bp.post("/tokens")
@attempts_per_address
@token_attempts_per_account
@bp.arguments(TokenInSchema, required=False)
@bp.doc(security=BASIC)
@bp.response(201, TokenSchema)
@bp.alt_response(401, schema=ErrorSchema, description="Wrong or missing email and password")
{%- if parts.web_ui %}
@bp.alt_response(
    403,
    schema=ErrorSchema,
    description="The account has a second factor: its tokens are made on the account page",
)
{%- endif %}
@bp.alt_response(429, schema=ErrorSchema, description="Too many attempts; see Retry-After")
def create_token(fields):
    """Get a token

    Send the account's email and password with HTTP Basic authentication,
    and optionally a name for the token. Attempts are limited per client
    address and per account.
{%- if parts.web_ui %}
    An account with a second factor (an authenticator app or a passkey)
    gets 403: a password alone does not prove it, so its tokens are made
    on the account page, /account/.
{%- endif %}
    """
    token, stored = issue_token(password_owner(), name=fields.get("name"))
    return {
        "token": token,
        "id": stored.id,
        "name": stored.name,
        "created_at": stored.created_at,
        "expires_at": stored.expires_at,
        "last_used_at": None,
    }


@bp.get("/tokens")
@auth_required
@bp.response(200, TokenInfoSchema(many=True))
def list_tokens():
    """List your tokens that still work, newest first

    Each with its name, when it was made, when it expires and when it last
    opened a request; never the token itself.
    """
    return live_tokens(g.api_user)


@bp.delete("/tokens")
@auth_required
@bp.response(204)
def revoke_token_in_use():
    """Revoke the token this request carries"""
    revoke_presented_token()


@bp.delete("/tokens/<int:token_id>")
@auth_required
@bp.response(204)
@bp.alt_response(404, schema=ErrorSchema, description="No such token of yours")
def revoke_one_token(token_id):
    """Revoke one of your tokens, by its id"""
    if not revoke_token(g.api_user, token_id):
        abort(404, description=f"You have no token {token_id}.")
