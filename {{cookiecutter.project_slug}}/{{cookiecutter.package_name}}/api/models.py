"""The API's table: its tokens."""

from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, String, func
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..accounts.models import User
from ..platform.database import db

MAX_TOKEN_NAME_LENGTH = 60


class ApiToken(db.Model):
    """A token's SHA-256 digest (never the token), its account, and the login
    id it was issued under: a password change gives a new one, ending it."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    login_id: Mapped[str] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    # What its owner called it, to tell their tokens apart; and when it last
    # opened a request (written at most once a minute), or None.
    name: Mapped[str] = mapped_column(String(MAX_TOKEN_NAME_LENGTH), server_default="API token")
    last_used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    user: Mapped[User] = relationship()
