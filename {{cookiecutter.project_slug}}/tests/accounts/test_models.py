import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from {{ cookiecutter.package_name }}.accounts.models import User, normalize_email, user_by_email
from {{ cookiecutter.package_name }}.platform.settings import load_settings


def test_passwords_are_stored_as_scrypt_hashes(db_session, password):
    user = User(email="Ada@Example.com ", password=password)
    db_session.add(user)
    db_session.commit()
    assert user.email == "ada@example.com"
    assert user.password_hash.startswith("scrypt:")
    assert password not in user.password_hash
    assert user.check_password(password)
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


@pytest.mark.parametrize(
    ("spelling", "normalized"),
    [
        (" Ada@Example.COM ", "ada@example.com"),
        ("\u00c4nne@example.com", "\u00e4nne@example.com"),  # precomposed
        ("A\u0308nne@example.com", "\u00e4nne@example.com"),  # with a combining mark
        ("\uff21\uff44\uff41@example.com", "ada@example.com"),  # fullwidth letters
        ("ada@\uff25\uff38\uff21\uff2d\uff30\uff2c\uff25.com", "ada@example.com"),
    ],
)
def test_emails_have_one_spelling(spelling, normalized):
    assert normalize_email(spelling) == normalized


@pytest.mark.parametrize("email", ["", "nobody", "a@b", "nul\x00@example.com", "x" * 300])
def test_what_is_not_an_email_finds_no_account(db_session, email):
    with pytest.raises(ValueError):
        normalize_email(email)
    assert user_by_email(email) is None


def test_a_new_password_gives_a_new_login_id(db_session):
    user = User(email="ada@example.com", password="one password")
    db_session.add(user)
    db_session.commit()
    before = user.login_id
    assert len(before) == 32
    user.set_password("another password")
    assert user.login_id != before
    user.end_sessions()
    assert len({before, user.login_id}) == 2


def test_only_the_test_profile_hashes_cheaply(tmp_path):
    def method(profile):
        environ = {"APP_ENV": profile, "SECRET_KEY": "s" * 48}
        return load_settings(environ, str(tmp_path))["PASSWORD_HASH_METHOD"]

    assert method("production") == method("development") == "scrypt"  # Werkzeug's full cost
    assert method("test") == "scrypt:1024:8:1"
