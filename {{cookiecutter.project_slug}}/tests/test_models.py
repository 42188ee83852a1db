import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from {{ cookiecutter.package_name }}.models import Note, User


def test_passwords_are_stored_as_scrypt_hashes(db_session):
    user = User(email="Ada@Example.com ", password="correct horse battery")
    db_session.add(user)
    db_session.commit()
    assert user.email == "ada@example.com"
    assert user.password_hash.startswith("scrypt:")
    assert "correct horse" not in user.password_hash
    assert user.check_password("correct horse battery")
    assert not user.check_password("wrong")
    assert user.created_at is not None


def test_emails_are_unique(db_session):
    db_session.add(User(email="ada@example.com", password="one password"))
    db_session.commit()
    db_session.add(User(email="ADA@example.com", password="another password"))
    with pytest.raises(IntegrityError):
        db_session.commit()
    db_session.rollback()
    assert len(db_session.scalars(select(User)).all()) == 1


def test_notes_belong_to_their_owner_and_go_with_them(db_session):
    owner = User(email="ada@example.com", password="one password")
    owner.notes.append(Note(title="First", body="Hello"))
    db_session.add(owner)
    db_session.commit()
    note = db_session.scalar(select(Note))
    assert note.owner == owner
    assert note.created_at is not None and note.updated_at is not None
    db_session.delete(owner)
    db_session.commit()
    assert db_session.scalars(select(Note)).all() == []
