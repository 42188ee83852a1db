"""Who is logged in: each login is a session kept on the server, a row of
`login_sessions`, which the session cookie and the "keep me logged in"
cookie only name.

A login gets a random token; the browser holds it (Flask-Login keeps what
`User.get_id()` returns in both cookies) and the table only its SHA-256
digest. Deleting the row ends the login whatever cookies a browser, or a
thief, kept: logging out deletes this one, the account page any of them.
Each row also holds the account's login id of its day, so a new one (a
password change, logging out everywhere) ends them all at once, as it ends
the API's tokens. A session ends on its own after an absolute lifetime, and
after a while without requests.
"""

import hashlib
import secrets
from datetime import UTC, datetime, timedelta

from flask import Flask, current_app, g, request, session
from flask_login import LoginManager, current_user, login_user, logout_user
from sqlalchemy import DateTime, ForeignKey, String, and_, delete, or_, select
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..pages.forms import CONTROL_CHARACTER
from ..platform.database import db
from ..platform.environment import Setting, whole_number
from .models import User

login_manager = LoginManager()
login_manager.login_view = "auth.login"  # where @login_required sends visitors
login_manager.login_message_category = "info"

# Last-seen is written at most this often: not a database write per request.
TOUCH_INTERVAL = timedelta(minutes=1)
MAX_USER_AGENT_LENGTH = 255
MAX_ADDRESS_LENGTH = 64

SESSION_HOURS = Setting(
    "SESSION_HOURS",
    'Hours a login without "keep me logged in" lasts at most, however busy.',
    default="12",
    parse=whole_number,
)
SESSION_IDLE_MINUTES = Setting(
    "SESSION_IDLE_MINUTES",
    'Minutes without a request after which a login without "keep me logged in" ends.',
    default="60",
    parse=whole_number,
)
REMEMBER_DAYS = Setting(
    "REMEMBER_DAYS",
    'Days a "keep me logged in" login (and its cookie) lasts at most. Changing the '
    'password, or "Log out everywhere", ends every one of them at once.',
    default="14",
    parse=whole_number,
)
REMEMBER_IDLE_DAYS = Setting(
    "REMEMBER_IDLE_DAYS",
    'Days without a request after which a "keep me logged in" login ends.',
    default="7",
    parse=whole_number,
)

SETTINGS = (SESSION_HOURS, SESSION_IDLE_MINUTES, REMEMBER_DAYS, REMEMBER_IDLE_DAYS)


def settings(environ, config) -> dict:
    production = config["APP_ENV"] == "production"
    remember_days = timedelta(days=REMEMBER_DAYS.read(environ))
    return {
        "SESSION_LIFETIME": timedelta(hours=SESSION_HOURS.read(environ)),
        "SESSION_IDLE_TIMEOUT": timedelta(minutes=SESSION_IDLE_MINUTES.read(environ)),
        "REMEMBERED_SESSION_IDLE_TIMEOUT": timedelta(days=REMEMBER_IDLE_DAYS.read(environ)),
        # "Keep me logged in": a cookie as guarded as the session's, as long
        # as its login may last.
        "REMEMBER_COOKIE_DURATION": remember_days,
        "REMEMBER_COOKIE_SECURE": production,
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
    }


def init_app(app: Flask) -> None:
    login_manager.init_app(app)


class LoginSession(db.Model):
    """One login: its token's digest (never the token), its account, and
    when it started, was last seen and ends; from where, on what."""

    __tablename__ = "login_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    login_id: Mapped[str] = mapped_column(String(32))
    remembered: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    last_seen_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    user_agent: Mapped[str] = mapped_column(String(MAX_USER_AGENT_LENGTH))
    address: Mapped[str] = mapped_column(String(MAX_ADDRESS_LENGTH))
    # When this login last proved who it is (logging in, or again before a
    # sensitive change: sudo.py); None for one that never did.
    proved_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    user: Mapped[User] = relationship()


def digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def now() -> datetime:
    return datetime.now(UTC)


def alive(moment: datetime):
    """The SQL condition of a session that has not ended by `moment`."""
    config = current_app.config
    return and_(
        LoginSession.expires_at > moment,
        LoginSession.login_id == User.login_id,
        or_(
            and_(
                LoginSession.remembered,
                LoginSession.last_seen_at > moment - config["REMEMBERED_SESSION_IDLE_TIMEOUT"],
            ),
            and_(
                ~LoginSession.remembered,
                LoginSession.last_seen_at > moment - config["SESSION_IDLE_TIMEOUT"],
            ),
        ),
    )


