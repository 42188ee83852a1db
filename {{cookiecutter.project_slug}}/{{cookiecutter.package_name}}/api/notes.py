"""`/api/v1/notes`: the token owner's notes, and only theirs (ownership.py)."""

from flask import g
from sqlalchemy import func, select

from ..extensions import db
from ..models import Note
from ..ownership import NOTE_ID, owned_note_or_404
from .blueprint import ApiBlueprint
from .credentials import token_required
from .pagination import LINK_HEADER, page_links
from .schemas import ErrorSchema, NoteInSchema, NoteSchema

# Named apart from the notes pages: Flask wants one name per blueprint, and
# CSRF exemption goes by name.
bp = ApiBlueprint("api_notes", __name__, url_prefix="/api/v1", description="Your notes.")
auth_required = token_required(bp)
not_found = bp.alt_response(404, schema=ErrorSchema, description="No such note of yours")


@bp.get("/notes")
@auth_required
@bp.response(200, NoteSchema(many=True), headers=LINK_HEADER)
@bp.paginate(page_size=20, max_page_size=100)
def list_notes(pagination_parameters):
    """List your notes, newest first

    The X-Pagination header gives the total and the neighbouring page
    numbers, the Link header their URLs.
    """
    mine = select(Note).where(Note.owner_id == g.api_user.id)
    total = db.session.scalar(select(func.count()).select_from(mine.subquery()))
    pagination_parameters.item_count = total
    links = page_links(pagination_parameters)
    if pagination_parameters.first_item >= total:
        return [], links  # past the end: no need to ask the database for an offset
    page = (
        mine.order_by(Note.created_at.desc(), Note.id.desc())
        .offset(pagination_parameters.first_item)
        .limit(pagination_parameters.page_size)
    )
    return db.session.scalars(page).all(), links


@bp.post("/notes")
@auth_required
@bp.arguments(NoteInSchema)
@bp.response(201, NoteSchema)
def create_note(fields):
    """Create a note"""
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
@bp.arguments(NoteInSchema)
@bp.response(200, NoteSchema)
@not_found
def update_note(fields, note_id):
    """Replace a note's title and body"""
    note = owned_note_or_404(g.api_user, note_id)
    note.title = fields["title"]
    note.body = fields["body"]
    db.session.commit()
    return note


@bp.delete(f"/notes/{NOTE_ID}")
@auth_required
@bp.response(204)
@not_found
def delete_note(note_id):
    """Delete a note"""
    db.session.delete(owned_note_or_404(g.api_user, note_id))
    db.session.commit()
