"""`/api/v1/tokens`: trade an email and password for a token, or revoke one."""

from ..accounts.limits import attempts_per_address, token_attempts_per_account
from .blueprint import ApiBlueprint
from .credentials import (
    BASIC,
    issue_token,
    password_owner,
    revoke_presented_token,
    token_required,
)
from .schemas import ErrorSchema, TokenSchema

bp = ApiBlueprint(
    "api_tokens",
    __name__,
    url_prefix="/api/v1",
    description="Bearer tokens: get one with your email and password, revoke it when done.",
)
auth_required = token_required(bp)


@bp.post("/tokens")
@attempts_per_address
@token_attempts_per_account
@bp.doc(security=BASIC)
@bp.response(201, TokenSchema)
@bp.alt_response(401, schema=ErrorSchema, description="Wrong or missing email and password")
@bp.alt_response(429, schema=ErrorSchema, description="Too many attempts; see Retry-After")
def create_token():
    """Get a token

    Send the account's email and password with HTTP Basic authentication.
    Attempts are limited per client address and per account.
    """
    token, expires_at = issue_token(password_owner())
    return {"token": token, "expires_at": expires_at}


@bp.delete("/tokens")
@auth_required
@bp.response(204)
def revoke_token():
    """Revoke the token this request carries"""
    revoke_presented_token()
