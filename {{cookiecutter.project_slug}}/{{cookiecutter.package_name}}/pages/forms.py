"""The base of every form on the pages, the admin's included."""

import math
import re
from datetime import UTC
from decimal import Decimal

from flask_wtf import FlaskForm
from wtforms import DateTimeLocalField, DecimalField, ValidationError

from ..platform.database import EARLIEST_TIME, LATEST_TIME

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


# The fields and checks the resources' forms use (`flask scaffold` writes them).


class UtcDateTimeField(DateTimeLocalField):
    """A date and time typed in the browser's picker, taken as UTC, as the
    service stores every time."""

    def process_formdata(self, valuelist):
        super().process_formdata(valuelist)
        if self.data is not None:
            self.data = self.data.replace(tzinfo=UTC)
            if not EARLIEST_TIME <= self.data <= LATEST_TIME:
                self.data = None
                raise ValueError(
                    f"Choose a time between the years {EARLIEST_TIME.year} and {LATEST_TIME.year}."
                )


class AmountField(DecimalField):
    """A decimal number with at most two places and at most `limit` either
    way, what its column holds. Anything else is refused as it is read, so
    that no check after it compares a NaN (which raises) or a huge number."""

    def __init__(self, label=None, validators=None, *, limit: Decimal, **kwargs):
        super().__init__(label, validators, places=2, **kwargs)
        self.limit = limit

    def process_formdata(self, valuelist):
        super().process_formdata(valuelist)
        value = self.data
        if value is None:
            return
        if not value.is_finite() or value.as_tuple().exponent < -2 or value.copy_abs() > self.limit:
            self.data = None
            raise ValueError(
                "Give a number with at most two decimal places, "
                f"from -{self.limit} to {self.limit}."
            )


def finite(form, field) -> None:
    """Refuse NaN and infinity, which a float field parses."""
    if field.data is not None and not math.isfinite(field.data):
        raise ValidationError("Enter a number.")


def id_or_none(value) -> int | None:
    """An optional choice of record: its id, or None for the empty choice."""
    return None if value in ("", None) else int(value)


def none_if_empty(value):
    """An optional field left empty is stored as null, not as ""."""
    return value or None
