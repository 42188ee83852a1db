"""`/api/v1/notes`: the token owner's notes, and only theirs
(ownership.py)."""

from flask import Flask, abort, g
from sqlalchemy import select

from ..accounts.limits import writes_per_account
from ..api import add_blueprint
from ..api.blueprint import ApiBlueprint
from ..api.credentials import token_required
from ..api.pagination import HEADERS, PageArguments, page_of
from ..api.schemas import ErrorSchema
from ..platform.database import db
from .models import Note
from .ownership import NO_ROOM, NOTE_ID, has_room_for_a_note, owned_note_or_404
from .schemas import NoteInSchema, NoteSchema

# Named apart from the notes pages: Flask wants one name per blueprint, and
# CSRF exemption goes by name.
bp = ApiBlueprint("api_notes", __name__, url_prefix="/api/v1", description="Your notes.")
auth_required = token_required(bp)
not_found = bp.alt_response(404, schema=ErrorSchema, description="No such note of yours")
too_many_writes = bp.alt_response(
    429, schema=ErrorSchema, description="Too many changes for the account; see Retry-After"
)
# One 403 a path and method in the document: the unconfirmed address too.
no_room = bp.alt_response(
    403,
    schema=ErrorSchema,
    description=(
        "The account keeps as many notes as it may, or its email address is not confirmed"
    ),
)


def limit_writes(view):
    """Count the call against the token owner's WRITE_RATE_LIMIT, and say so
    in the document. Place it below @auth_required, which finds the owner."""
    return too_many_writes(writes_per_account(lambda: g.api_user.id)(view))


def init_app(app: Flask) -> None:
    add_blueprint(app, bp)


@bp.get("/notes")
@auth_required
@bp.arguments(PageArguments, location="query", as_kwargs=True)
@bp.response(200, NoteSchema(many=True), headers=HEADERS)
def list_notes(page, page_size):
    """List your notes, newest first

    The X-Pagination header gives the total and the neighbouring page
    numbers, the Link header their URLs.
    """
    mine = (
        select(Note)
        .where(Note.owner_id == g.api_user.id)
        .order_by(Note.created_at.desc(), Note.id.desc())
    )
    return page_of(mine, page, page_size)


@bp.post("/notes")
@auth_required
@limit_writes
@bp.arguments(NoteInSchema)
@bp.response(201, NoteSchema)
@no_room
def create_note(fields):
    """Create a note"""
    if not has_room_for_a_note(g.api_user):
        abort(403, description=NO_ROOM)
    note = Note(owner_id=g.api_user.id, **fields)
    db.session.add(note)
    db.session.commit()
    return note


@bp.get(f"/notes/{NOTE_ID}")
@auth_required
@bp.response(200, NoteSchema)
@not_found
def get_note(note_id):
    """Get one of your notes"""
    return owned_note_or_404(g.api_user, note_id)


@bp.put(f"/notes/{NOTE_ID}")
@auth_required
@limit_writes
@bp.arguments(NoteInSchema)
@bp.response(200, NoteSchema)
@not_found
def update_note(fields, note_id):
    """Replace a note's fields"""
    note = owned_note_or_404(g.api_user, note_id)
    note.title = fields["title"]
    note.body = fields["body"]
    db.session.commit()
    return note


@bp.delete(f"/notes/{NOTE_ID}")
@auth_required
@limit_writes
@bp.response(204)
@not_found
def delete_note(note_id):
    """Delete a note"""
    db.session.delete(owned_note_or_404(g.api_user, note_id))
    db.session.commit()