@login_manager.user_loader
def load_user(token: str) -> User | None:
    """The account of the live session whose token a session or remember
    cookie holds, or None.

    While the database is out, the error page is shown as to a visitor:
    asking the database again would fail the error page itself (a 500).
    """
    if g.get("database_unavailable"):
        return None
    moment = now()
    found = db.session.execute(
        select(LoginSession, User, LoginSession.last_seen_at < moment - TOUCH_INTERVAL)
        .join(User, User.id == LoginSession.user_id)
        .where(LoginSession.token_hash == digest(token), alive(moment))
    ).first()
    if found is None:
        return None
    login, user, stale = found
    if stale:
        # Committed at once: the user is loaded before a view changes anything.
        login.last_seen_at = moment
        login.address = client_address()
        db.session.commit()
    user.login_token = token
    return user


def log_in(user: User, remember: bool = False) -> None:
    """Start a new session for `user` in this browser.

    The cookie session starts afresh too: nothing a visitor's session held
    before (its CSRF secret, say) carries over into the login.
    """
    moment = now()
    lifetime = (
        current_app.config["REMEMBER_COOKIE_DURATION"]
        if remember
        else current_app.config["SESSION_LIFETIME"]
    )
    # The account's ended sessions go on the way: they open nothing.
    db.session.execute(
        delete(LoginSession).where(
            LoginSession.user_id == user.id,
            or_(LoginSession.expires_at <= moment, LoginSession.login_id != user.login_id),
        )
    )
    token = secrets.token_urlsafe(32)
    db.session.add(
        LoginSession(
            token_hash=digest(token),
            user_id=user.id,
            login_id=user.login_id,
            remembered=remember,
            created_at=moment,
            last_seen_at=moment,
            expires_at=moment + lifetime,
            user_agent=clean(request.user_agent.string, MAX_USER_AGENT_LENGTH),
            address=client_address(),
            proved_at=moment,
        )
    )
    db.session.commit()
    user.login_token = token
    session.clear()
    login_user(user, remember=remember)


def log_out() -> None:
    """End this browser's session, on the server and in its cookies."""
    if current_user.is_authenticated:
        db.session.execute(
            delete(LoginSession).where(LoginSession.token_hash == digest(current_user.get_id()))
        )
        db.session.commit()
    session.clear()
    logout_user()  # which also has the remember cookie deleted


def end_every_session(user: User) -> None:
    """End every session of the account, and its API tokens, everywhere."""
    user.end_sessions()
    db.session.execute(delete(LoginSession).where(LoginSession.user_id == user.id))
    db.session.commit()


def live_sessions(user: User) -> list[LoginSession]:
    """The account's sessions that have not ended, the latest seen first."""
    return db.session.scalars(
        select(LoginSession)
        .join(User, User.id == LoginSession.user_id)
        .where(LoginSession.user_id == user.id, alive(now()))
        .order_by(LoginSession.last_seen_at.desc(), LoginSession.id.desc())
    ).all()


def end_session(user: User, session_id: int) -> bool:
    """End one of the account's sessions; False if it has no such one."""
    ended = db.session.execute(
        delete(LoginSession).where(LoginSession.id == session_id, LoginSession.user_id == user.id)
    )
    db.session.commit()
    return ended.rowcount == 1


def kept_logged_in() -> bool:
    """Whether this request's login is a "keep me logged in" one."""
    token = current_user.get_id()
    remembered = db.session.scalar(
        select(LoginSession.remembered).where(LoginSession.token_hash == digest(token))
    )
    return bool(remembered)


def is_this_session(login: LoginSession) -> bool:
    token = current_user.get_id()
    return token is not None and login.token_hash == digest(token)


def client_address() -> str:
    return clean(request.remote_addr or "", MAX_ADDRESS_LENGTH)


def clean(text: str, length: int) -> str:
    """Header text as it may be stored: no control characters (Postgres
    refuses NUL), and no longer than its column."""
    return CONTROL_CHARACTER.sub("", text)[:length]
