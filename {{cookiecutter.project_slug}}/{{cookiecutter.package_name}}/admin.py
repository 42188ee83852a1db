"""The admin at /admin/: create, read, update and delete users and notes.

Only admins get in (`flask create-admin` makes one): a visitor is sent to
log in, a logged-in user who is not an admin gets 403. Each app gets its own
`Admin`, so apps built side by side (tests) do not share views.
"""

from typing import ClassVar

from flask import Flask, abort, redirect, request, url_for
from flask_admin import Admin, AdminIndexView
from flask_admin.contrib.sqla import ModelView
from flask_admin.theme import Bootstrap4Theme
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import PasswordField, ValidationError
from wtforms.validators import Length, Optional

from .extensions import db
from .models import MIN_PASSWORD_LENGTH, Note, User, normalize_email


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
    # Flask-WTF's form, so the admin's forms carry the CSRF token that
    # CSRFProtect requires of every POST.
    form_base_class = FlaskForm


class UserView(DatabaseView):
    column_list = ("email", "is_admin", "created_at")
    column_searchable_list = ("email",)
    column_default_sort = "email"
    # The hash is never shown nor edited: a new password is set through it.
    form_columns = ("email", "is_admin", "password")
    form_extra_fields: ClassVar = {
        "password": PasswordField(
            "New password",
            validators=[Optional(), Length(min=MIN_PASSWORD_LENGTH)],
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
    form_args: ClassVar = {"owner": {"get_label": "email"}}


def register_admin(app: Flask) -> None:
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
