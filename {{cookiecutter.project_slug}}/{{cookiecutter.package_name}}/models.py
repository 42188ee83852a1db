"""Database models, typed with SQLAlchemy 2.0's Mapped annotations."""

from datetime import datetime

{% if cookiecutter.use_web_ui -%}
from flask_login import UserMixin
{% endif -%}
from sqlalchemy import DateTime, ForeignKey, String, Text, func, select
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from .extensions import db

# For every way an account gets a password (forms, admin, CLI).
MIN_PASSWORD_LENGTH = 12


class User({% if cookiecutter.use_web_ui %}UserMixin, {% endif %}db.Model):
    __tablename__ = "users"  # "user" is a reserved word in Postgres

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    is_admin: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())

    notes: Mapped[list["Note"]] = relationship(
        back_populates="owner", cascade="all, delete-orphan", passive_deletes=True
    )

    def __init__(self, email: str, password: str, is_admin: bool = False):
        self.email = normalize_email(email)
        self.set_password(password)
        self.is_admin = is_admin

    def set_password(self, password: str) -> None:
        self.password_hash = generate_password_hash(password, method="scrypt")

    def check_password(self, password: str) -> bool:
        return check_password_hash(self.password_hash, password)

    def __repr__(self):
        return f"<User {self.email}>"


class Note(db.Model):
    """The example resource: copy its pattern, or rename or delete it."""

    __tablename__ = "notes"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text, default="")
    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), onupdate=func.now()
    )

    owner: Mapped[User] = relationship(back_populates="notes")

    def __repr__(self):
        return f"<Note {self.id} {self.title!r}>"


def user_by_email(email: str) -> User | None:
    """The account for an email, however its letters were cased."""
    return db.session.scalar(select(User).where(User.email == normalize_email(email)))


def normalize_email(email: str) -> str:
    """Emails identify accounts, so compare them in one spelling."""
    return email.strip().lower()
