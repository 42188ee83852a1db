"""What the API reads and writes, as marshmallow schemas.

flask-smorest validates requests against them, serializes responses with
them, and turns them into the OpenAPI document. Unknown fields are refused
(marshmallow's default), which the document states as
`additionalProperties: false`.
"""

from datetime import UTC

from marshmallow import Schema, ValidationError, fields, validate

from ..models import MAX_BODY_LENGTH, MAX_TITLE_LENGTH

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


class UtcDateTime(fields.DateTime):
    """An ISO 8601 timestamp that always carries its offset.

    SQLite hands back naive datetimes (the service stores UTC); Postgres
    aware ones. Either way clients get an RFC 3339 `date-time`.
    """

    def _serialize(self, value, attr, obj, **kwargs):
        if value is not None and value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return super()._serialize(value, attr, obj, **kwargs)


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


class NoteInSchema(Schema):
    """A note as clients write it."""

    title = fields.String(
        required=True, validate=[validate.Length(min=1, max=MAX_TITLE_LENGTH), *STORABLE_TEXT]
    )
    body = fields.String(
        load_default="", validate=[validate.Length(max=MAX_BODY_LENGTH), *STORABLE_TEXT]
    )


class NoteSchema(Schema):
    """A note as the API returns it."""

    id = fields.Integer(required=True)
    title = fields.String(required=True)
    body = fields.String(required=True)
    created_at = UtcDateTime(required=True)
    updated_at = UtcDateTime(required=True)
