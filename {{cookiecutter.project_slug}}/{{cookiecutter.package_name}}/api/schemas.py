"""What the API reads and writes, as marshmallow schemas.

flask-smorest validates requests against them, serializes responses with
them, and turns them into the OpenAPI document. Unknown fields are refused
(marshmallow's default), which the document states as
`additionalProperties: false`.
"""

import re
from datetime import UTC, datetime
from typing import ClassVar

from marshmallow import Schema, ValidationError, fields, post_load, pre_load, validate

from .models import MAX_TOKEN_NAME_LENGTH

# Text no database can store, refused here with a 422 rather than by the
# database with a 500: NUL, which Postgres refuses (a pattern, so the OpenAPI
# document says it), and lone surrogates, JSON escapes such as "\ud800" that
# are no character at all (no valid string has them, so it need not say).
NO_NUL = validate.Regexp(r"^[^\x00]*$", error="must not contain NUL characters")


def no_lone_surrogates(text: str) -> None:
    try:
        text.encode()
    except UnicodeEncodeError:
        raise ValidationError("must not contain lone surrogates") from None


STORABLE_TEXT = [NO_NUL, no_lone_surrogates]


def utc_isoformat(value: datetime) -> str:
    return (value.astimezone(UTC) if value.tzinfo else value.replace(tzinfo=UTC)).isoformat()


class UtcDateTime(fields.AwareDateTime):
    """An ISO 8601 timestamp in UTC, with its offset.

    SQLite hands back naive datetimes (the service stores UTC); Postgres
    aware ones, in the connection's time zone. Either way clients get an
    RFC 3339 `date-time` in UTC; one they send without an offset is UTC.
    """

    SERIALIZATION_FUNCS: ClassVar = {**fields.DateTime.SERIALIZATION_FUNCS, "iso": utc_isoformat}

    def __init__(self, **kwargs):
        super().__init__(default_timezone=UTC, **kwargs)


# Email addresses and web addresses by their shape: one pattern each, which
# the document states and the API enforces, so that whatever the document
# allows is taken. No NUL, control character or space (spelled out: Python's
# \s is not JavaScript's, whose patterns the document's readers run). The
# pages' forms check them harder.
EMAIL_SHAPE = validate.Regexp(
    r"^[^@\x00- ]+@[^@\x00- ]+\.[^@\x00- ]+$", error="must be an email address"
)
WEB_ADDRESS = validate.Regexp(r"^https?://[^\x00- ]+$", error="must be an http or https URL")


# A decimal number with at most two places and ten digits before the point
# (what Numeric(12, 2) holds), written as a string ("12.50") both ways, so
# that no client reads it as a float and loses cents. Give it to
# fields.Decimal(places=2, as_string=True, metadata=DECIMAL_STRING).
DECIMAL_PATTERN = r"^-?[0-9]{1,10}(\.[0-9]{1,2})?$"
DECIMAL_STRING = {"type": "string", "format": "decimal", "pattern": DECIMAL_PATTERN}


class InputSchema(Schema):
    """The base of a schema clients write: each value of the JSON type the
    document gives it. marshmallow alone also reads "1.5" as a number, 0 as
    false and 1e3 as a decimal, none of which the document allows."""

    @pre_load
    def json_types(self, data, **kwargs):
        if not isinstance(data, dict):
            return data
        errors = {}
        for name, field in self.fields.items():
            value = data.get(field.data_key or name)
            if value is None or field.dump_only:
                continue
            if isinstance(field, fields.Boolean) and not isinstance(value, bool):
                errors[name] = ["Not true or false."]
            elif isinstance(field, fields.Decimal):
                if not (isinstance(value, str) and re.fullmatch(DECIMAL_PATTERN, value)):
                    errors[name] = ["Not a number with at most two places, such as 12.50."]
            elif isinstance(field, fields.Number) and (
                isinstance(value, bool) or not isinstance(value, int | float)
            ):
                errors[name] = ["Not a number."]
        if errors:
            raise ValidationError(errors)
        return data

    @post_load
    def in_utc(self, data, **kwargs):
        """Times in UTC, as the service keeps them: SQLite would store a
        time's clock reading and drop its offset."""
        return {
            name: value.astimezone(UTC) if isinstance(value, datetime) and value.tzinfo else value
            for name, value in data.items()
        }


class ErrorSchema(Schema):
    """The body of every error answer: errors.py writes it for the whole app."""

    code = fields.Integer(required=True, metadata={"description": "The HTTP status code."})
    status = fields.String(required=True, metadata={"description": "The status's name."})
    message = fields.String(required=True, metadata={"description": "What went wrong."})
    request_id = fields.String(
        required=True, metadata={"description": "The X-Request-ID, to match the log line."}
    )
    errors = fields.Dict(
        keys=fields.String(),
        metadata={"description": "Invalid input (422): messages by location, then field."},
    )


class TokenInSchema(InputSchema):
    """What a client may say when it asks for a token: its name."""

    name = fields.String(
        validate=[validate.Length(min=1, max=MAX_TOKEN_NAME_LENGTH), *STORABLE_TEXT],
        metadata={"description": 'What to call it, to tell it apart ("API token" if not given).'},
    )


class TokenInfoSchema(Schema):
    """One of the account's tokens, as its list shows it: never the token."""

    id = fields.Integer(required=True)
    name = fields.String(required=True)
    created_at = UtcDateTime(required=True)
    expires_at = UtcDateTime(required=True)
    last_used_at = UtcDateTime(
        required=True,
        allow_none=True,
        metadata={"description": "When it last opened a request (to the minute), or null."},
    )


class TokenSchema(TokenInfoSchema):
    """A new token: the only time the token itself is shown."""

    token = fields.String(
        required=True, metadata={"description": "Send it as `Authorization: Bearer <token>`."}
    )
