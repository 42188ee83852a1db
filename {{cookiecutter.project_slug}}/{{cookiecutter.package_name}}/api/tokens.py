"""`/api/v1/tokens`: trade an email and password for a token, or revoke one."""

from flask import g
from flask_smorest import Blueprint

from ..extensions import db
from .auth import BASIC, issue_token, password_owner, token_required
from .schemas import ErrorSchema, TokenSchema

bp = Blueprint(
    "api_tokens",
    __name__,
    url_prefix="/api/v1",
    description="Bearer tokens: get one with your email and password, revoke it when done.",
)
auth_required = token_required(bp)


@bp.post("/tokens")
@bp.doc(security=BASIC)
@bp.response(201, TokenSchema)
@bp.alt_response(401, schema=ErrorSchema, description="Wrong or missing email and password")
def create_token():
    """Get a token

    Send the account's email and password with HTTP Basic authentication.
    """
    token, expires_at = issue_token(password_owner())
    return {"token": token, "expires_at": expires_at}


@bp.delete("/tokens")
@auth_required
@bp.response(204)
def revoke_token():
    """Revoke the token this request carries"""
    db.session.delete(g.api_token)
    db.session.commit()
