"""Proving it again before a sensitive change ("sudo mode").

Changing the email or the password, adding or removing a second factor or
a passkey, creating an API token and deleting the account each need a proof
of identity fresher than SUDO_MINUTES: logging in is one, and so is the
confirm page, where the password, a code from the authenticator app or a
passkey will do. A view that needs one is wrapped in
`recent_proof_required`: without a fresh proof it changes nothing and sends
the browser to the confirm page, which brings it back.
"""

import functools
from datetime import UTC, datetime, timedelta

from flask import (
    Blueprint,
    Flask,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user, login_required
from sqlalchemy import select, update
from wtforms import PasswordField, StringField
from wtforms.validators import Length, Optional

from ..pages.forms import Form
from ..pages.redirects import local_url
from ..platform.database import db
from ..platform.environment import Setting, whole_number
from . import totp
from .limits import account_key, attempts_per_address, per_account
from .models import MAX_PASSWORD_LENGTH
from .sessions import LoginSession, digest

bp = Blueprint("sudo", __name__, url_prefix="/account", template_folder="templates")

SUDO_MINUTES = Setting(
    "SUDO_MINUTES",
    "Minutes after logging in, or proving it again, during which sensitive changes "
    "(the email, the password, second factors, passkeys, API tokens, deleting the "
    "account) ask for no proof; after them the password, a code or a passkey again.",
    default="10",
    parse=whole_number,
)

SETTINGS = (SUDO_MINUTES,)


def settings(environ, config) -> dict:
    return {"SUDO_WINDOW": timedelta(minutes=SUDO_MINUTES.read(environ))}


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)


def recently_proved() -> bool:
    """Whether this login proved who it is within SUDO_MINUTES."""
    since = datetime.now(UTC) - current_app.config["SUDO_WINDOW"]
    found = db.session.scalar(
        select(LoginSession.id).where(
            LoginSession.token_hash == digest(current_user.get_id()),
            LoginSession.proved_at > since,
        )
    )
    return found is not None


def mark_proved() -> None:
    """This login has just proved who it is (the confirm page, a passkey)."""
    db.session.execute(
        update(LoginSession)
        .where(LoginSession.token_hash == digest(current_user.get_id()))
        .values(proved_at=datetime.now(UTC))
    )
    db.session.commit()


def recent_proof_required(view):
    """For a sensitive view (after `login_required`): without a fresh proof,
    nothing is done and the browser goes to the confirm page, then back to
    this page (a GET) or to the account page (the form it posted from)."""

    @functools.wraps(view)
    def guarded_view(*args, **kwargs):
        if not recently_proved():
            back = request.full_path if request.method == "GET" else url_for("account.index")
            flash("Please confirm it is you first; then try again.", "info")
            return redirect(url_for("sudo.confirm", next=back), 303)
        return view(*args, **kwargs)

    return guarded_view


class ConfirmForm(Form):
    password = PasswordField(
        "Password",
        validators=[Optional(), Length(max=MAX_PASSWORD_LENGTH)],
        render_kw={"autocomplete": "current-password"},
    )
    code = StringField(
        "Or a code from your authenticator app",
        validators=[Optional(), Length(max=totp.CODE_DIGITS + 2)],
        render_kw={"autocomplete": "one-time-code", "inputmode": "numeric"},
    )


# A logged-in person's attempts on the account's own count of password
# attempts (ACCOUNT_RATE_LIMIT): proving it again is guessing a password or
# a code as much as logging in is, and so is asking for an API token.
attempts_of_this_account = per_account(
    "ACCOUNT_RATE_LIMIT", named_by=lambda: account_key(current_user.email)
)


@bp.route("/confirm", methods=["GET", "POST"])
@login_required
@attempts_per_address
@attempts_of_this_account
def confirm():
    form = ConfirmForm()
    with_code = totp.enabled(current_user)
    if not with_code:
        del form.code
    if form.validate_on_submit():
        password, code = form.password.data, with_code and form.code.data
        if (password and current_user.check_password(password)) or (
            code and totp.use_code(current_user, code)
        ):
            mark_proved()
            flash("Thank you. You can go on.", "success")
            return redirect(local_url(request.args.get("next")) or url_for("account.index"))
        flash("That is not right. Try again.", "error")
    return render_template("accounts/confirm.html", form=form)
