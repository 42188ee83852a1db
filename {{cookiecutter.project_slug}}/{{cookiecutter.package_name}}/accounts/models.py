"""The accounts' table, typed with SQLAlchemy 2.0's Mapped annotations."""

import secrets
import unicodedata
from datetime import UTC, datetime

from email_validator import EmailNotValidError, validate_email
from flask import current_app
{# Flask-Login's mixin and get_id are the web pages' part of User: a
   class's bases cannot be added from the pages' own files. -#}
{% if cookiecutter.use_web_ui -%}
from flask_login import UserMixin
{% endif -%}
from sqlalchemy import DateTime, String, func, select
from sqlalchemy.orm import Mapped, mapped_column
from werkzeug.security import check_password_hash, generate_password_hash

from ..platform.database import db

# Limits every way in (forms, admin, API, CLI) checks against: defined here,
# once, next to the columns that hold the values.
MIN_PASSWORD_LENGTH = 12
MAX_PASSWORD_LENGTH = 200
MAX_EMAIL_LENGTH = 254


def new_login_id() -> str:
    return secrets.token_urlsafe(24)


class User({% if cookiecutter.use_web_ui %}UserMixin, {% endif %}db.Model):
    __tablename__ = "users"  # "user" is a reserved word in Postgres

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(MAX_EMAIL_LENGTH), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    # What sessions, "keep me logged in" cookies and API tokens are tied to:
    # a new value ends them all (a password change, logging out everywhere).
    login_id: Mapped[str] = mapped_column(String(32), unique=True, default=new_login_id)
    # Who may use the admin pages (with the web pages). Every project has the
    # column, made by its first migration, so adding the pages later needs none.
    is_admin: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    # When the account's owner proved the email address is theirs (a link
    # mailed to it), or None. Accounts made by the commands count as proved.
    email_verified_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    def __init__(self, email: str, password: str, is_admin: bool = False, verified: bool = False):
        self.email = normalize_email(email)
        self.set_password(password)
        self.is_admin = is_admin
        self.email_verified_at = datetime.now(UTC) if verified else None

    def set_password(self, password: str) -> None:
        """Set a new password, ending every session and token of the old one."""
        self.password_hash = hash_password(password)
        self.end_sessions()

    def end_sessions(self) -> None:
        self.login_id = new_login_id()

    def check_password(self, password: str) -> bool:
        return check_password_hash(self.password_hash, password)
{%- if cookiecutter.use_web_ui %}

    # This login's token (sessions.py), set once a session or remember cookie
    # named it; never stored.
    login_token = None

    def get_id(self) -> str | None:
        # Flask-Login keeps this in the session and the remember cookie.
        return self.login_token
{%- endif %}

    def __repr__(self):
        return f"<User {self.email}>"


def hash_password(password: str) -> str:
    return generate_password_hash(password, method=current_app.config["PASSWORD_HASH_METHOD"])


def must_verify_email(user: User) -> bool:
    """Whether `user` is held back from the service's data until the
    address is proved: only while EMAIL_VERIFICATION is on (a setting of
    the pages that send the link; without them, no account is held back)."""
    return user.email_verified_at is None and current_app.config.get("EMAIL_VERIFICATION", False)


def normalize_email(email: str) -> str:
    """The one spelling of an email that identifies an account.

    email-validator's normalized form (Unicode NFC, the domain in lowercase
    IDNA), then compatibility forms folded (fullwidth letters) and the whole
    lowercased, so that lookalike spellings cannot open a second account.
    Raises ValueError (EmailNotValidError) for what is not an email.
    """
    normalized = validate_email(email.strip(), check_deliverability=False).normalized
    folded = unicodedata.normalize("NFKC", normalized).lower()
    if len(folded) > MAX_EMAIL_LENGTH:  # folding may lengthen it: U+FDF2 becomes 4 letters
        raise EmailNotValidError(f"Use an address of at most {MAX_EMAIL_LENGTH} characters.")
    return folded


def user_by_email(email: str) -> User | None:
    """The account for an email however it is spelled; None for a non-email."""
    try:
        email = normalize_email(email)
    except EmailNotValidError:
        return None
    return db.session.scalar(select(User).where(User.email == email))
