"""The notes as the API reads and writes them (marshmallow schemas)."""

from marshmallow import Schema, fields, validate

from ..api.schemas import STORABLE_TEXT, InputSchema, UtcDateTime
from .models import MAX_BODY_LENGTH, MAX_TITLE_LENGTH


class NoteInSchema(InputSchema):
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
