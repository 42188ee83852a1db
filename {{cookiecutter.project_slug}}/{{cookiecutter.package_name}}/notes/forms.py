from flask_wtf import FlaskForm
from wtforms import StringField, TextAreaField
from wtforms.validators import InputRequired, Length


class NoteForm(FlaskForm):
    title = StringField("Title", validators=[InputRequired(), Length(max=200)])
    body = TextAreaField("Body", validators=[Length(max=20_000)])
