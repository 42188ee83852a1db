"""The notes pages under /notes/: list, read, create, edit and delete."""

from flask import Blueprint, Flask, flash, redirect, render_template, url_for
from flask_login import current_user, login_required
from sqlalchemy import select

from ..accounts.verification import verified_email_required
from ..pages import add_to_navigation
from ..platform.database import db
from .forms import NoteForm
from .models import Note
from .ownership import NOTE_ID, owned_note_or_404

bp = Blueprint("notes", __name__, url_prefix="/notes", template_folder="templates")


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
    add_to_navigation(app, "Notes", "notes.index")


@bp.before_request
@login_required
@verified_email_required
def require_login():
    """Every notes page needs an account, its address confirmed; visitors
    are sent to log in."""


@bp.get("/")
def index():
    notes = db.session.scalars(
        select(Note)
        .where(Note.owner_id == current_user.id)
        .order_by(Note.updated_at.desc(), Note.id.desc())
    ).all()
    return render_template("notes/index.html", notes=notes)


@bp.route("/new", methods=["GET", "POST"])
def create():
    form = NoteForm()
    if form.validate_on_submit():
        note = Note(title=form.title.data, body=form.body.data, owner_id=current_user.id)
        db.session.add(note)
        db.session.commit()
        flash("Note created.", "success")
        return redirect(url_for("notes.detail", note_id=note.id))
    return render_template("notes/form.html", form=form, note=None)


@bp.get(f"/{NOTE_ID}")
def detail(note_id):
    return render_template("notes/detail.html", note=owned_note_or_404(current_user, note_id))


@bp.route(f"/{NOTE_ID}/edit", methods=["GET", "POST"])
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
def delete(note_id):
    note = owned_note_or_404(current_user, note_id)
    db.session.delete(note)
    db.session.commit()
    flash("Note deleted.", "info")
    return redirect(url_for("notes.index"))
