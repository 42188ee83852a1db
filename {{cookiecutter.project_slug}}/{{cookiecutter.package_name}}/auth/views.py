from urllib.parse import urlsplit

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_login import login_required, login_user, logout_user

from .. import mail
from ..extensions import db, limiter, login_manager
from ..models import User, user_by_email
from .forms import LoginForm, RegisterForm, ResetPasswordForm, ResetRequestForm
from .reset import send_reset_email, user_for_reset_token

bp = Blueprint("auth", __name__, url_prefix="/auth")

TOO_MANY_ATTEMPTS = "Too many attempts from your address. Wait a minute, then try again."
MAIL_NOT_SENT = "We could not send the email just now. Please try again in a minute."


def attempts_limit() -> str:
    return current_app.config["LOGIN_RATE_LIMIT"]


# Only POSTs count: showing the form is free, guessing passwords is not.
limit_attempts = limiter.limit(attempts_limit, methods=["POST"], error_message=TOO_MANY_ATTEMPTS)


@login_manager.user_loader
def load_user(user_id: str) -> User | None:
    return db.session.get(User, int(user_id))


def local_url(target: str | None) -> str | None:
    """`target` if it is a path on this site, else None: no open redirects."""
    if not target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    if "\\" in target:  # browsers read a backslash as a slash: /\host is //host
        return None
    return target


@bp.route("/register", methods=["GET", "POST"])
@limit_attempts
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
    return render_template("auth/register.html", form=form)


@bp.route("/login", methods=["GET", "POST"])
@limit_attempts
def login():
    form = LoginForm()
    if form.validate_on_submit():
        user = user_by_email(form.email.data)
        if user and user.check_password(form.password.data):
            login_user(user, remember=form.remember.data)
            flash("You are logged in.", "success")
            return redirect(local_url(request.args.get("next")) or url_for("notes.index"))
        flash("Wrong email or password.", "error")
    return render_template("auth/login.html", form=form)


@bp.post("/logout")
@login_required
def logout():
    logout_user()
    flash("You are logged out.", "info")
    return redirect(url_for("home.index"))


@bp.route("/reset", methods=["GET", "POST"])
@limit_attempts
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
                page = render_template("auth/reset_request.html", form=form)
                return page, 503, {"Retry-After": "60"}
        # The same answer either way: the page does not tell who has an account.
        flash("If an account uses that address, a reset link is on its way to it.", "info")
        return redirect(url_for("auth.login"))
    return render_template("auth/reset_request.html", form=form)


@bp.route("/reset/<token>", methods=["GET", "POST"])
def reset_password(token):
    user = user_for_reset_token(token)
    if user is None:
        flash("That reset link has expired or was used already; ask for a new one.", "error")
        return redirect(url_for("auth.request_reset"))
    form = ResetPasswordForm()
    if form.validate_on_submit():
        user.set_password(form.password.data)
        db.session.commit()
        flash("Your password is changed. Log in with it.", "success")
        return redirect(url_for("auth.login"))
    return render_template("auth/reset_password.html", form=form)
