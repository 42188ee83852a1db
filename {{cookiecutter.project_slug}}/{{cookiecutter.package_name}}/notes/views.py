"""The notes pages under /notes/: list, read, create, edit and delete."""

import math

from flask import Blueprint, Flask, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import func, select
from sqlalchemy.orm import load_only

from ..accounts.limits import writes_per_account
from ..accounts.verification import verified_email_required
from ..pages import add_to_navigation
from ..platform.database import db
from .forms import NoteForm
from .models import Note
from .ownership import NO_ROOM, NOTE_ID, has_room_for_a_note, owned_note_or_404

bp = Blueprint("notes", __name__, url_prefix="/notes", template_folder="templates")

NOTES_PER_PAGE = 20
# Creating, editing and deleting count against the account's WRITE_RATE_LIMIT.
limit_writes = writes_per_account(lambda: current_user.id)


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
    add_to_navigation(app, "Notes", "notes.index")


@bp.before_request
@login_required
@verified_email_required
def require_login():
    """Every notes page needs an account, its address confirmed;
    visitors are sent to log in."""


@bp.get("/")
def index():
    """The account's notes, newest first, a page at a time (?page=2)."""
    mine = Note.owner_id == current_user.id
    total = db.session.scalar(select(func.count()).where(mine))
    pages = max(1, math.ceil(total / NOTES_PER_PAGE))
    page = request.args.get("page", 1, type=int)
    if not 1 <= page <= pages:
        abort(404, description=f"There is no page {page}: your notes fill {pages}.")
    notes = db.session.scalars(
        select(Note)
        .where(mine)
        # Only what the list shows.
        .options(load_only(Note.id, Note.title, Note.updated_at))
        .order_by(Note.updated_at.desc(), Note.id.desc())
        .limit(NOTES_PER_PAGE)
        .offset((page - 1) * NOTES_PER_PAGE)
    ).all()
    return render_template("notes/index.html", notes=notes, page=page, pages=pages)


@bp.route("/new", methods=["GET", "POST"])
@limit_writes
def create():
    form = NoteForm()
    if form.validate_on_submit():
        if not has_room_for_a_note(current_user):
            flash(NO_ROOM, "error")
            return render_template("notes/form.html", form=form, note=None), 403
        note = Note(owner_id=current_user.id)
        form.populate_obj(note)
        db.session.add(note)
        db.session.commit()
        flash("Note created.", "success")
        return redirect(url_for("notes.detail", note_id=note.id))
    return render_template("notes/form.html", form=form, note=None)


@bp.get(f"/{NOTE_ID}")
def detail(note_id):
    note = owned_note_or_404(current_user, note_id)
    return render_template("notes/detail.html", note=note)


@bp.route(f"/{NOTE_ID}/edit", methods=["GET", "POST"])
@limit_writes
def edit(note_id):
    note = owned_note_or_404(current_user, note_id)
    form = NoteForm(obj=note)
    if form.validate_on_submit():
        form.populate_obj(note)
        db.session.commit()
        flash("Note saved.", "success")
        return redirect(url_for("notes.detail", note_id=note.id))
    return render_template("notes/form.html", form=form, note=note)


@bp.post(f"/{NOTE_ID}/delete")
@limit_writes
def delete(note_id):
    note = owned_note_or_404(current_user, note_id)
    db.session.delete(note)
    db.session.commit()
    flash("Note deleted.", "info")
    return redirect(url_for("notes.index"))
