{%- from "parts.jinja" import parts with context -%}
"""Deleting an account, and everything it owns with it.

Every table that refers to an account does so with ON DELETE CASCADE, so
one DELETE of the account's row removes all it owns, in one transaction:
its notes{% if parts.api %}, API tokens{% endif %}{% if parts.web_ui %}, sessions, second factors, passkeys{% endif %} and the records of the resources
`flask scaffold` writes. SQLite enforces it too (platform/database.py turns
its foreign keys on).

The last admin stays: an account with the admin right is deleted, or loses
the right, only while another admin exists.
"""

from sqlalchemy import delete, select

from ..platform.database import db
from .models import User


def last_admin_message(email: str) -> str:
    return f"{email} is the only admin: make another account an admin first."


def admins_locked() -> list[int]:
    """The ids of the accounts with the admin right, their rows locked until
    the transaction ends (FOR UPDATE, on Postgres; SQLite lets one writer in
    at a time anyway). Of two admins removing each other at once, the second
    waits for the first, then finds itself the last one. Locked in id order,
    so that the two cannot each hold a row the other waits for."""
    # Locked before the session writes what it holds (an admin demoted in
    # the admin, say): a write first would take a row's lock out of order.
    with db.session.no_autoflush:
        return db.session.scalars(
            select(User.id).where(User.is_admin).order_by(User.id).with_for_update()
        ).all()


def no_other_admin(user: User) -> bool:
    """Whether no account but `user` has the admin right (rows locked, above)."""
    return set(admins_locked()) <= {user.id}


def delete_account(user: User) -> bool:
    """Delete the account and all it owns, in one transaction; False, with
    nothing deleted, when it is the last admin."""
    user_id = user.id
    admins = admins_locked()
    if admins == [user_id]:
        db.session.rollback()
        return False
    db.session.execute(delete(User).where(User.id == user_id))
    db.session.commit()
    return True
