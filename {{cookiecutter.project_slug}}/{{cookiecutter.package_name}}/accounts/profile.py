"""The account page at /account/: where a person sees their account and its
sessions (which device, from where, when last seen), and ends any of them.

The page is made of sections, each from the feature that owns it (the
email and password, second factors, passkeys, API tokens, deleting the
account): a feature adds one with `add_section`.
"""

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from flask import Blueprint, Flask, abort, current_app, flash, redirect, render_template, url_for
from flask_login import current_user, login_required

from .sessions import LoginSession, end_session, is_this_session, live_sessions, log_out

bp = Blueprint("account", __name__, url_prefix="/account", template_folder="templates")


@dataclass(frozen=True)
class Section:
    """A part of the account page: its template, the values it shows (a
    function called at each request), and its place, lowest first."""

    template: str
    values: Callable[[], dict]
    place: int


def add_section(app: Flask, template: str, values: Callable[[], dict], place: int) -> None:
    app.extensions.setdefault("account_sections", []).append(Section(template, values, place))


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
    add_section(app, "accounts/sessions_section.html", sessions_shown, place=50)


def sessions_shown() -> dict:
    return {"sessions": [ShownSession.of(login) for login in live_sessions(current_user)]}


@bp.before_request
@login_required
def require_login():
    """Every account page needs an account; visitors are sent to log in."""


@dataclass(frozen=True)
class ShownSession:
    """A session as the account page shows it."""

    id: int
    device: str
    address: str
    last_seen: str
    started: str
    remembered: bool
    this_one: bool

    @classmethod
    def of(cls, login: LoginSession) -> "ShownSession":
        return cls(
            id=login.id,
            device=device(login.user_agent),
            address=login.address,
            last_seen=in_utc(login.last_seen_at),
            started=in_utc(login.created_at),
            remembered=login.remembered,
            this_one=is_this_session(login),
        )


def in_utc(moment: datetime) -> str:
    # SQLite gives times back without their zone: they were written in UTC.
    moment = moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
    return moment.strftime("%Y-%m-%d %H:%M UTC")


@bp.get("/")
def index():
    sections = sorted(current_app.extensions["account_sections"], key=lambda s: s.place)
    shown = [(section.template, section.values()) for section in sections]
    return render_template("accounts/account.html", sections=shown)


@bp.post("/sessions/<int:session_id>/end")
def end(session_id):
    ended = next((login for login in live_sessions(current_user) if login.id == session_id), None)
    if ended is None:
        abort(404, description="You have no such session.")
    if is_this_session(ended):
        log_out()
        flash("You are logged out.", "info")
        return redirect(url_for("home.index"))
    end_session(current_user, session_id)
    flash(f"The session of {device(ended.user_agent)} is ended.", "info")
    return redirect(url_for("account.index"))


# The browser, then the system, as a User-Agent names them: the first that
# matches wins (Edge and Opera also say Chrome, Chrome also says Safari).
BROWSERS = (
    ("Edge", r"Edg(e|A|iOS)?/"),
    ("Opera", r"OPR/|Opera"),
    ("Firefox", r"Firefox/|FxiOS/"),
    ("Chrome", r"Chrome/|CriOS/|Chromium/"),
    ("Safari", r"Safari/"),
    ("curl", r"^curl/"),
)
SYSTEMS = (
    ("iOS", r"iPhone|iPad|iPod"),
    ("Android", r"Android"),
    ("Windows", r"Windows"),
    ("macOS", r"Mac OS X|Macintosh"),
    ("ChromeOS", r"CrOS"),
    ("Linux", r"Linux|X11"),
)


def device(user_agent: str) -> str:
    """A person's name for the device a User-Agent header describes."""
    browser = next((name for name, pattern in BROWSERS if re.search(pattern, user_agent)), None)
    system = next((name for name, pattern in SYSTEMS if re.search(pattern, user_agent)), None)
    if browser and system:
        return f"{browser} on {system}"
    return browser or system or "An unknown device"
