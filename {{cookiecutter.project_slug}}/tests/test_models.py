import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from {{ cookiecutter.package_name }}.models import User


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
