"""The notes in the admin."""

from typing import ClassVar

from flask import Flask
from sqlalchemy.orm import joinedload, load_only
from wtforms import TextAreaField
from wtforms.validators import InputRequired, Length

from ..accounts.models import User
from ..admin import add_view
from ..admin.views import DatabaseView
from ..platform.database import db
from .models import MAX_BODY_LENGTH, MAX_TITLE_LENGTH, Note


class NoteView(DatabaseView):
    column_list = ("title", "owner", "updated_at")
    column_searchable_list = ("title",)
    column_default_sort = ("updated_at", True)
    form_columns = ("title", "body", "owner")
    column_formatters: ClassVar = {"owner": lambda view, context, record, name: record.owner.email}
    form_overrides: ClassVar = {"body": TextAreaField}
    form_args: ClassVar = {
        "owner": {"get_label": "email"},
        "title": {"validators": [InputRequired(), Length(max=MAX_TITLE_LENGTH)]},
        "body": {"validators": [Length(max=MAX_BODY_LENGTH)]},
    }

    def get_query(self):
        # The list shows titles and owners: the other fields stay in the
        # database, and of each owner only the email is read (no password hash).
        return (
            super()
            .get_query()
            .options(
                load_only(Note.title, Note.updated_at),
                joinedload(Note.owner).load_only(User.email),
            )
        )


def init_app(app: Flask) -> None:
    add_view(app, NoteView(Note, db, name="Notes", endpoint="admin_notes"))
