"""What every test of notes may ask for."""

import pytest

from {{ cookiecutter.package_name }}.notes.models import Note


@pytest.fixture
def make_note(db_session):
    """Make a note of `owner`: the first example, or as `fields` say."""

    def make(owner, **fields):
        example = {
            "title": "Title 1",
            "body": "Body 1",
        }
        note = Note(owner=owner, **(example | fields))
        db_session.add(note)
        db_session.commit()
        return note

    return make
