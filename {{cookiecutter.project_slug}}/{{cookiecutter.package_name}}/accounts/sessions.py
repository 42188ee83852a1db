"""Who is logged in: Flask-Login's manager, and how a session or "keep me
logged in" cookie finds its account."""

from flask import g
from flask_login import LoginManager
from sqlalchemy import select

from ..platform.database import db
from .models import User

login_manager = LoginManager()
login_manager.login_view = "auth.login"  # where @login_required sends visitors
login_manager.login_message_category = "info"


@login_manager.user_loader
def load_user(login_id: str) -> User | None:
    """The account a session or remember cookie names by its login id; a
    password change or logging out everywhere gives the account a new one.

    While the database is out, the error page is shown as to a visitor:
    asking the database again would fail the error page itself (a 500).
    """
    if g.get("database_unavailable"):
        return None
    return db.session.scalar(select(User).where(User.login_id == login_id))
