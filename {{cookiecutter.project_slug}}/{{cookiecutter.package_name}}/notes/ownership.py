"""Each account sees its own notes and no other's: the one rule the notes
pages and the API both go by. Another account's note answers 404, exactly
like one that does not exist, so ids tell nothing about other accounts."""

from flask import abort
from sqlalchemy import select

from ..accounts.models import User
from ..platform.database import MAX_ID, db
from .models import Note

NOTE_ID = f"<int(max={MAX_ID}):note_id>"  # a note's id in a URL rule


def owned_note_or_404(owner: User, note_id: int) -> Note:
    note = db.session.scalar(select(Note).where(Note.id == note_id, Note.owner_id == owner.id))
    if note is None:
        abort(404, description=f"You have no note {note_id}.")
    return note
