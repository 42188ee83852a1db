"""The admin at /admin/: create, read, update and delete users and notes.

Only admins get in (`flask create-admin` makes one): a visitor is sent to
log in, a logged-in user who is not an admin gets 403. Each app gets its own
`Admin`, so apps built side by side (tests) do not share views.
"""

import logging
from typing import ClassVar

from flask import Flask, abort, flash, redirect, request, url_for
from flask_admin import Admin, AdminIndexView
from flask_admin.contrib.sqla import ModelView
from flask_admin.theme import Bootstrap4Theme
from flask_login import current_user
from sqlalchemy.exc import SQLAlchemyError
from wtforms import PasswordField, TextAreaField, ValidationError
from wtforms.validators import Email, InputRequired, Length, Optional, StopValidation

from .extensions import db
from .forms import CONTROL_CHARACTER, Form
from .models import (
    MAX_BODY_LENGTH,
    MAX_EMAIL_LENGTH,
    MAX_ID,
    MAX_PASSWORD_LENGTH,
    MAX_TITLE_LENGTH,
    MIN_PASSWORD_LENGTH,
    Note,
    User,
    normalize_email,
    user_by_email,
)
from .security import allow_in_policy

logger = logging.getLogger(__name__)


class AdminsOnly:
    def is_accessible(self):
        return current_user.is_authenticated and current_user.is_admin

    def inaccessible_callback(self, name, **kwargs):
        if current_user.is_authenticated:
            abort(403)
        return redirect(url_for("auth.login", next=request.full_path))


class AdminHome(AdminsOnly, AdminIndexView):
    pass


class DatabaseView(AdminsOnly, ModelView):
    # The pages' own form base: Flask-WTF's, so the admin's forms carry the
    # CSRF token that CSRFProtect requires, and refusing control characters.
    form_base_class = Form

    def _get_list_extra_args(self):
        # Page numbers and searches come from the URL: keep them to what the
        # database takes (a negative offset or a NUL would be a 500).
        args = super()._get_list_extra_args()
        args.page = min(max(args.page or 0, 0), MAX_ID)  # offsets stay 64-bit
        args.page_size = min(max(args.page_size or 0, 0), 500)
        if args.search and CONTROL_CHARACTER.search(args.search):
            args.search = CONTROL_CHARACTER.sub("", args.search)
        return args

    def get_one(self, id):
        # The id comes from the URL: anything but a whole number the database
        # holds is a record that does not exist, which Flask-Admin then says.
        try:
            number = int(id)
        except (TypeError, ValueError):
            return None
        return db.session.get(self.model, number) if 0 < number <= MAX_ID else None

    def handle_view_exception(self, exc: Exception) -> bool:
        # Flask-Admin would flash the database's message, which quotes the
        # statement and its values (a password hash among them).
        if isinstance(exc, SQLAlchemyError):
            logger.warning("admin change refused", extra={"fields": {"error": type(exc).__name__}})
            flash("The database refused the change.", "error")
            return True
        return super().handle_view_exception(exc)


def email_not_taken(form, field):
    """Another account's email, however it is spelled, is refused here.

    StopValidation ends the field's checks, so Flask-Admin's own uniqueness
    check (which compares spellings exactly, and says only "Already exists.")
    does not run after it.
    """
    holder = user_by_email(field.data or "")
    if holder is not None and holder is not getattr(form, "_obj", None):
        raise StopValidation("An account with this email exists already.")


class UserView(DatabaseView):
    column_list = ("email", "is_admin", "created_at")
    column_searchable_list = ("email",)
    column_default_sort = "email"
    # The hash is never shown nor edited: a new password is set through it.
    form_columns = ("email", "is_admin", "password")
    form_args: ClassVar = {
        "email": {
            "validators": [
                InputRequired(),
                Email(),
                Length(max=MAX_EMAIL_LENGTH),
                email_not_taken,
            ]
        }
    }
    form_extra_fields: ClassVar = {
        "password": PasswordField(
            "New password",
            validators=[Optional(), Length(min=MIN_PASSWORD_LENGTH, max=MAX_PASSWORD_LENGTH)],
            description="Leave empty to keep the current password.",
        )
    }

    def on_model_change(self, form, model, is_created):
        model.email = normalize_email(model.email)
        if form.password.data:
            model.set_password(form.password.data)
        elif is_created:
            raise ValidationError("A new account needs a password.")


class NoteView(DatabaseView):
    column_list = ("title", "owner", "updated_at")
    column_searchable_list = ("title",)
    column_default_sort = ("updated_at", True)
    form_columns = ("title", "body", "owner")
    column_formatters: ClassVar = {"owner": lambda view, context, note, name: note.owner.email}
    form_overrides: ClassVar = {"body": TextAreaField}  # a String column, but long text
    form_args: ClassVar = {
        "owner": {"get_label": "email"},
        "title": {"validators": [InputRequired(), Length(max=MAX_TITLE_LENGTH)]},
        "body": {"validators": [Length(max=MAX_BODY_LENGTH)]},
    }


def register_admin(app: Flask) -> None:
    # Bootstrap's stylesheet, which the admin's pages use, draws some of its
    # icons as data: images.
    allow_in_policy(app, "img-src", "data:")
    admin = Admin(
        app,
        name=f"{app.config['SERVICE_NAME']} admin",
        url="/admin",
        index_view=AdminHome(url="/admin"),
        theme=Bootstrap4Theme(),
    )
    # Given `db`, the views use db.session as it is at each request.
    admin.add_view(UserView(User, db, name="Users", endpoint="admin_users"))
    admin.add_view(NoteView(Note, db, name="Notes", endpoint="admin_notes"))
