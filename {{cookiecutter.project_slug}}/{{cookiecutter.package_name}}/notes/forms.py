"""The notes' form, for the pages (the admin makes its own from the
model)."""

from wtforms import StringField, TextAreaField
from wtforms.validators import InputRequired, Length

from ..pages.forms import Form
from .models import MAX_BODY_LENGTH, MAX_TITLE_LENGTH


class NoteForm(Form):
    title = StringField("Title", validators=[InputRequired(), Length(max=MAX_TITLE_LENGTH)])
    body = TextAreaField("Body", validators=[Length(max=MAX_BODY_LENGTH)])
