{%- from "parts.jinja" import parts with context -%}
"""The rules {% if parts.web_ui and parts.api %}the notes pages and the API both go{% elif parts.web_ui %}the notes pages go{% else %}the API goes{% endif %} by.

Each account sees its own notes and no other's: another account's note
answers 404, exactly like one that does not exist, so ids tell nothing about
other accounts. And each account keeps at most NOTES_PER_ACCOUNT notes, so
that no one account fills the database.
"""

from flask import abort, current_app
from sqlalchemy import func, select

from ..accounts.models import User
from ..platform.database import db
from ..platform.environment import Setting, whole_number
from .models import Note

# A note's id in a URL rule.
NOTE_ID = "<int:note_id>"
NO_ROOM = "You have as many notes as an account may keep. Delete some to make room."

NOTES_PER_ACCOUNT = Setting(
    "NOTES_PER_ACCOUNT",
    "Notes one account may keep; creating one more is refused "
    "(403 Forbidden) until it deletes some.",
    default="1000",
    parse=whole_number,
)

SETTINGS = (NOTES_PER_ACCOUNT,)


def settings(environ, config) -> dict:
    return {setting.name: setting.read(environ) for setting in SETTINGS}


def owned_note(owner: User, note_id: int) -> Note | None:
    """The owner's note of that id, or None: there is none, or it is
    another account's."""
    return db.session.scalar(select(Note).where(Note.id == note_id, Note.owner_id == owner.id))


def owned_note_or_404(owner: User, note_id: int) -> Note:
    note = owned_note(owner, note_id)
    if note is None:
        abort(404, description=f"You have no note {note_id}.")
    return note


def has_room_for_a_note(owner: User) -> bool:
    """Whether `owner` keeps fewer notes than NOTES_PER_ACCOUNT.

    Ask just before adding the note, in the transaction that adds it:
    on Postgres the account's row stays locked until then, so that two
    requests at once cannot both take the last place.
    """
    db.session.execute(select(User.id).where(User.id == owner.id).with_for_update())
    kept = db.session.scalar(select(func.count()).where(Note.owner_id == owner.id))
    return kept < current_app.config["NOTES_PER_ACCOUNT"]
