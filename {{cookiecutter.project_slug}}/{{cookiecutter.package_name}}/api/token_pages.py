"""API tokens on the account page: make a named token that lasts a chosen
time, see each one with when it was made, expires and was last used, and
revoke any of them.

Making one needs a fresh proof (accounts/sudo.py), a second factor
included: this is where an account with one gets its tokens, HTTP Basic
refusing it (credentials.py). The new token is shown once, on the answer to
the form (not stored by any cache: no-store); the database keeps only its
digest.
"""

from dataclasses import dataclass
from datetime import timedelta

from flask import Blueprint, Flask, abort, current_app, flash, redirect, render_template, url_for
from flask_login import current_user, login_required
from wtforms import SelectField, StringField
from wtforms.validators import DataRequired, Length

from ..accounts.notices import send_notice
from ..accounts.profile import add_section, in_utc
from ..accounts.sudo import attempts_of_this_account, recent_proof_required
from ..pages.forms import Form
from ..platform.environment import Setting, whole_number
from .credentials import issue_token, live_tokens, revoke_token
from .models import MAX_TOKEN_NAME_LENGTH, ApiToken

bp = Blueprint("token_pages", __name__, url_prefix="/account/tokens", template_folder="templates")

LONGEST = 3650  # ten years: a later expiry is no expiry


def days(value: str) -> int:
    number = whole_number(value)
    if not 1 <= number <= LONGEST:
        raise ValueError(f"use a number of days from 1 to {LONGEST}")
    return number


API_TOKEN_MAX_DAYS = Setting(
    "API_TOKEN_MAX_DAYS",
    "Days at most an API token made on the account page lasts (1 to 3650); the "
    "page offers a few lifetimes up to it.",
    default="90",
    parse=days,
)

SETTINGS = (API_TOKEN_MAX_DAYS,)

# The lifetimes the page offers, in days, as far as API_TOKEN_MAX_DAYS goes.
LIFETIMES = (1, 7, 30, 90, 365)


def settings(environ, config) -> dict:
    return {"API_TOKEN_MAX_DAYS": API_TOKEN_MAX_DAYS.read(environ)}


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
    add_section(app, "api/tokens_section.html", tokens_shown, place=60)


@dataclass(frozen=True)
class ShownToken:
    """A token as the account page shows it: never the token itself."""

    id: int
    name: str
    created: str
    expires: str
    last_used: str

    @classmethod
    def of(cls, token: ApiToken) -> "ShownToken":
        return cls(
            id=token.id,
            name=token.name,
            created=in_utc(token.created_at),
            expires=in_utc(token.expires_at),
            last_used=in_utc(token.last_used_at) if token.last_used_at else "never",
        )


def tokens_shown() -> dict:
    return {"tokens": [ShownToken.of(token) for token in live_tokens(current_user)]}


def lifetime_choices() -> list[tuple[int, str]]:
    longest = current_app.config["API_TOKEN_MAX_DAYS"]
    days = [number for number in LIFETIMES if number < longest] + [longest]
    return [(number, "1 day" if number == 1 else f"{number} days") for number in days]


class NewTokenForm(Form):
    name = StringField(
        "Name",
        validators=[DataRequired(), Length(max=MAX_TOKEN_NAME_LENGTH)],
        filters=[lambda text: text.strip() if text else text],
        description="What it is for, to tell it apart from your other tokens.",
    )
    days = SelectField("Lasts", coerce=int)


@bp.route("/new", methods=["GET", "POST"])
@login_required
@recent_proof_required
@attempts_of_this_account  # as tokens asked for over HTTP Basic count
def new():
    form = NewTokenForm()
    form.days.choices = lifetime_choices()
    if not form.validate_on_submit():
        return render_template("api/new_token.html", form=form)
    token, stored = issue_token(
        current_user, name=form.name.data, lifetime=timedelta(days=form.days.data)
    )
    send_notice(
        current_user,
        "an API token was made",
        f'An API token named "{stored.name}" was made on your account page; it opens '
        f"the API as you until {in_utc(stored.expires_at)}, unless revoked there.",
    )
    # The one answer that holds the token: no cache may keep it.
    page = render_template("api/token_made.html", token=token, shown=ShownToken.of(stored))
    return page, 200, {"Cache-Control": "no-store"}


@bp.post("/<int:token_id>/revoke")
@login_required
def revoke(token_id):
    if not revoke_token(current_user, token_id):
        abort(404, description="You have no such token.")
    flash("The token is revoked: it opens nothing any more.", "info")
    return redirect(url_for("account.index"))
