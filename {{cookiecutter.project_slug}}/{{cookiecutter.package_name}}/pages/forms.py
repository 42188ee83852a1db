"""The base of every form on the pages, the admin's included."""

import re

from flask_wtf import FlaskForm

# Characters no text field takes: NUL (which Postgres cannot store at all)
# and the other control characters; tabs and line breaks are fine.
CONTROL_CHARACTER = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


class Form(FlaskForm):
    """Flask-WTF's form (CSRF token included), refusing control characters."""

    def validate(self, extra_validators=None):
        # First, and alone: other validators may take the value to the
        # database (Flask-Admin's uniqueness check), which refuses NUL.
        unsafe = [
            field
            for field in self
            if isinstance(field.raw_data and field.raw_data[0], str)
            and CONTROL_CHARACTER.search(field.raw_data[0])
        ]
        for field in unsafe:
            field.errors = ["Remove the control characters."]
        return not unsafe and super().validate(extra_validators)
