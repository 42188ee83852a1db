"""The admin's views: who may enter, the base of every model's view, and the
users' own."""

import logging
from datetime import UTC, datetime
from typing import ClassVar

from email_validator import EmailNotValidError
from flask import abort, flash, g, redirect, request, url_for
from flask_admin import AdminIndexView
from flask_admin.contrib.sqla import ModelView
from flask_login import current_user
from sqlalchemy import inspect
from sqlalchemy.exc import SQLAlchemyError
from wtforms import EmailField, PasswordField, ValidationError
from wtforms.validators import Email, InputRequired, Length, Optional

from ..accounts.deletion import last_admin_message, no_other_admin
from ..accounts.models import (
    MAX_EMAIL_LENGTH,
    MAX_PASSWORD_LENGTH,
    MIN_PASSWORD_LENGTH,
    normalize_email,
    user_by_email,
)
from ..accounts.notices import send_notice
from ..accounts.sudo import recently_proved
from ..pages.forms import CONTROL_CHARACTER, Form
from ..platform.database import MAX_ID, db

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
    """The base of every model's view in the admin."""

    # The pages' own form base: Flask-WTF's, so the admin's forms carry the
    # CSRF token that CSRFProtect requires, and refusing control characters.
    form_base_class = Form
    # Flask-Admin's list, with a name for its buttons' column.
    list_template = "admin/service_list.html"
    # No bulk delete: its menu runs an inline onclick handler, which the
    # Content-Security-Policy blocks, so its checkboxes and menu did nothing.
    # Each row keeps its own delete button.
    action_disallowed_list: ClassVar = ["delete"]

    def get_list(self, page, sort_column, sort_desc, search, filters, *args, **kwargs):
        # The page number and the search come from the URL: keep them to what
        # the database takes (a negative offset or a NUL would be a 500).
        page = min(max(page or 0, 0), MAX_ID)
        if search:
            search = CONTROL_CHARACTER.sub("", search)
        return super().get_list(page, sort_column, sort_desc, search, filters, *args, **kwargs)

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


class UserView(DatabaseView):
    """The accounts. Changing one (its email, password or admin right, or
    deleting it) is as sensitive here as on its own account page: it needs
    a fresh proof of the admin (sudo.py), and its owner is told."""

    column_list = ("email", "is_admin", "created_at")
    column_searchable_list = ("email",)
    column_default_sort = "email"
    # The email is a field of this form rather than of the model's, so that
    # its uniqueness is checked below, against the record being edited.
    # The hash is never shown nor edited: a new password is set through it.
    form_columns = ("email", "is_admin", "password")
    form_extra_fields: ClassVar = {
        "email": EmailField(
            "Email", validators=[InputRequired(), Email(), Length(max=MAX_EMAIL_LENGTH)]
        ),
        "password": PasswordField(
            "New password",
            validators=[Optional(), Length(min=MIN_PASSWORD_LENGTH, max=MAX_PASSWORD_LENGTH)],
            description="Leave empty to keep the current password.",
        ),
    }

    def is_accessible(self):
        if request.method == "GET":
            return super().is_accessible()
        return super().is_accessible() and recently_proved()

    def inaccessible_callback(self, name, **kwargs):
        if current_user.is_authenticated and current_user.is_admin:
            flash("Please confirm it is you first; then try again.", "info")
            back = url_for(".index_view")
            return redirect(url_for("sudo.confirm", next=back), 303)
        return super().inaccessible_callback(name, **kwargs)

    def on_model_change(self, form, model, is_created):
        try:
            model.email = normalize_email(model.email)
        except EmailNotValidError as error:
            raise ValidationError(str(error)) from None
        with db.session.no_autoflush:  # the edited record is not written yet
            holder = user_by_email(model.email)
        if holder is not None and holder is not model:
            raise ValidationError("An account with this email exists already.")
        if form.password.data:
            model.set_password(form.password.data)
        elif is_created:
            raise ValidationError("A new account needs a password.")
        if is_created:  # the admin vouches for the address, as the commands do
            model.email_verified_at = datetime.now(UTC)
        if not is_created:  # read before anything is flushed, which forgets it
            before = inspect(model).attrs.email.history.deleted
            old_email = before[0] if before else model.email
            changed = [
                what
                for what, yes in (
                    ("its email address", old_email != model.email),
                    ("its password", bool(form.password.data)),
                )
                if yes
            ]
            if changed:
                g.admin_notice = (old_email, " and ".join(changed))
        # Flask-Admin undoes the whole change on this error, and flashes it.
        if not is_created and not model.is_admin and no_other_admin(model):
            raise ValidationError(last_admin_message(model.email))

    def after_model_change(self, form, model, is_created):
        # Told once the change is committed, at the address it had before.
        notice = g.pop("admin_notice", None)
        if notice is not None:
            old_email, what = notice
            send_notice(
                model,
                "an admin changed your account",
                f"An admin of the service changed {what} of your account.",
                to=old_email,
                advice="If you did not ask for this, tell the service's people at once.",
            )

    def on_model_delete(self, model):
        if model.is_admin and no_other_admin(model):
            raise ValidationError(last_admin_message(model.email))
