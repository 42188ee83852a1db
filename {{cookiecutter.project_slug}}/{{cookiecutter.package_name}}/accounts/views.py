"""The account pages under /auth/: sign up, log in, log out, and reset a
forgotten password by mail."""

from datetime import timedelta

from flask import Blueprint, Flask, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required, login_user, logout_user

from .. import mail
from ..pages.redirects import local_url
from ..platform.database import db
from ..platform.environment import Setting, whole_number
from .forms import LoginForm, RegisterForm, ResetPasswordForm, ResetRequestForm
from .limits import attempts_per_address, form_email, login_attempts_per_account, per_account
from .models import User, user_by_email
from .passwords import authenticate
from .reset import send_reset_email, user_for_reset_token
from .sessions import login_manager

bp = Blueprint("auth", __name__, url_prefix="/auth", template_folder="templates")


RESET_RATE_LIMIT = Setting(
    "RESET_RATE_LIMIT",
    "Password reset mails per account, whatever address asks for them.",
    default="3 per hour; 10 per day",
)
PASSWORD_RESET_MAX_AGE = Setting(
    "PASSWORD_RESET_MAX_AGE",
    "Seconds a password reset link stays valid (it also dies once used).",
    default="3600",
    parse=whole_number,
)
REMEMBER_DAYS = Setting(
    "REMEMBER_DAYS",
    'Days a "keep me logged in" cookie lasts. Changing the password, or "Log out '
    'everywhere", ends every one of them at once.',
    default="14",
    parse=whole_number,
)

SETTINGS = (RESET_RATE_LIMIT, PASSWORD_RESET_MAX_AGE, REMEMBER_DAYS)


def settings(environ, config) -> dict:
    production = config["APP_ENV"] == "production"
    return {
        "RESET_RATE_LIMIT": RESET_RATE_LIMIT.read(environ),
        "PASSWORD_RESET_MAX_AGE": PASSWORD_RESET_MAX_AGE.read(environ),
        # "Keep me logged in": a cookie as guarded as the session's, for a while.
        "REMEMBER_COOKIE_DURATION": timedelta(days=REMEMBER_DAYS.read(environ)),
        "REMEMBER_COOKIE_SECURE": production,
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
    }


def init_app(app: Flask) -> None:
    login_manager.init_app(app)
    app.register_blueprint(bp)


MAIL_NOT_SENT = "We could not send the email just now. Please try again in a minute."
# However many addresses ask, one mailbox gets only so many reset links.
reset_mails_per_account = per_account("RESET_RATE_LIMIT", named_by=form_email)


@bp.route("/register", methods=["GET", "POST"])
@attempts_per_address
def register():
    form = RegisterForm()
    if form.validate_on_submit():
        if user_by_email(form.email.data):
            form.email.errors.append("An account with this email exists already.")
        else:
            user = User(email=form.email.data, password=form.password.data)
            db.session.add(user)
            db.session.commit()
            login_user(user)
            flash("Welcome! Your account is ready.", "success")
            return redirect(url_for("notes.index"))
    return render_template("accounts/register.html", form=form)


@bp.route("/login", methods=["GET", "POST"])
@attempts_per_address
@login_attempts_per_account
def login():
    form = LoginForm()
    if form.validate_on_submit():
        user = authenticate(form.email.data, form.password.data)
        if user:
            login_user(user, remember=form.remember.data)
            flash("You are logged in.", "success")
            return redirect(local_url(request.args.get("next")) or url_for("notes.index"))
        flash("Wrong email or password.", "error")
    return render_template("accounts/login.html", form=form)


@bp.post("/logout")
@login_required
def logout():
    logout_user()
    flash("You are logged out.", "info")
    return redirect(url_for("home.index"))


@bp.post("/logout-everywhere")
@login_required
def logout_everywhere():
    """End every session and "keep me logged in" cookie of the account."""
    current_user.end_sessions()
    db.session.commit()
    logout_user()
    flash("You are logged out on every device.", "info")
    return redirect(url_for("home.index"))


@bp.route("/reset", methods=["GET", "POST"])
@attempts_per_address
@reset_mails_per_account
def request_reset():
    form = ResetRequestForm()
    if form.validate_on_submit():
        user = user_by_email(form.email.data)
        if user:
            try:
                send_reset_email(user)
            except mail.MailNotSent:
                # Said plainly rather than dropped: the person asks again later.
                flash(MAIL_NOT_SENT, "error")
                page = render_template("accounts/reset_request.html", form=form)
                return page, 503, {"Retry-After": "60"}
        # The same answer either way: the page does not tell who has an account.
        flash("If an account uses that address, a reset link is on its way to it.", "info")
        return redirect(url_for("auth.login"))
    return render_template("accounts/reset_request.html", form=form)


@bp.route("/reset/<token>", methods=["GET", "POST"])
def reset_password(token):
    user = user_for_reset_token(token)
    if user is None:
        flash("That reset link has expired or was used already; ask for a new one.", "error")
        return redirect(url_for("auth.request_reset"))
    form = ResetPasswordForm()
    if form.validate_on_submit():
        user.set_password(form.password.data)  # which ends its other sessions
        db.session.commit()
        logout_user()
        flash("Your password is changed. Log in with it.", "success")
        return redirect(url_for("auth.login"))
    return render_template("accounts/reset_password.html", form=form)
