from sqlalchemy import select

from {{ cookiecutter.package_name }}.accounts.models import User
from {{ cookiecutter.package_name }}.notes.models import Note


def test_notes_belong_to_their_owner_and_go_with_them(db_session, make_note):
    owner = User(email="ada@example.com", password="one password")
    make_note(owner)
    note = db_session.scalar(select(Note))
    assert note.owner == owner
    assert note.created_at is not None and note.updated_at is not None
    assert note.title == "Title 1"
    assert note.body == "Body 1"
    db_session.delete(owner)
    db_session.commit()
    assert db_session.scalars(select(Note)).all() == []
