{%- from "parts.jinja" import parts with context -%}
"""Changing the password or the email address, and deleting the account,
from the account page; each needs a fresh proof (sudo.py).

A new password ends every session{% if parts.api %} and API token{% endif %} of the account but this
browser's, which logs in again. A new address takes effect only when the
link mailed to it is followed: the link is signed and expires, and names
the account, its address and the new one, so that it works once and only
while the account still has the address it was asked from. The old address
is told. Deleting the account deletes everything it owns (deletion.py),
unless it is the last admin.
"""

import hashlib
import logging
from datetime import UTC, datetime

from email_validator import EmailNotValidError
from flask import Blueprint, Flask, current_app, flash, redirect, render_template, url_for
from flask_login import current_user, login_required
from itsdangerous import BadData, URLSafeTimedSerializer
from sqlalchemy import update
from sqlalchemy.exc import IntegrityError
from wtforms import EmailField, StringField
from wtforms.validators import Email, InputRequired, Length

from .. import mail
from ..pages.forms import Form
from ..platform.database import db
from ..platform.environment import Setting
from ..platform.extending import hide_in_logs
from .deletion import delete_account, last_admin_message
from .forms import new_password_fields
from .limits import TOO_MANY_ATTEMPTS, attempts_per_address, limiter
from .models import MAX_EMAIL_LENGTH, User, normalize_email, user_by_email
from .notices import send_notice
from .profile import add_section
from .reset import login_fingerprint
from .sessions import kept_logged_in, log_in, log_out
from .sudo import recent_proof_required
from .views import logged_in_account, mail_not_sent

logger = logging.getLogger(__name__)
bp = Blueprint("changes", __name__, url_prefix="/account", template_folder="templates")
SALT = "email-change"  # a token signed for another purpose is refused here

EMAIL_CHANGE_RATE_LIMIT = Setting(
    "EMAIL_CHANGE_RATE_LIMIT",
    "Links to confirm a new email address an account may have mailed.",
    default="3 per hour; 10 per day",
)

SETTINGS = (EMAIL_CHANGE_RATE_LIMIT,)


def settings(environ, config) -> dict:
    return {"EMAIL_CHANGE_RATE_LIMIT": EMAIL_CHANGE_RATE_LIMIT.read(environ)}


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
    # The rest of these paths is a token naming the account's new address.
    hide_in_logs(app, "/account/email/")
    add_section(app, "accounts/email_password_section.html", dict, place=10)
    add_section(app, "accounts/delete_section.html", dict, place=90)


class ChangePasswordForm(Form):
    password, confirm = new_password_fields()


class ChangeEmailForm(Form):
    email = EmailField(
        "New email address",
        validators=[InputRequired(), Email(), Length(max=MAX_EMAIL_LENGTH)],
        render_kw={"autocomplete": "email"},
    )


class DeleteAccountForm(Form):
    email = StringField(
        "Type your email address to confirm",
        validators=[InputRequired(), Length(max=MAX_EMAIL_LENGTH)],
        render_kw={"autocomplete": "off"},
    )


def this_account() -> User:
    """The logged-in account itself, rather than Flask-Login's proxy to it."""
    return db.session.get(User, current_user.id)


@bp.route("/password", methods=["GET", "POST"])
@login_required
@recent_proof_required
@attempts_per_address
def change_password():
    form = ChangePasswordForm()
    if not form.validate_on_submit():
        return render_template("accounts/change_password.html", form=form)
    user = this_account()
    remembered = kept_logged_in()
    user.set_password(form.password.data)  # a new login id: every session ends
    log_in(user, remember=remembered)  # ... and this browser starts a new one
    send_notice(
        user,
        "your password was changed",
        "The password of your account was changed. Every device logged in with "
        "the old one was logged out{% if parts.api %}, and every API token ended{% endif %}.",
    )
    flash("Your password is changed. Other devices are logged out.", "success")
    return redirect(url_for("account.index"))


# However often the form is sent, one account has only so many links mailed.
email_change_mails_per_account = limiter.limit(
    lambda: current_app.config["EMAIL_CHANGE_RATE_LIMIT"],
    key_func=logged_in_account,
    methods=["POST"],
    error_message=TOO_MANY_ATTEMPTS,
)


@bp.route("/email", methods=["GET", "POST"])
@login_required
@recent_proof_required
@email_change_mails_per_account
def change_email():
    form = ChangeEmailForm()
    if not form.validate_on_submit():
        return render_template("accounts/change_email.html", form=form)
    try:
        new_email = normalize_email(form.email.data)
    except EmailNotValidError as error:
        form.email.errors.append(str(error))
        return render_template("accounts/change_email.html", form=form)
    if new_email == current_user.email:
        form.email.errors.append("That is your address already.")
        return render_template("accounts/change_email.html", form=form)
    # Mailed whether or not the address has an account: the page tells
    # nobody which addresses do (the link says so to the address's owner).
    try:
        send_email_change_link(current_user, new_email)
    except mail.MailNotSent:
        return mail_not_sent("accounts/change_email.html", form=form)
    send_notice(
        current_user,
        "a new email address was asked for",
        f"Someone logged in to your account asked to make {new_email} its address. "
        "Nothing changes unless the link mailed there is opened.",
    )
    flash(
        f"We sent a link to {new_email}: open it to make it your address. "
        f"Until then your address stays {current_user.email}.",
        "info",
    )
    return redirect(url_for("account.index"))


