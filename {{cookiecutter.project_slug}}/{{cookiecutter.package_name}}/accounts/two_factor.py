"""Second factors: an authenticator app's codes (totp.py) with recovery
codes, set up and turned off on the account page; and the login's second
step, which asks an account that has an app or a passkey
(second_factors.py) for a code or the passkey once the password is right.

Between the password and the second factor the login is pending: the
browser's session holds whose it is, for a few minutes, and nothing else is
open to it. The code is guessed against the same counts as the password
(limits.py), per address and per account.
"""

import time

from flask import (
    Blueprint,
    Flask,
    abort,
    flash,
    redirect,
    render_template,
    session,
    url_for,
)
from flask_login import current_user, login_required
from wtforms import StringField
from wtforms.validators import InputRequired, Length

from ..pages.forms import Form
from ..platform.database import db
from . import totp
from .limits import account_key, attempts_per_address, client_network, per_account
from .models import User
from .notices import send_notice
from .profile import add_section
from .reset import login_fingerprint
from .sessions import log_in
from .sudo import recent_proof_required

bp = Blueprint("two_factor", __name__, template_folder="templates")

# How long a right password waits for its second factor.
PENDING_SECONDS = 300
MAX_CODE_LENGTH = 40  # a recovery code with spaces or dashes; an app's code is 6 digits


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
    add_section(app, "accounts/two_factor_section.html", section_values, place=20)
    app.cli.add_command(totp.reseal_command)


# The login's second step ------------------------------------------------------


def start_second_step(user: User, remember: bool, next_page: str | None):
    """Hold the login until the second factor: called with the right password."""
    session["pending_login"] = {
        "user": user.id,
        "email": user.email,
        # The login id's fingerprint, not the id: the session is a cookie the
        # browser can read. A new password, or logging out everywhere, ends the wait.
        "login": login_fingerprint(user),
        "remember": bool(remember),
        "next": next_page,
        "until": time.time() + PENDING_SECONDS,
    }
    return redirect(url_for("two_factor.second_step"))


def pending_user() -> User | None:
    """The account whose password this browser gave within the last few
    minutes, still waiting for its second factor; or None."""
    pending = session.get("pending_login")
    if not isinstance(pending, dict) or pending.get("until", 0) < time.time():
        return None
    user = db.session.get(User, pending.get("user"))
    if user is None or login_fingerprint(user) != pending.get("login"):
        return None  # the password changed meanwhile, or everyone was logged out
    return user


def finish_pending_login(user: User):
    """Start the login held for its second factor, which `user` has just given."""
    pending = session.pop("pending_login")
    log_in(user, remember=pending["remember"])
    flash("You are logged in.", "success")
    return redirect(pending["next"] or url_for("notes.index"))


def pending_account() -> str:
    """Whom a second-step attempt counts against: the pending account, as
    its password attempts are counted."""
    pending = session.get("pending_login")
    if isinstance(pending, dict) and isinstance(pending.get("email"), str):
        return account_key(pending["email"])
    return client_network()


class CodeForm(Form):
    code = StringField(
        "Code",
        validators=[InputRequired(), Length(max=MAX_CODE_LENGTH)],
        description="The 6 digits your authenticator app shows, or one of your recovery codes.",
        render_kw={"autocomplete": "one-time-code", "autocapitalize": "none"},
    )


@bp.route("/auth/second-step", methods=["GET", "POST"])
@attempts_per_address
@per_account("ACCOUNT_RATE_LIMIT", named_by=pending_account)
def second_step():
    user = pending_user()
    if user is None:
        session.pop("pending_login", None)
        flash("Please log in again.", "info")
        return redirect(url_for("auth.login"))
    with_code = totp.enabled(user)
    form = CodeForm()
    if with_code and form.validate_on_submit():
        code = form.code.data
        if totp.use_code(user, code):
            return finish_pending_login(user)
        if totp.use_recovery_code(user, code):
            left = totp.recovery_codes_left(user)
            send_notice(
                user,
                "a recovery code was used",
                f"One of your recovery codes was used to log in; {left} are left. "
                "Make new ones on your account page if you are running short.",
            )
            return finish_pending_login(user)
        flash("That code is not right, or was used already.", "error")
    return render_template("accounts/second_step.html", form=form, with_code=with_code)


# Setting up the app, on the account page ---------------------------------------


def section_values() -> dict:
    on = totp.enabled(current_user)
    return {
        "enabled": on,
        "codes_left": totp.recovery_codes_left(current_user) if on else 0,
    }


@bp.post("/account/two-factor/setup")
@login_required
@recent_proof_required
def setup():
    """A new seed, shown with its QR code until the app's first code confirms it."""
    if totp.enabled(current_user):
        flash("Your authenticator app is set up already.", "info")
        return redirect(url_for("account.index"))
    totp.start_enrolment(current_user)
    return redirect(url_for("two_factor.confirm_setup"))


@bp.route("/account/two-factor/confirm", methods=["GET", "POST"])
@login_required
@recent_proof_required
@attempts_per_address
def confirm_setup():
    secret = totp.pending_secret(current_user)
    if secret is None:
        return redirect(url_for("account.index"))
    form = CodeForm()
    form.code.description = "The 6 digits your app shows now."
    if form.validate_on_submit():
        if totp.use_code(current_user, form.code.data, confirming=True):
            codes = totp.new_recovery_codes(current_user)
            send_notice(
                current_user,
                "two-factor login turned on",
                "An authenticator app was set up for your account: logging in now "
                "also asks for its code.",
            )
            return render_template("accounts/recovery_codes.html", codes=codes, first_time=True)
        flash("That code is not right. Check your phone's clock, and try the next code.", "error")
    return render_template(
        "accounts/two_factor_setup.html",
        form=form,
        secret=" ".join(secret[i : i + 4] for i in range(0, len(secret), 4)),
    )


@bp.get("/account/two-factor/qr-code.svg")
@login_required
@recent_proof_required
def qr_code():
    """The QR code of the enrolment under way, for the setup page's image."""
    secret = totp.pending_secret(current_user)
    if secret is None:
        abort(404, description="No authenticator app is being set up.")
    image = totp.qr_code_svg(totp.provisioning_uri(current_user, secret))
    return image, {"Content-Type": "image/svg+xml"}


@bp.post("/account/two-factor/recovery-codes")
@login_required
@recent_proof_required
def new_recovery_codes():
    if not totp.enabled(current_user):
        abort(404, description="Set up an authenticator app first.")
    codes = totp.new_recovery_codes(current_user)
    return render_template("accounts/recovery_codes.html", codes=codes, first_time=False)


@bp.post("/account/two-factor/off")
@login_required
@recent_proof_required
def turn_off():
    if not totp.enabled(current_user):
        abort(404, description="No authenticator app is set up.")
    totp.turn_off(current_user)
    send_notice(
        current_user,
        "two-factor login turned off",
        "The authenticator app of your account was removed, with its recovery "
        "codes: logging in no longer asks for a code.",
    )
    flash("Your authenticator app is removed; logging in asks only for the password.", "info")
    return redirect(url_for("account.index"))
