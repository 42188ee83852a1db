"""The notes' table."""

from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, String, func
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..accounts.models import User
from ..platform.database import db

# Limits every way in (forms, admin, API) checks against: defined here, once,
# next to the columns that hold the values.
MAX_TITLE_LENGTH = 200
MAX_BODY_LENGTH = 20_000


class Note(db.Model):
    __tablename__ = "notes"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(MAX_TITLE_LENGTH))
    body: Mapped[str] = mapped_column(String(MAX_BODY_LENGTH), default="")
    # Deleting an account deletes its notes, in the database itself.
    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), onupdate=func.now()
    )

    owner: Mapped[User] = relationship()

    def __str__(self):
        return self.title

    def __repr__(self):
        return f"<Note {self.id} {self.title!r}>"