def serializer() -> URLSafeTimedSerializer:
    return mail.link_signer(SALT)


def make_email_change_token(user: User, new_email: str) -> str:
    # Fingerprints of the address and the logins, not them: the new
    # address's owner reads the token. A new password, logging out
    # everywhere, or another change of address kills the link.
    return serializer().dumps(
        {
            "user": user.id,
            "from": address_fingerprint(user),
            "login": login_fingerprint(user),
            "to": new_email,
        }
    )


def address_fingerprint(user: User) -> str:
    """The account's address and when it was proved: a link asked for before
    a change of address (even one back to the same address) names another."""
    proved = user.email_verified_at.timestamp() if user.email_verified_at else None
    return hashlib.sha256(f"{user.email} {proved}".encode()).hexdigest()[:20]


def send_email_change_link(user: User, new_email: str) -> None:
    token = make_email_change_token(user, new_email)
    link = mail.public_url_for("changes.confirm_email", token=token)
    if link is None:
        logger.error("address change link not sent: set PUBLIC_URL to build its link")
        return
    hours = current_app.config["EMAIL_VERIFICATION_MAX_AGE"] // 3600
    service = current_app.config["SERVICE_NAME"]
    body = (
        f"Someone, perhaps you, asked to make this the email address of a {service} account.\n\n"
        f"To do so, open this link within {hours} hours:\n\n"
        f"{link}\n\n"
        "If it was not you, ignore this message: nothing changes without the link."
    )
    mail.send_email(new_email, f"Confirm your new {service} address", body)


@bp.get("/email/<token>")
def confirm_email(token):
    """The mailed link: the account takes the new address, if it still has
    the one the link was asked from. No login needed: the link is the proof
    that the new address is the account owner's."""
    try:
        data = serializer().loads(token, max_age=current_app.config["EMAIL_VERIFICATION_MAX_AGE"])
    except BadData:
        data = None
    back = url_for("account.index") if current_user.is_authenticated else url_for("auth.login")
    if data is None:
        flash("That link has expired or is not good. Ask for another one.", "error")
        return redirect(back)
    user = db.session.get(User, data["user"])
    if user is not None and user.email == data["to"]:
        flash(f"Your address is {data['to']} already.", "info")  # the link, used again
        return redirect(back)
    if (
        user is None
        or address_fingerprint(user) != data["from"]
        or login_fingerprint(user) != data["login"]
    ):
        flash("That link is outdated: the account changed since it was sent.", "error")
        return redirect(back)
    if user_by_email(data["to"]) is not None:
        return address_taken(data["to"], back)
    old_email, login_id = user.email, user.login_id
    # One UPDATE: of two uses at once, or a use after another change, only
    # one finds the account as the link knew it, and the row count says which.
    try:
        changed = db.session.execute(
            update(User)
            .where(User.id == user.id, User.email == old_email, User.login_id == login_id)
            .values(email=data["to"], email_verified_at=datetime.now(UTC))
            .execution_options(synchronize_session=False)
        )
        db.session.commit()
    except IntegrityError:  # the address was taken after the check above
        db.session.rollback()
        return address_taken(data["to"], back)
    if changed.rowcount != 1:
        flash("That link is outdated: the account changed since it was sent.", "error")
        return redirect(back)
    send_notice(
        user,
        "your email address was changed",
        f"The email address of your account is no longer {old_email}: another "
        "address, confirmed by a link mailed to it, took its place.",
        to=old_email,
    )
    flash(f"Your address is now {data['to']}.", "success")
    return redirect(back)


def address_taken(email: str, back: str):
    flash(
        f"{email} is the address of another account, so it cannot be yours too. "
        "Your address is as it was.",
        "error",
    )
    return redirect(back)


@bp.route("/delete", methods=["GET", "POST"])
@login_required
@recent_proof_required
def delete():
    form = DeleteAccountForm()
    if not form.validate_on_submit():
        return render_template("accounts/delete_account.html", form=form)
    try:
        typed = normalize_email(form.email.data)
    except EmailNotValidError:
        typed = None
    if typed != current_user.email:
        form.email.errors.append("That is not your account's email address.")
        return render_template("accounts/delete_account.html", form=form)
    user = this_account()
    email = user.email
    if not delete_account(user):
        form.email.errors.append(last_admin_message(email))
        return render_template("accounts/delete_account.html", form=form)
    send_notice(
        user,
        "your account was deleted",
        "Your account was deleted, with everything it held. Nothing of it is kept.",
        to=email,
    )
    log_out()
    flash("Your account is deleted, and everything it held.", "info")
    return redirect(url_for("home.index"))
