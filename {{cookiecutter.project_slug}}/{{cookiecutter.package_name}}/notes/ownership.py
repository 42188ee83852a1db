"""The rules the notes pages and the API both go by.

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

NOTE_ID = "<int:note_id>"  # a note's id in a URL rule
NO_ROOM = "You have as many notes as an account may keep. Delete some to make room."

NOTES_PER_ACCOUNT = Setting(
    "NOTES_PER_ACCOUNT",
    "Notes one account may keep; creating one more is refused (403 Forbidden) "
    "until it deletes some.",
    default="1000",
    parse=whole_number,
)

SETTINGS = (NOTES_PER_ACCOUNT,)


def settings(environ, config) -> dict:
    return {"NOTES_PER_ACCOUNT": NOTES_PER_ACCOUNT.read(environ)}


def owned_note_or_404(owner: User, note_id: int) -> Note:
    note = db.session.scalar(select(Note).where(Note.id == note_id, Note.owner_id == owner.id))
    if note is None:
        abort(404, description=f"You have no note {note_id}.")
    return note


def has_room_for_a_note(owner: User) -> bool:
    """Whether `owner` keeps fewer notes than NOTES_PER_ACCOUNT.

    Ask just before adding the note, in the transaction that adds it: on
    Postgres the account's row stays locked until then, so that two
    requests at once cannot both take the last place.
    """
    db.session.execute(select(User.id).where(User.id == owner.id).with_for_update())
    kept = db.session.scalar(select(func.count()).where(Note.owner_id == owner.id))
    return kept < current_app.config["NOTES_PER_ACCOUNT"]
