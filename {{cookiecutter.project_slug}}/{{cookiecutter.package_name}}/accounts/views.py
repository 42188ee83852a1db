"""The account pages under /auth/: sign up and confirm the address, log in,
log out, and reset a forgotten password by mail."""

from flask import (
    Blueprint,
    Flask,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import current_user, login_required
from sqlalchemy.exc import IntegrityError

from .. import mail
from ..pages.redirects import local_url
from ..platform.database import db
from ..platform.environment import Setting, true_or_false, whole_number
from ..platform.extending import hide_in_logs
from .forms import LoginForm, RegisterForm, ResetPasswordForm, ResetRequestForm
from .limits import (
    TOO_MANY_ATTEMPTS,
    attempts_per_address,
    client_network,
    form_email,
    limiter,
    login_attempts_per_account,
    per_account,
)
from .models import User, hash_password, normalize_email, user_by_email
from .passwords import authenticate
from .reset import reset_password, send_reset_email, user_for_reset_token
from .second_factors import has_second_factor
from .sessions import end_every_session, log_in, log_out
from .two_factor import start_second_step
from .verification import send_account_exists_email, send_verification_email, verify_email

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
EMAIL_VERIFICATION = Setting(
    "EMAIL_VERIFICATION",
    "Ask each new account to confirm its email address through a mailed link "
    "before it reaches the service's data (403 until then); false lets a "
    "sign-up in at once.",
    default="true",
    parse=true_or_false,
)
EMAIL_VERIFICATION_MAX_AGE = Setting(
    "EMAIL_VERIFICATION_MAX_AGE",
    "Seconds an address confirmation link stays valid; a logged-in account can "
    "have another one sent.",
    default="86400",
    parse=whole_number,
)
SIGNUP_RATE_LIMIT = Setting(
    "SIGNUP_RATE_LIMIT",
    "Sign-ups naming one email address, whatever address they come from: each "
    "mails it (a confirmation link, or a notice to the account's owner).",
    default="3 per hour; 10 per day",
)
VERIFICATION_RATE_LIMIT = Setting(
    "VERIFICATION_RATE_LIMIT",
    "Confirmation links an account may have sent again.",
    default="3 per hour; 10 per day",
)

SETTINGS = (
    RESET_RATE_LIMIT,
    PASSWORD_RESET_MAX_AGE,
    EMAIL_VERIFICATION,
    EMAIL_VERIFICATION_MAX_AGE,
    SIGNUP_RATE_LIMIT,
    VERIFICATION_RATE_LIMIT,
)


def settings(environ, config) -> dict:
    return {
        "RESET_RATE_LIMIT": RESET_RATE_LIMIT.read(environ),
        "PASSWORD_RESET_MAX_AGE": PASSWORD_RESET_MAX_AGE.read(environ),
        "EMAIL_VERIFICATION": EMAIL_VERIFICATION.read(environ),
        "EMAIL_VERIFICATION_MAX_AGE": EMAIL_VERIFICATION_MAX_AGE.read(environ),
        "SIGNUP_RATE_LIMIT": SIGNUP_RATE_LIMIT.read(environ),
        "VERIFICATION_RATE_LIMIT": VERIFICATION_RATE_LIMIT.read(environ),
    }


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
    # The rest of these paths is a token that opens the account.
    hide_in_logs(app, "/auth/reset/")
    hide_in_logs(app, "/auth/verify/")


MAIL_NOT_SENT = "We could not send the email just now. Please try again in a minute."


def mail_not_sent(template: str, **context):
    """The page again, saying plainly that the mail did not go (rather than
    dropping it), with a 503 that tells when to ask again."""
    flash(MAIL_NOT_SENT, "error")
    return render_template(template, **context), 503, {"Retry-After": "60"}


# However many addresses ask, one mailbox gets only so many reset links,
# and so many mails from sign-ups naming it.
reset_mails_per_account = per_account("RESET_RATE_LIMIT", named_by=form_email)
signup_mails_per_account = per_account("SIGNUP_RATE_LIMIT", named_by=form_email)


def logged_in_account() -> str:
    """Whom a logged-in request counts against: the account, whichever
    session or address it comes from."""
    if current_user.is_authenticated:
        return f"account-id:{current_user.id}"
    return client_network()


verification_mails_per_account = limiter.limit(
    lambda: current_app.config["VERIFICATION_RATE_LIMIT"],
    key_func=logged_in_account,
    methods=["POST"],
    error_message=TOO_MANY_ATTEMPTS,
)


@bp.route("/register", methods=["GET", "POST"])
@attempts_per_address
@signup_mails_per_account
def register():
    form = RegisterForm()
    if not form.validate_on_submit():
        return render_template("accounts/register.html", form=form)
    email = normalize_email(form.email.data)
    user = user_by_email(email)
    created = False
    if user is None:
        user, created = add_account(email, form.password.data)
    else:
        hash_password(form.password.data)  # as long as a new account takes
    if not current_app.config["EMAIL_VERIFICATION"]:
        if not created:
            form.email.errors.append("An account with this email exists already.")
            return render_template("accounts/register.html", form=form)
        log_in(user)
        flash("Welcome! Your account is ready.", "success")
        return redirect(url_for("notes.index"))
    # The same answer whether the address had an account or not: only its
    # mailbox learns which.
    try:
        if created:
            send_verification_email(user)
        else:
            send_account_exists_email(user)
    except mail.MailNotSent:
        return mail_not_sent("accounts/register.html", form=form)
    flash(
        f"We sent a message to {email}: open the link in it to confirm the address, then log in.",
        "info",
    )
    return redirect(url_for("auth.login"))


def add_account(email: str, password: str) -> tuple[User, bool]:
    """The new account, and True; or, when a sign-up for the same address
    won the race to the database, that one's account and False."""
    user = User(email=email, password=password)
    db.session.add(user)
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        return user_by_email(email), False
    return user, True


@bp.route("/login", methods=["GET", "POST"])
@attempts_per_address
@login_attempts_per_account
def login():
    form = LoginForm()
    if form.validate_on_submit():
        user = authenticate(form.email.data, form.password.data)
        if user:
            next_page = local_url(request.args.get("next"))
            if has_second_factor(user):
                return start_second_step(user, form.remember.data, next_page)
            log_in(user, remember=form.remember.data)
            flash("You are logged in.", "success")
            return redirect(next_page or url_for("notes.index"))
        flash("Wrong email or password.", "error")
    return render_template("accounts/login.html", form=form)


@bp.post("/logout")
@login_required
def logout():
    log_out()
    flash("You are logged out.", "info")
    return redirect(url_for("home.index"))


@bp.post("/logout-everywhere")
@login_required
def logout_everywhere():
    """End every session and "keep me logged in" cookie of the account."""
    end_every_session(current_user)
    log_out()
    flash("You are logged out on every device.", "info")
    return redirect(url_for("home.index"))


@bp.get("/verify/<token>")
def confirm_email(token):
    proved = verify_email(token)
    if proved is None:
        flash(
            "That confirmation link has expired or is no longer good. Log in to have "
            "another one sent.",
            "error",
        )
    else:
        flash("Your email address is confirmed.", "success")
    if current_user.is_authenticated:
        return redirect(url_for("notes.index"))
    return redirect(url_for("auth.login"))


@bp.post("/verify")
@login_required
@verification_mails_per_account
def resend_confirmation():
    if current_user.email_verified_at is not None:
        flash("Your email address is confirmed already.", "info")
        return redirect(url_for("notes.index"))
    try:
        send_verification_email(current_user)
    except mail.MailNotSent:
        return mail_not_sent("accounts/verify_email.html")
    flash(f"A new link is on its way to {current_user.email}.", "info")
    return redirect(url_for("notes.index"))


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
                return mail_not_sent("accounts/reset_request.html", form=form)
        # The same answer either way: the page does not tell who has an account.
        flash("If an account uses that address, a reset link is on its way to it.", "info")
        return redirect(url_for("auth.login"))
    return render_template("accounts/reset_request.html", form=form)


@bp.route("/reset/<token>", methods=["GET", "POST"])
def reset_link(token):
    """The mailed link: its token moves into the session, and the browser
    on to a page whose address holds no secret (for its history, the
    Referer header and every log the address passes through)."""
    if user_for_reset_token(token) is None:
        flash("That reset link has expired or was used already; ask for a new one.", "error")
        return redirect(url_for("auth.request_reset"))
    session["reset_token"] = token
    return redirect(url_for("auth.choose_password"))


@bp.route("/new-password", methods=["GET", "POST"])
def choose_password():
    token = session.get("reset_token")
    if not isinstance(token, str) or user_for_reset_token(token) is None:
        session.pop("reset_token", None)
        flash("That reset link has expired or was used already; ask for a new one.", "error")
        return redirect(url_for("auth.request_reset"))
    form = ResetPasswordForm()
    if form.validate_on_submit():
        session.pop("reset_token")
        if reset_password(token, form.password.data) is None:  # used meanwhile
            flash("That reset link was used already; ask for a new one.", "error")
            return redirect(url_for("auth.request_reset"))
        flash("Your password is changed. Log in with it.", "success")
        return redirect(url_for("auth.login"))
    return render_template("accounts/reset_password.html", form=form)
