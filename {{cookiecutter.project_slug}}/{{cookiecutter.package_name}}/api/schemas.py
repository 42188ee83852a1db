"""What the API reads and writes, as marshmallow schemas.

flask-smorest validates requests against them, serializes responses with
them, and turns them into the OpenAPI document. Unknown fields are refused
(marshmallow's default), which the document states as
`additionalProperties: false`.
"""

from datetime import UTC, datetime
from typing import ClassVar

from marshmallow import Schema, ValidationError, fields, validate

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
    return (value if value.tzinfo else value.replace(tzinfo=UTC)).isoformat()


class UtcDateTime(fields.DateTime):
    """An ISO 8601 timestamp that always carries its offset.

    SQLite hands back naive datetimes (the service stores UTC); Postgres
    aware ones. Either way clients get an RFC 3339 `date-time`.
    """

    SERIALIZATION_FUNCS: ClassVar = {**fields.DateTime.SERIALIZATION_FUNCS, "iso": utc_isoformat}


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


class TokenSchema(Schema):
    token = fields.String(
        required=True, metadata={"description": "Send it as `Authorization: Bearer <token>`."}
    )
    expires_at = UtcDateTime(required=True)
